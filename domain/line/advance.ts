/**
 * The line in time: opened, brought up to any moment (cycle closes, penalties), and woken by its
 * workflow at the earliest moment one of its modules must act. Nothing here reads a clock; `now`
 * is always an input.
 */
import { openBalances } from '../balances';
import { addDays, compareDays, cycleCloseInstant, instantMs, localDay, nextStatementDate, statementDateFor, type Day, type Instant } from '../calendar';
import { closeCycle, markOverdue, type Statement } from '../cycle';
import type { Fen } from '../money';
import { accruePenalties } from '../penalty';
import { STANDARD_PRODUCT, type Product } from '../product';
import { statementFigures } from '../projection';
import type { CreditLineState } from './commands';
import type { Actor } from '../audit';
import { eventFor, eventKey, project, snapshotEvent, type LineEvent, type LineProjection, type LineReadState } from './events';
import { audit, nextSmsAt, say, SYSTEM } from './notices';
import { nextLadderAt } from './collections';
import { workLadder } from './ladder';
import { markReminded, nextReminderAt, remindersDue } from './reminders';
import { closesWhenPaidOff } from './closure';
import { REFUNDABLE_DAYS, type LineState } from './state';

/** A line just approved; `version` is its first read-model version (after those underwriting wrote). */
export function openLine(input: { creditLineId: string; customerId: string; productId: string; statementDay: number; limit: Fen; now: Instant; version: number }): CreditLineState {
  const openedOn = localDay(input.now);
  return {
    creditLineId: input.creditLineId,
    customerId: input.customerId,
    productId: input.productId,
    statementDay: input.statementDay,
    openedOn,
    status: 'ACTIVE',
    suspensionReasons: [],
    limit: input.limit,
    balances: openBalances(openedOn),
    nextStatementDate: statementDateFor(openedOn, input.statementDay),
    purchases: [],
    remembered: [],
    version: input.version,
  };
}

/**
 * The event of a line just opened (its first read model), what it tells the customer, and who
 * decided it (the model, or the staff member of a manual review). The state returned holds the SMS
 * it sends.
 */
export function openedEvent(state: CreditLineState, now: Instant, product: Product, decidedBy: Actor): { state: CreditLineState; event: LineEvent } {
  const key = eventKey(state.creditLineId, 'OPENED', String(state.version));
  const said = say(state, key, 'LINE_OPENED', { limit: state.limit, statementDay: state.statementDay }, now, product);
  return {
    state: said.state,
    event: snapshotEvent(said.state, now, 'OPENED', { messages: said.messages, audit: [audit('LINE_OPENED', decidedBy, { limit: state.limit, statementDay: state.statementDay })] }),
  };
}

// ── Waking up ────────────────────────────────────────────────────────────────────────────────

/** The next moment a module needs the line to act by itself, or null when it needs none. */
export type WakeUp = (state: LineState, product: Product) => Instant | null;

/**
 * What modules need the line woken for, beside the cycle close every line wakes for. A module that
 * acts by itself (reminders, collections, a closure's expiry) adds its `WakeUp` here.
 */
export const WAKE_UPS: readonly WakeUp[] = [nextSmsAt, nextReminderAt, nextLadderAt];

/** The next moment the line must act by itself: its cycle close, or what a module needs earlier. */
export function nextWakeUp(state: LineState, wakeUps: readonly WakeUp[] = WAKE_UPS, product: Product = STANDARD_PRODUCT): Instant {
  let earliest = cycleCloseInstant(state.nextStatementDate);
  for (const wakeUp of wakeUps) {
    const at = wakeUp(state, product);
    if (at !== null && instantMs(at) < instantMs(earliest)) earliest = at;
  }
  return earliest;
}

/** What the line does as time passes, by the rules of its run (each added behind a patch in the workflow). */
export interface AdvanceRules {
  /** Reminders before due dates (reminders.ts). */
  reminders?: boolean;
  /** The overdue ladder (collections.ts). */
  collections?: boolean;
  /** A day's penalty is charged from the day's first moment, not once it has elapsed. */
  penaltyThroughToday?: boolean;
}

// ── Bringing the line up to now ──────────────────────────────────────────────────────────────

/**
 * Brings the line up to `now`: closes every cycle whose close has passed (penalties accrued to the
 * statement date first), then accrues penalties for every day fully elapsed. Returns the events in
 * the order they must be persisted, and the statements closed.
 */
