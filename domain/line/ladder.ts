/**
 * Working the overdue ladder (the rules: collections.ts): each step a day past due reaches becomes an
 * event with its effects (suspension, the staff flag, the collections case, the charge-off), what it
 * says to the customer, and its audit entry; a cure lifts it all.
 */
import { billedFeesOwed, writeOffAll, type LineBalances } from '../balances';
import { localDay, type Instant } from '../calendar';
import type { TemplateName } from '../notifications';
import { oldestUnpaidDueDate } from '../penalty';
import type { Product } from '../product';
import { owedByBucket } from '../waterfall';
import { caseIdFor, ladderDpd, mayContact, stepsDue } from './collections';
import type { CreditLineState } from './commands';
import type { DecisionRecord } from '../decisions';
import { eventFor, snapshotEvent, type LineEvent } from './events';
import { holdsAt, keptAgain } from './ladder-holds';
import { audit, say, SYSTEM } from './notices';
import type { CollectionState } from './state';

type Step = Product['collections']['ladder'][number];

/** The messages a step's actions ask for: template → channels. */
const SPEECH: Partial<Record<Step['actions'][number], { template: TemplateName; channel: 'SMS' | 'IN_APP' }>> = {
  SMS_OVERDUE_NOTICE: { template: 'OVERDUE_NOTICE', channel: 'SMS' },
  IN_APP_OVERDUE_NOTICE: { template: 'OVERDUE_NOTICE', channel: 'IN_APP' },
  SMS_REMINDER: { template: 'OVERDUE_REMINDER', channel: 'SMS' },
  IN_APP_REMINDER: { template: 'OVERDUE_REMINDER', channel: 'IN_APP' },
  SMS_FINAL_NOTICE: { template: 'FINAL_NOTICE', channel: 'SMS' },
  IN_APP_FINAL_NOTICE: { template: 'FINAL_NOTICE', channel: 'IN_APP' },
};

/** What is overdue on `day`: principal past due, and the penalties and billed fees on top. */
function overdueAmounts(b: LineBalances, day: string) {
  const owed = owedByBucket(b, day);
  const overduePrincipal = owed.OVERDUE_PRINCIPAL;
  return { overduePrincipal, penalties: b.penalties, fees: billedFeesOwed(b), total: overduePrincipal + b.penalties + billedFeesOwed(b) };
}

/** The ladder at `now`: what holds it (a pause, a hardship plan: ladder-holds.ts), then cure or the steps reached since the line last looked. */
export function workLadder(state: CreditLineState, now: Instant, product: Product): { state: CreditLineState; events: LineEvent[] } {
  if (state.status === 'CHARGED_OFF' || state.status === 'CLOSED') return { state, events: [] };
  const held = holdsAt(state, now, product);
  if (held.hold) return { state: held.state, events: held.events };
  const worked = stepLadder(held.state, now, product);
  return { state: worked.state, events: [...held.events, ...worked.events] };
}

function stepLadder(state: CreditLineState, now: Instant, product: Product): { state: CreditLineState; events: LineEvent[] } {
  const today = localDay(now);
  const oldest = oldestUnpaidDueDate(state.balances, today);
  if (state.collection && oldest === null) return cure(state, state.collection, now);
  if (oldest === null) return { state, events: [] };
  const started: CollectionState = state.collection
    // Part paid: days past due now count from the oldest date still unpaid; the steps taken stay taken.
    ? { ...state.collection, dueDate: oldest }
    : { dueDate: oldest, done: [], stage: null, caseId: null, followUp: false, smsDays: [], through: today };
  const due = stepsDue(started, ladderDpd(started, today), product);
  let current: CreditLineState = { ...state, collection: { ...started, through: today } };
  const events: LineEvent[] = [];
  const latest = due.at(-1);
  for (const step of due) {
    const result = carryOut(current, step, step === latest, now, product);
    current = result.state;
    events.push(result.event);
    if (current.status === 'CHARGED_OFF') break;
  }
  return { state: current, events };
}

