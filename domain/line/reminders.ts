/**
 * Reminders before a due date (PRODUCT §6): while a statement or a billed installment still owes
 * something, an SMS and an in-app message at 10:00 Asia/Shanghai three days before, one day before and
 * on the due date (`product.reminders`). Nothing is sent for what is already paid; nothing once the
 * due date has passed (the overdue ladder speaks then). A slot the line reaches late (an outage) is
 * still sent, its SMS outside quiet hours; of several slots of one due date reached late, only the
 * latest is sent, so a customer never gets a burst of stale reminders.
 */
import { installmentFeeOwed, installmentPrincipalOwed, statementPrincipalOwed, type LineBalances } from '../balances';
import { addDays, compareDays, instantAt, instantMs, localDay, type Day, type Instant } from '../calendar';
import type { Fen } from '../money';
import type { Product } from '../product';
import type { LineState } from './state';

/** A reminder slot: a due date and how many days before it (0: on the day). */
export interface ReminderSlot { dueDate: Day; daysBefore: number; at: Instant }

/** What is owed on each coming due date (statements' principal, billed installments' principal and fee). */
export function owedByDueDate(b: LineBalances): Map<Day, Fen> {
  const owed = new Map<Day, Fen>();
  const add = (due: Day, amount: Fen) => { if (amount > 0) owed.set(due, (owed.get(due) ?? 0) + amount); };
  for (const s of b.statements) add(s.dueDate, statementPrincipalOwed(s));
  for (const p of b.plans) for (const i of p.installments) if (i.billed) add(i.dueDate, installmentPrincipalOwed(i) + installmentFeeOwed(i));
  return owed;
}

export const slotKey = (slot: Pick<ReminderSlot, 'dueDate' | 'daysBefore'>): string => `${slot.dueDate}/${slot.daysBefore}`;

/** The slots of every due date still owed and not yet sent (or closed), earliest first. */
function openSlots(state: LineState, product: Pick<Product, 'reminders'>): ReminderSlot[] {
  const sent = new Set(state.remindersSent ?? []);
  const slots: ReminderSlot[] = [];
  for (const dueDate of owedByDueDate(state.balances).keys()) {
    for (const daysBefore of product.reminders.offsetsDays) {
      const slot = { dueDate, daysBefore, at: instantAt(addDays(dueDate, -daysBefore), product.reminders.localTime) };
      if (!sent.has(slotKey(slot))) slots.push(slot);
    }
  }
  return slots.sort((a, b) => instantMs(a.at) - instantMs(b.at));
}

/** The next moment a reminder is due: a wake-up for the line. A slot already passed counts (it is acted on late). */
export function nextReminderAt(state: LineState, product: Pick<Product, 'reminders'>): Instant | null {
  return openSlots(state, product)[0]?.at ?? null;
}

export interface RemindersDue {
  /** Per due date still ahead (or today): the latest slot reached, the amount owed, and the slots it stands for. */
  send: { slot: ReminderSlot; amount: Fen; covers: string[] }[];
  /** Slots of due dates already past: never sent, closed so they wake nothing. */
  closed: string[];
}

/** What reminders are due by `now`. */
export function remindersDue(state: LineState, now: Instant, product: Pick<Product, 'reminders'>): RemindersDue {
  const owed = owedByDueDate(state.balances);
  const today = localDay(now);
  const byDate = new Map<Day, ReminderSlot[]>();
  const closed: string[] = [];
  for (const slot of openSlots(state, product)) {
    if (compareDays(slot.dueDate, today) < 0) closed.push(slotKey(slot));
    else if (instantMs(slot.at) <= instantMs(now)) byDate.set(slot.dueDate, [...(byDate.get(slot.dueDate) ?? []), slot]);
  }
  const send = [...byDate.entries()].map(([dueDate, slots]) => ({ slot: slots[slots.length - 1]!, amount: owed.get(dueDate) ?? 0, covers: slots.map(slotKey) }));
  return { send, closed };
}

/** The state with `keys` sent (or closed); slots of due dates no longer owed are forgotten, so the list stays short. */
export function markReminded<S extends LineState>(state: S, keys: string[]): S {
  const owed = owedByDueDate(state.balances);
  const live = (k: string) => owed.has(k.slice(0, 10));
  return { ...state, remindersSent: [...(state.remindersSent ?? []).filter(live), ...keys.filter(live)] };
}
