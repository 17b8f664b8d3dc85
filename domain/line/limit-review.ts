/**
 * Re-scoring at each statement (PRODUCT §8): the line's own repayment record goes back to the model;
 * after `rescoreAfterOnTimeCycles` on-time cycles the limit may rise (to the model's limit for the
 * new PD, within the product's maximum), and a cycle closed past due may bring it down (never below
 * what the line already uses). The model runs in an activity (it needs the application's figures);
 * what to ask it and what to do with its answer are decided here.
 */
import { daysPastDue, oldestUnpaidDueDate } from '../penalty';
import { nextStatementDate, type Day } from '../calendar';
import type { Fen } from '../money';
import type { Product } from '../product';
import { usedCredit, type LimitCommand } from './limit';
import { NO_RISK_RECORD, type LineState } from './state';

/** What the model is told of the line: numbers only. */
export interface LineBehaviour { onTimeCycles: number; missedCycles: number; maxDaysPastDue: number; utilizationPermille: number }

/** The model's answer for the line as it behaves now. */
export interface Rescored { probabilityOfDefault: number; modelLimit: Fen; reasonCodes: string[]; modelVersion: string }

export interface LimitReview { direction: 'RAISE' | 'CUT'; behaviour: LineBehaviour }

/** The record after `closes` statements closed on `day`: on time when nothing was past due at the close. */
export function recordStatementCloses<S extends LineState>(state: S, closes: number, day: Day): S {
  if (closes <= 0 || state.chargedOff) return state;
  const risk = state.risk ?? NO_RISK_RECORD;
  const pastDue = daysPastDue(oldestUnpaidDueDate(state.balances, day), day) > 0;
  return {
    ...state,
    risk: {
      ...risk,
      onTimeCycles: pastDue ? 0 : risk.onTimeCycles + closes,
      missedCycles: risk.missedCycles + (pastDue ? 1 : 0),
      cyclesSinceReview: risk.cyclesSinceReview + closes,
    },
  };
}

/** Whether the limit is due a review after the statement just closed, and what to tell the model. */
export function limitReviewDue(state: LineState, product: Product, day: Day): LimitReview | null {
  if (state.status !== 'ACTIVE' && state.status !== 'SUSPENDED') return null;
  const risk = state.risk ?? NO_RISK_RECORD;
  const dpd = daysPastDue(oldestUnpaidDueDate(state.balances, day), day);
  const every = product.underwriting.rescoreAfterOnTimeCycles;
  const direction = dpd > 0 && risk.cyclesSinceReview > 0 ? 'CUT' : risk.onTimeCycles >= every && risk.cyclesSinceReview >= every ? 'RAISE' : null;
  if (!direction) return null;
  const utilizationPermille = state.limit > 0 ? Math.min(1000, Math.round((usedCredit(state) * 1000) / state.limit)) : 0;
  return { direction, behaviour: { onTimeCycles: risk.onTimeCycles, missedCycles: risk.missedCycles, maxDaysPastDue: dpd, utilizationPermille } };
}

/** The state once reviewed (whatever came of it): the next review counts cycles from here. */
export const reviewed = <S extends LineState>(state: S): S => ({ ...state, risk: { ...(state.risk ?? NO_RISK_RECORD), cyclesSinceReview: 0 } });

/**
 * The new limit the model's answer allows, as a command for the line (null: no change). A rise goes to
 * the model's limit within the product's maximum; a cut to the model's limit, never below what the
 * line uses (rounded up to the product's step).
 */
export function limitChangeFor(state: LineState, review: LimitReview, scored: Rescored, product: Product, statementDate: Day): LimitCommand | null {
  const { limitStep, maxLimit } = product.underwriting;
  const down = (fen: Fen) => Math.floor(fen / limitStep) * limitStep;
  const up = (fen: Fen) => Math.ceil(fen / limitStep) * limitStep;
  // A customer who lowered their own limit (limit.ts) chose it: the model never raises it back.
  if (review.direction === 'RAISE' && state.grantedLimit !== undefined) return null;
  const target = review.direction === 'RAISE'
    ? Math.min(maxLimit, down(scored.modelLimit))
    : Math.min(state.limit, Math.max(up(usedCredit(state)), down(scored.modelLimit)));
  if (review.direction === 'RAISE' ? target <= state.limit : target >= state.limit) return null;
  const reasons = review.direction === 'RAISE' ? ['ON_TIME_REPAYMENTS'] : ['MISSED_DUE_DATE', ...scored.reasonCodes.filter((c) => c !== 'MISSED_DUE_DATE')].slice(0, 4);
  return {
    type: 'setLimit', key: `limit-review:${statementDate}`, requestHash: `limit-review:${statementDate}:${target}`,
    actor: { type: 'model', id: scored.modelVersion }, limit: target, via: 'MODEL',
    model: { version: scored.modelVersion, probabilityOfDefault: scored.probabilityOfDefault, reasons },
  };
}

/** How many statements closed between two "next statement dates" (one, unless the line slept through several). */
export function closesBetween(fromNext: Day, toNext: Day, statementDay: number): number {
  let closes = 0;
  for (let d = fromNext; d < toNext && closes < 1200; d = nextStatementDate(d, statementDay)) closes += 1;
  return closes;
}
