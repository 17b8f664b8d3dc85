/*
 * A customer lifts a risk suspension with a fresh SMS code, over HTTP (API.md: POST
 * /v1/credit-lines/{id}/verification and …/verification/confirm; PRODUCT §8): a burst of 5 small
 * purchases suspends the line RISK_VELOCITY, the customer asks for a code, the SMS reaches the local
 * gateway with the customer's phone, the code confirms, the line is ACTIVE again and buys.
 */
import { randomUUID } from 'node:crypto';
import { and, asc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditLog, messages, oneTimeCodes } from '../../db/schema';
import { historyText, readableHistory } from '../../runtime/history-scan';
import { workflowIdFor } from '../../workflows/messages';
import { useSpeakingStack } from '../support/speaking-stack';
import { api, eventually } from '../support/stack';

const speaking = useSpeakingStack({ status: 204 });
const { received } = speaking;

const buy = (call: ReturnType<typeof api>, lineId: string, amount: number) =>
  call('POST', `/v1/credit-lines/${lineId}/purchases`, { merchantId: 'self-operated', amount }, { 'idempotency-key': randomUUID() });

describe('reinstatement by SMS code', () => {
  it('velocity suspension lifted by the customer\'s code; every refusal on the way is a stable problem', async () => {
    const customer = `vera-${randomUUID().slice(0, 8)}`;
    const call = api(speaking.stack.baseUrl, await speaking.stack.token('customer', customer));
    const applied = await call('POST', '/v1/applications', { phone: '13712345678', monthlyIncome: 2_000_000, employmentMonths: 60, age: 35, statementDay: 5 });
    expect(applied.status).toBe(202);
    const lineId = applied.body.creditLineId as string;
    await eventually(() => call('GET', `/v1/credit-lines/${lineId}`), (r) => r.body.status === 'ACTIVE');
    const verification = `/v1/credit-lines/${lineId}/verification`;

    // An active line has nothing a code could lift.
    expect((await call('POST', verification)).body).toMatchObject({ status: 409, code: 'NOT_SUSPENDED_FOR_RISK' });

    // 5 purchases of at most 50 yuan within 10 minutes: the 5th is declined and the line suspended.
    for (let i = 0; i < 4; i += 1) expect((await buy(call, lineId, 5_000)).status).toBe(201);
    const fifth = await buy(call, lineId, 5_000);
    expect(fifth.body).toMatchObject({ status: 422, code: 'RISK_DECLINED' });
    const suspended = (await call('GET', `/v1/credit-lines/${lineId}`)).body;
    expect(suspended).toMatchObject({ status: 'SUSPENDED', suspensionReasons: ['RISK_VELOCITY'] });

    // Confirming before asking; a code that is not 6 digits; someone else's line; staff.
    expect((await call('POST', `${verification}/confirm`, { code: '123456' })).body).toMatchObject({ status: 409, code: 'VERIFICATION_NOT_STARTED' });
    const stranger = api(speaking.stack.baseUrl, await speaking.stack.token('customer', `other-${randomUUID().slice(0, 8)}`));
    expect((await stranger('POST', verification)).status).toBe(404);
    const staff = api(speaking.stack.baseUrl, await speaking.stack.token('support', 'S-verify'));
    expect((await staff('POST', verification)).status).toBe(403);

    // Asking: 202 with the expiry, the SMS to the customer's phone at once, a second ask within the minute refused.
    const asked = await call('POST', verification);
    expect(asked.status).toBe(202);
    expect(asked.body).toEqual({ status: 'VERIFICATION_PENDING', expiresAt: expect.any(String) });
    const sms = await eventually(async () => received.filter((r) => r.creditLineId === lineId && r.template === 'VERIFICATION_CODE'), (r) => r.length === 1);
    expect(sms[0]).toMatchObject({ to: '13712345678', messageId: `${lineId}:otp:REINSTATEMENT:1:VERIFICATION_CODE:SMS` });
    const code = /(?<![0-9])[0-9]{6}(?![0-9])/.exec(sms[0]!.text)?.[0];
    expect(code).toMatch(/^[0-9]{6}$/);
    expect(Date.parse(asked.body.expiresAt) - Date.parse(sms[0]!.scheduledFor)).toBe(5 * 60_000);
    const again = await call('POST', verification);
    expect(again.body).toMatchObject({ status: 429, code: 'CODE_RESEND_TOO_SOON' });
    expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(again.headers.get('retry-after'))).toBeLessThanOrEqual(60);

    for (const bad of ['12345', '1234567', 'abcdef', 123456]) {
      const refused = await call('POST', `${verification}/confirm`, { code: bad });
      expect(refused.status).toBe(400);
      expect(refused.body.code).toBe('VALIDATION_FAILED');
    }
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    const failed = await call('POST', `${verification}/confirm`, { code: wrong });
    expect(failed.status).toBe(422);
    expect(failed.headers.get('content-type')).toContain('application/problem+json');
    expect(failed.body).toMatchObject({ code: 'VERIFICATION_FAILED', attemptsLeft: 4 });
    expect((await stranger('POST', `${verification}/confirm`, { code })).status).toBe(404);

    // The right code: the line lifts its risk reason and answers ACTIVE; the same code again answers the same.
    const confirmed = await call('POST', `${verification}/confirm`, { code });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ id: lineId, status: 'ACTIVE', suspensionReasons: [] });
    const retried = await call('POST', `${verification}/confirm`, { code });
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ id: lineId, status: 'ACTIVE', suspensionReasons: [] });
    expect((await call('POST', verification)).body).toMatchObject({ status: 409, code: 'NOT_SUSPENDED_FOR_RISK' });

    // Buying again; the lift is in the audit trail with the customer as its actor.
    expect((await buy(call, lineId, 20_000)).status).toBe(201);
    const trail = await speaking.stack.database.db.select().from(auditLog).where(eq(auditLog.creditLineId, lineId)).orderBy(asc(auditLog.id));
    const lifts = trail.filter((a) => a.action === 'SUSPENSION_LIFTED');
    expect(lifts).toHaveLength(1);
    expect(lifts[0]).toMatchObject({ actor: `customer:${customer}` });

    // Suspended again within the code's 5 minutes: the used code lifts nothing more (one code, one lift).
    let burst = await buy(call, lineId, 5_000);
    for (let i = 0; i < 5 && burst.status === 201; i += 1) burst = await buy(call, lineId, 5_000);
    expect(burst.body).toMatchObject({ status: 422, code: 'RISK_DECLINED' });
    const reused = await call('POST', `${verification}/confirm`, { code });
    expect(reused.status).toBe(200);
    expect(reused.body).toMatchObject({ id: lineId, status: 'SUSPENDED', suspensionReasons: ['RISK_VELOCITY'] });
    expect((await call('GET', `/v1/credit-lines/${lineId}`)).body).toMatchObject({ status: 'SUSPENDED', suspensionReasons: ['RISK_VELOCITY'] });
    const liftsAfter = (await speaking.stack.database.db.select().from(auditLog).where(eq(auditLog.creditLineId, lineId))).filter((a) => a.action === 'SUSPENSION_LIFTED');
    expect(liftsAfter).toHaveLength(1);

    // The code is nowhere in the database: its row holds a hash, the outbox row the masked text.
    const [row] = await speaking.stack.database.db.select().from(oneTimeCodes).where(and(eq(oneTimeCodes.creditLineId, lineId), eq(oneTimeCodes.purpose, 'REINSTATEMENT')));
    expect(row).toMatchObject({ attemptsLeft: 4 });
    expect(JSON.stringify(row)).not.toContain(code);
    const [outbox] = await speaking.stack.database.db.select().from(messages).where(eq(messages.id, sms[0]!.messageId));
    expect(outbox).toMatchObject({ status: 'DELIVERED', params: { code: '******' } });
    expect(outbox!.text).not.toContain(code);
    const record = await staff('GET', `/v1/support/credit-lines/${lineId}`);
    expect(JSON.stringify(record.body)).not.toContain(code);
    expect(record.body.messages.find((m: { id: string }) => m.id === sms[0]!.messageId)).toMatchObject({ to: '137****5678', status: 'DELIVERED' });

    // Nor in any workflow history of the line (every run), nor in any log line; nor is the phone.
    const handle = speaking.stack.client.workflow.getHandle(workflowIdFor(lineId));
    for (let runId: string | undefined = (await handle.describe()).runId, hops = 0; runId && hops < 50; hops += 1) {
      const history = await readableHistory(speaking.stack.client, workflowIdFor(lineId), runId);
      const text = historyText(history);
      expect(text).toContain(lineId);
      expect(text).not.toContain(code);
      expect(text).not.toContain('13712345678');
      runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId ?? undefined;
    }
    expect(speaking.logs.length).toBeGreaterThan(0);
    expect(speaking.logs.filter((line) => line.includes(code!) || line.includes('13712345678'))).toEqual([]);
  });

  it('a locked code and an expired one answer as API.md says; a fresh code after the minute works', async () => {
    const customer = `lena-${randomUUID().slice(0, 8)}`;
    const call = api(speaking.stack.baseUrl, await speaking.stack.token('customer', customer));
    const applied = await call('POST', '/v1/applications', { phone: '13712345679', monthlyIncome: 2_000_000, employmentMonths: 60, age: 35, statementDay: 5 });
    const lineId = applied.body.creditLineId as string;
    await eventually(() => call('GET', `/v1/credit-lines/${lineId}`), (r) => r.body.status === 'ACTIVE');
    for (let i = 0; i < 5; i += 1) await buy(call, lineId, 4_000);
    expect((await call('GET', `/v1/credit-lines/${lineId}`)).body.suspensionReasons).toEqual(['RISK_VELOCITY']);
    const verification = `/v1/credit-lines/${lineId}/verification`;
    const codeOf = async (n: number) => {
      const sms = await eventually(async () => received.filter((r) => r.creditLineId === lineId && r.template === 'VERIFICATION_CODE'), (r) => r.length === n);
      return /(?<![0-9])[0-9]{6}(?![0-9])/.exec(sms[n - 1]!.text)![0];
    };
    const skip = async (ms: number) => speaking.skipTo(new Date(await speaking.env.currentTimeMs() + ms).toISOString());

    // Five wrong tries: 4, 3, 2, 1 left, then locked; the right code no longer works.
    expect((await call('POST', verification)).status).toBe(202);
    const first = await codeOf(1);
    const wrong = String((Number(first) + 1) % 1_000_000).padStart(6, '0');
    const answers = [];
    for (let i = 0; i < 5; i += 1) answers.push((await call('POST', `${verification}/confirm`, { code: wrong })).body);
    expect(answers.map((a) => [a.code, a.attemptsLeft])).toEqual([['VERIFICATION_FAILED', 4], ['VERIFICATION_FAILED', 3], ['VERIFICATION_FAILED', 2], ['VERIFICATION_FAILED', 1], ['VERIFICATION_LOCKED', undefined]]);
    expect((await call('POST', `${verification}/confirm`, { code: first })).body).toMatchObject({ status: 422, code: 'VERIFICATION_LOCKED' });

    // A new code after the minute; left past its 5 minutes it has expired.
    await skip(61_000);
    expect((await call('POST', verification)).status).toBe(202);
    const second = await codeOf(2);
    await skip(5 * 60_000 + 1_000);
    expect((await call('POST', `${verification}/confirm`, { code: second })).body).toMatchObject({ status: 422, code: 'VERIFICATION_EXPIRED' });
    expect((await call('GET', `/v1/credit-lines/${lineId}`)).body.status).toBe('SUSPENDED');

    // A third, used in time: the line is ACTIVE again.
    expect((await call('POST', verification)).status).toBe(202);
    const third = await codeOf(3);
    expect((await call('POST', `${verification}/confirm`, { code: third })).body).toMatchObject({ id: lineId, status: 'ACTIVE', suspensionReasons: [] });
  });
});
