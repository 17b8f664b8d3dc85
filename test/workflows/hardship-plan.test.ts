/*
 * Hardship plans and collection pauses in the line's workflow, on the time-skipping server with every
 * activity stubbed (no PostgreSQL): the Updates as the maker–checker request and the support route send
 * them, and the line waking by itself while months pass.
 */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import type { Activities } from '../../activities';
import { addDays, instantAt, instantMs } from '../../domain/calendar';
import type { CreditLineState, HardshipPlanView, LineEvent } from '../../domain/line';
import { sumPostings } from '../../domain/ledger';
import { STANDARD_PRODUCT } from '../../domain/product';
import {
  hardshipPlanUpdate, lineQuery, pauseCollectionUpdate, purchaseUpdate, workflowIdFor, type CreditLineInput,
} from '../../workflows/messages';
import { terminateWhenIdle, useWorkerWithActivityDoubles } from '../support/temporal';

let env: TestWorkflowEnvironment;
const taskQueue = `hardship-${randomUUID()}`;
const written = new Map<string, LineEvent[]>();

const stubs: Pick<Activities, 'scoreApplication' | 'recordUnderwritingDecision' | 'applyLineEvents' | 'deliverSms' | 'markSmsUndeliverable' | 'rescoreLine'> = {
  scoreApplication: async () => ({ decision: 'APPROVE', probabilityOfDefault: 0.02, limit: 1_000_000, reasonCodes: [], modelVersion: 'stub-model-1' }),
  recordUnderwritingDecision: async () => undefined,
  // The model keeps the limit as it is: a limit review must not move anything this test follows.
  rescoreLine: async () => ({ probabilityOfDefault: 0.02, modelLimit: 1_000_000, reasonCodes: [], modelVersion: 'stub-model-1' }),
  applyLineEvents: async (events) => {
    for (const e of events) written.set(e.creditLineId, [...(written.get(e.creditLineId) ?? []), e]);
    return { entries: events.length, duplicates: 0 };
  },
  deliverSms: async (messageId) => ({ messageId, status: 'DELIVERED', attempts: 1, alreadyDelivered: false }),
  markSmsUndeliverable: async () => undefined,
};

useWorkerWithActivityDoubles(taskQueue, stubs, (ready) => { env = ready; });

const STAFF = { type: 'staff', id: 'S1' } as const;

/** A line that bought 100,000 fen and never paid: its first statement's due date. */
async function unpaidLine() {
  const input: CreditLineInput = { applicationId: `app_${randomUUID()}`, creditLineId: `cl_${randomUUID()}`, customerId: `C-${randomUUID().slice(0, 6)}`, productId: STANDARD_PRODUCT.id, statementDay: 5 };
  const started = await env.client.workflow.start('creditLine', { workflowId: workflowIdFor(input.creditLineId), taskQueue, args: [input] });
  for (let i = 0; i < 100 && !(await started.query(lineQuery)); i++) await new Promise((r) => setTimeout(r, 50));
  expect(await started.executeUpdate(purchaseUpdate, { args: [{ key: randomUUID(), requestHash: 'h', merchantId: 'self-operated', amount: 100_000 }] })).toMatchObject({ ok: true });
  const { nextStatementDate } = (await started.query(lineQuery))!;
  // The line continues as new at every statement close: later calls go to its latest run.
  const handle = env.client.workflow.getHandle(workflowIdFor(input.creditLineId));
  return { input, handle, due: addDays(nextStatementDate, STANDARD_PRODUCT.statement.dueDateOffsetDays) };
}

const sleepUntil = async (instant: string) => {
  const ms = instantMs(instant) - await env.currentTimeMs();
  if (ms > 0) await env.sleep(ms);
};
/** The line once it has acted at `instant` (its wake-up may land a moment after the skipped clock). */
async function lineAt(handle: ReturnType<typeof env.client.workflow.getHandle>, ready: (line: CreditLineState) => boolean): Promise<CreditLineState> {
  let line = await handle.query(lineQuery);
  for (let i = 0; i < 100 && !(line && ready(line)); i++) {
    await new Promise((r) => setTimeout(r, 50));
    line = await handle.query(lineQuery);
  }
  return line!;
}
const actions = (creditLineId: string, after = 0) => (written.get(creditLineId) ?? []).filter((e) => instantMs(e.occurredAt) > after).map((e) => e.audit?.[0]?.action);

