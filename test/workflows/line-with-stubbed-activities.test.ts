/*
 * The line's workflow on its own: every activity stubbed, no PostgreSQL. What the workflow itself
 * owes — the order of its writes, what its events say and record, when it hands an SMS over, how it
 * rolls back a refused write — is checked where nothing else could explain a pass.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import type { Activities } from '../../activities';
import { addDays, instantAt, instantMs } from '../../domain/calendar';
import type { LineEvent } from '../../domain/line';
import { inQuietHours } from '../../domain/notifications';
import { STANDARD_PRODUCT } from '../../domain/product';
import type { UnderwritingResult } from '../../domain/underwriting';
import { liftUpdate, lineQuery, purchaseUpdate, searchAttributes, WRITE_REJECTED, workflowIdFor, type CreditLineInput } from '../../workflows/messages';
import { useWorkerWithActivityDoubles } from '../support/temporal';

let env: TestWorkflowEnvironment;
const taskQueue = `stubbed-${randomUUID()}`;

/** What the stubs saw, per line. */
const written = new Map<string, LineEvent[]>();
const delivered: { messageId: string; at: number }[] = [];
/** Amounts whose purchase the stubbed database refuses for good. */
const refusedAmounts = new Set<number>([7_777]);
/** While set, an SMS delivery waits for it: a test looks at the SMS still pending without racing its delivery. */
let smsHeldUntil: Promise<void> | undefined;

const approved: UnderwritingResult = { decision: 'APPROVE', probabilityOfDefault: 0.02, limit: 1_000_000, reasonCodes: [], modelVersion: 'stub-model-1' };

const recordedDecisions: Parameters<Activities['recordUnderwritingDecision']>[0][] = [];
/** Tries of scoring per application whose bureau is down. */
const scoringTries = new Map<string, number>();

/** What the stubbed model answers when the line asks for a limit review (per line: the behaviour it was told). */
const rescored: { creditLineId: string; behaviour: unknown }[] = [];

const stubs: Pick<Activities, 'scoreApplication' | 'recordUnderwritingDecision' | 'applyLineEvents' | 'deliverSms' | 'markSmsUndeliverable' | 'rescoreLine'> = {
  rescoreLine: async (input) => {
    rescored.push(input);
    return { probabilityOfDefault: 0.01, modelLimit: 2_345_678, reasonCodes: [], modelVersion: 'stub-model-1' };
  },
  scoreApplication: async (applicationId) => {
    if (applicationId.startsWith('app_unscorable')) throw ApplicationFailure.nonRetryable('the bureau refused the request', 'BUREAU_REQUEST_REFUSED');
    if (applicationId.startsWith('app_bureau_down')) {
      scoringTries.set(applicationId, (scoringTries.get(applicationId) ?? 0) + 1);
      throw ApplicationFailure.retryable('the bureau answered 503', 'BUREAU_UNAVAILABLE');
    }
    return approved;
  },
  recordUnderwritingDecision: async (input) => { recordedDecisions.push(input); },
  applyLineEvents: async (events) => {
    const index = events.findIndex((e) => e.transaction && refusedAmounts.has(e.transaction.amount));
    if (index >= 0) throw ApplicationFailure.create({ type: WRITE_REJECTED, message: 'refused by the stub', nonRetryable: true, details: [{ index, sqlstate: '23514', reason: 'stub' }] });
    for (const e of events) written.set(e.creditLineId, [...(written.get(e.creditLineId) ?? []), e]);
    return { entries: events.length, duplicates: 0 };
  },
  deliverSms: async (messageId) => {
    await smsHeldUntil;
    delivered.push({ messageId, at: await env.currentTimeMs() });
    return { messageId, status: 'DELIVERED', attempts: 1, alreadyDelivered: false };
  },
  markSmsUndeliverable: async () => undefined,
};

useWorkerWithActivityDoubles(taskQueue, stubs, (ready) => { env = ready; });

async function openLine() {
  const input: CreditLineInput = { applicationId: `app_${randomUUID()}`, creditLineId: `cl_${randomUUID()}`, customerId: `C-${randomUUID().slice(0, 6)}`, productId: STANDARD_PRODUCT.id, statementDay: 5 };
  const handle = await env.client.workflow.start('creditLine', { workflowId: workflowIdFor(input.creditLineId), taskQueue, args: [input] });
  for (let i = 0; i < 100 && !(await handle.query(lineQuery)); i++) await new Promise((r) => setTimeout(r, 50));
  return { input, handle };
}

