/**
 * Penalties and days past due (PRODUCT §7).
 *
 * - Days past due count from the day after the due date: DPD 1 is `dueDate + 1`.
 * - A penalty is charged for every day `d` an overdue principal is past due (`dueDate < d`), at
 *   `dailyRate` × the principal still owed, rounded per day and per debt (half-up). Rounding per
 *   day makes accrual additive: accruing 1–10 then 11–20 gives exactly what 1–20 gives, so it does
 *   not matter when the workflow happens to accrue.
 * - Each debt remembers the last day charged (`penalty.through`), so accruing a range twice charges
 *   it once.
 * - Cap: on each day, the penalties charged on a debt over the 365 days ending that day never exceed
 *   `annualCapRate` × its principal owed that day, rounded DOWN so the cap itself is never passed.
 *   The charge of a day that would cross the cap is cut to what is left under it.
 * - Penalties are charged on principal only, never on fees or on penalties.
 */
import { cloneBalances, installmentFeeOwed, installmentPrincipalOwed, statementPrincipalOwed, type Installment, type LineBalances, type PenaltyTrack } from './balances';
import type { Day } from './calendar';
import { addDays, compareDays, daysBetween, maxDay } from './calendar';
import { applyRate, parseRate, type Fen } from './money';
import type { Product } from './product';
import { STANDARD_PRODUCT } from './product';

const WINDOW_DAYS = 365;

/** DPD on `today` for the oldest unpaid due date (0 when nothing is past due). */
export function daysPastDue(oldestUnpaidDueDate: Day | null, today: Day): number {
  if (oldestUnpaidDueDate === null) return 0;
  return Math.max(0, daysBetween(oldestUnpaidDueDate, today));
}

/** The earliest due date before `day` with principal or an installment fee still unpaid, or null. */
export function oldestUnpaidDueDate(balances: LineBalances, day: Day): Day | null {
  let oldest: Day | null = null;
  const consider = (due: Day) => {
    if (compareDays(due, day) < 0 && (oldest === null || compareDays(due, oldest) < 0)) oldest = due;
  };
  for (const s of balances.statements) if (statementPrincipalOwed(s) > 0) consider(s.dueDate);
  for (const p of balances.plans) {
    for (const i of p.installments) {
      if (i.billed && installmentPrincipalOwed(i) + installmentFeeOwed(i) > 0) consider(i.dueDate);
    }
  }
  return oldest;
}

/**
 * What an installment's penalty is charged on: its principal owed, but for the penalties and fees a
 * hardship plan carried into it (paid first; penalties are never charged on penalties or fees).
 */
export function penaltyBase(i: Installment): Fen {
  return installmentPrincipalOwed(i) - Math.max(0, (i.carried ?? 0) - i.principalPaid);
}

/** Penalty charged on a track over the days `from..to` (inclusive). */
export function chargedBetween(track: PenaltyTrack, from: Day, to: Day): Fen {
  let total = 0;
  for (const seg of track.segments) {
    const segEnd = addDays(seg.from, seg.days - 1);
    const start = maxDay(seg.from, from);
    const end = compareDays(segEnd, to) <= 0 ? segEnd : to;
    const days = daysBetween(start, end) + 1;
    if (days > 0) total += days * seg.perDay;
  }
  return total;
}

function record(track: PenaltyTrack, day: Day, amount: Fen): void {
  const last = track.segments[track.segments.length - 1];
  if (last && last.perDay === amount && addDays(last.from, last.days) === day) last.days += 1;
  else track.segments.push({ from: day, days: 1, perDay: amount });
}

/**
 * Accrues one debt's penalty for the days in `[fromDay, toDay]` it is past due and not yet charged.
 * Mutates `track`; returns the amount charged.
 */
function accrueDebt(
  track: PenaltyTrack,
  principal: Fen,
  debtDueDate: Day,
  fromDay: Day,
  toDay: Day,
  product: Pick<Product, 'penalty' | 'rounding'>,
): Fen {
  let start = maxDay(fromDay, addDays(debtDueDate, 1));
  if (track.through !== null) start = maxDay(start, addDays(track.through, 1));
  if (principal <= 0 || compareDays(start, toDay) > 0) return 0;
  const perDay = applyRate(principal, parseRate(product.penalty.dailyRate), product.rounding);
  const cap = applyRate(principal, parseRate(product.penalty.annualCapRate), 'DOWN');
  let total = 0;
  for (let d = start; compareDays(d, toDay) <= 0; d = addDays(d, 1)) {
    const earlier = chargedBetween(track, addDays(d, -(WINDOW_DAYS - 1)), addDays(d, -1));
    const charge = Math.max(0, Math.min(perDay, cap - earlier));
    if (charge > 0) record(track, d, charge);
    total += charge;
  }
  track.through = toDay;
  // Only the last 365 days matter for the cap: forget older segments so state stays small.
  const horizon = addDays(toDay, -(WINDOW_DAYS - 1));
  track.segments = track.segments.filter((s) => compareDays(addDays(s.from, s.days - 1), horizon) >= 0);
  return total;
}

export interface PenaltyAccrual {
  balances: LineBalances;
  /** Total charged. */
  accrued: Fen;
  byDebt: { debtId: string; amount: Fen }[];
}

/**
 * Accrues penalties for the days `fromDay..toDay` (inclusive) on every overdue principal: the
 * revolving principal of statements and the principal of billed installments. The principal is
 * taken as it stands now, so accrue up to a repayment's day before allocating the repayment.
 */
export function accruePenalties(
  balances: LineBalances,
  fromDay: Day,
  toDay: Day,
  product: Pick<Product, 'penalty' | 'rounding'> = STANDARD_PRODUCT,
): PenaltyAccrual {
  const b = cloneBalances(balances);
  const byDebt: { debtId: string; amount: Fen }[] = [];
  for (const s of b.statements) {
    const amount = accrueDebt(s.penalty, statementPrincipalOwed(s), s.dueDate, fromDay, toDay, product);
    if (amount > 0) byDebt.push({ debtId: s.id, amount });
  }
  for (const p of b.plans) {
    for (const i of p.installments) {
      if (!i.billed) continue;
      const amount = accrueDebt(i.penalty, penaltyBase(i), i.dueDate, fromDay, toDay, product);
      if (amount > 0) byDebt.push({ debtId: i.id, amount });
    }
  }
  const accrued = byDebt.reduce((sum, x) => sum + x.amount, 0);
  b.penalties += accrued;
  b.cycle.penalties += accrued;
  return { balances: b, accrued, byDebt };
}