describe('a hardship plan in the line\'s workflow (time-skipping)', () => {
  it('pauses the ladder while kept, and a missed plan installment resumes it where it stopped', async () => {
    const { input, handle, due } = await unpaidLine();
    await sleepUntil(instantAt(addDays(due, 20), '10:00'));
    const overdue = await lineAt(handle, (l) => (l.collection?.done.length ?? 0) >= 4);
    expect(overdue).toMatchObject({ status: 'SUSPENDED', suspensionReasons: ['OVERDUE'], collection: { done: [1, 3, 7, 15], stage: 'DPD15_COLLECTIONS' } });

    // As the approved maker–checker request sends it.
    const answer = await handle.executeUpdate(hardshipPlanUpdate, {
      args: [{ key: `${input.creditLineId}:approval:1`, requestHash: 'h', installments: 3, note: 'hospital stay, income resumes in two months', approvalId: `${input.creditLineId}:approval:1`, actor: STAFF }],
      updateId: `${workflowIdFor(input.creditLineId)}/approval-1`,
    });
    expect(answer.ok).toBe(true);
    const plan = (answer as { body: HardshipPlanView }).body;
    expect(plan).toMatchObject({ count: 3, reaged: { principal: 100_000, penalties: 1_000 }, total: 101_000, status: 'SUSPENDED', suspensionReasons: ['STAFF'] });
    const started = (written.get(input.creditLineId) ?? []).find((e) => e.audit?.[0]?.action === 'HARDSHIP_PLAN_STARTED')!;
    expect(sumPostings(started.entry!.postings)).toBe(0);
    expect(started.statementStatuses?.[0]?.status).toBe('INSTALLMENTS');
    const onPlan = await handle.query(lineQuery);
    expect(onPlan?.collection).toBeUndefined();
    expect(onPlan?.hardship).toMatchObject({ status: 'KEPT', paused: { done: [1, 3, 7, 15] } });

    // Kept: months pass up to the first installment's due date with no step, no collection contact, no penalty.
    const first = plan.schedule[0]!;
    const startedAt = instantMs(started.occurredAt);
    await sleepUntil(instantAt(first.dueDate, '23:00'));
    const kept = await lineAt(handle, (l) => l.nextStatementDate > first.statementDate);
    expect(kept.hardship?.status).toBe('KEPT');
    const meanwhile = (written.get(input.creditLineId) ?? []).filter((e) => instantMs(e.occurredAt) > startedAt);
    expect(meanwhile.map((e) => e.audit?.[0]?.action)).not.toContain('COLLECTION_STEP');
    expect(meanwhile.filter((e) => e.entry?.kind === 'PENALTY')).toEqual([]);
    expect(meanwhile.flatMap((e) => e.messages ?? []).filter((m) => m.kind === 'COLLECTION')).toEqual([]);
    // The first installment was billed and reminded like any.
    expect(meanwhile.flatMap((e) => e.messages ?? []).some((m) => m.template === 'PAYMENT_REMINDER' && m.params.dueDate === first.dueDate)).toBe(true);

    // Missed: the line wakes by itself the midnight after and resumes the ladder where it stopped.
    await sleepUntil(instantAt(addDays(first.dueDate, 1), '12:00'));
    const missed = await lineAt(handle, (l) => l.hardship?.status === 'MISSED');
    expect(missed).toMatchObject({
      status: 'SUSPENDED', suspensionReasons: ['OVERDUE', 'STAFF'], hardship: { status: 'MISSED' },
      collection: { dueDate: first.dueDate, done: [1, 3, 7, 15], stage: 'DPD15_COLLECTIONS', caseId: `${input.creditLineId}:case:${first.dueDate}` },
    });
    const resumed = (written.get(input.creditLineId) ?? []).find((e) => e.audit?.[0]?.action === 'HARDSHIP_PLAN_MISSED')!;
    // At the midnight after the missed due date (a timer fires a moment late).
    expect(instantMs(resumed.occurredAt) - instantMs(instantAt(addDays(first.dueDate, 1), '00:00'))).toBeGreaterThanOrEqual(0);
    expect(instantMs(resumed.occurredAt) - instantMs(instantAt(addDays(first.dueDate, 1), '00:00'))).toBeLessThan(60_000);
    expect(resumed.messages?.map((m) => m.template)).toEqual(['OVERDUE_NOTICE', 'OVERDUE_NOTICE']);
    expect(resumed.collectionCase).toMatchObject({ action: 'OPEN', openedDpd: 1 });
    await terminateWhenIdle(handle);
  });

  it('a collection pause holds the ladder until its end, when the line wakes and takes the steps it held', async () => {
    const { input, handle, due } = await unpaidLine();
    await sleepUntil(instantAt(addDays(due, 2), '10:00'));
    await lineAt(handle, (l) => (l.collection?.done.length ?? 0) >= 1);
    const until = instantAt(addDays(due, 9), '15:00');
    const paused = await handle.executeUpdate(pauseCollectionUpdate, { args: [{ key: randomUUID(), requestHash: 'h', until, reason: 'disputed purchase', actor: STAFF }] });
    expect(paused).toEqual({ ok: true, type: 'pauseCollection', body: { pausedUntil: until, daysPastDue: 2, stage: 'DPD1_NOTICE' } });
    const pausedAt = await env.currentTimeMs();

    await sleepUntil(instantAt(addDays(due, 9), '14:00'));
    const during = await lineAt(handle, (l) => l.collection?.through === addDays(due, 9));
    expect(during.collection).toMatchObject({ done: [1], pausedUntil: until });
    expect(actions(input.creditLineId, pausedAt)).not.toContain('COLLECTION_STEP');
    expect(actions(input.creditLineId, pausedAt).filter((a) => a === 'PENALTY_ACCRUED').length).toBeGreaterThanOrEqual(7);

    await sleepUntil(instantAt(addDays(due, 9), '15:30'));
    const after = await lineAt(handle, (l) => l.collection?.pausedUntil === undefined);
    expect(after.collection).toMatchObject({ done: [1, 3, 7], followUp: true });
    const ended = (written.get(input.creditLineId) ?? []).find((e) => e.audit?.[0]?.action === 'COLLECTION_PAUSE_ENDED')!;
    // Woken at the pause's end (a timer fires a moment late), not at the next midnight.
    expect(instantMs(ended.occurredAt) - instantMs(until)).toBeGreaterThanOrEqual(0);
    expect(instantMs(ended.occurredAt) - instantMs(until)).toBeLessThan(60_000);
    await terminateWhenIdle(handle);
  });
});