function carryOut(state: CreditLineState, step: Step, speaks: boolean, now: Instant, product: Product): { state: CreditLineState; event: LineEvent } {
  const today = localDay(now);
  const c = state.collection!;
  const dpd = ladderDpd(c, today);
  const collection: CollectionState = { ...c, done: [...c.done, step.dpd], stage: step.stage };
  let next: CreditLineState = { ...state, collection, version: state.version + 1 };
  const details = { dpd: step.dpd, stage: step.stage, dueDate: c.dueDate };
  const amounts = overdueAmounts(state.balances, today);
  let collectionCase: LineEvent['collectionCase'];
  const decisions: DecisionRecord[] = [];
  for (const action of step.actions) {
    if (action === 'SUSPEND_OVERDUE' && !next.suspensionReasons.includes('OVERDUE')) {
      next = { ...next, suspensionReasons: [...next.suspensionReasons, 'OVERDUE'], status: next.status === 'ACTIVE' ? 'SUSPENDED' : next.status };
      // An automated suspension the customer can have explained (it lifts itself when the overdue amount is paid).
      decisions.push({
        id: `d-${next.version}-1`, kind: 'SUSPENSION', outcome: 'SUSPENDED', reasons: ['OVERDUE'], adverse: true, decidedBy: `rule:collections-dpd${step.dpd}`,
        details: { suspensionReason: 'OVERDUE', dueDate: c.dueDate, overdue: amounts.total },
      });
    }
    if (action === 'FLAG_STAFF_FOLLOW_UP') next = { ...next, collection: { ...next.collection!, followUp: true } };
    if (action === 'COLLECTIONS_QUEUE' && !c.caseId) {
      const caseId = caseIdFor(state.creditLineId, c.dueDate);
      next = { ...next, collection: { ...next.collection!, caseId } };
      collectionCase = { action: 'OPEN', caseId, openedDpd: dpd, dueDate: c.dueDate, amounts };
    }
  }
  if (step.actions.includes('CHARGE_OFF')) return chargeOff(state, next, step, now);
  // Only the latest step reached speaks, and only outside a collection pause.
  const speech = speaks && mayContact(c, now) ? step.actions.map((a) => SPEECH[a]).filter((s) => s !== undefined) : [];
  const key = `COLLECTION:${c.dueDate}:${step.dpd}`;
  let messages: LineEvent['messages'] = [];
  for (const template of new Set(speech.map((s) => s.template))) {
    const channels = speech.filter((s) => s.template === template).map((s) => s.channel);
    const said = say(next, `${state.creditLineId}:${key}:${next.version}`, template, { dueDate: c.dueDate, daysPastDue: dpd, overdue: amounts.total, chargeOffDpd: chargeOffDpd(product) }, now, product, channels);
    next = said.state;
    messages = [...messages, ...said.messages];
  }
  const event = snapshotEvent(next, now, key, {
    ...(messages.length > 0 ? { messages } : {}),
    audit: [audit('COLLECTION_STEP', SYSTEM.collections, details, step.stage)],
    ...(collectionCase ? { collectionCase } : {}),
    ...(decisions.length > 0 ? { decisions } : {}),
  });
  return { state: next, event };
}

const chargeOffDpd = (product: Product): number => product.collections.ladder.find((s) => s.actions.includes('CHARGE_OFF'))?.dpd ?? 0;

function chargeOff(before: CreditLineState, stepped: CreditLineState, step: Step, now: Instant): { state: CreditLineState; event: LineEvent } {
  const c = stepped.collection!;
  const written = writeOffAll(before.balances);
  const total = written.principal + written.fees + written.penalties;
  const next: CreditLineState = {
    ...stepped,
    status: 'CHARGED_OFF',
    balances: written.balances,
    collection: undefined,
    chargedOff: { on: localDay(now), principal: written.principal, fees: written.fees, penalties: written.penalties, recovered: 0 },
    // A hardship plan is written off with the rest.
    ...(stepped.hardship ? { hardship: undefined } : {}),
  };
  const event = eventFor(before, next, now, 'CHARGE_OFF', c.dueDate, {
    transaction: { id: `${before.creditLineId}:charge-off:${c.dueDate}`, kind: 'CHARGE_OFF', amount: -total, details: { principal: written.principal, fees: written.fees, penalties: written.penalties } },
    audit: [audit('CHARGED_OFF', SYSTEM.collections, { dpd: step.dpd, principal: written.principal, fees: written.fees, penalties: written.penalties }, step.stage)],
    ...(c.caseId ? { collectionCase: { action: 'CLOSE', caseId: c.caseId, reason: 'CHARGED_OFF' } } : {}),
  });
  return { state: next, event };
}

function cure(state: CreditLineState, c: CollectionState, now: Instant): { state: CreditLineState; events: LineEvent[] } {
  const reasons = state.suspensionReasons.filter((r) => r !== 'OVERDUE');
  const next: CreditLineState = {
    ...state,
    suspensionReasons: reasons,
    status: state.status === 'SUSPENDED' && reasons.length === 0 ? 'ACTIVE' : state.status,
    collection: undefined,
    version: state.version + 1,
    // On a hardship plan a cure keeps the plan, and the ladder as it stood is what a later miss resumes.
    ...(state.hardship ? { hardship: keptAgain(state.hardship, c) } : {}),
  };
  const event = snapshotEvent(next, now, `CURED:${c.dueDate}`, {
    audit: [audit('COLLECTION_CURED', SYSTEM.collections, { dueDate: c.dueDate, dpd: ladderDpd(c, localDay(now)), stage: c.stage })],
    ...(c.caseId ? { collectionCase: { action: 'CLOSE', caseId: c.caseId, reason: 'CURED' } } : {}),
  });
  return { state: next, events: [event] };
}