describe('the line\'s workflow with stubbed activities', () => {
  it('opens with an event that says and records it, and hands its SMS over at its moment, never in quiet hours', async () => {
    let release = (): void => undefined;
    smsHeldUntil = new Promise((r) => { release = r; });
    const { input, handle } = await openLine();
    const [opened] = written.get(input.creditLineId) ?? [];
    expect(opened?.messages?.map((m) => [m.template, m.channel])).toEqual([['LINE_OPENED', 'SMS'], ['LINE_OPENED', 'IN_APP']]);
    expect(opened?.audit).toEqual([{ action: 'LINE_OPENED', actor: { type: 'model', id: 'stub-model-1' }, details: { limit: 1_000_000, statementDay: 5 } }]);
    const sms = opened!.messages![0]!;
    const state = await handle.query(lineQuery);
    expect(state?.pendingSms).toEqual([{ id: sms.id, sendAt: sms.sendAt }]);
    release();
    smsHeldUntil = undefined;

    await env.sleep(Math.max(0, instantMs(sms.sendAt) - await env.currentTimeMs()) + 1000);
    for (let i = 0; i < 100 && !delivered.some((d) => d.messageId === sms.id); i++) await new Promise((r) => setTimeout(r, 50));
    const delivery = delivered.find((d) => d.messageId === sms.id);
    expect(delivery).toBeDefined();
    expect(delivery!.at).toBeGreaterThanOrEqual(instantMs(sms.sendAt));
    expect(inQuietHours(new Date(delivery!.at).toISOString(), STANDARD_PRODUCT.sms.quietHours)).toBe(false);
    expect(delivered.filter((d) => d.messageId === sms.id)).toHaveLength(1);
    for (let i = 0; i < 100 && (await handle.query(lineQuery))?.pendingSms?.length; i++) await new Promise((r) => setTimeout(r, 50));
    expect((await handle.query(lineQuery))?.pendingSms).toEqual([]);
    await handle.terminate('test done');
  });

  it('wakes by itself for a reminder three days before the due date, and hands its SMS over at 10:00', async () => {
    const { input, handle } = await openLine();
    await handle.executeUpdate(purchaseUpdate, { args: [{ key: randomUUID(), requestHash: 'h', merchantId: 'self-operated', amount: 50_000 }] });
    const { nextStatementDate } = (await handle.query(lineQuery))!;
    const due = addDays(nextStatementDate, STANDARD_PRODUCT.statement.dueDateOffsetDays);
    const slot = instantAt(addDays(due, -3), '10:00');
    await env.sleep(instantMs(slot) - await env.currentTimeMs() + 60_000);
    const reminderSms = () => (written.get(input.creditLineId) ?? []).flatMap((e) => e.messages ?? []).find((m) => m.template === 'PAYMENT_REMINDER' && m.channel === 'SMS');
    for (let i = 0; i < 100 && !delivered.some((d) => d.messageId === reminderSms()?.id); i++) await new Promise((r) => setTimeout(r, 50));
    const sms = reminderSms();
    expect(sms).toMatchObject({ params: { amount: 50_000, dueDate: due, daysBefore: 3 } });
    // Sent when the line woke for it: at 10:00 (a timer fires a few milliseconds late).
    expect(instantMs(sms!.sendAt) - instantMs(slot)).toBeGreaterThanOrEqual(0);
    expect(instantMs(sms!.sendAt) - instantMs(slot)).toBeLessThan(60_000);
    const delivery = delivered.find((d) => d.messageId === sms?.id);
    expect(delivery?.at).toBeGreaterThanOrEqual(instantMs(slot));
    await env.client.workflow.getHandle(workflowIdFor(input.creditLineId)).terminate('test done');
  });

  it('records each command with its actor, and rolls a refused write back with the caller told', async () => {
    const { input, handle } = await openLine();
    const send = (amount: number, actor?: { type: 'platform'; id: string }) =>
      handle.executeUpdate(purchaseUpdate, { args: [{ key: randomUUID(), requestHash: 'h', merchantId: 'self-operated', amount, ...(actor ? { actor } : {}) }] });
    expect(await send(1_000, { type: 'platform', id: 'checkout' })).toMatchObject({ ok: true });
    const refused = await send(7_777).then(() => undefined, (e: unknown) => e);
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((refused as WorkflowUpdateFailedError).cause).toMatchObject({ type: 'COMMAND_FAILED' });
    expect(await send(2_000)).toMatchObject({ ok: true, body: { available: 1_000_000 - 3_000 } });

    const purchases = (written.get(input.creditLineId) ?? []).filter((e) => e.entry?.kind === 'PURCHASE');
    expect(purchases.map((e) => e.transaction?.amount)).toEqual([1_000, 2_000]);
    expect(purchases.map((e) => e.audit?.[0]?.actor)).toEqual([{ type: 'platform', id: 'checkout' }, { type: 'customer', id: input.customerId }]);
    // Versions stay gapless: the refused event's version was given again to the next one.
    const versions = (written.get(input.creditLineId) ?? []).map((e) => e.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(new Set(versions).size).toBe(versions.length);
    expect((await handle.query(lineQuery))?.balances.currentCycle).toBe(3_000);
    await handle.terminate('test done');
  });
});

describe('risk in the line (time-skipping)', () => {
  const buy = (handle: Awaited<ReturnType<typeof openLine>>['handle'], amount = 5_000) =>
    handle.executeUpdate(purchaseUpdate, { args: [{ key: randomUUID(), requestHash: 'h', merchantId: 'self-operated', amount }] });
  const events = (creditLineId: string) => written.get(creditLineId) ?? [];

  it('declines the fifth small purchase within 10 minutes and suspends the line; the customer\'s verified code lifts it', async () => {
    const { input, handle } = await openLine();
    for (let i = 0; i < 4; i++) {
      expect(await buy(handle)).toMatchObject({ ok: true });
      await env.sleep(60_000);
    }
    expect(await buy(handle)).toMatchObject({ ok: false, code: 'RISK_DECLINED' });
    expect(await handle.query(lineQuery)).toMatchObject({ status: 'SUSPENDED', suspensionReasons: ['RISK_VELOCITY'] });
    const declined = events(input.creditLineId).at(-1)!;
    expect(declined.riskEvents?.map((r) => [r.rule, r.shadow, r.action])).toEqual([['velocity-small-purchases', false, 'SUSPEND'], ['velocity-small-purchases-trial', true, 'NONE']]);
    expect(declined.decisions?.map((d) => d.kind)).toEqual(['PURCHASE_DECLINE', 'SUSPENSION']);
    // The suspension's SMS, decided inside the command, is handed over at its moment (patch `status-and-news`),
    // not at the line's next wake-up weeks later.
    const notice = declined.messages?.find((m) => m.template === 'RISK_SUSPENDED' && m.channel === 'SMS');
    expect(notice).toBeDefined();
    await env.sleep(Math.max(0, instantMs(notice!.sendAt) - await env.currentTimeMs()) + 1_000);
    for (let i = 0; i < 100 && !delivered.some((d) => d.messageId === notice!.id); i++) await new Promise((r) => setTimeout(r, 50));
    expect(delivered.find((d) => d.messageId === notice!.id)?.at).toBeLessThanOrEqual(instantMs(notice!.sendAt) + 60_000);
    expect((await handle.describe()).typedSearchAttributes.get(searchAttributes.status)).toBe('SUSPENDED');
    expect(await buy(handle)).toMatchObject({ ok: false, code: 'LINE_NOT_ACTIVE' });

    const lifted = await handle.executeUpdate(liftUpdate, { args: [{ key: randomUUID(), requestHash: 'h', reasons: ['RISK_LOGIN', 'RISK_VELOCITY'], via: 'VERIFICATION', actor: { type: 'customer', id: input.customerId } }] });
    expect(lifted).toMatchObject({ ok: true, body: { status: 'ACTIVE', suspensionReasons: [] } });
    expect(await buy(handle)).toMatchObject({ ok: true });
    await handle.terminate('test done');
  });

  it('lets five small purchases spread over 11 minutes through, recording the trial rule in shadow only', async () => {
    const { input, handle } = await openLine();
    for (let i = 0; i < 5; i++) {
      expect(await buy(handle)).toMatchObject({ ok: true });
      if (i < 4) await env.sleep(165_000); // 2 min 45 s apart: the fifth comes 11 minutes after the first
    }
    expect(await handle.query(lineQuery)).toMatchObject({ status: 'ACTIVE' });
    const hits = events(input.creditLineId).flatMap((e) => e.riskEvents ?? []);
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.every((h) => h.shadow && h.action === 'NONE')).toBe(true);
    await handle.terminate('test done');
  });

  it('asks the model for a limit review after six on-time statements and raises the limit it allows', async () => {
    const { input } = await openLine();
    for (let cycle = 0; cycle < 7 && !events(input.creditLineId).some((e) => e.decisions?.some((d) => d.kind === 'LIMIT_CHANGE')); cycle++) {
      await env.sleep(31 * 24 * 3600_000);
    }
    const change = events(input.creditLineId).find((e) => e.decisions?.some((d) => d.kind === 'LIMIT_CHANGE'));
    expect(change?.decisions?.[0]).toMatchObject({ kind: 'LIMIT_CHANGE', outcome: 'RAISED', adverse: false, decidedBy: 'model:stub-model-1', details: { from: 1_000_000, to: 2_340_000 } });
    expect(change?.messages?.map((m) => m.template)).toContain('LIMIT_CHANGED');
    expect(rescored.find((r) => r.creditLineId === input.creditLineId)?.behaviour).toMatchObject({ onTimeCycles: 6, missedCycles: 0 });
    const live = await env.client.workflow.getHandle(workflowIdFor(input.creditLineId)).query(lineQuery);
    expect(live?.limit).toBe(2_340_000);
    await env.client.workflow.getHandle(workflowIdFor(input.creditLineId)).terminate('test done');
  });
});

