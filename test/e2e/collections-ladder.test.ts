/*
 * The overdue ladder through the whole system, on the time-skipping server with REVOLVE_CLOCK's
 * clock: a line misses its due date and is walked day by day to DPD 90 (every message, the penalty
 * each day, the suspension, the case in the queue at DPD 15, the charge-off and a recovery, the ledger
 * balanced at the end); another is cured at DPD 10 and hears nothing more.
 */
import { randomUUID } from 'node:crypto';
import { and, asc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { checkLedger } from '../../db/ledger-check';
import { collectionCases, journalEntries, messages, postings } from '../../db/schema';
import { addDays, instantAt, instantMs, localDay, localTime } from '../../domain/calendar';
import { inQuietHours } from '../../domain/notifications';
import { STANDARD_PRODUCT } from '../../domain/product';
import { useSpeakingStack } from '../support/speaking-stack';
import { api, eventually } from '../support/stack';

const speaking = useSpeakingStack({ status: 204 });
const { received, skipTo } = speaking;

/** A customer with a line that bought `amount` and whose statement is billed; returns the due date. */
async function overdueLine(customer: string, amount: number) {
  const call = api(speaking.stack.baseUrl, await speaking.stack.token('customer', customer));
  const applied = await call('POST', '/v1/applications', { phone: '13700001111', monthlyIncome: 2_000_000, employmentMonths: 60, age: 35 });
  const id = applied.body.creditLineId as string;
  const opened = await eventually(() => call('GET', `/v1/credit-lines/${id}`), (r) => r.body.status === 'ACTIVE' && r.body.nextStatementDate !== null);
  expect((await call('POST', `/v1/credit-lines/${id}/purchases`, { merchantId: 'self-operated', amount }, { 'idempotency-key': randomUUID() })).status).toBe(201);
  const dueDate = addDays(opened.body.nextStatementDate as string, STANDARD_PRODUCT.statement.dueDateOffsetDays);
  return { call, id, dueDate };
}

const lineMessages = (id: string) => speaking.stack.database.db.select().from(messages).where(eq(messages.creditLineId, id)).orderBy(asc(messages.seq));

describe('the overdue ladder through the system', () => {
  it('walks a line from its missed due date to charge-off at DPD 90, then takes a recovery; the ledger balances', async () => {
    const { call, id, dueDate } = await overdueLine(`ladder-${randomUUID().slice(0, 6)}`, 100_000);
    const staff = api(speaking.stack.baseUrl, await speaking.stack.token('support', 'S-ladder'));
    let lastBalance = 0;
    for (let dpd = 1; dpd <= 90; dpd++) {
      await skipTo(instantAt(addDays(dueDate, dpd), '12:00'));
      const line = await eventually(() => call('GET', `/v1/credit-lines/${id}`), (r) => r.body.daysPastDue === dpd || r.body.status === 'CHARGED_OFF', 10_000);
      if (dpd < 90) {
        expect(line.body).toMatchObject({ status: 'SUSPENDED', suspensionReasons: ['OVERDUE'], daysPastDue: dpd, available: 0 });
        // The penalty of each day is in the balance (0.05% of 100,000 = 50 fen a day).
        if (dpd > 1) expect(line.body.balance - lastBalance).toBe(50);
        lastBalance = line.body.balance;
      }
      if (dpd === 15) {
        const queue = await eventually(() => staff('GET', '/v1/support/collections'), (r) => r.body.items?.some((c: { creditLineId: string }) => c.creditLineId === id));
        expect(queue.body.items.find((c: { creditLineId: string }) => c.creditLineId === id)).toMatchObject({ dueDate, daysPastDue: 15, amounts: { overduePrincipal: 100_000 } });
      }
    }
    const off = await eventually(() => call('GET', `/v1/credit-lines/${id}`), (r) => r.body.status === 'CHARGED_OFF');
    expect(off.body).toMatchObject({ status: 'CHARGED_OFF', balance: 0, available: 0 });

    // Every collection message: its template, its channels, its day, never two SMS a day, none in quiet hours.
    const sent = (await lineMessages(id)).filter((m) => m.kind === 'COLLECTION');
    const byDay = (channel: string) => sent.filter((m) => m.channel === channel).map((m) => [m.template, localDay(new Date(m.sendAt).toISOString())]);
    // Each on its step's day, or the next morning when that day already holds an SMS (a statement announced at the same midnight).
    const steps = [['OVERDUE_NOTICE', 1], ['OVERDUE_REMINDER', 3], ['OVERDUE_REMINDER', 7], ['FINAL_NOTICE', 30]] as const;
    expect(byDay('SMS').map(([t]) => t)).toEqual(steps.map(([t]) => t));
    byDay('SMS').forEach(([, day], i) => expect([addDays(dueDate, steps[i]![1]), addDays(dueDate, steps[i]![1] + 1)]).toContain(day));
    expect(byDay('IN_APP').map(([t]) => t)).toEqual(['OVERDUE_NOTICE', 'OVERDUE_REMINDER', 'FINAL_NOTICE']);
    const allSms = (await lineMessages(id)).filter((m) => m.channel === 'SMS' && instantMs(new Date(m.sendAt).toISOString()) > instantMs(instantAt(dueDate, '23:59')));
    const smsDays = allSms.map((m) => localDay(new Date(m.sendAt).toISOString()));
    expect(new Set(smsDays).size, JSON.stringify(allSms.map((m) => [m.template, new Date(m.sendAt).toISOString()]))).toBe(smsDays.length);
    for (const m of allSms) {
      expect(inQuietHours(new Date(m.sendAt).toISOString(), STANDARD_PRODUCT.sms.quietHours)).toBe(false);
      expect(localTime(new Date(m.sendAt).toISOString())).toBe('08:00');
    }
    await eventually(async () => received.filter((r) => r.creditLineId === id && r.template === 'FINAL_NOTICE'), (r) => r.length === 1);
    expect(received.filter((r) => r.creditLineId === id).every((r) => r.to === '13700001111')).toBe(true);

    // The charge-off: written off against credit losses; the case closed.
    const [entry] = await speaking.stack.database.db.select().from(journalEntries).where(and(eq(journalEntries.creditLineId, id), eq(journalEntries.kind, 'CHARGE_OFF')));
    const entryPostings = await speaking.stack.database.db.select().from(postings).where(eq(postings.entryId, entry!.id));
    const losses = entryPostings.find((p) => p.accountId === 'platform:CREDIT_LOSSES')!.amount;
    expect(losses).toBe(100_000 + 90 * 50);
    expect(entryPostings.reduce((s, p) => s + p.amount, 0)).toBe(0);
    const [kase] = await speaking.stack.database.db.select().from(collectionCases).where(eq(collectionCases.creditLineId, id));
    expect(kase).toMatchObject({ status: 'CLOSED', closeReason: 'CHARGED_OFF' });

    // A repayment now is a recovery: cash against credit losses.
    const recovered = await call('POST', `/v1/credit-lines/${id}/repayments`, { amount: 20_000 }, { 'idempotency-key': randomUUID() });
    expect(recovered.status).toBe(201);
    const txs = await call('GET', `/v1/credit-lines/${id}/transactions?limit=1`);
    expect(txs.body.items[0]).toMatchObject({ kind: 'RECOVERY', amount: -20_000 });
    const tooMuch = await call('POST', `/v1/credit-lines/${id}/repayments`, { amount: 100_000 + 90 * 50 - 20_000 + 1 }, { 'idempotency-key': randomUUID() });
    expect(tooMuch.body.code).toBe('OVERPAYMENT');
    const check = await checkLedger(speaking.stack.database.db);
    expect(check.differences).toEqual([]);
    expect(check.trialBalance).toBe(0);
  });

  it('cures at DPD 10: the API says 10 days past due with 10 days of penalties, then ACTIVE again and silent', async () => {
    const { call, id, dueDate } = await overdueLine(`cure-${randomUUID().slice(0, 6)}`, 60_000);
    await skipTo(instantAt(addDays(dueDate, 10), '12:00'));
    const line = await eventually(() => call('GET', `/v1/credit-lines/${id}`), (r) => r.body.daysPastDue === 10);
    // 0.05% of 60,000 = 30 fen a day, each day's from its first moment: ten days on day 10.
    const payoff = await call('GET', `/v1/credit-lines/${id}/payoff-quote`);
    expect(line.body.balance).toBe(payoff.body.amount);
    expect(line.body.balance - 60_000).toBe(10 * 30);
    expect(line.body.status).toBe('SUSPENDED');
    const repaid = await call('POST', `/v1/credit-lines/${id}/repayments`, { amount: payoff.body.amount }, { 'idempotency-key': randomUUID() });
    expect(repaid.status).toBe(201);
    const cured = await eventually(() => call('GET', `/v1/credit-lines/${id}`), (r) => r.body.status === 'ACTIVE');
    expect(cured.body).toMatchObject({ suspensionReasons: [], daysPastDue: 0 });
    const before = (await lineMessages(id)).filter((m) => m.kind === 'COLLECTION').length;
    await skipTo(instantAt(addDays(dueDate, 40), '12:00'));
    expect((await lineMessages(id)).filter((m) => m.kind === 'COLLECTION').length).toBe(before);
    expect((await call('POST', `/v1/credit-lines/${id}/purchases`, { merchantId: 'self-operated', amount: 6_000 }, { 'idempotency-key': randomUUID() })).status).toBe(201);
  });
});
