/**
 * Suspending and lifting (PRODUCT §2, §8): a suspension carries its reasons, and the line is ACTIVE
 * again only when every one is lifted. Who may lift what is decided here, in one place:
 *   OVERDUE lifts itself on cure (the ladder), never by a command;
 *   risk reasons (RISK_LOGIN, RISK_VELOCITY): staff after review, or the customer's fresh SMS code;
 *   STAFF: staff; CUSTOMER (a self-freeze): the customer.
 * And who may suspend for what: the customer freezes their own line with CUSTOMER and nothing else;
 * nobody else suspends with CUSTOMER; OVERDUE is the ladder's alone.
 */
import { actorRef, type Actor } from '../audit';
import { freeTextProblem } from '../free-text';
import { lineFigures } from '../projection';
import { refusal, type CommandBase, type Decider } from './decider';
import { SUSPENSION_REASONS, type LineState, type LineStatus, type SuspensionReason } from './state';

export const RISK_REASONS: readonly SuspensionReason[] = ['RISK_LOGIN', 'RISK_VELOCITY'];

/** How a lift was asked for: by staff, by the customer's verified code, by reversing a decision on review, or by the customer unfreezing. */
export type LiftVia = 'STAFF' | 'VERIFICATION' | 'REVIEW' | 'CUSTOMER';

export interface SuspendCommand extends CommandBase {
  type: 'suspend';
  /** Never `OVERDUE` (the ladder's); `CUSTOMER` (a self-freeze) only from the customer, who has no other. */
  reason: SuspensionReason;
  note?: string;
  /** The risk event that asked for it (a rule's hit), for the decision record. */
  riskEventId?: string;
}

export interface LiftCommand extends CommandBase {
  type: 'lift';
  reasons: SuspensionReason[];
  via: LiftVia;
  note?: string;
}

export interface SuspensionBody { status: LineStatus; suspensionReasons: SuspensionReason[]; available: number }

export interface SuspendFeature {
  command: SuspendCommand;
  body: SuspensionBody;
  code: 'VALIDATION_FAILED' | 'LINE_NOT_ACTIVE';
}

export interface LiftFeature {
  command: LiftCommand;
  body: SuspensionBody;
  code: 'VALIDATION_FAILED' | 'LINE_NOT_ACTIVE' | 'NOT_SUSPENDED_FOR_REASON' | 'REASON_NOT_LIFTABLE';
}

/** The status that goes with a set of reasons: suspended while any is left. */
export function withReasons<S extends LineState>(state: S, reasons: SuspensionReason[]): S {
  const ordered = SUSPENSION_REASONS.filter((r) => reasons.includes(r));
  const status: LineStatus = state.status === 'ACTIVE' || state.status === 'SUSPENDED' ? (ordered.length > 0 ? 'SUSPENDED' : 'ACTIVE') : state.status;
  return { ...state, suspensionReasons: ordered, status };
}

/** Whether `actor` may lift `reason` this way (the rule of the file's header). */
export function mayLift(reason: SuspensionReason, via: LiftVia, actor: Actor | undefined): boolean {
  if (reason === 'OVERDUE') return false;
  if (RISK_REASONS.includes(reason)) return via === 'VERIFICATION' ? actor?.type === 'customer' : actor?.type === 'staff';
  if (reason === 'STAFF') return actor?.type === 'staff' && via !== 'VERIFICATION';
  return actor?.type === 'customer' && via !== 'VERIFICATION';
}

const body = (state: LineState): SuspensionBody => ({
  status: state.status, suspensionReasons: state.suspensionReasons, available: state.status === 'ACTIVE' ? lineFigures(state.limit, state.balances).available : 0,
});

const noteProblem = (note: string | undefined) => (note === undefined ? null : freeTextProblem(note));
const isOpen = (state: LineState) => state.status === 'ACTIVE' || state.status === 'SUSPENDED';

