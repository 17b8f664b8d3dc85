/**
 * A line left to go overdue, for the unit tests of the ladder and what holds it (collections, pauses,
 * hardship plans): opened 2027-01-10 (statement day 5), one purchase, its first statement closed on
 * 2027-02-05 and due 2027-03-07; and the line lived by itself, waking when it asks to.
 */
import type { Command, CreditLineState, LineEvent, WakeUp } from '../../domain/line';
import { advance, decide, nextWakeUp, openLine } from '../../domain/line';
import { nextLadderAt } from '../../domain/line/collections';
import { STANDARD_PRODUCT as product } from '../../domain/product';

/** A Shanghai day and time (`2027-03-08T12:00`) as an instant. */
export const sh = (dayTime: string): string => new Date(`${dayTime}:00+08:00`).toISOString();

/** The line's own rules, as the workflow runs them. */
export const LINE_RULES = { reminders: true, collections: true, penaltyThroughToday: true };

/** The line after its first statement closed on what it bought on 2027-01-10. */
export function billedLine(creditLineId: string, amount = 100_000): CreditLineState {
  const line = openLine({ creditLineId, customerId: 'c', productId: product.id, statementDay: 5, limit: 1_000_000, now: sh('2027-01-10T10:00'), version: 1 });
  const purchase = { type: 'purchase', key: 'billed', requestHash: 'billed', purchaseId: 'p_1', merchantId: 'self-operated', amount } as Command;
  const bought = decide(line, purchase, sh('2027-01-10T11:00'), product).state;
  return advance(bought, sh('2027-02-06T09:00'), product, LINE_RULES).state;
}

/** Lives the line, waking when it asks to (the ladder, and whatever else `wakeUps` name), until `until`. */
export function liveUntil(from: CreditLineState, until: string, wakeUps: WakeUp[] = [(s) => nextLadderAt(s)]): { state: CreditLineState; events: LineEvent[] } {
  const events: LineEvent[] = [];
  let state = from;
  for (let i = 0; i < 2000; i++) {
    const wake = nextWakeUp(state, wakeUps, product);
    if (Date.parse(wake) > Date.parse(until)) break;
    const advanced = advance(state, wake, product, LINE_RULES);
    events.push(...advanced.events);
    state = advanced.state;
  }
  return { state, events };
}
