/**
 * Hardship plans (PRODUCT §10): staff put an overdue line on a plan, once a second member of staff has
 * approved it (maker–checker: the approval's workflow sends this command, naming itself).
 *
 * What is re-aged, on the day the plan starts (the line brought up to that moment, the day's penalty in):
 *   - the overdue principal: the unpaid principal of statements past their due date (moved into the plan
 *     as a conversion moves it, so the statement reads INSTALLMENTS) and of billed installments past theirs;
 *   - the fees of those installments and every accrued penalty. They are carried into the plan, not left
 *     frozen beside it: the waterfall pays penalties and fees before any principal (PRODUCT §5), so left
 *     owed they would swallow the customer's first plan payment and break the plan at once. Within each
 *     plan installment they are paid first (the first installments carry them) and never charged a
 *     penalty (`carried`, penalty.ts `penaltyBase`): nothing is forgiven (a waiver is its own request).
 *   What is not past due (a statement or installment due later, the open cycle) stays due on its own date.
 * The plan: `installments` monthly installments (`product.hardship`, 2–12), no fee (hardship: APR 0), the
 * first billed at the line's next statement close and due on that statement's due date, the next ones a
 * month apart; the odd fen on the first. Each is billed, reminded and, unpaid past its due date, charged
 * a penalty like any installment.
 * The money: the re-aged amount moves between the line's own accounts (PRINCIPAL, INSTALLMENT_FEES and
 * PENALTIES into INSTALLMENT_PRINCIPAL), so its entry sums to zero without a platform account; the cycle
 * records it as moved into installments, so the next statement's movements still explain its balance.
 * The line: the ladder pauses (its state kept in `hardship.paused`, an open case closes), `OVERDUE` lifts,
 * and the plan puts a `STAFF` hold on the line: no new purchases while on a plan. PRODUCT §2's reasons
 * are fixed, and the plan is a staff decision: STAFF is the reason staff hold a line for; they may lift it
 * earlier like any STAFF hold (a review can reverse it), and it lifts itself when the plan is paid in full.
 * Kept, missed, paid (ladder-holds.ts): a due date missed while on the plan resumes the ladder where it
 * stopped; paying the plan in full ends it. One plan at a time: a second one is refused while one runs.
 */
import { actorRef } from '../audit';
import { cloneBalances, installmentFeeOwed, installmentPrincipalOwed, statementPrincipalOwed, type InstallmentPlan, type LineBalances } from '../balances';
import { compareDays, type Day } from '../calendar';
import { freeTextProblem, storableTextProblem } from '../free-text';
import { installmentDates } from '../installments';
import { lineAccountBalances, lineAccountId, LINE_ACCOUNTS, postingsFor } from '../ledger';
import { MoneyInvariantError, splitFen, type Fen } from '../money';
import type { Product } from '../product';
import { refusal, type CommandBase, type Decider } from './decider';
import type { CollectionState, HardshipState, LineStatus, SuspensionReason } from './state';
import { withReasons } from './suspension';

export interface HardshipPlanCommand extends CommandBase {
  type: 'startHardshipPlan';
  /** How many monthly installments (`product.hardship`: 2–12). */
  installments: number;
  /** The maker's reason, with the approval (the audit trail's why). */
  note: string;
  /** The maker–checker request that approved it (`<lineId>:approval:<n>`): the transaction's id is made from it. */
  approvalId: string;
}

/** What was re-aged, from where. */
export interface ReagedAmounts { principal: Fen; installmentFees: Fen; penalties: Fen }

/** The answer: kept in history, stored in `command_results` and returned verbatim; its JSON never changes. */
export interface HardshipPlanView {
  planId: string;
  startedOn: Day;
  count: number;
  /** Everything re-aged: the plan's principal. */
  total: Fen;
  reaged: ReagedAmounts;
  schedule: { seq: number; statementDate: Day; dueDate: Day; amount: Fen }[];
  status: LineStatus;
  suspensionReasons: SuspensionReason[];
}

