import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { activityRegistry } from '../../activities/metrics';
import { checkLedger } from '../../db/ledger-check';
import { rejectedLineEvents } from '../../db/schema';
import { checkWorkflowsAgainstReadModels } from '../../runtime/workflow-check';
import { lineQuery, purchaseUpdate, workflowIdFor } from '../../workflows/messages';
import { receiveApplication } from '../support/fixtures';
import { terminateWhenIdle, useTimeSkippingWorker } from '../support/temporal';

const fixture = useTimeSkippingWorker('refused-write-test');

/** A line whose database refuses any transaction of exactly 13,131 fen: a write retrying can never fix. */
async function lineWithATrap() {
  await fixture.database.db.execute(sql`ALTER TABLE transactions DROP CONSTRAINT IF EXISTS trap_13131`);
  await fixture.database.db.execute(sql`ALTER TABLE transactions ADD CONSTRAINT trap_13131 CHECK (amount <> 13131)`);
  const input = await receiveApplication(fixture.database.db, { monthlyIncome: 2_000_000 });
  const handle = await fixture.env.client.workflow.start('creditLine', { workflowId: workflowIdFor(input.creditLineId), taskQueue: fixture.taskQueue, args: [input] });
  let line = await handle.query(lineQuery);
  for (let i = 0; i < 100 && !line; i++) { await new Promise((r) => setTimeout(r, 50)); line = await handle.query(lineQuery); }
  let n = 0;
  const buy = (amount: number) => handle.executeUpdate(purchaseUpdate, { args: [{ key: `k-${amount}-${(n += 1)}`, requestHash: `h${n}`, merchantId: 'self-operated', amount }] });
  return { input, handle, limit: line!.limit, buy };
}

const failureOf = async (answer: Promise<unknown>) => {
  const err = await answer.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  return (err as WorkflowUpdateFailedError).cause as ApplicationFailure;
};

describe('a write the database refuses for good', () => {
  it('fails the command cleanly, rolls the line back, records the refusal, and the line goes on', async () => {
    const { input, handle, limit, buy } = await lineWithATrap();
    const started = Date.now();
    const cause = await failureOf(buy(13131));
    // Answered at once: never retried in a loop behind the line's other commands.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect(cause.type).toBe('COMMAND_FAILED');
    expect(cause.nonRetryable).toBe(true);

    // The line is usable and holds exactly what the database holds.
    expect(await buy(500)).toMatchObject({ ok: true, body: { available: limit - 500 } });
    const state = await handle.query(lineQuery);
    expect(state?.balances.currentCycle).toBe(500);
    expect((await checkWorkflowsAgainstReadModels(fixture.database.db, fixture.env.client)).differences).toEqual([]);
    expect((await checkLedger(fixture.database.db)).ok).toBe(true);

    // Loud: a row an operator can find (no payload) and a metric.
    const rows = await fixture.database.db.select().from(rejectedLineEvents).where(eq(rejectedLineEvents.creditLineId, input.creditLineId));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ sqlstate: '23514', constraintName: 'trap_13131', kind: 'PURCHASE' });
    expect(rows[0]!.eventKey).toContain(input.creditLineId);
    expect(await activityRegistry.getSingleMetricAsString('revolve_line_events_rejected_total')).toMatch(/kind="PURCHASE",sqlstate="23514"} [1-9]/);
    await terminateWhenIdle(handle);
  });

  it('drops the refused command and those decided on top of it, writes the rest, and the books agree', async () => {
    const { handle, buy } = await lineWithATrap();
    // Above 50 yuan each: five small purchases in a burst would trip the velocity rule, which is not under test here.
    const answers = await Promise.allSettled([buy(10_000), buy(13131), buy(20_000), buy(30_000), buy(40_000)]);
    expect(answers[1]?.status).toBe('rejected');
    const approved = answers.filter((a) => a.status === 'fulfilled').map((a) => (a as PromiseFulfilledResult<{ body: { amount: number } }>).value.body.amount);
    for (const a of answers) if (a.status === 'rejected') expect((a.reason as WorkflowUpdateFailedError).cause).toMatchObject({ type: 'COMMAND_FAILED' });
    const state = await handle.query(lineQuery);
    expect(state?.balances.currentCycle).toBe(approved.reduce((s, x) => s + x, 0));
    expect((await checkWorkflowsAgainstReadModels(fixture.database.db, fixture.env.client)).differences).toEqual([]);
    expect((await checkLedger(fixture.database.db)).ok).toBe(true);
    // And a retry of the dropped amounts under new keys goes through.
    expect(await buy(20_000)).toMatchObject({ ok: true });
    await terminateWhenIdle(handle);
  });
});
