import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkLedger } from '../../db/ledger-check';
import { checkWorkflowsAgainstReadModels } from '../../runtime/workflow-check';
import { lineQuery, workflowIdFor } from '../../workflows/messages';
import { api, eventually, startStack, type TestStack } from '../support/stack';

let stack: TestStack;
beforeAll(async () => { stack = await startStack(); });
afterAll(async () => { await stack?.stop(); });

/** A customer with an approved line; `income` sets the limit (limit ≈ 3 × income, risk-discounted). */
async function openLine(customerId: string, monthlyIncome = 1_500_000) {
  const call = api(stack.baseUrl, await stack.token('customer', customerId));
  const applied = await call('POST', '/v1/applications', { phone: '13800138000', monthlyIncome, employmentMonths: 60, age: 35 });
  const line = await eventually(() => call('GET', `/v1/credit-lines/${applied.body.creditLineId}`), (r) => r.body.status === 'ACTIVE' && r.body.nextStatementDate !== null);
  return { call, id: applied.body.creditLineId as string, limit: line.body.limit as number };
}

const key = () => ({ 'idempotency-key': randomUUID() });

describe('money over HTTP', () => {
  it('buys, refunds, repays and lists the transactions, with the ledger equal to the read models', async () => {
    const { call, id, limit } = await openLine('mia');
    const bought = await call('POST', `/v1/credit-lines/${id}/purchases`, { merchantId: 'self-operated', amount: 25_000, description: 'headphones' }, key());
    expect(bought.status).toBe(201);
    expect(bought.body).toMatchObject({ status: 'APPROVED', amount: 25_000, available: limit - 25_000 });
    const refund = await call('POST', `/v1/credit-lines/${id}/purchases/${bought.body.purchaseId}/refunds`, { amount: 5_000 }, key());
    expect(refund.status).toBe(201);
    expect(refund.body).toMatchObject({ amount: 5_000, available: limit - 20_000 });
    // More than everything owed (20,000) is refused, and nothing moves (PRODUCT §5).
    const over = await call('POST', `/v1/credit-lines/${id}/repayments`, { amount: 30_000 }, key());
    expect(over.status).toBe(422);
    expect(over.body.code).toBe('OVERPAYMENT');
    expect((await call('GET', `/v1/credit-lines/${id}`)).body).toMatchObject({ balance: 20_000, available: limit - 20_000 });
    const repaid = await call('POST', `/v1/credit-lines/${id}/repayments`, { amount: 20_000 }, key());
    expect(repaid.status).toBe(201);
    expect(repaid.body.allocation).toEqual([{ bucket: 'CURRENT_CYCLE', amount: 20_000 }]);
    expect(repaid.body.balance).toBe(0);

    const line = await call('GET', `/v1/credit-lines/${id}`);
    expect(line.body).toMatchObject({ balance: 0, available: limit });
    const txs = await call('GET', `/v1/credit-lines/${id}/transactions?limit=2`);
    expect(txs.body.items.map((t: { kind: string; amount: number }) => [t.kind, t.amount])).toEqual([['REPAYMENT', -20_000], ['REFUND', -5_000]]);
    const next = await call('GET', `/v1/credit-lines/${id}/transactions?limit=2&cursor=${txs.body.nextCursor}`);
    expect(next.body.items.map((t: { kind: string }) => t.kind)).toEqual(['PURCHASE']);
    expect(next.body.nextCursor).toBeNull();
    const payoff = await call('GET', `/v1/credit-lines/${id}/payoff-quote`);
    expect(payoff.body.amount).toBe(0);

    const check = await checkLedger(stack.database.db);
    expect(check.differences).toEqual([]);
    expect(check.ok).toBe(true);
  });

  it('declines with the reasons of PRODUCT §4, changing no balance', async () => {
    const { call, id, limit } = await openLine('noah');
    const outside = await call('POST', `/v1/credit-lines/${id}/purchases`, { merchantId: 'street-market', amount: 1_000 }, key());
    expect(outside.status).toBe(422);
    expect(outside.body.code).toBe('MERCHANT_NOT_ELIGIBLE');
    const tooMuch = await call('POST', `/v1/credit-lines/${id}/purchases`, { merchantId: 'affiliate-001', amount: limit + 1 }, key());
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.code).toBe('INSUFFICIENT_CREDIT');
    const zero = await call('POST', `/v1/credit-lines/${id}/purchases`, { merchantId: 'affiliate-001', amount: 0 }, key());
    expect(zero.status).toBe(400);
    const noKey = await call('POST', `/v1/credit-lines/${id}/purchases`, { merchantId: 'affiliate-001', amount: 100 });
    expect(noKey.status).toBe(400);
    expect(noKey.body.errors[0].field).toBe('Idempotency-Key');
    expect((await call('GET', `/v1/credit-lines/${id}`)).body).toMatchObject({ available: limit, balance: 0 });
    const stranger = api(stack.baseUrl, await stack.token('customer', 'olivia'));
    expect((await stranger('POST', `/v1/credit-lines/${id}/purchases`, { merchantId: 'affiliate-001', amount: 100 }, key())).status).toBe(404);
  });

  it('charges once for one Idempotency-Key sent 5 times at once, and refuses the key with another body', async () => {
    const { call, id, limit } = await openLine('pia');
    const headers = key();
    const answers = await Promise.all(Array.from({ length: 5 }, () => call('POST', `/v1/credit-lines/${id}/purchases`, { merchantId: 'self-operated', amount: 12_300 }, headers)));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201, 201]);
    expect(new Set(answers.map((a) => JSON.stringify(a.body))).size).toBe(1);
    const again = await call('POST', `/v1/credit-lines/${id}/purchases`, { merchantId: 'self-operated', amount: 12_300 }, headers);
    expect(again.body).toEqual(answers[0]?.body);
    const reused = await call('POST', `/v1/credit-lines/${id}/purchases`, { merchantId: 'self-operated', amount: 99 }, headers);
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await call('GET', `/v1/credit-lines/${id}`)).body.available).toBe(limit - 12_300);
    const txs = await call('GET', `/v1/credit-lines/${id}/transactions`);
    expect(txs.body.items).toHaveLength(1);
  });

  it('writes a purchase in an activity the history recorded first, never a local activity (found by the chaos run)', async () => {
    // A local activity commits inside a workflow task; when that task was lost (worker killed, server
    // restarted) the next one decided the command again, and the database kept an answer the line forgot.
    const { call, id } = await openLine('wren');
    expect((await call('POST', `/v1/credit-lines/${id}/purchases`, { merchantId: 'self-operated', amount: 4_200 }, key())).status).toBe(201);
    const events = (await stack.client.workflow.getHandle(workflowIdFor(id)).fetchHistory()).events ?? [];
    const writes = events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'applyLineEvents');
    expect(writes.length).toBeGreaterThanOrEqual(2); // the opening and the purchase
    expect(events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity')).toEqual([]);
    const accepted = events.findIndex((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
    const written = events.findIndex((e, i) => i > accepted && e.activityTaskScheduledEventAttributes?.activityType?.name === 'applyLineEvents');
    const completed = events.findIndex((e) => e.workflowExecutionUpdateCompletedEventAttributes);
    expect(accepted).toBeGreaterThan(0);
    expect(written).toBeGreaterThan(accepted);
    expect(completed).toBeGreaterThan(written);
  });

  it('approves exactly 10 of 50 concurrent purchases against room for 10', async () => {
    const { call, id, limit } = await openLine('quinn');
    const each = Math.floor(limit / 10);
    const answers = await Promise.all(Array.from({ length: 50 }, () => call('POST', `/v1/credit-lines/${id}/purchases`, { merchantId: 'self-operated', amount: each }, key())));
    const approved = answers.filter((a) => a.status === 201);
    expect(approved).toHaveLength(10);
    expect(answers.filter((a) => a.status === 422).every((a) => a.body.code === 'INSUFFICIENT_CREDIT')).toBe(true);
    expect(Math.min(...approved.map((a) => a.body.available))).toBe(limit - 10 * each);
    expect(Math.min(...approved.map((a) => a.body.available))).toBeGreaterThanOrEqual(0);
    const state = await stack.client.workflow.getHandle(workflowIdFor(id)).query(lineQuery);
    const line = await call('GET', `/v1/credit-lines/${id}`);
    expect(line.body.balance).toBe(10 * each);
    expect(state?.balances.currentCycle).toBe(10 * each);
    expect((await checkLedger(stack.database.db)).ok).toBe(true);
    const workflows = await checkWorkflowsAgainstReadModels(stack.database.db, stack.client);
    expect(workflows).toMatchObject({ differences: [], unreachable: [] });
    expect(workflows.lines).toBeGreaterThanOrEqual(1);
  });

  it('answers 503 within about 2 s when no worker runs, then the retry gets the one decision made', async () => {
    const { call, id, limit } = await openLine('ruth');
    await stack.stopWorker();
    try {
      const headers = key();
      const started = Date.now();
      const pending = await call('POST', `/v1/credit-lines/${id}/purchases`, { merchantId: 'self-operated', amount: 7_700 }, headers);
      const waited = Date.now() - started;
      expect(pending.status).toBe(503);
      expect(pending.body.code).toBe('AUTHORIZATION_PENDING');
      expect(pending.headers.get('retry-after')).toBe('1');
      expect(waited).toBeGreaterThanOrEqual(1900);
      expect(waited).toBeLessThan(3500);
      await stack.startWorker();
      const decided = await eventually(() => call('POST', `/v1/credit-lines/${id}/purchases`, { merchantId: 'self-operated', amount: 7_700 }, headers), (r) => r.status === 201);
      expect(decided.body).toMatchObject({ status: 'APPROVED', amount: 7_700, available: limit - 7_700 });
      const txs = await call('GET', `/v1/credit-lines/${id}/transactions`);
      expect(txs.body.items).toHaveLength(1);
    } finally {
      await stack.startWorker();
    }
  });
});
