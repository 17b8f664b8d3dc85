/*
 * A month on a line, over HTTP: the API and a worker run on the time-skipping server (a cycle is a
 * month, so the dev server would need real months) with the API's clock following the server's.
 */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkLedger } from '../../db/ledger-check';
import { addDays, instantAt } from '../../domain/calendar';
import { applyRate, parseRate } from '../../domain/money';
import { STANDARD_PRODUCT } from '../../domain/product';
import { api, eventually, startStack, type TestStack } from '../support/stack';
import { timeSkippingEnvironment } from '../support/temporal';

let env: TestWorkflowEnvironment;
let stack: TestStack;
let clock = new Date();
beforeAll(async () => {
  env = await timeSkippingEnvironment();
  clock = new Date(await env.currentTimeMs());
  stack = await startStack({ timeSkipping: env, now: () => clock });
});
afterAll(async () => {
  await stack?.stop();
  await env?.teardown();
});

const key = () => ({ 'idempotency-key': randomUUID() });
async function sleepUntil(instant: string) {
  const ms = Date.parse(instant) - (await env.currentTimeMs());
  if (ms > 0) await env.sleep(ms);
  clock = new Date(await env.currentTimeMs());
}

describe('a month on a line, over HTTP', () => {
  it('applies, buys, refunds, sees the statement, quotes and converts with the APR, repays and reads the transactions', async () => {
    const call = api(stack.baseUrl, await stack.token('customer', 'sara'));
    const applied = await call('POST', '/v1/applications', { phone: '13900139000', monthlyIncome: 2_000_000, employmentMonths: 60, age: 33, statementDay: 5 });
    expect(applied.status).toBe(202);
    const id = applied.body.creditLineId;
    const opened = await eventually(() => call('GET', `/v1/credit-lines/${id}`), (r) => r.body.status === 'ACTIVE' && r.body.nextStatementDate !== null);
    const statementDate: string = opened.body.nextStatementDate;

    await sleepUntil(instantAt(addDays(statementDate, -3), '11:00'));
    const tv = await call('POST', `/v1/credit-lines/${id}/purchases`, { merchantId: 'self-operated', amount: 300_000, description: 'television' }, key());
    expect(tv.status).toBe(201);
    const cable = await call('POST', `/v1/credit-lines/${id}/purchases`, { merchantId: 'affiliate-003', amount: 20_000 }, key());
    expect(cable.status).toBe(201);
    const refund = await call('POST', `/v1/credit-lines/${id}/purchases/${cable.body.purchaseId}/refunds`, { amount: 20_000 }, key());
    expect(refund.status).toBe(201);
    const overRefund = await call('POST', `/v1/credit-lines/${id}/purchases/${cable.body.purchaseId}/refunds`, { amount: 1 }, key());
    expect(overRefund.status).toBe(422);
    expect(overRefund.body.code).toBe('REFUND_EXCEEDS_PURCHASE');

    // The cycle closes at 00:00 after the statement date.
    await sleepUntil(instantAt(addDays(statementDate, 1), '09:00'));
    const list = await eventually(() => call('GET', `/v1/credit-lines/${id}/statements`), (r) => r.body.items?.length === 1);
    const statement = list.body.items[0];
    expect(statement).toMatchObject({
      id: `S-${statementDate}`, statementDate, dueDate: addDays(statementDate, 30), openingBalance: 0,
      purchases: 320_000, refunds: 20_000, repayments: 0, fees: 0, closingBalance: 300_000, amountDue: 300_000, status: 'OPEN',
    });
    const detail = await call('GET', `/v1/credit-lines/${id}/statements/${statement.id}`);
    expect(detail.body.lines.map((l: { kind: string; amount: number }) => [l.kind, l.amount])).toEqual([['PURCHASE', 300_000], ['PURCHASE', 20_000], ['REFUND', -20_000]]);
    const line = await call('GET', `/v1/credit-lines/${id}`);
    expect(line.body.currentDue).toEqual({ statementId: statement.id, amount: 300_000, dueDate: addDays(statementDate, 30) });

    // Quote: 3 × 100,000 principal, each with a fee of 0.5% of 300,000 = 1,500.
    const quote = await call('GET', `/v1/credit-lines/${id}/statements/${statement.id}/installment-quote?count=3`);
    expect(quote.status).toBe(200);
    const fee = applyRate(300_000, parseRate(STANDARD_PRODUCT.installments.monthlyFeeRate));
    expect(fee).toBe(1_500);
    expect(quote.body).toMatchObject({ count: 3, principal: 300_000, totalFee: 4_500 });
    expect(quote.body.schedule.map((s: { principal: number; fee: number }) => [s.principal, s.fee])).toEqual([[100_000, 1_500], [100_000, 1_500], [100_000, 1_500]]);
    expect(quote.body.schedule[0].dueDate).toBe(addDays(statementDate, 30));
    // Converted the day after the statement, the first installment 29 days away: an APR near 9%.
    expect(quote.body.apr).toBeGreaterThan(8);
    expect(quote.body.apr).toBeLessThan(11);
    const plan = await call('POST', `/v1/credit-lines/${id}/statements/${statement.id}/installments`, { count: 3 }, key());
    expect(plan.status).toBe(201);
    expect(plan.body).toMatchObject({ statementId: statement.id, count: 3, principal: 300_000, totalFee: 4_500, apr: quote.body.apr });
    const again = await call('POST', `/v1/credit-lines/${id}/statements/${statement.id}/installments`, { count: 3 }, key());
    expect(again.status).toBe(422);
    expect(again.body.code).toBe('CONVERSION_NOT_ALLOWED');
    expect((await call('GET', `/v1/credit-lines/${id}/statements`)).body.items[0].status).toBe('INSTALLMENTS');

    // Repay the first installment with its fee before its due date.
    await sleepUntil(instantAt(addDays(statementDate, 20), '10:00'));
    const repaid = await call('POST', `/v1/credit-lines/${id}/repayments`, { amount: 101_500 }, key());
    expect(repaid.status).toBe(201);
    expect(repaid.body.allocation).toEqual([{ bucket: 'INSTALLMENT_FEE', amount: 1_500 }, { bucket: 'DUE_PRINCIPAL', amount: 100_000 }]);
    expect(repaid.body.balance).toBe(200_000);
    const payoff = await call('GET', `/v1/credit-lines/${id}/payoff-quote`);
    // The two installments not yet billed: principal only, their fees waived.
    expect(payoff.body).toMatchObject({ amount: 200_000, waivedFees: 3_000 });

    const txs = await call('GET', `/v1/credit-lines/${id}/transactions?limit=10`);
    expect(txs.body.items.map((t: { kind: string }) => t.kind)).toEqual(['REPAYMENT', 'INSTALLMENT_CONVERSION', 'REFUND', 'PURCHASE', 'PURCHASE']);
    const check = await checkLedger(stack.database.db);
    expect(check.differences).toEqual([]);
    expect(check.ok).toBe(true);
  });
});
