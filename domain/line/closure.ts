/**
 * Closure (PRODUCT §2, §9): the customer (after a verified one-time code or face check, in the API)
 * or staff on their behalf (recording the reason and how identity was checked) close the line.
 *
 * - Nothing owed (the payoff amount is 0): CLOSED at once, in the closing decision.
 * - Something owed: CLOSING. No purchases (purchase.ts declines any status but ACTIVE), reminders and
 *   the overdue ladder go on, repayments and refunds are taken; the answer carries the payoff quote
 *   (everything outstanding, the fees of installments not yet billed waived: payoff.ts). The line
 *   closes by itself once its payoff amount reaches 0 (`closesWhenPaidOff`, applied by advance.ts after
 *   every decision and at every wake-up), in an event of its own. Cancelling (`cancelClosure`) returns
 *   a CLOSING line to the status it had, with its suspension reasons as they stand by then (OVERDUE
 *   may have come or gone with the ladder meanwhile).
 * - Nothing but what is owed stands in the way: a suspended or overdue line may close (CLOSING with its
 *   payoff). A CHARGED_OFF line may not (`LINE_CHARGED_OFF`): its debt was written off in the ledger
 *   but is still owed, and repayments on it are recoveries; a CLOSING line could never reach a zero
 *   balance by its own accounts, so closing it would forgive the debt. Closure never forgives money.
 * - The settlement at the close (`settlement`): the credit balance the line holds pays what is left
 *   (the waterfall's buckets, then the principal of installments not yet billed, whose fees are waived
 *   as unearned: an early payoff), and what is still left of it is paid back to the customer, never
 *   kept: one journal entry, the line's accounts to zero against CASH for the amount paid back (kind
 *   REPAYMENT: the cash a repayment brings in, here going out), and a `CREDIT_REFUND` transaction the
 *   customer sees. A closed line holds no money either way.
 * - A CLOSED line refuses every command (decide.ts: `LINE_NOT_ACTIVE`), keeps its statements and
 *   transactions, and its workflow ends once its last writes and SMS are done.
 */
import { actorRef } from '../audit';
import { BalanceInvariantError, installmentFeeOwed, installmentPrincipalOwed, type LineBalances } from '../balances';
import type { Day, Instant } from '../calendar';
import { freeTextProblem } from '../free-text';
import { LINE_ACCOUNTS, lineAccountBalances, postingsFor, type Posting } from '../ledger';
import type { Fen } from '../money';
import { payoffQuote, type PayoffQuote } from '../payoff';
import { applyCreditBalance } from '../waterfall';
import { refusal, type CommandBase, type Decider, type Decision, type LineTransaction } from './decider';
import type { LineState, LineStatus, SuspensionReason } from './state';
import { withReasons } from './suspension';

export interface CloseCommand extends CommandBase {
  type: 'close';
  /** Staff closing on the customer's behalf: why (the audit trail's reason). */
  note?: string;
  /** Staff closing on the customer's behalf: how the customer's identity was checked (the method, not the data). */
  identityCheck?: string;
}

export interface CancelClosureCommand extends CommandBase {
  type: 'cancelClosure';
}

/** The answer to a closure: closed (with the credit paid back, if any), or closing with what is to pay. */
export type ClosureBody = { status: 'CLOSED'; creditRefunded?: Fen } | { status: 'CLOSING'; payoff: PayoffQuote };

export interface CloseFeature {
  command: CloseCommand;
  body: ClosureBody;
  code: 'VALIDATION_FAILED' | 'LINE_NOT_ACTIVE' | 'LINE_CHARGED_OFF';
}

export interface CancelClosureFeature {
  command: CancelClosureCommand;
  body: { status: LineStatus; suspensionReasons: SuspensionReason[] };
  code: 'VALIDATION_FAILED' | 'LINE_NOT_ACTIVE' | 'NOT_CLOSING';
}

/** What settling a line at its close does: the balances after (nothing owed, nothing held) and the money moved. */
export interface Settlement {
  balances: LineBalances;
  /** The credit balance paid back to the customer. */
  refunded: Fen;
  /** Fees of installments not yet billed, waived as unearned. */
  waivedFees: Fen;
  /** The journal entry (none when nothing moved). */
  entry?: { kind: 'REPAYMENT'; postings: Posting[]; description: string };
  /** What the customer sees of it (only when money was paid back). */
  transaction?: LineTransaction;
}

/** Whether the line owes nothing on `day`: what it holds for the customer covers everything, scheduled installments included. */
export function paidOff(state: LineState, day: Day): boolean {
  return state.balances.unsettled === 0 && payoffQuote(state.balances, day).amount === 0;
}

/**
 * The line settled at its close on `day` (only when `paidOff`): the credit balance pays what is left in
 * the waterfall's order, then the installments not yet billed (their fees waived), and the rest is paid
 * back. Pure: the balances are cloned.
 */