export interface HardshipFeature {
  command: HardshipPlanCommand;
  body: HardshipPlanView;
  code: 'VALIDATION_FAILED' | 'LINE_NOT_ACTIVE' | 'NOT_OVERDUE' | 'HARDSHIP_PLAN_EXISTS';
}

/**
 * Re-ages everything past its due date on `day` into a plan of `count` installments, the first billed on
 * `firstStatementDate`. Null when nothing is past due. Pure: the balances are cloned.
 */
export function reageOverdue(
  balances: LineBalances, day: Day, planId: string, firstStatementDate: Day, statementDay: number, count: number, product: Pick<Product, 'statement'>,
): { balances: LineBalances; plan: InstallmentPlan; reaged: ReagedAmounts } | null {
  const b = cloneBalances(balances);
  let principal = 0;
  let installmentFees = 0;
  let oldest: Day | null = null;
  const covered = (statementDate: Day) => { if (oldest === null || compareDays(statementDate, oldest) < 0) oldest = statementDate; };
  for (const s of b.statements) {
    const owed = statementPrincipalOwed(s);
    if (owed <= 0 || compareDays(s.dueDate, day) >= 0) continue;
    s.converted += owed;
    s.planId = planId;
    principal += owed;
    covered(s.statementDate);
  }
  for (const p of b.plans) {
    for (const i of p.installments) {
      const owedPrincipal = installmentPrincipalOwed(i);
      const owedFee = installmentFeeOwed(i);
      if (!i.billed || owedPrincipal + owedFee <= 0 || compareDays(i.dueDate, day) >= 0) continue;
      // Settled by the plan: what it owed is the plan's now.
      i.principalPaid += owedPrincipal;
      i.feePaid += owedFee;
      principal += owedPrincipal;
      installmentFees += owedFee;
      covered(i.statementDate);
    }
  }
  if (oldest === null) return null;
  const penalties = b.penalties;
  b.penalties = 0;
  const total = principal + installmentFees + penalties;
  const amounts = splitFen(total, count, 'FIRST');
  // The penalties and fees carried are paid first: the first installments carry them.
  let carry = installmentFees + penalties;
  const plan: InstallmentPlan = {
    id: planId,
    statementDate: oldest,
    convertedOn: day,
    count,
    principal: total,
    totalFee: 0,
    apr: 0,
    paidOffEarlyOn: null,
    installments: installmentDates(firstStatementDate, count, statementDay, product).map((d, k) => {
      const amount = amounts[k] ?? 0;
      const carried = Math.min(carry, amount);
      carry -= carried;
      return {
        seq: k + 1, ...d, id: `${planId}#${k + 1}`, principal: amount, fee: 0,
        principalPaid: 0, feePaid: 0, feeWaived: 0, billed: false, overdue: false, penalty: { through: null, segments: [] },
        ...(carried > 0 ? { carried } : {}),
      };
    }),
  };
  b.plans.push(plan);
  // Moved out of what is billed into installments not yet billed: the statement identity's "converted".
  b.cycle.convertedPrincipal += total;
  return { balances: b, plan, reaged: { principal, installmentFees, penalties } };
}

/** The ladder as it is kept while paused: without a collection pause (the plan supersedes it). */
export function pausedLadder({ pausedUntil: _pause, ...collection }: CollectionState): CollectionState {
  return collection;
}