export const suspend: Decider<SuspendFeature> = {
  kind: 'SUSPENSION',
  validate(command) {
    const byCustomer = command.actor?.type === 'customer';
    if (byCustomer && command.reason !== 'CUSTOMER') return { code: 'VALIDATION_FAILED', message: 'a customer suspends their own line with CUSTOMER only' };
    if (!byCustomer && (!SUSPENSION_REASONS.includes(command.reason) || command.reason === 'OVERDUE' || command.reason === 'CUSTOMER')) {
      return { code: 'VALIDATION_FAILED', message: 'reason must be STAFF, RISK_LOGIN or RISK_VELOCITY' };
    }
    const note = noteProblem(command.note);
    return note ? { code: 'VALIDATION_FAILED', message: `note ${note}` } : null;
  },
  decide(state, command, _day, _product, rules) {
    if (!isOpen(state)) return refusal(state.balances, command.type, 'LINE_NOT_ACTIVE', `the line is ${state.status.toLowerCase()}`);
    // Suspending for a reason already held changes nothing and answers the same.
    const next = withReasons(state, [...state.suspensionReasons, command.reason]);
    const added = !state.suspensionReasons.includes(command.reason);
    // Staff suspending while a hardship plan holds the line: the hold is theirs now, and stays when the plan is paid.
    const heldByPlan = command.reason === 'STAFF' && command.actor?.type === 'staff' && state.hardship?.staffHold === true && rules.staffKeepsOwnHold;
    return {
      balances: state.balances,
      changes: { status: next.status, suspensionReasons: next.suspensionReasons, ...(heldByPlan ? { hardship: { ...state.hardship!, staffHold: false } } : {}) },
      result: { ok: true, type: 'suspend', body: body(next) },
      // A suspension made is a decision the customer can ask to have explained and reviewed (not their own freeze).
      ...(added && command.reason !== 'CUSTOMER' ? {
        decisions: [{
          kind: 'SUSPENSION', outcome: 'SUSPENDED', reasons: [command.reason], adverse: true, decidedBy: command.actor ? actorRef(command.actor) : 'system:line',
          details: { suspensionReason: command.reason, ...(command.riskEventId ? { riskEventId: command.riskEventId } : {}) },
        }],
      } : {}),
    };
  },
};

export const lift: Decider<LiftFeature> = {
  kind: 'SUSPENSION',
  validate(command) {
    if (command.reasons.length === 0 || command.reasons.some((r) => !SUSPENSION_REASONS.includes(r))) {
      return { code: 'VALIDATION_FAILED', message: `reasons must be among ${SUSPENSION_REASONS.join(', ')}` };
    }
    const note = noteProblem(command.note);
    return note ? { code: 'VALIDATION_FAILED', message: `note ${note}` } : null;
  },
  decide(state, command) {
    if (!isOpen(state)) return refusal(state.balances, command.type, 'LINE_NOT_ACTIVE', `the line is ${state.status.toLowerCase()}`);
    const barred = command.reasons.find((r) => !mayLift(r, command.via, command.actor));
    if (barred) return refusal(state.balances, command.type, 'REASON_NOT_LIFTABLE', barred === 'OVERDUE' ? 'OVERDUE lifts itself when everything overdue is paid' : `${barred} cannot be lifted this way`);
    const held = command.reasons.filter((r) => state.suspensionReasons.includes(r));
    // A verification lifts whatever risk reasons are held; staff name the one they lift.
    if (held.length === 0 || (command.via !== 'VERIFICATION' && held.length < command.reasons.length)) {
      return refusal(state.balances, command.type, 'NOT_SUSPENDED_FOR_REASON', `the line is not suspended for ${command.reasons.filter((r) => !held.includes(r)).join(', ') || command.reasons.join(', ')}`);
    }
    const next = withReasons(state, state.suspensionReasons.filter((r) => !held.includes(r)));
    // The burst that tripped the velocity rule is forgiven with it: the window starts afresh.
    const risk = held.includes('RISK_VELOCITY') && state.risk ? { risk: { ...state.risk, smallPurchases: [] } } : {};
    return {
      balances: state.balances,
      changes: { status: next.status, suspensionReasons: next.suspensionReasons, ...risk },
      result: { ok: true, type: 'lift', body: body(next) },
    };
  },
};