export function advance(
  state: CreditLineState, now: Instant, product: Product, opts: AdvanceRules = {},
): { state: CreditLineState; events: LineEvent[]; closed: Statement[] } {
  // A charged-off line has no cycles and accrues nothing: its calendar only moves on.
  if (state.status === 'CHARGED_OFF' && state.chargedOff) return { state: rollCalendar(state, now), events: [], closed: [] };
  // A closed line owes and holds nothing: time changes nothing on it any more.
  if (state.status === 'CLOSED') return { state, events: [], closed: [] };
  let current = state;
  const events: LineEvent[] = [];
  const closed: Statement[] = [];
  while (instantMs(cycleCloseInstant(current.nextStatementDate)) <= instantMs(now)) {
    const statementDate = current.nextStatementDate;
    const closeAt = cycleCloseInstant(statementDate);
    const accrued = accrue(current, statementDate, closeAt, product);
    if (accrued.event) events.push(accrued.event);
    current = accrued.state;
    const result = closeCycle(current.balances, statementDate, product);
    const balances = markOverdue(result.balances, addDays(statementDate, 1)).balances;
    const closedState: CreditLineState = {
      ...current,
      balances,
      nextStatementDate: nextStatementDate(statementDate, current.statementDay),
      purchases: current.purchases.filter((p) => compareDays(p.day, addDays(statementDate, -REFUNDABLE_DAYS)) > 0),
      version: current.version + 1,
    };
    const figures = statementFigures(result.statement);
    // A statement that asks for something is announced (PRODUCT §6); one that asks nothing is not.
    const said = result.statement.amountDue > 0
      ? say(closedState, eventKey(current.creditLineId, 'STATEMENT', statementDate), 'STATEMENT_ISSUED', { statementDate, amountDue: result.statement.amountDue, dueDate: result.statement.dueDate }, closeAt, product)
      : { state: closedState, messages: [] };
    const next = said.state;
    events.push(eventFor(current, next, closeAt, 'STATEMENT', statementDate, {
      ...(said.messages.length > 0 ? { messages: said.messages } : {}),
      audit: [audit('STATEMENT_CLOSED', SYSTEM.cycleClose, { statementId: figures.id, amountDue: figures.amountDue, dueDate: figures.dueDate })],
      statements: [{ ...figures, status: result.statement.amountDue > 0 ? 'OPEN' : 'PAID' }],
      transaction: result.statement.fees > 0
        ? { id: `${next.creditLineId}:fees:${statementDate}`, kind: 'INSTALLMENT_FEE', amount: result.statement.fees, details: { statementId: figures.id } }
        : undefined,
    }));
    closed.push(result.statement);
    current = next;
  }
  // The penalty of a day past due is charged from its first moment (API.md: "penalties accrued to that
  // day included"); before that rule, once the day had elapsed.
  const accrued = accrue(current, opts.penaltyThroughToday ? localDay(now) : addDays(localDay(now), -1), now, product);
  if (accrued.event) events.push(accrued.event);
  current = accrued.state;
  if (opts.reminders) {
    const reminded = remind(current, now, product);
    events.push(...reminded.events);
    current = reminded.state;
  }
  if (opts.collections) {
    const worked = workLadder(current, now, product);
    events.push(...worked.events);
    current = worked.state;
  }
  // A CLOSING line whose balance reached zero closes by itself (closure.ts), in an event of its own.
  const closedNow = closesWhenPaidOff(current, localDay(now), now);
  if (closedNow) {
    const next = { ...closedNow.state, version: current.version + 1 };
    const { refunded, waivedFees, entry, transaction } = closedNow.settled;
    const key = eventKey(next.creditLineId, 'CLOSURE', `paid-off:${next.version}`);
    const said = say(next, key, 'LINE_CLOSED', {}, now, product);
    events.push(eventFor(current, said.state, now, 'CLOSURE', `paid-off:${next.version}`, {
      ...(entry ? { entry } : {}),
      ...(transaction ? { transaction } : {}),
      messages: said.messages,
      audit: [audit('LINE_CLOSED', SYSTEM.closure, { creditRefunded: refunded, waivedFees })],
    }));
    current = said.state;
  }
  return { state: current, events, closed };
}

/** The statement date moved past `now` (no statement: nothing is billed on a charged-off line). */
function rollCalendar(state: CreditLineState, now: Instant): CreditLineState {
  let next = state.nextStatementDate;
  while (instantMs(cycleCloseInstant(next)) <= instantMs(now)) next = nextStatementDate(next, state.statementDay);
  return next === state.nextStatementDate ? state : { ...state, nextStatementDate: next };
}

/** The reminders due by `now` (reminders.ts), each an event with its messages and audit entry. */
function remind(state: CreditLineState, now: Instant, product: Product): { state: CreditLineState; events: LineEvent[] } {
  const due = remindersDue(state, now, product);
  if (due.send.length === 0 && due.closed.length === 0) return { state, events: [] };
  let current = markReminded(state, due.closed);
  const events: LineEvent[] = [];
  for (const { slot, amount, covers } of due.send) {
    const next = { ...markReminded(current, covers), version: current.version + 1 };
    const what = `REMINDER:${slot.dueDate}:${slot.daysBefore}`;
    const key = eventKey(next.creditLineId, what, String(next.version));
    const said = say(next, key, 'PAYMENT_REMINDER', { amount, dueDate: slot.dueDate, daysBefore: slot.daysBefore }, now, product);
    events.push(snapshotEvent(said.state, now, what, {
      messages: said.messages, audit: [audit('REMINDER_SENT', SYSTEM.reminders, { dueDate: slot.dueDate, daysBefore: slot.daysBefore, amount })],
    }));
    current = said.state;
  }
  return { state: current, events };
}

/** Penalties for every day up to and including `through`, as one event (none when nothing accrued). */
function accrue(state: CreditLineState, through: Day, now: Instant, product: Product): { state: CreditLineState; event?: LineEvent } {
  if (compareDays(through, state.openedOn) < 0) return { state };
  const result = accruePenalties(state.balances, state.openedOn, through, product);
  if (result.accrued === 0) return { state };
  const next = { ...state, balances: markOverdue(result.balances, addDays(through, 1)).balances, version: state.version + 1 };
  return {
    state: next,
    event: eventFor(state, next, now, 'PENALTY', through, {
      transaction: { id: `${state.creditLineId}:penalty:${through}`, kind: 'PENALTY', amount: result.accrued, details: { through } },
      audit: [audit('PENALTY_ACCRUED', SYSTEM.penalty, { through, amount: result.accrued })],
    }),
  };
}

/**
 * The line as of `now`, from the state its last event left: cycles closed and penalties accrued up to
 * `now` exactly as the line itself will when it next acts. Reads use it (API.md: balance, currentDue
 * and daysPastDue are as of the moment of the request).
 */
export function readLineAt(state: LineReadState, now: Instant, product: Product): LineProjection {
  const advanced = advance({ ...state, purchases: [], remembered: [] }, now, product, { penaltyThroughToday: true }).state;
  return project(advanced, localDay(now));
}