export const startHardshipPlan: Decider<HardshipFeature> = {
  kind: 'HARDSHIP_PLAN_STARTED',

  validate(command, product) {
    const { minInstallments: min, maxInstallments: max } = product.hardship;
    if (!Number.isInteger(command.installments) || command.installments < min || command.installments > max) {
      return { code: 'VALIDATION_FAILED', message: `installments must be a whole number from ${min} to ${max}` };
    }
    if (typeof command.approvalId !== 'string' || command.approvalId.length === 0 || storableTextProblem(command.approvalId) !== null) {
      return { code: 'VALIDATION_FAILED', message: 'a hardship plan names the approval that allowed it' };
    }
    const note = typeof command.note !== 'string' || command.note.trim().length === 0 ? 'must not be empty' : freeTextProblem(command.note);
    return note ? { code: 'VALIDATION_FAILED', message: `note ${note}` } : null;
  },

  decide(state, command, day, product, rules) {
    if (state.status !== 'ACTIVE' && state.status !== 'SUSPENDED') return refusal(state.balances, command.type, 'LINE_NOT_ACTIVE', `the line is ${state.status.toLowerCase()}`);
    // Ids are scoped by the line: another line's approval cannot start a plan here.
    if (!command.approvalId.startsWith(`${state.creditLineId}:approval:`)) return refusal(state.balances, command.type, 'VALIDATION_FAILED', 'the approval is not one of this line');
    const planId = `hardship:${day}`;
    if (state.hardship || state.balances.plans.some((p) => p.id === planId)) {
      return refusal(state.balances, command.type, 'HARDSHIP_PLAN_EXISTS', `the line is on hardship plan ${state.hardship?.planId ?? planId}; one plan at a time`);
    }
    const reaged = reageOverdue(state.balances, day, planId, state.nextStatementDate, state.statementDay, command.installments, product);
    if (!reaged) return refusal(state.balances, command.type, 'NOT_OVERDUE', 'nothing on the line is past its due date; nothing was re-aged');
    // A move between the line's own accounts: anything reaching a platform account would create or destroy money.
    const postings = postingsFor(state.creditLineId, 'INSTALLMENT_CONVERSION', lineAccountBalances(state.balances), lineAccountBalances(reaged.balances));
    const own = LINE_ACCOUNTS.map((a) => lineAccountId(state.creditLineId, a));
    if (postings.some((p) => !own.includes(p.accountId))) throw new MoneyInvariantError(`hardship plan ${planId} would move money in or out of line ${state.creditLineId}`);
    const heldAlready = state.suspensionReasons.includes('STAFF');
    const next = withReasons(state, [...state.suspensionReasons.filter((r) => r !== 'OVERDUE'), 'STAFF']);
    const hardship: HardshipState = { planId, startedOn: day, status: 'KEPT', paused: state.collection ? pausedLadder(state.collection) : null, staffHold: !heldAlready };
    const { plan } = reaged;
    const schedule = plan.installments.map((i) => ({ seq: i.seq, statementDate: i.statementDate, dueDate: i.dueDate, amount: i.principal }));
    const caseId = state.collection?.caseId;
    return {
      balances: reaged.balances,
      changes: { status: next.status, suspensionReasons: next.suspensionReasons, collection: undefined, hardship },
      result: {
        ok: true,
        type: 'startHardshipPlan',
        body: { planId, startedOn: day, count: plan.count, total: plan.principal, reaged: reaged.reaged, schedule, status: next.status, suspensionReasons: next.suspensionReasons },
      },
      transaction: {
        id: `${command.approvalId}:hardship-plan`, kind: 'HARDSHIP_PLAN', amount: 0,
        details: { planId, count: plan.count, total: plan.principal, ...reaged.reaged, approvalId: command.approvalId },
      },
      ...(postings.length > 0 ? { entry: { kind: 'INSTALLMENT_CONVERSION' as const, postings, description: 'hardship plan: the overdue amount re-aged into installments, no fee' } } : {}),
      // Re-ageing brings the line current by agreement: the collections case closes (the plan, not
      // collectors, works it now), restructured rather than cured.
      ...(caseId ? { collectionCase: { action: 'CLOSE' as const, caseId, reason: rules.restructuredCases ? 'RESTRUCTURED' as const : 'CURED' as const } } : {}),
      // The hold is a suspension like any staff one: explained, and reviewable by a person.
      ...(heldAlready ? {} : {
        decisions: [{
          kind: 'SUSPENSION', outcome: 'SUSPENDED', reasons: ['STAFF'], adverse: true, decidedBy: command.actor ? actorRef(command.actor) : 'system:line',
          details: { suspensionReason: 'STAFF', hardshipPlanId: planId },
        }],
      }),
      notice: {
        template: 'HARDSHIP_PLAN_STARTED',
        params: { total: plan.principal, count: plan.count, firstAmount: schedule[0]?.amount ?? 0, firstDueDate: schedule[0]?.dueDate ?? '' },
      },
    };
  },
};
