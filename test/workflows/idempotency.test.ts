import { describe, expect, it } from 'vitest';
import { checkLedger } from '../../db/ledger-check';
import { addDays, instantAt } from '../../domain/calendar';
import { lineQuery, purchaseUpdate, updateIdFor, workflowIdFor } from '../../workflows/messages';
import { receiveApplication } from '../support/fixtures';
import { terminateWhenIdle, useTimeSkippingWorker } from '../support/temporal';

const fixture = useTimeSkippingWorker('idempotency-test');

describe('idempotency across continue-as-new', () => {
  it('charges once for one key sent 5 times at once, and gives the same answer after the run continued as new', async () => {
    const input = await receiveApplication(fixture.database.db, { monthlyIncome: 2_000_000, statementDay: 5 });
    const handle = await fixture.env.client.workflow.start('creditLine', { workflowId: workflowIdFor(input.creditLineId), taskQueue: fixture.taskQueue, args: [input] });
    let line = await handle.query(lineQuery);
    for (let i = 0; i < 100 && !line; i++) { await new Promise((r) => setTimeout(r, 50)); line = await handle.query(lineQuery); }
    const request = { key: 'order-42', requestHash: 'a'.repeat(64), merchantId: 'self-operated', amount: 45_600 };
    const send = (r: typeof request) => handle.executeUpdate(purchaseUpdate, { args: [r], updateId: updateIdFor('purchase', r.key, r.requestHash) });

    const answers = await Promise.all(Array.from({ length: 5 }, () => send(request)));
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0]).toMatchObject({ ok: true, body: { status: 'APPROVED', amount: 45_600 } });
    const firstRun = (await handle.describe()).runId;

    // Past the statement close: the workflow continued as new, carrying the answered keys.
    await fixture.env.sleep(Date.parse(instantAt(addDays(line!.nextStatementDate, 1), '10:00')) - (await fixture.env.currentTimeMs()));
    let after = await handle.describe();
    for (let i = 0; i < 100 && after.runId === firstRun; i++) { await new Promise((r) => setTimeout(r, 50)); after = await handle.describe(); }
    expect(after.runId).not.toBe(firstRun);

    expect(await send(request)).toEqual(answers[0]);
    const reused = await send({ ...request, amount: 1, requestHash: 'b'.repeat(64) });
    expect(reused).toMatchObject({ ok: false, code: 'IDEMPOTENCY_KEY_REUSED' });
    const state = await handle.query(lineQuery);
    // Billed once: 45,600 fen on the statement, nothing in the new cycle.
    expect(state?.balances.statements.map((s) => s.billed)).toEqual([45_600]);
    expect(state?.balances.currentCycle).toBe(0);
    expect((await checkLedger(fixture.database.db)).ok).toBe(true);
    await terminateWhenIdle(handle);
  });
});
