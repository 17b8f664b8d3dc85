/*
 * Closure, self-freeze and the customer's own limit over HTTP (PRODUCT §9, §10; API.md), on the
 * time-skipping server with REVOLVE_CLOCK's clock, SMS to a local webhook receiver and face
 * verification through the HTTP adapter to a local provider:
 * - nothing owed: CLOSED at once (by SMS code, and by face), the workflow ends, the customer applies again;
 * - 3 open installments: CLOSING with the unearned fees waived in the payoff, cancelled back to ACTIVE,
 *   closed again, paid: CLOSED by itself; a closed line refuses purchases and keeps its statements and
 *   transactions; the ledger balances;
 * - wrong codes lock, an expired code fails, a resend within the minute is 429;
 * - freeze and unfreeze; lowering the limit; staff closing on the customer's behalf, audited.
 */
import { randomUUID } from 'node:crypto';
import { and, asc, eq } from 'drizzle-orm';
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { httpFaceVerifier, type FaceVerifier } from '../../activities/face-verification';
import { checkLedger } from '../../db/ledger-check';
import { applications, auditLog, creditLines, installments } from '../../db/schema';
import { addDays, instantAt } from '../../domain/calendar';
import { STANDARD_PRODUCT } from '../../domain/product';
import { historyText, readableHistory } from '../../runtime/history-scan';
import { searchAttributes, workflowIdFor } from '../../workflows/messages';
import { faceServer } from '../support/face-server';
import { useSpeakingStack } from '../support/speaking-stack';
import { api, eventually } from '../support/stack';

const provider = faceServer();
/** The HTTP adapter to the local provider (its port is known once it listens). */
const face: FaceVerifier = {
  name: 'http',
  start: (req) => httpFaceVerifier({ url: provider.url(), timeoutMs: 2000 }).start(req),
  result: (req) => httpFaceVerifier({ url: provider.url(), timeoutMs: 2000 }).result(req),
};
const speaking = useSpeakingStack({ status: 204, face });
const { received } = speaking;
beforeAll(() => provider.start());
afterAll(() => provider.stop());

const key = () => ({ 'idempotency-key': randomUUID() });
const skip = async (ms: number) => speaking.skipTo(new Date(await speaking.env.currentTimeMs() + ms).toISOString());

/** A customer with an open line (statement day 5). */
async function openLine(customer: string, phone = '13712340000', monthlyIncome = 2_000_000) {
  const call = api(speaking.stack.baseUrl, await speaking.stack.token('customer', customer));
  const applied = await call('POST', '/v1/applications', { phone, monthlyIncome, employmentMonths: 60, age: 35, statementDay: 5 });
  expect(applied.status).toBe(202);
  const id = applied.body.creditLineId as string;
  const line = await eventually(() => call('GET', `/v1/credit-lines/${id}`), (r) => r.body.status === 'ACTIVE' && r.body.nextStatementDate !== null);
  return { call, id, line: line.body as { limit: number; nextStatementDate: string } };
}

/** The n-th closure code the line's customer received by SMS. */
async function closureCode(lineId: string, n: number): Promise<string> {
  const sms = await eventually(async () => received.filter((r) => r.creditLineId === lineId && r.template === 'VERIFICATION_CODE'), (r) => r.length >= n);
  expect(sms[n - 1]!.messageId).toBe(`${lineId}:otp:CLOSURE:${n}:VERIFICATION_CODE:SMS`);
  return /(?<![0-9])[0-9]{6}(?![0-9])/.exec(sms[n - 1]!.text)![0];
}
const wrongCode = (right: string) => String((Number(right) + 1) % 1_000_000).padStart(6, '0');

/** The line's workflow ran to its end (the env's client skips time while it waits: a closing SMS in quiet hours goes at 08:00). */
async function workflowEnded(lineId: string) {
  const handle = speaking.stack.client.workflow.getHandle(workflowIdFor(lineId));
  const result = await handle.result();
  expect(result).toMatchObject({ creditLineId: lineId, status: 'CLOSED' });
  const description = await handle.describe();
  expect(description.status.name).toBe('COMPLETED');
  expect(description.typedSearchAttributes.get(searchAttributes.status)).toBe('CLOSED');
}

