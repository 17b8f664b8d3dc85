/*
 * Reads as of the moment of the request (API.md), with the API on REVOLVE_CLOCK=temporal-test-server:
 * the line is left alone for months on the time-skipping server and read through the real API.
 */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { loadEnv } from '../../config/env';
import { creditLines } from '../../db/schema';
import { addDays, instantAt } from '../../domain/calendar';
import { provideClock, type Clock } from '../../runtime/clock';
import { api, eventually, startStack, type TestStack } from '../support/stack';
import { timeSkippingEnvironment } from '../support/temporal';

let env: TestWorkflowEnvironment;
let stack: TestStack;
let clock: { clock: Clock; close: () => Promise<void> };
beforeAll(async () => {
  env = await timeSkippingEnvironment();
  clock = await provideClock(loadEnv({ REVOLVE_CLOCK: 'temporal-test-server', TEMPORAL_ADDRESS: env.address }));
  stack = await startStack({ timeSkipping: env, now: clock.clock });
});
afterAll(async () => {
  await stack?.stop();
  await clock?.close();
  await env?.teardown();
});

describe('REVOLVE_CLOCK=temporal-test-server', () => {
  it('reads the time-skipping server\'s time, which runs ahead of the system\'s once skipped', async () => {
    await env.sleep(10 * 86_400_000);
    const skipped = (await clock.clock()).getTime();
    expect(skipped - Date.now()).toBeGreaterThan(9 * 86_400_000);
    expect(Math.abs(skipped - await env.currentTimeMs())).toBeLessThan(60_000);
  });

  it('is refused at start-up against a server with no test service', async () => {
    await expect(provideClock(loadEnv({ REVOLVE_CLOCK: 'temporal-test-server', TEMPORAL_ADDRESS: inject('temporalAddress') }))).rejects.toThrow(/no test service/);
  });
});

describe('a line read as of the moment of the request', () => {
  it('shows 40 days past due and the penalties to today, though the line has not acted since its last statement', async () => {
    const call = api(stack.baseUrl, await stack.token('customer', 'tom'));
    const applied = await call('POST', '/v1/applications', { phone: '13900139001', monthlyIncome: 2_000_000, employmentMonths: 60, age: 40, statementDay: 5 });
    const id = applied.body.creditLineId as string;
    const opened = await eventually(() => call('GET', `/v1/credit-lines/${id}`), (r) => r.body.status === 'ACTIVE' && r.body.nextStatementDate !== null);
    expect((await call('POST', `/v1/credit-lines/${id}/purchases`, { merchantId: 'self-operated', amount: 100_000 }, { 'idempotency-key': randomUUID() })).status).toBe(201);

    const statementDate = opened.body.nextStatementDate as string;
    const dueDate = addDays(statementDate, 30);
    // Read at noon on the 40th day past due: the line last acted at a statement close, days before.
    await env.sleep(Date.parse(instantAt(addDays(dueDate, 40), '12:00')) - await env.currentTimeMs());
    const line = await call('GET', `/v1/credit-lines/${id}`);
    expect(line.status).toBe(200);
    expect(line.body.daysPastDue).toBe(40);
    expect(line.body.currentDue).toMatchObject({ dueDate });
    const payoff = await call('GET', `/v1/credit-lines/${id}/payoff-quote`);
    expect(line.body.balance).toBeGreaterThan(100_000);
    expect(line.body.balance).toBe(payoff.body.amount);
    // While overdue the line itself wakes every midnight (the ladder), so its stored row is right to the day too.
    const [row] = await stack.database.db.select().from(creditLines).where(eq(creditLines.id, id));
    expect(row?.daysPastDue).toBe(40);
    expect(row?.balance).toBe(line.body.balance);

    const staff = api(stack.baseUrl, await stack.token('support', 'S1'));
    const overdue = await staff('GET', '/v1/support/credit-lines?minDaysPastDue=40');
    expect(overdue.body.items.map((l: { id: string }) => l.id)).toContain(id);
    expect((await staff('GET', '/v1/support/credit-lines?minDaysPastDue=41')).body.items.map((l: { id: string }) => l.id)).not.toContain(id);
  });
});
