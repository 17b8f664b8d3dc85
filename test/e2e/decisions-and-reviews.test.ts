/*
 * Explanations and human review over HTTP (PRODUCT §8, PIPL Art. 24): every automated decision is
 * listed to its customer with reasons they can read and who decided; a review request reaches the
 * staff queue, and a reversal takes effect — a velocity suspension lifted, a declined application put
 * to manual review and then approved by staff. No phone number in any workflow history.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lineDecisions } from '../../db/schema';
import { historyText, readableHistory } from '../../runtime/history-scan';
import { limitUpdate, workflowIdFor } from '../../workflows/messages';
import { api, eventually, startStack, type TestStack } from '../support/stack';

let stack: TestStack;
beforeAll(async () => { stack = await startStack(); });
afterAll(async () => { await stack?.stop(); });

const PHONE = '13712345678';
const key = () => ({ 'idempotency-key': randomUUID() });

async function customer(name: string) {
  const id = `${name}-${randomUUID().slice(0, 8)}`;
  return { id, call: api(stack.baseUrl, await stack.token('customer', id)) };
}

async function openLine(name: string) {
  const c = await customer(name);
  const applied = await c.call('POST', '/v1/applications', { phone: PHONE, monthlyIncome: 1_500_000, employmentMonths: 60, age: 35 });
  const lineId = applied.body.creditLineId as string;
  await eventually(() => c.call('GET', `/v1/credit-lines/${lineId}`), (r) => r.body.status === 'ACTIVE');
  return { ...c, lineId };
}

describe('decisions and their human review', () => {
  it('a velocity suspension is explained, reviewed on request and lifted by a reversal', async () => {
    const { call, lineId, id: customerId } = await openLine('vera');
    const staff = api(stack.baseUrl, await stack.token('support', 'S-review'));
    const buy = () => call('POST', `/v1/credit-lines/${lineId}/purchases`, { merchantId: 'self-operated', amount: 5_000 }, key());
    for (let i = 0; i < 4; i++) expect((await buy()).status).toBe(201);
    const fifth = await buy();
    expect(fifth.status).toBe(422);
    expect(fifth.body).toMatchObject({ code: 'RISK_DECLINED', title: 'Purchase declined' });
    expect((await call('GET', `/v1/credit-lines/${lineId}`)).body).toMatchObject({ status: 'SUSPENDED', suspensionReasons: ['RISK_VELOCITY'], available: 0 });

    // Explained in the customer's language (English asked for), with who decided.
    const listed = await eventually(() => call('GET', `/v1/credit-lines/${lineId}/decisions`, undefined, { 'accept-language': 'en' }), (r) => r.body.items?.length >= 3);
    const [suspension, decline] = listed.body.items;
    expect(suspension).toMatchObject({ kind: 'SUSPENSION', outcome: 'SUSPENDED', adverse: true, decidedBy: 'rule:velocity-small-purchases', review: null });
    expect(suspension.reasons).toEqual([expect.objectContaining({ code: 'RISK_VELOCITY', description: expect.stringContaining('small purchases') })]);
    expect(suspension.reasons[0].descriptions['zh-CN']).toContain('小额');
    expect(decline).toMatchObject({ kind: 'PURCHASE_DECLINE', outcome: 'DECLINED', details: expect.objectContaining({ amount: 5_000 }) });
    const underwriting = listed.body.items.find((d: { kind: string }) => d.kind === 'UNDERWRITING');
    expect(underwriting).toMatchObject({ outcome: 'APPROVED', adverse: false, decidedBy: expect.stringMatching(/^model:/) });

    // The rule's hits are staff alerts, the trial threshold's in shadow.
    const alerts = await staff('GET', `/v1/support/risk-events?since=${encodeURIComponent(new Date(Date.now() - 3600_000).toISOString())}&limit=200`);
    const mine = alerts.body.items.filter((r: { creditLineId: string }) => r.creditLineId === lineId);
    expect(mine.filter((r: { shadow: boolean }) => !r.shadow)).toEqual([expect.objectContaining({ rule: 'velocity-small-purchases', action: 'SUSPEND', figures: expect.objectContaining({ purchases: 5, threshold: 5 }) })]);
    expect(mine.some((r: { shadow: boolean; action: string }) => r.shadow && r.action === 'NONE')).toBe(true);

    // Only an adverse decision can be reviewed; someone else's line is not found.
    expect((await call('POST', `/v1/credit-lines/${lineId}/decisions/${underwriting.id}/review`)).body.code).toBe('DECISION_NOT_REVIEWABLE');
    expect((await call('POST', `/v1/credit-lines/${lineId}/decisions/d-999-9/review`)).status).toBe(404);
    const stranger = await customer('sid');
    expect((await stranger.call('GET', `/v1/credit-lines/${lineId}/decisions`)).status).toBe(404);

    const asked = await call('POST', `/v1/credit-lines/${lineId}/decisions/${suspension.id}/review`);
    expect(asked.status).toBe(202);
    expect(asked.body).toMatchObject({ status: 'REQUESTED', resolvedAt: null });
    expect((await call('POST', `/v1/credit-lines/${lineId}/decisions/${suspension.id}/review`)).body.id).toBe(asked.body.id);
    expect((await call('GET', '/v1/support/reviews')).status).toBe(403);

    const queue = await staff('GET', '/v1/support/reviews?status=REQUESTED&limit=200');
    expect(queue.body.items).toContainEqual(expect.objectContaining({ id: asked.body.id, creditLineId: lineId, decision: expect.objectContaining({ id: suspension.id, kind: 'SUSPENSION' }) }));

    const reversed = await staff('POST', `/v1/support/reviews/${encodeURIComponent(asked.body.id)}`, { outcome: 'REVERSED', note: 'the customer was buying gift cards for a wedding' });
    expect(reversed.status).toBe(200);
    expect(reversed.body).toMatchObject({ status: 'REVERSED', note: 'the customer was buying gift cards for a wedding' });
    expect((await call('GET', `/v1/credit-lines/${lineId}`)).body).toMatchObject({ status: 'ACTIVE', suspensionReasons: [] });
    expect((await buy()).status).toBe(201);
    expect((await staff('POST', `/v1/support/reviews/${encodeURIComponent(asked.body.id)}`, { outcome: 'UPHELD', note: 'again' })).body.code).toBe('REVIEW_RESOLVED');

    // The customer sees the outcome; the trail says who asked and who reversed.
    const after = await call('GET', `/v1/credit-lines/${lineId}/decisions`);
    expect(after.body.items.find((d: { id: string }) => d.id === suspension.id).review).toMatchObject({ status: 'REVERSED' });
    const record = await staff('GET', `/v1/support/credit-lines/${lineId}`);
    const actions = record.body.audit.map((a: { action: string; actor: string }) => `${a.action} ${a.actor}`);
    expect(actions).toEqual(expect.arrayContaining([`REVIEW_REQUESTED customer:${customerId}`, 'REVIEW_REVERSED staff:S-review', 'SUSPENSION_LIFTED staff:S-review']));

    const history = historyText(await readableHistory(stack.client, workflowIdFor(lineId)));
    expect(history).toContain(lineId);
    expect(history).not.toContain(PHONE);
  });

  it('a declined application shows its reasons and model version; reversed on review, staff decide it and the line opens', async () => {
    const c = await customer('dora');
    const staff = api(stack.baseUrl, await stack.token('support', 'S-credit'));
    const applied = await c.call('POST', '/v1/applications', { phone: PHONE, monthlyIncome: 150_000, employmentMonths: 1, age: 19 });
    const lineId = applied.body.creditLineId as string;
    await eventually(() => c.call('GET', `/v1/applications/${applied.body.applicationId}`), (r) => r.body.status === 'DECLINED');

    const listed = await c.call('GET', `/v1/credit-lines/${lineId}/decisions`);
    expect(listed.body.items).toHaveLength(1);
    const [declined] = listed.body.items;
    expect(declined).toMatchObject({ kind: 'UNDERWRITING', outcome: 'DECLINED', adverse: true, decidedBy: expect.stringMatching(/^model:scorecard-/) });
    expect(declined.reasons.length).toBeGreaterThan(0);
    for (const r of declined.reasons) expect(r.description).not.toBe(r.code);

    const asked = await c.call('POST', `/v1/credit-lines/${lineId}/decisions/${declined.id}/review`);
    expect(asked.status).toBe(202);
    const reversed = await staff('POST', `/v1/support/reviews/${encodeURIComponent(asked.body.id)}`, { outcome: 'REVERSED', note: 'income proven by payslips' });
    expect(reversed.status).toBe(200);
    await eventually(() => c.call('GET', `/v1/applications/${applied.body.applicationId}`), (r) => r.body.status === 'MANUAL_REVIEW');

    const decided = await eventually(
      () => staff('POST', `/v1/support/applications/${applied.body.applicationId}/decision`, { approve: true, limit: 200_000, note: 'payslips checked' }),
      (r) => r.status === 200,
    );
    expect(decided.body).toEqual({ status: 'APPROVED' });
    const line = await eventually(() => c.call('GET', `/v1/credit-lines/${lineId}`), (r) => r.body.status === 'ACTIVE');
    expect(line.body).toMatchObject({ limit: 200_000, available: 200_000, closedAt: null });
    // Reopened, it holds the customer's one line: applying again is refused.
    expect((await c.call('POST', '/v1/applications', { phone: PHONE, monthlyIncome: 1_500_000, employmentMonths: 60, age: 35 })).body.code).toBe('APPLICATION_EXISTS');
  });

  it('a limit cut reversed on review restores the limit on the line', async () => {
    const { call, lineId, id: customerId } = await openLine('lima');
    const staff = api(stack.baseUrl, await stack.token('support', 'S-limits'));
    const before = (await call('GET', `/v1/credit-lines/${lineId}`)).body;
    // The model's cut as the line records it at a statement (its own path is tested in workflows/ and unit/line-limit).
    const cutTo = before.limit / 2;
    const restored = await stack.client.workflow.getHandle(workflowIdFor(lineId)).executeUpdate(limitUpdate, {
      args: [{ key: `cut-${randomUUID()}`, requestHash: 'h', limit: cutTo, via: 'STAFF', actor: { type: 'staff', id: 'S-setup' } }],
    });
    expect(restored).toMatchObject({ ok: true });
    await stack.database.db.insert(lineDecisions).values({
      creditLineId: lineId, id: 'd-cut-1', customerId, kind: 'LIMIT_CHANGE', outcome: 'LOWERED', reasons: ['MISSED_DUE_DATE'], adverse: true,
      decidedBy: 'model:scorecard-test', decidedAt: new Date().toISOString(), details: { from: before.limit, to: cutTo, probabilityOfDefault: 0.2 },
    });
    const listed = await call('GET', `/v1/credit-lines/${lineId}/decisions`, undefined, { 'accept-language': 'en' });
    expect(listed.body.items[0]).toMatchObject({ id: 'd-cut-1', kind: 'LIMIT_CHANGE', reasons: [expect.objectContaining({ code: 'MISSED_DUE_DATE' })] });
    const asked = await call('POST', `/v1/credit-lines/${lineId}/decisions/d-cut-1/review`);
    const reversed = await staff('POST', `/v1/support/reviews/${encodeURIComponent(asked.body.id)}`, { outcome: 'REVERSED', note: 'the missed payment was our bank error' });
    expect(reversed.status).toBe(200);
    expect((await call('GET', `/v1/credit-lines/${lineId}`)).body).toMatchObject({ limit: before.limit, available: before.limit });
    const record = await staff('GET', `/v1/support/credit-lines/${lineId}`);
    expect(record.body.audit).toContainEqual(expect.objectContaining({ action: 'LIMIT_CHANGE', actor: 'staff:S-limits', reason: 'the missed payment was our bank error' }));
  });
});
