import { describe, expect, it } from 'vitest';
import { instantAt, localTime } from '../../domain/calendar';
import { advance, decide, nextWakeUp, openLine, type Command, type CreditLineState, type LineEvent } from '../../domain/line';
import { nextReminderAt } from '../../domain/line/reminders';
import { inQuietHours } from '../../domain/notifications';
import { STANDARD_PRODUCT as product } from '../../domain/product';

// Opened 2027-01-10, statement day 5: the purchase is billed on 2027-02-05, due 2027-03-07.
const DUE = '2027-03-07';
const sh = (dayTime: string) => new Date(`${dayTime}:00+08:00`).toISOString();
let n = 0;
const command = (c: Record<string, unknown>): Command => ({ key: `k${(n += 1)}`, requestHash: `h${n}`, ...c } as Command);

function billed(amount = 40_000): CreditLineState {
  const line = openLine({ creditLineId: 'cl_r', customerId: 'c', productId: product.id, statementDay: 5, limit: 1_000_000, now: sh('2027-01-10T10:00'), version: 1 });
  const bought = decide(line, command({ type: 'purchase', purchaseId: 'p_1', merchantId: 'self-operated', amount }), sh('2027-01-10T11:00'), product).state;
  return advance(bought, sh('2027-02-06T09:00'), product, { reminders: true, penaltyThroughToday: true }).state;
}

const reminders = (events: LineEvent[]) => events.flatMap((e) => (e.messages ?? []).filter((m) => m.template === 'PAYMENT_REMINDER'));

/** Lives the line from `state` waking exactly when it asks to, until `until`; returns every event. */
function live(state: CreditLineState, until: string) {
  const events: LineEvent[] = [];
  let current = state;
  for (let i = 0; i < 50; i++) {
    const wake = nextWakeUp(current, [(s) => nextReminderAt(s, product)], product);
    if (Date.parse(wake) > Date.parse(until)) break;
    const advanced = advance(current, wake, product, { reminders: true, penaltyThroughToday: true });
    events.push(...advanced.events);
    current = advanced.state;
  }
  return { state: current, events };
}

describe('reminders before a due date (PRODUCT §6)', () => {
  it('reminds at 10:00 three days before, one day before and on the due date, with the amount owed', () => {
    const { events } = live(billed(), sh(`${DUE}T23:00`));
    const sms = reminders(events).filter((m) => m.channel === 'SMS');
    expect(sms.map((m) => m.sendAt)).toEqual([instantAt('2027-03-04', '10:00'), instantAt('2027-03-06', '10:00'), instantAt(DUE, '10:00')]);
    expect(reminders(events).filter((m) => m.channel === 'IN_APP')).toHaveLength(3);
    for (const m of sms) expect(m.params).toMatchObject({ amount: 40_000, dueDate: DUE });
    expect(sms[0]?.text).toBe('【Revolve】温馨提示：您有 ¥400.00 将于 2027-03-07 到期，请按时还款。');
    expect(events.filter((e) => e.audit?.[0]?.action === 'REMINDER_SENT')).toHaveLength(3);
  });

  it('sends nothing for a statement paid in full early', () => {
    const paid = decide(billed(), command({ type: 'repayment', repaymentId: 'rp_1', amount: 40_000 }), sh('2027-02-10T12:00'), product).state;
    expect(nextReminderAt(paid, product)).toBeNull();
    expect(reminders(live(paid, sh(`${DUE}T23:00`)).events)).toEqual([]);
  });

  it('reminds for what is still owed after a part payment', () => {
    const part = decide(billed(), command({ type: 'repayment', repaymentId: 'rp_1', amount: 15_000 }), sh('2027-02-10T12:00'), product).state;
    expect(reminders(live(part, sh(`${DUE}T23:00`)).events).map((m) => m.params.amount)).toEqual([25_000, 25_000, 25_000, 25_000, 25_000, 25_000]);
  });

  it('sends a reminder reached late (an outage) once, the latest slot only; its SMS waits for 08:00, the in-app one does not', () => {
    const state = billed();
    // The worker was down from before the first slot until 22:30 the day before the due date.
    const late = advance(state, sh('2027-03-06T22:30'), product, { reminders: true, penaltyThroughToday: true });
    const messages = reminders(late.events);
    expect(messages.map((m) => [m.channel, m.params.daysBefore, m.sendAt])).toEqual([
      ['SMS', 1, sh('2027-03-07T08:00')],
      ['IN_APP', 1, sh('2027-03-06T22:30')],
    ]);
    expect(inQuietHours(messages[0]!.sendAt, product.sms.quietHours)).toBe(false);
    expect(localTime(messages[0]!.sendAt)).toBe('08:00');
    // Then only the due date's own slot is left.
    expect(nextReminderAt(late.state, product)).toBe(instantAt(DUE, '10:00'));
  });

  it('stops once the due date has passed unpaid (the ladder speaks then), and never wakes the line for it again', () => {
    const state = billed();
    const after = advance(state, sh('2027-03-08T09:00'), product, { reminders: true, penaltyThroughToday: true });
    expect(reminders(after.events)).toEqual([]);
    expect(nextReminderAt(after.state, product)).toBeNull();
  });

  it('reminds for a billed installment: its principal and fee', () => {
    const state = billed(300_000);
    const converted = decide(state, command({ type: 'conversion', statementId: 'S-2027-02-05', count: 3 }), sh('2027-02-06T10:00'), product).state;
    const { events } = live(converted, sh(`${DUE}T23:00`));
    const amounts = reminders(events).filter((m) => m.channel === 'SMS').map((m) => m.params.amount);
    expect(amounts).toEqual([101_500, 101_500, 101_500]);
  });

  it('keeps the reminders it sent few: slots of due dates no longer owed are forgotten', () => {
    const { state } = live(billed(), sh('2027-03-06T23:00'));
    expect(state.remindersSent).toEqual(['2027-03-07/3', '2027-03-07/1']);
    const paid = decide(state, command({ type: 'repayment', repaymentId: 'rp_2', amount: 40_000 }), sh('2027-03-07T09:00'), product).state;
    const next = advance(paid, sh('2027-03-07T12:00'), product, { reminders: true, penaltyThroughToday: true });
    expect(reminders(next.events)).toEqual([]);
  });
});
