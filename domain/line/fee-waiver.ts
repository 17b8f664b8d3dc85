/**
 * Fee waivers (PRODUCT §10): staff forgive billed, unpaid charges, once a second member of staff has
 * approved the request (maker–checker: `workflows/staff-approval.ts` applies it with this command).
 *
 * Exactly `amount` is waived, taken in this order (the waterfall's order for the same buckets):
 *   1. accrued penalties (PENALTY);
 *   2. fees of billed installments (INSTALLMENT_FEE), oldest due date first.
 * Principal is never waived (a write-off is another request), nor the fees of installments not yet
 * billed (they are not owed yet). A waiver above what is owed is refused (`AMOUNT_ABOVE_FEES`), never
 * cut down: the checker approved that amount, and the customer may have paid since.
 *
 * The journal entry credits the line's PENALTIES and INSTALLMENT_FEES against the income each was
 * booked to (PENALTY_INCOME, FEE_INCOME are debited): the income is reversed and the entry sums to zero.
 * The open cycle records what was waived (`cycle.waived`), so the next statement's movements still
 * explain its closing balance.
 */
import { cloneBalances, installmentFeeOwed, type Installment, type LineBalances } from '../balances';
import { compareDays } from '../calendar';
import { storableTextProblem, freeTextProblem } from '../free-text';
import { lineAccountId, platformAccountId, type Posting } from '../ledger';
import { isPositiveFen, MoneyInvariantError, type Fen } from '../money';
import { lineFigures } from '../projection';
import { refusal, type CommandBase, type Decider } from './decider';

export interface WaiveFeesCommand extends CommandBase {
  type: 'waiveFees';
  /** Fen: exactly this much is waived. */
  amount: Fen;
  /** The maker–checker request that approved it (`<lineId>:approval:<n>`): the transaction's id is made from it. */
  approvalId: string;
  /** The maker's reason, with the approval (the audit trail's why). */
  note?: string;
}

/** What was waived from each bucket. */
export interface WaivedFees { penalties: Fen; installmentFees: Fen }

export interface FeeWaiverFeature {
  command: WaiveFeesCommand;
  body: { transactionId: string; amount: Fen; waived: WaivedFees; balance: Fen };
  code: 'INVALID_AMOUNT' | 'VALIDATION_FAILED' | 'LINE_NOT_ACTIVE' | 'NOTHING_TO_WAIVE' | 'AMOUNT_ABOVE_FEES';
}

/** The billed installments whose fee is still owed, oldest due date first. */
function feesOwedByAge(b: LineBalances): Installment[] {
  const owing: Installment[] = [];
  for (const p of b.plans) for (const i of p.installments) if (i.billed && installmentFeeOwed(i) > 0) owing.push(i);
  return owing.sort((x, y) => compareDays(x.dueDate, y.dueDate) || compareDays(x.statementDate, y.statementDate) || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
}

/** What staff could waive on the line now: its accrued penalties and billed installment fees. */
export function waivableFees(b: LineBalances): WaivedFees & { total: Fen } {
  const installmentFees = feesOwedByAge(b).reduce((sum, i) => sum + installmentFeeOwed(i), 0);
  return { penalties: b.penalties, installmentFees, total: b.penalties + installmentFees };
}

/**
 * Waives exactly `amount` (at most `waivableFees(b).total`): penalties first, then billed installment
 * fees oldest first. Pure: the balances are cloned.
 */
export function waiveFees(balances: LineBalances, amount: Fen): { balances: LineBalances; waived: WaivedFees } {
  if (!isPositiveFen(amount) || amount > waivableFees(balances).total) throw new MoneyInvariantError(`cannot waive ${amount} fen`);
  const b = cloneBalances(balances);
  const penalties = Math.min(amount, b.penalties);
  b.penalties -= penalties;
  let rest = amount - penalties;
  for (const i of feesOwedByAge(b)) {
    if (rest === 0) break;
    const x = Math.min(rest, installmentFeeOwed(i));
    i.feeWaived += x;
    rest -= x;
  }
  b.cycle.waived = (b.cycle.waived ?? 0) + amount;
  return { balances: b, waived: { penalties, installmentFees: amount - penalties } };
}

/** The waiver's journal entry: each line account credited against the income it was booked to. */
export function feeWaiverPostings(creditLineId: string, waived: WaivedFees): Posting[] {
  const postings: Posting[] = [];
  if (waived.penalties > 0) postings.push({ accountId: lineAccountId(creditLineId, 'PENALTIES'), amount: -waived.penalties });
  if (waived.installmentFees > 0) postings.push({ accountId: lineAccountId(creditLineId, 'INSTALLMENT_FEES'), amount: -waived.installmentFees });
  if (waived.penalties > 0) postings.push({ accountId: platformAccountId('PENALTY_INCOME'), amount: waived.penalties });
  if (waived.installmentFees > 0) postings.push({ accountId: platformAccountId('FEE_INCOME'), amount: waived.installmentFees });
  return postings;
}

export const feeWaiver: Decider<FeeWaiverFeature> = {
  kind: 'FEE_WAIVER',

  validate(command) {
    if (!isPositiveFen(command.amount)) return { code: 'INVALID_AMOUNT', message: 'amount must be a positive integer of fen' };
    if (command.approvalId.length === 0 || storableTextProblem(command.approvalId) !== null) return { code: 'VALIDATION_FAILED', message: 'a fee waiver names the approval that allowed it' };
    const note = command.note === undefined ? null : freeTextProblem(command.note);
    return note ? { code: 'VALIDATION_FAILED', message: `note ${note}` } : null;
  },

  decide(state, command) {
    if (state.status !== 'ACTIVE' && state.status !== 'SUSPENDED') return refusal(state.balances, command.type, 'LINE_NOT_ACTIVE', `the line is ${state.status.toLowerCase()}`);
    // Ids are scoped by the line: another line's approval cannot waive anything here.
    if (!command.approvalId.startsWith(`${state.creditLineId}:approval:`)) return refusal(state.balances, command.type, 'VALIDATION_FAILED', 'the approval is not one of this line');
    const owed = waivableFees(state.balances);
    if (owed.total === 0) return refusal(state.balances, command.type, 'NOTHING_TO_WAIVE', 'the line owes no penalties or billed installment fees; nothing was waived');
    if (command.amount > owed.total) {
      return refusal(state.balances, command.type, 'AMOUNT_ABOVE_FEES', `at most ${owed.total} fen of penalties and billed installment fees is owed; nothing was waived`);
    }
    const { balances, waived } = waiveFees(state.balances, command.amount);
    const transactionId = `${command.approvalId}:fee-waiver`;
    return {
      balances,
      result: { ok: true, type: 'waiveFees', body: { transactionId, amount: command.amount, waived, balance: lineFigures(state.limit, balances).balance } },
      transaction: { id: transactionId, kind: 'FEE_WAIVER', amount: -command.amount, details: { penalties: waived.penalties, installmentFees: waived.installmentFees, approvalId: command.approvalId } },
      entry: { kind: 'FEE_WAIVER', postings: feeWaiverPostings(state.creditLineId, waived), description: 'fees waived on approval' },
    };
  },
};
