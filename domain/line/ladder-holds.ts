/**
 * What holds the overdue ladder, at the ladder's own moments (ladder.ts calls `holdsAt` before it
 * steps): a collection pause (collection-pause.ts) and a hardship plan (hardship.ts). A line with
 * neither is untouched, so these rules need no patch: only states they made themselves have them.
 *
 * - A pause running: the ladder holds (no step, no contact); days past due still count. Past its end
 *   it is lifted (an event, audited) and the ladder steps on at once.
 * - A hardship plan kept: the line has nothing overdue and the ladder is not running. A due date missed
 *   while on the plan (a plan installment's, or anything else's) resumes the ladder where it stopped:
 *   its steps already taken stay taken (no notice is sent twice; DPD 7's staff flag stays), days past
 *   due count from the missed due date (what `daysPastDue` and operators show), `OVERDUE` is back at
 *   once with an overdue notice when DPD 1 had been reached, and a case handed to people before is
 *   opened again at once. Choice: counting from the missed date rather than the original one, because
 *   the original date's debt was re-aged: counting from it would charge the line off within days of a
 *   single missed installment. A cure while on the plan keeps the plan (and the ladder as it stood).
 * - A hardship plan paid in full (every installment, or nothing owed on the line at all, a credit
 *   balance covering what is left) ends: the STAFF hold it placed is lifted.
 */
import { billedFeesOwed, installmentPrincipalOwed, type LineBalances } from '../balances';
import { instantMs, localDay, type Day, type Instant } from '../calendar';
import type { DecisionRecord } from '../decisions';
import { payoffQuote } from '../payoff';
import { oldestUnpaidDueDate } from '../penalty';
import type { Product } from '../product';
import { owedByBucket } from '../waterfall';
import { caseIdFor, ladderDpd } from './collections';
import type { CreditLineState } from './commands';
import { eventKey, snapshotEvent, type LineEvent } from './events';
import { pausedLadder } from './hardship';
import { audit, say, SYSTEM } from './notices';
import type { CollectionState, HardshipState } from './state';
import { withReasons } from './suspension';

type Worked = { state: CreditLineState; events: LineEvent[] };

/** What is overdue on `day` (as the ladder's case shows it). */
function overdueAmounts(b: LineBalances, day: Day) {
  const overduePrincipal = owedByBucket(b, day).OVERDUE_PRINCIPAL;
  const fees = billedFeesOwed(b);
  return { overduePrincipal, penalties: b.penalties, fees, total: overduePrincipal + b.penalties + fees };
}

/**
 * The holds at `now`: a plan paid in full ends, a missed plan resumes the ladder, a pause past its end is
 * lifted. `hold`: a pause is running and the ladder takes no step now.
 */
export function holdsAt(state: CreditLineState, now: Instant, product: Product): Worked & { hold: boolean } {
  const today = localDay(now);
  const ended = endPaidPlan(state, now, product);
  let current = ended.state;
  const events = [...ended.events];
  const oldest = oldestUnpaidDueDate(current.balances, today);
  if (oldest === null) return { state: current, events, hold: false };
  if (!current.collection && current.hardship) {
    const resumed = resumeLadder(current, current.hardship, oldest, now, product);
    current = resumed.state;
    events.push(...resumed.events);
  }
  const c = current.collection;
  if (c?.pausedUntil === undefined) return { state: current, events, hold: false };
  if (instantMs(now) < instantMs(c.pausedUntil)) return { state: { ...current, collection: { ...c, dueDate: oldest, through: today } }, events, hold: true };
  const { pausedUntil, ...resumed } = c;
  current = { ...current, collection: resumed, version: current.version + 1 };
  events.push(snapshotEvent(current, now, 'COLLECTION_PAUSE_ENDED', {
    audit: [audit('COLLECTION_PAUSE_ENDED', SYSTEM.collections, { pausedUntil, dueDate: oldest, dpd: ladderDpd({ ...c, dueDate: oldest }, today) })],
  }));
  return { state: current, events, hold: false };
}

/** The plan after a cure while on it: kept again, and the ladder as it stood is what a later miss resumes. */
export function keptAgain(hardship: HardshipState, collection: CollectionState): HardshipState {
  return { ...hardship, status: 'KEPT', paused: pausedLadder(collection) };
}