export function settlement(state: LineState, day: Day): Settlement {
  const b = applyCreditBalance(state.balances, day).balances;
  let waivedFees = 0;
  for (const plan of b.plans) {
    let early = false;
    for (const i of plan.installments) {
      if (i.billed) continue;
      const principal = installmentPrincipalOwed(i);
      const fee = installmentFeeOwed(i);
      if (principal === 0 && fee === 0) continue;
      i.principalPaid += principal;
      i.feeWaived += fee;
      b.creditBalance -= principal;
      waivedFees += fee;
      early = true;
    }
    if (early && plan.paidOffEarlyOn === null) plan.paidOffEarlyOn = day;
  }
  const refunded = b.creditBalance;
  b.creditBalance = 0;
  const after = lineAccountBalances(b);
  if (refunded < 0 || LINE_ACCOUNTS.some((a) => after[a] !== 0)) {
    throw new BalanceInvariantError(`line ${state.creditLineId} does not settle to zero at its close (credit ${refunded})`);
  }
  // The line's accounts to zero; what they held beyond what was owed leaves as cash (REPAYMENT: CASH is its other side).
  const postings = postingsFor(state.creditLineId, 'REPAYMENT', lineAccountBalances(state.balances), after);
  return {
    balances: b,
    refunded,
    waivedFees,
    ...(postings.length > 0 ? { entry: { kind: 'REPAYMENT' as const, postings, description: refunded > 0 ? 'closure: credit balance paid back to the customer' : 'closure: credit balance applied' } } : {}),
    ...(refunded > 0 ? { transaction: { id: `${state.creditLineId}:closure:credit-refund`, kind: 'CREDIT_REFUND', amount: refunded, details: { waivedFees } } } : {}),
  };
}

/**
 * A CLOSING line whose payoff reached zero, closed: its settlement and state (null while something is
 * owed, or when the line is not CLOSING). The caller writes the event (advance.ts).
 */
export function closesWhenPaidOff<S extends LineState>(state: S, day: Day, now: Instant): { state: S; settled: Settlement } | null {
  if (state.status !== 'CLOSING' || !paidOff(state, day)) return null;
  const settled = settlement(state, day);
  return { state: { ...state, status: 'CLOSED', balances: settled.balances, closedAt: now }, settled };
}

const text = (name: string, value: string | undefined, required: boolean) => {
  if (value === undefined) return required ? `${name} is required when staff close a line` : null;
  if (required && value.trim().length === 0) return `${name} is required when staff close a line`;
  const problem = freeTextProblem(value);
  return problem ? `${name} ${problem}` : null;
};

export const close: Decider<CloseFeature> = {
  kind: 'CLOSURE',

  validate(command) {
    const who = command.actor?.type;
    if (who !== 'customer' && who !== 'staff') return { code: 'VALIDATION_FAILED', message: 'a line is closed by its customer, or by staff on their behalf' };
    const problem = text('note', command.note, who === 'staff') ?? text('identityCheck', command.identityCheck, who === 'staff');
    return problem ? { code: 'VALIDATION_FAILED', message: problem } : null;
  },

  decide(state, command, day, _product, _rules, now): Decision<CloseFeature> {
    if (state.status === 'CLOSED') return refusal(state.balances, command.type, 'LINE_NOT_ACTIVE', 'the line is closed');
    if (state.status === 'CHARGED_OFF') {
      return refusal(state.balances, command.type, 'LINE_CHARGED_OFF', 'the line was charged off: what it owes is still owed, so it cannot be closed; repayments are still taken');
    }
    // A closure already verified (a retried confirm, staff after the customer): the same answer, nothing changes.
    if (state.status === 'CLOSING') return { balances: state.balances, result: { ok: true, type: 'close', body: { status: 'CLOSING', payoff: payoffQuote(state.balances, day) } } };
    if (paidOff(state, day)) {
      const settled = settlement(state, day);
      return {
        balances: settled.balances,
        changes: { status: 'CLOSED', closedAt: now },
        result: { ok: true, type: 'close', body: settled.refunded > 0 ? { status: 'CLOSED', creditRefunded: settled.refunded } : { status: 'CLOSED' } },
        ...(settled.transaction ? { transaction: settled.transaction } : {}),
        ...(settled.entry ? { entry: settled.entry } : {}),
      };
    }
    const actor = command.actor ?? { type: 'customer', id: state.customerId };
    return {
      balances: state.balances,
      changes: { status: 'CLOSING', closure: { requestedAt: now, requestedBy: actorRef(actor), previous: { status: state.status, suspensionReasons: state.suspensionReasons } } },
      result: { ok: true, type: 'close', body: { status: 'CLOSING', payoff: payoffQuote(state.balances, day) } },
    };
  },
};

export const cancelClosure: Decider<CancelClosureFeature> = {
  kind: 'CLOSURE',

  validate(command) {
    const who = command.actor?.type;
    return who === 'customer' || who === 'staff' ? null : { code: 'VALIDATION_FAILED', message: 'a closure is cancelled by the customer, or by staff on their behalf' };
  },

  decide(state, command) {
    if (state.status === 'CLOSED') return refusal(state.balances, command.type, 'LINE_NOT_ACTIVE', 'the line is closed');
    if (state.status !== 'CLOSING') return refusal(state.balances, command.type, 'NOT_CLOSING', 'the line is not closing: there is no closure to cancel');
    // Back to what it was; the reasons it holds now decide ACTIVE or SUSPENDED (withReasons).
    const before: LineStatus = state.closure?.previous.status === 'SUSPENDED' ? 'SUSPENDED' : 'ACTIVE';
    const restored = withReasons({ ...state, status: before }, state.suspensionReasons);
    return {
      balances: state.balances,
      changes: { status: restored.status, suspensionReasons: restored.suspensionReasons, closure: undefined },
      result: { ok: true, type: 'cancelClosure', body: { status: restored.status, suspensionReasons: restored.suspensionReasons } },
    };
  },
};