describe('an application that cannot be scored', () => {
  it('goes to manual review, never a failed line', async () => {
    const input: CreditLineInput = { applicationId: `app_unscorable_${randomUUID()}`, creditLineId: `cl_${randomUUID()}`, customerId: `C-${randomUUID().slice(0, 6)}`, productId: STANDARD_PRODUCT.id, statementDay: 5 };
    const handle = await env.client.workflow.start('creditLine', { workflowId: workflowIdFor(input.creditLineId), taskQueue, args: [input] });
    for (let i = 0; i < 100 && !recordedDecisions.some((d) => d.applicationId === input.applicationId); i++) await new Promise((r) => setTimeout(r, 50));
    expect(recordedDecisions.find((d) => d.applicationId === input.applicationId)).toMatchObject({
      decidedBy: 'system:underwriting', result: { decision: 'MANUAL_REVIEW', reasonCodes: ['APPLICANT_DATA_UNAVAILABLE'] },
    });
    expect((await handle.describe()).status.name).toBe('RUNNING');
    await handle.terminate('test done');
  });

  it('whose bureau stays down: scoring is tried for applicantDataWaitMinutes, then a person decides', async () => {
    const input: CreditLineInput = { applicationId: `app_bureau_down_${randomUUID()}`, creditLineId: `cl_${randomUUID()}`, customerId: `C-${randomUUID().slice(0, 6)}`, productId: STANDARD_PRODUCT.id, statementDay: 5 };
    const startedAt = await env.currentTimeMs();
    const handle = await env.client.workflow.start('creditLine', { workflowId: workflowIdFor(input.creditLineId), taskQueue, args: [input] });
    const wait = STANDARD_PRODUCT.underwriting.applicantDataWaitMinutes * 60_000;
    await env.sleep(wait + 60_000);
    for (let i = 0; i < 100 && !recordedDecisions.some((d) => d.applicationId === input.applicationId); i++) await new Promise((r) => setTimeout(r, 50));
    const decision = recordedDecisions.find((d) => d.applicationId === input.applicationId);
    expect(decision).toMatchObject({ decidedBy: 'system:underwriting', result: { decision: 'MANUAL_REVIEW', reasonCodes: ['APPLICANT_DATA_UNAVAILABLE'] } });
    // Tried again and again meanwhile (backoff up to a minute), given up when no try fits in the wait any more.
    expect(scoringTries.get(input.applicationId)).toBeGreaterThan(10);
    expect(Date.parse(decision!.decidedAt) - startedAt).toBeGreaterThanOrEqual(wait - 60_000);
    expect(Date.parse(decision!.decidedAt) - startedAt).toBeLessThanOrEqual(wait + 5_000);
    expect((await handle.describe()).status.name).toBe('RUNNING');
    await handle.terminate('test done');
  });
});