/** A due date missed while on a plan: the ladder back where it stopped (the rules in the header). */
function resumeLadder(state: CreditLineState, hardship: HardshipState, oldest: Day, now: Instant, product: Product): Worked {
  const kept = hardship.paused;
  // No ladder was running when the plan started: it starts afresh, at DPD 1, like any line's.
  if (!kept) return { state: { ...state, hardship: { ...hardship, status: 'MISSED' } }, events: [] };
  const today = localDay(now);
  const version = state.version + 1;
  const collection: CollectionState = { ...kept, dueDate: oldest, through: today, caseId: null };
  const dpd = ladderDpd(collection, today);
  const amounts = overdueAmounts(state.balances, today);
  let next: CreditLineState = { ...state, hardship: { ...hardship, status: 'MISSED', paused: null }, collection, version };
  const suspends = product.collections.ladder.some((s) => kept.done.includes(s.dpd) && s.actions.includes('SUSPEND_OVERDUE'));
  const decisions: DecisionRecord[] = [];
  if (suspends && !next.suspensionReasons.includes('OVERDUE')) {
    next = withReasons(next, [...next.suspensionReasons, 'OVERDUE']);
    decisions.push({
      id: `d-${version}-1`, kind: 'SUSPENSION', outcome: 'SUSPENDED', reasons: ['OVERDUE'], adverse: true, decidedBy: 'rule:hardship-plan-missed',
      details: { suspensionReason: 'OVERDUE', dueDate: oldest, overdue: amounts.total, hardshipPlanId: hardship.planId },
    });
  }
  let collectionCase: LineEvent['collectionCase'];
  if (kept.caseId !== null) {
    const caseId = caseIdFor(state.creditLineId, oldest);
    next = { ...next, collection: { ...next.collection!, caseId } };
    collectionCase = { action: 'OPEN', caseId, openedDpd: dpd, dueDate: oldest, amounts };
  }
  const what = `HARDSHIP_MISSED:${oldest}`;
  let messages: LineEvent['messages'] = [];
  if (suspends) {
    const said = say(next, eventKey(state.creditLineId, what, String(version)), 'OVERDUE_NOTICE', { dueDate: oldest, daysPastDue: dpd, overdue: amounts.total }, now, product);
    next = said.state;
    messages = said.messages;
  }
  const event = snapshotEvent(next, now, what, {
    ...(messages.length > 0 ? { messages } : {}),
    audit: [audit('HARDSHIP_PLAN_MISSED', SYSTEM.collections, { planId: hardship.planId, dueDate: oldest, dpd, resumedAtStage: kept.stage })],
    ...(collectionCase ? { collectionCase } : {}),
    ...(decisions.length > 0 ? { decisions } : {}),
  });
  return { state: next, events: [event] };
}

/** A plan paid in full ends, its STAFF hold lifted (the rules in the header). */
function endPaidPlan(state: CreditLineState, now: Instant, product: Product): Worked {
  const hardship = state.hardship;
  if (!hardship) return { state, events: [] };
  const plan = state.balances.plans.find((p) => p.id === hardship.planId);
  const owed = plan ? plan.installments.reduce((sum, i) => sum + installmentPrincipalOwed(i), 0) : 0;
  if (owed > 0 && payoffQuote(state.balances, localDay(now)).amount > 0) return { state, events: [] };
  const { hardship: _ended, ...rest } = state;
  let next: CreditLineState = { ...rest, version: state.version + 1 };
  const lifted = hardship.staffHold && next.suspensionReasons.includes('STAFF');
  if (lifted) next = withReasons(next, next.suspensionReasons.filter((r) => r !== 'STAFF'));
  const what = `HARDSHIP_COMPLETED:${hardship.planId}`;
  const said = say(next, eventKey(state.creditLineId, what, String(next.version)), 'HARDSHIP_PLAN_COMPLETED', {}, now, product);
  const event = snapshotEvent(said.state, now, what, {
    messages: said.messages,
    audit: [audit('HARDSHIP_PLAN_COMPLETED', SYSTEM.collections, { planId: hardship.planId, staffHoldLifted: lifted })],
  });
  return { state: said.state, events: [event] };
}