describe('closure over HTTP', () => {
  it('nothing owed: CLOSED at once with an SMS code; the workflow ends; the line refuses purchases; the customer applies again', async () => {
    const customer = `cora-${randomUUID().slice(0, 6)}`;
    const { call, id } = await openLine(customer);
    const bought = await call('POST', `/v1/credit-lines/${id}/purchases`, { merchantId: 'self-operated', amount: 12_000 }, key());
    expect((await call('POST', `/v1/credit-lines/${id}/repayments`, { amount: 12_000 }, key())).status).toBe(201);
    expect(bought.status).toBe(201);
    // A request wrong in itself, refused while the line is open: its key keeps that answer after closure (found by the chaos run).
    const foreignKey = key();
    const foreign = await call('POST', `/v1/credit-lines/${id}/purchases`, { merchantId: 'elsewhere-007', amount: 5_000 }, foreignKey);
    expect(foreign.body).toMatchObject({ status: 422, code: 'MERCHANT_NOT_ELIGIBLE' });

    // Someone else's line, and staff on the customer route, cannot start it.
    const stranger = api(speaking.stack.baseUrl, await speaking.stack.token('customer', `other-${randomUUID().slice(0, 6)}`));
    expect((await stranger('POST', `/v1/credit-lines/${id}/closure`, {})).status).toBe(404);
    expect((await call('POST', `/v1/credit-lines/${id}/closure`, { channel: 'carrier-pigeon' })).body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect((await call('POST', `/v1/credit-lines/${id}/closure/verification`, { code: '123456' })).body).toMatchObject({ status: 409, code: 'VERIFICATION_NOT_STARTED' });

    const asked = await call('POST', `/v1/credit-lines/${id}/closure`);
    expect(asked.status).toBe(202);
    expect(asked.body).toEqual({ status: 'VERIFICATION_PENDING', expiresAt: expect.any(String) });
    const code = await closureCode(id, 1);
    // A second code within the minute: 429 with Retry-After.
    const again = await call('POST', `/v1/credit-lines/${id}/closure`, { channel: 'sms' });
    expect(again.body).toMatchObject({ status: 429, code: 'CODE_RESEND_TOO_SOON' });
    expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(0);

    const confirmed = await call('POST', `/v1/credit-lines/${id}/closure/verification`, { code });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toEqual({ status: 'CLOSED' });
    // A retried confirm (the same, still valid code) answers the same.
    expect((await call('POST', `/v1/credit-lines/${id}/closure/verification`, { code })).body).toEqual({ status: 'CLOSED' });
    await workflowEnded(id);
    // Neither the code nor the phone is in any history of the line (payloads decoded: the scan sees
    // the line's and the customer's ids its start input carries, so it would see a phone there too).
    const handle = speaking.stack.client.workflow.getHandle(workflowIdFor(id));
    for (let runId: string | undefined = (await handle.describe()).runId, hops = 0; runId && hops < 50; hops += 1) {
      const history = await readableHistory(speaking.stack.client, workflowIdFor(id), runId);
      const text = historyText(history);
      expect(text).toContain(id);
      expect(text).toContain(customer);
      expect(JSON.stringify(history)).not.toContain(customer);
      expect(text).not.toContain(code);
      expect(text).not.toContain('13712340000');
      runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId ?? undefined;
    }
    // Nor in any line the API or the activities logged.
    expect(speaking.logs.filter((l) => l.includes(code) || l.includes('13712340000'))).toEqual([]);

    const line = await call('GET', `/v1/credit-lines/${id}`);
    expect(line.body).toMatchObject({ status: 'CLOSED', balance: 0, available: 0, nextStatementDate: null, closedAt: expect.any(String) });
    const [application] = await speaking.stack.database.db.select().from(applications).where(eq(applications.creditLineId, id));
    expect(application!.endedAt).not.toBeNull();
    expect((await call('POST', `/v1/credit-lines/${id}/purchases`, { merchantId: 'elsewhere-007', amount: 5_000 }, foreignKey)).body).toEqual(foreign.body);
    // Everything but reads is refused.
    expect((await call('POST', `/v1/credit-lines/${id}/purchases`, { merchantId: 'self-operated', amount: 100 }, key())).body).toMatchObject({ status: 422, code: 'LINE_NOT_ACTIVE' });
    expect((await call('POST', `/v1/credit-lines/${id}/freeze`)).body).toMatchObject({ status: 422, code: 'LINE_NOT_ACTIVE' });
    expect((await call('DELETE', `/v1/credit-lines/${id}/closure`)).body).toMatchObject({ status: 422, code: 'LINE_NOT_ACTIVE' });
    expect((await call('POST', `/v1/credit-lines/${id}/closure`)).body).toMatchObject({ status: 422, code: 'LINE_NOT_ACTIVE' });
    const txs = await call('GET', `/v1/credit-lines/${id}/transactions`);
    expect(txs.body.items.map((t: { kind: string }) => t.kind)).toEqual(['REPAYMENT', 'PURCHASE']);
    // The customer told, by SMS and in the app.
    await eventually(async () => received.filter((r) => r.creditLineId === id && r.template === 'LINE_CLOSED'), (r) => r.length === 1);
    expect((await call('GET', '/v1/messages')).body.items.map((m: { template: string }) => m.template)).toContain('LINE_CLOSED');

    // After CLOSED only a new application gives credit again.
    const reapplied = await call('POST', '/v1/applications', { phone: '13712340000', monthlyIncome: 2_000_000, employmentMonths: 60, age: 35 });
    expect(reapplied.status).toBe(202);
    expect(reapplied.body.creditLineId).not.toBe(id);
    const lines = await eventually(() => call('GET', '/v1/credit-lines'), (r) => r.body.items?.length === 2);
    expect(lines.body.items.map((l: { id: string; status: string }) => l.id === id ? l.status : 'NEW').sort()).toEqual(['CLOSED', 'NEW']);
  });

  it('3 open installments: CLOSING with the unearned fees waived, cancelled, closed again and paid: CLOSED by itself', async () => {
    const { call, id, line } = await openLine(`ines-${randomUUID().slice(0, 6)}`, '13712340001');
    const statementDate = line.nextStatementDate;
    expect((await call('POST', `/v1/credit-lines/${id}/purchases`, { merchantId: 'self-operated', amount: 300_000 }, key())).status).toBe(201);
    await speaking.skipTo(instantAt(addDays(statementDate, 1), '10:00'));
    const statement = (await eventually(() => call('GET', `/v1/credit-lines/${id}/statements`), (r) => r.body.items?.length === 1)).body.items[0];
    const plan = await call('POST', `/v1/credit-lines/${id}/statements/${statement.id}/installments`, { count: 3 }, key());
    expect(plan.status).toBe(201);
    expect(plan.body).toMatchObject({ count: 3, principal: 300_000, totalFee: 4_500 });

    // Closing: CLOSING with the payoff (3 × 100 000 principal, the first fee billed, the two others waived).
    expect((await call('POST', `/v1/credit-lines/${id}/closure`)).status).toBe(202);
    const first = await closureCode(id, 1);
    const closing = await call('POST', `/v1/credit-lines/${id}/closure/verification`, { code: first });
    expect(closing.status).toBe(200);
    expect(closing.body).toMatchObject({ status: 'CLOSING', payoff: { amount: 301_500, waivedFees: 3_000 } });
    expect((await call('GET', `/v1/credit-lines/${id}`)).body).toMatchObject({ status: 'CLOSING', available: 0 });
    const attrs = await eventually(() => speaking.stack.client.workflow.getHandle(workflowIdFor(id)).describe(), (d) => d.typedSearchAttributes.get(searchAttributes.status) === 'CLOSING');
    expect(attrs.status.name).toBe('RUNNING');
    expect((await call('POST', `/v1/credit-lines/${id}/purchases`, { merchantId: 'self-operated', amount: 100 }, key())).body).toMatchObject({ status: 422, code: 'LINE_NOT_ACTIVE' });
    expect((await call('POST', `/v1/credit-lines/${id}/closure`)).body).toMatchObject({ status: 409, code: 'CLOSURE_IN_PROGRESS' });

    // Cancelled: back to ACTIVE; cancelling again is a conflict.
    const cancelled = await call('DELETE', `/v1/credit-lines/${id}/closure`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ id, status: 'ACTIVE', suspensionReasons: [] });
    expect((await call('DELETE', `/v1/credit-lines/${id}/closure`)).body).toMatchObject({ status: 409, code: 'NOT_CLOSING' });

    // Again, a minute later; then the payoff quote paid.
    await skip(61_000);
    expect((await call('POST', `/v1/credit-lines/${id}/closure`)).status).toBe(202);
    const second = await closureCode(id, 2);
    expect((await call('POST', `/v1/credit-lines/${id}/closure/verification`, { code: second })).body).toMatchObject({ status: 'CLOSING' });
    const quote = await call('GET', `/v1/credit-lines/${id}/payoff-quote`);
    expect(quote.body).toMatchObject({ amount: 301_500, waivedFees: 3_000 });
    const paid = await call('POST', `/v1/credit-lines/${id}/repayments`, { amount: quote.body.amount }, key());
    expect(paid.status).toBe(201);
    expect(paid.body.balance).toBe(0);
    await eventually(() => call('GET', `/v1/credit-lines/${id}`), (r) => r.body.status === 'CLOSED');
    await workflowEnded(id);

    // Kept: the statement, the plan (the two unbilled installments paid off early, their fees waived), the transactions.
    expect((await call('GET', `/v1/credit-lines/${id}/statements`)).body.items.map((s: { id: string }) => s.id)).toEqual([statement.id]);
    const rows = await speaking.stack.database.db.select().from(installments).where(eq(installments.creditLineId, id)).orderBy(asc(installments.seq));
    expect(rows.map((r) => [r.seq, r.principalPaid, r.feePaid, r.feeWaived])).toEqual([[1, 100_000, 1_500, 0], [2, 100_000, 0, 1_500], [3, 100_000, 0, 1_500]]);
    const txs = await call('GET', `/v1/credit-lines/${id}/transactions`);
    expect(txs.body.items.map((t: { kind: string }) => t.kind)).toEqual(['REPAYMENT', 'INSTALLMENT_CONVERSION', 'PURCHASE']);
    const [row] = await speaking.stack.database.db.select().from(creditLines).where(eq(creditLines.id, id));
    expect(row).toMatchObject({ status: 'CLOSED', balance: 0, principal: 0, installmentPrincipal: 0, installmentFees: 0, penalties: 0, creditBalance: 0 });
    expect(row!.closedAt).not.toBeNull();
    expect((await call('POST', `/v1/credit-lines/${id}/purchases`, { merchantId: 'self-operated', amount: 100 }, key())).body).toMatchObject({ status: 422, code: 'LINE_NOT_ACTIVE' });

    const check = await checkLedger(speaking.stack.database.db);
    expect(check.differences).toEqual([]);
    expect(check.ok).toBe(true);
  });

  it('five wrong codes lock, an expired code fails, and nothing closes', async () => {
    const { call, id } = await openLine(`lara-${randomUUID().slice(0, 6)}`, '13712340002');
    const closure = `/v1/credit-lines/${id}/closure`;
    expect((await call('POST', closure)).status).toBe(202);
    const code = await closureCode(id, 1);
    const answers = [];
    for (let i = 0; i < 5; i += 1) answers.push((await call('POST', `${closure}/verification`, { code: wrongCode(code) })).body);
    expect(answers.map((a) => [a.code, a.attemptsLeft])).toEqual([['VERIFICATION_FAILED', 4], ['VERIFICATION_FAILED', 3], ['VERIFICATION_FAILED', 2], ['VERIFICATION_FAILED', 1], ['VERIFICATION_LOCKED', undefined]]);
    expect((await call('POST', `${closure}/verification`, { code })).body).toMatchObject({ status: 422, code: 'VERIFICATION_LOCKED' });

    await skip(61_000);
    expect((await call('POST', closure)).status).toBe(202);
    const second = await closureCode(id, 2);
    await skip(5 * 60_000 + 1_000);
    expect((await call('POST', `${closure}/verification`, { code: second })).body).toMatchObject({ status: 422, code: 'VERIFICATION_EXPIRED' });
    expect((await call('GET', `/v1/credit-lines/${id}`)).body.status).toBe('ACTIVE');
    for (const bad of [{}, { code: '12345' }, { code: '123456', sessionId: 's', resultToken: 't' }, { sessionId: 'only-the-session' }]) {
      expect((await call('POST', `${closure}/verification`, bad)).body, JSON.stringify(bad)).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    }
  });

  it('by face: the session through the provider, the result token confirmed: CLOSED', async () => {
    const { call, id } = await openLine(`fay-${randomUUID().slice(0, 6)}`, '13712340003');
    const started = await call('POST', `/v1/credit-lines/${id}/closure`, { channel: 'face' });
    expect(started.status).toBe(202);
    expect(started.body).toEqual({ status: 'VERIFICATION_PENDING', expiresAt: expect.any(String), channel: 'face', sessionId: expect.stringMatching(/^fs-/), url: expect.any(String) });
    const sessionId = started.body.sessionId as string;
    // A token the provider did not give spends a try.
    expect((await call('POST', `/v1/credit-lines/${id}/closure/verification`, { sessionId, resultToken: 'forged' })).body).toMatchObject({ status: 422, code: 'VERIFICATION_FAILED', attemptsLeft: 4 });
    const confirmed = await call('POST', `/v1/credit-lines/${id}/closure/verification`, { sessionId, resultToken: provider.tokenOf(sessionId) });
    expect(confirmed.body).toEqual({ status: 'CLOSED' });
    await workflowEnded(id);
  });
});

