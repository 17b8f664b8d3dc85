/**
 * The overdue ladder (PRODUCT §7), as product configuration (`product.collections.ladder`): from the
 * day after a due date left unpaid, each step's actions on its day past due, carried out by the line
 * itself at 00:00 of that day (its SMS wait for the end of quiet hours). While overdue the line wakes
 * every day, so penalties, days past due and what operators see are right to the day; a line that is
 * not overdue is never woken for this.
 *
 * - Cure: once nothing is overdue the ladder stops where it is, `OVERDUE` is lifted (ACTIVE again
 *   when no other reason remains) and an open case closes; a later missed due date starts again at DPD 1.
 * - Several steps reached at once (an outage): every step's effect is carried out, but only the
 *   latest step speaks, so the customer never gets a burst of stale notices.
 * - Conduct: an overdue customer gets at most one SMS a day of any kind (a one-time code excepted):
 *   the first the line decides that day goes, a later one waits for the next morning (notices.ts). A
 *   statement closing at the same midnight as a ladder step is decided first, so its SMS goes and the
 *   step's SMS waits a day; the step's in-app message is never delayed.
 * - A collection pause (`pausedUntil`, collection-pause.ts) holds the ladder until its end, when the line
 *   wakes and the ladder resumes; penalties never stop. A hardship plan takes the line off the ladder
 *   while it is kept (hardship.ts; ladder-holds.ts resumes it on a missed due date).
 * - Charge-off (the last step): principal, fees and penalties are written off against credit losses;
 *   the line is CHARGED_OFF; later repayments are recoveries (repayment.ts).
 */
import { addDays, compareDays, daysBetween, instantAt, instantMs, type Day, type Instant } from '../calendar';
import type { Fen } from '../money';
import type { Product } from '../product';
import { owedByDueDate } from './reminders';
import type { ChargedOff, CollectionState, LineState } from './state';

export const chargedOffTotal = (c: ChargedOff): Fen => c.principal + c.fees + c.penalties;

/** The next moment the ladder needs the line: the next midnight while overdue, or the first day past its earliest due date. */
export function nextLadderAt(state: LineState): Instant | null {
  if (state.status === 'CHARGED_OFF' || state.status === 'CLOSED') return null;
  if (state.collection) {
    const midnight = instantAt(addDays(state.collection.through, 1), '00:00');
    // A pause ends at its own moment: the ladder resumes then, not at the next midnight.
    const until = state.collection.pausedUntil;
    return until !== undefined && instantMs(until) < instantMs(midnight) ? until : midnight;
  }
  const first = earliestOwedDueDate(state);
  return first === null ? null : instantAt(addDays(first, 1), '00:00');
}

function earliestOwedDueDate(state: LineState): Day | null {
  let earliest: Day | null = null;
  for (const due of owedByDueDate(state.balances).keys()) if (earliest === null || compareDays(due, earliest) < 0) earliest = due;
  return earliest;
}

/** The ladder's steps due at `dpd` and not yet carried out, in order. */
export function stepsDue(collection: CollectionState, dpd: number, product: Pick<Product, 'collections'>) {
  return product.collections.ladder.filter((step) => step.dpd <= dpd && !collection.done.includes(step.dpd));
}

/** Days past due on `day` for the ladder's due date. */
export const ladderDpd = (collection: CollectionState, day: Day): number => Math.max(0, daysBetween(collection.dueDate, day));

/** Whether contacts may go at `now` (no collection pause running). */
export const mayContact = (collection: CollectionState, now: Instant): boolean =>
  !collection.pausedUntil || instantMs(collection.pausedUntil) <= instantMs(now);

export const caseIdFor = (creditLineId: string, dueDate: Day): string => `${creditLineId}:case:${dueDate}`;