describe('the customer managing their own line over HTTP', () => {
  it('freezes and unfreezes; lowers the limit, never below what is used nor above the grant', async () => {
    const { call, id, line } = await openLine(`finn-${randomUUID().slice(0, 6)}`, '13712340004', 600_000);
    expect(line.limit).toBeLessThan(STANDARD_PRODUCT.underwriting.maxLimit);
    expect((await call('POST', `/v1/credit-lines/${id}/purchases`, { merchantId: 'self-operated', amount: 30_000 }, key())).status).toBe(201);

    const frozen = await call('POST', `/v1/credit-lines/${id}/freeze`);
    expect(frozen.status).toBe(200);
    expect(frozen.body).toMatchObject({ status: 'SUSPENDED', suspensionReasons: ['CUSTOMER'], available: 0 });
    expect((await call('POST', `/v1/credit-lines/${id}/purchases`, { merchantId: 'self-operated', amount: 100 }, key())).body).toMatchObject({ status: 422, code: 'LINE_NOT_ACTIVE' });
    // Staff cannot lift the customer's own freeze.
    const staff = api(speaking.stack.baseUrl, await speaking.stack.token('support', 'S-freeze'));
    expect((await staff('DELETE', `/v1/support/credit-lines/${id}/suspension?reason=CUSTOMER`, { note: 'asked by phone' })).body).toMatchObject({ status: 409, code: 'REASON_NOT_LIFTABLE' });
    const unfrozen = await call('DELETE', `/v1/credit-lines/${id}/freeze`);
    expect(unfrozen.body).toMatchObject({ status: 'ACTIVE', suspensionReasons: [] });
    expect((await call('DELETE', `/v1/credit-lines/${id}/freeze`)).body).toMatchObject({ status: 409, code: 'NOT_SUSPENDED_FOR_REASON' });

    const lowered = await call('PUT', `/v1/credit-lines/${id}/limit`, { limit: 50_000 });
    expect(lowered.status).toBe(200);
    expect(lowered.body).toMatchObject({ limit: 50_000, available: 20_000 });
    expect((await call('PUT', `/v1/credit-lines/${id}/limit`, { limit: 29_999 })).body).toMatchObject({ status: 422, code: 'LIMIT_BELOW_BALANCE' });
    expect((await call('PUT', `/v1/credit-lines/${id}/limit`, { limit: line.limit + 100 })).body).toMatchObject({ status: 422, code: 'LIMIT_ABOVE_GRANTED' });
    expect((await call('PUT', `/v1/credit-lines/${id}/limit`, { limit: -1 })).body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect((await call('PUT', `/v1/credit-lines/${id}/limit`, { limit: line.limit })).body).toMatchObject({ limit: line.limit });
    const trail = await speaking.stack.database.db.select().from(auditLog).where(eq(auditLog.creditLineId, id)).orderBy(asc(auditLog.id));
    expect(trail.filter((a) => a.actor.startsWith('customer:')).map((a) => a.action)).toEqual(['PURCHASE', 'SUSPENSION', 'PURCHASE_REFUSED', 'SUSPENSION_LIFTED', 'SUSPENSION_LIFTED_REFUSED', 'LIMIT_CHANGE', 'LIMIT_CHANGE_REFUSED', 'LIMIT_CHANGE_REFUSED', 'LIMIT_CHANGE']);
  });

  it('staff close on the customer\'s behalf: 202 CLOSED, audited with the agent, the reason and the identity check', async () => {
    const { call, id } = await openLine(`sol-${randomUUID().slice(0, 6)}`, '13712340005');
    const staff = api(speaking.stack.baseUrl, await speaking.stack.token('support', 'S-close'));
    expect((await call('POST', `/v1/support/credit-lines/${id}/closure`, { reason: 'x', identityCheck: 'y' })).status).toBe(403);
    expect((await staff('POST', `/v1/support/credit-lines/${id}/closure`, { reason: 'asked by phone' })).body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    const closed = await staff('POST', `/v1/support/credit-lines/${id}/closure`, { reason: 'customer asked by phone to close', identityCheck: 'video call, ID card shown' });
    expect(closed.status).toBe(202);
    expect(closed.body).toEqual({ status: 'CLOSED' });
    await workflowEnded(id);
    const [row] = await speaking.stack.database.db.select().from(auditLog).where(and(eq(auditLog.creditLineId, id), eq(auditLog.action, 'CLOSURE')));
    expect(row).toMatchObject({ actor: 'staff:S-close', reason: 'customer asked by phone to close', details: expect.objectContaining({ identityCheck: 'video call, ID card shown', status: 'CLOSED' }) });
    const record = await staff('GET', `/v1/support/credit-lines/${id}`);
    expect(record.body).toMatchObject({ status: 'CLOSED' });
    expect(record.body.audit.some((a: { action: string }) => a.action === 'CLOSURE')).toBe(true);

    const check = await checkLedger(speaking.stack.database.db);
    expect(check.ok).toBe(true);
  });
});
