/**
 * Installments (PRODUCT §5): a statement's principal converted into monthly installments.
 *
 * - Principal: split with `splitFen`, the odd fen on the FIRST installment.
 * - Fee: `monthlyFeeRate` × the converted principal (rounded once, half-up), charged with every
 *   installment, so the total fee is `count ×` that.
 * - Dates: the first installment falls on the converted statement's due date, the next ones on the
 *   due dates of the following statements. Each installment is billed on the statement whose due
 *   date it shares; the first is billed at conversion.
 * - APR: the IRR of the schedule counted in days from the conversion day (see `aprPercent`).
 * - Early payoff: fees of installments not yet billed are waived. A billed installment is due and
 *   its fee is earned, even if its due date is still ahead.
 */
import type { Day } from './calendar';
import { addDays, compareDays, daysBetween, dueDate, nextStatementDate } from './calendar';
import { applyRate, isPositiveFen, splitFen, type Fen } from './money';
import type { Product } from './product';
import { STANDARD_PRODUCT } from './product';
import type { LineBalances, PenaltyTrack, Result } from './statement';
import { cloneBalances } from './statement';
import { installmentFeeOwed, installmentPrincipalOwed, statementPrincipalOwed } from './waterfall';

export interface ScheduleItem {
  seq: number;
  /** The statement that bills this installment. */
  statementDate: Day;
  dueDate: Day;
  principal: Fen;
  fee: Fen;
}

export interface InstallmentQuote {
  count: number;
  principal: Fen;
  totalFee: Fen;
  /** Annualized rate in percent, two decimals: 8.97 means 8.97%. */
  apr: number;
  schedule: ScheduleItem[];
}

export interface Installment extends ScheduleItem {
  /** `<planId>#<seq>`. */
  id: string;
  principalPaid: Fen;
  feePaid: Fen;
  feeWaived: Fen;
  /** On a statement (or accelerated by an early payoff): owed, fee earned. */
  billed: boolean;
  overdue: boolean;
  penalty: PenaltyTrack;
}

export interface InstallmentPlan {
  /** `plan:<statementDate>`: a statement converts at most once. */
  id: string;
  /** The converted statement. */
  statementDate: Day;
  convertedOn: Day;
  count: number;
  principal: Fen;
  totalFee: Fen;
  apr: number;
  /** Day of an early payoff request, null otherwise. */
  paidOffEarlyOn: Day | null;
  installments: Installment[];
}

export type InstallmentErrorCode = 'INVALID_AMOUNT' | 'COUNT_NOT_ALLOWED' | 'CONVERSION_NOT_ALLOWED';

type InstallmentProduct = Pick<Product, 'statement' | 'installments' | 'rounding'>;

/** The statement and due dates of `count` installments, starting with the statement of `firstStatementDate`. */
export function installmentDates(
  firstStatementDate: Day,
  count: number,
  statementDay: number,
  product: Pick<Product, 'statement'> = STANDARD_PRODUCT,
): { statementDate: Day; dueDate: Day }[] {
  const dates: { statementDate: Day; dueDate: Day }[] = [];
  let s = firstStatementDate;
  for (let k = 0; k < count; k++) {
    dates.push({ statementDate: s, dueDate: dueDate(s, product) });
    s = nextStatementDate(s, statementDay);
  }
  return dates;
}

/**
 * The rate per unit of time `r` at which the flows' net present value is zero:
 * Σ amount_k × (1 + r)^(−t_k) = 0. Money received is positive, money paid negative.
 *
 * For a loan (one inflow first, outflows after) the NPV rises with r, so the root is unique and
 * bisection finds it: 200 halvings of a bracket, a fixed count, so the result is the same on every
 * run (workflow code replays it). Returns 0 when there is no cost (NPV at 0 is ≥ 0).
 */
export function irr(flows: readonly { t: number; amount: number }[]): number {
  const npv = (r: number) => flows.reduce((sum, f) => sum + f.amount * Math.pow(1 + r, -f.t), 0);
  if (npv(0) >= 0) return 0;
  let lo = 0;
  let hi = 1;
  for (let k = 0; k < 60 && npv(hi) < 0; k++) hi *= 2;
  if (npv(hi) < 0) throw new RangeError('IRR above any plausible bound');
  for (let k = 0; k < 200; k++) {
    const mid = (lo + hi) / 2;
    if (npv(mid) < 0) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * APR in percent, two decimals (half-up): the daily IRR of the schedule, with the principal
 * received on the conversion day (t = 0) and each installment paid on its due date (t = days since
 * conversion), annualized NOMINALLY as 365 × the daily rate. Nominal (periodic IRR × periods a year)
 * is how Chinese consumer-credit disclosures state an IRR-based APR; the effective rate,
 * (1 + r)^365 − 1, would read about 0.4 points higher for the standard plan.
 */
export function aprPercent(principal: Fen, conversionDay: Day, schedule: readonly ScheduleItem[]): number {
  const flows = [
    { t: 0, amount: principal },
    ...schedule.map((i) => ({ t: daysBetween(conversionDay, i.dueDate), amount: -(i.principal + i.fee) })),
  ];
  return Math.round(irr(flows) * 365 * 100 * 100) / 100;
}

/**
 * The quote for converting `principal` on `conversionDay` into `count` installments, the first
 * falling on `firstDueDate` (the statement's due date).
 */
export function installmentQuote(
  principal: Fen,
  count: number,
  conversionDay: Day,
  firstDueDate: Day,
  statementDay: number,
  product: InstallmentProduct = STANDARD_PRODUCT,
): Result<{ quote: InstallmentQuote }, InstallmentErrorCode> {
  if (!isPositiveFen(principal)) {
    return { ok: false, code: 'INVALID_AMOUNT', message: 'the principal to convert must be a positive amount' };
  }
  if (!product.installments.allowedCounts.includes(count)) {
    return {
      ok: false,
      code: 'COUNT_NOT_ALLOWED',
      message: `installment count must be one of ${product.installments.allowedCounts.join(', ')}`,
    };
  }
  if (compareDays(conversionDay, firstDueDate) > 0) {
    return { ok: false, code: 'CONVERSION_NOT_ALLOWED', message: 'the statement is past its due date' };
  }
  // The statement that bills the first installment is the converted one: its due date minus the offset.
  const firstStatementDate = addDays(firstDueDate, -product.statement.dueDateOffsetDays);
  const dates = installmentDates(firstStatementDate, count, statementDay, product);
  const principals = splitFen(principal, count, 'FIRST');
  const fee = applyRate(principal, product.installments.monthlyFeeRate, product.rounding);
  const schedule = dates.map((d, k) => ({ seq: k + 1, ...d, principal: principals[k] ?? 0, fee }));
  return {
    ok: true,
    quote: { count, principal, totalFee: fee * count, apr: aprPercent(principal, conversionDay, schedule), schedule },
  };
}

/**
 * Converts the statement of `statementDate` into `count` installments on `day`. Allowed only from
 * the statement date to its due date, for a statement not already converted or paid off. The plan's
 * first installment is billed at once (it replaces the statement's principal on that due date).
 */
export function convertToInstallments(
  balances: LineBalances,
  statementDate: Day,
  count: number,
  day: Day,
  statementDay: number,
  product: InstallmentProduct = STANDARD_PRODUCT,
): Result<{ balances: LineBalances; plan: InstallmentPlan }, InstallmentErrorCode> {
  const debt = balances.statements.find((s) => s.statementDate === statementDate);
  if (!debt || debt.planId !== null || statementPrincipalOwed(debt) <= 0) {
    return { ok: false, code: 'CONVERSION_NOT_ALLOWED', message: 'no unpaid, unconverted statement on that date' };
  }
  if (compareDays(day, statementDate) < 0) {
    return { ok: false, code: 'CONVERSION_NOT_ALLOWED', message: 'the statement has not closed yet' };
  }
  const principal = statementPrincipalOwed(debt);
  const quoted = installmentQuote(principal, count, day, debt.dueDate, statementDay, product);
  if (!quoted.ok) return quoted;
  const { quote } = quoted;
  const id = `plan:${statementDate}`;
  const plan: InstallmentPlan = {
    id,
    statementDate,
    convertedOn: day,
    count,
    principal,
    totalFee: quote.totalFee,
    apr: quote.apr,
    paidOffEarlyOn: null,
    installments: quote.schedule.map((item) => ({
      ...item,
      id: `${id}#${item.seq}`,
      principalPaid: 0,
      feePaid: 0,
      feeWaived: 0,
      billed: item.seq === 1,
      overdue: false,
      penalty: { through: null, segments: [] },
    })),
  };
  const b = cloneBalances(balances);
  const target = b.statements.find((s) => s.id === debt.id);
  if (!target) throw new Error('unreachable: statement vanished in the copy');
  target.converted += principal;
  target.planId = id;
  const first = plan.installments[0];
  if (first) {
    b.cycle.convertedPrincipal += principal;
    b.cycle.installmentPrincipal += first.principal;
    b.cycle.fees += first.fee;
  }
  b.plans.push(plan);
  return { ok: true, balances: b, plan };
}

export interface EarlyPayoff {
  /** Principal still owed plus the fees of billed installments still owed. */
  amount: Fen;
  principal: Fen;
  fees: Fen;
  /** Fees of installments not yet billed: waived. */
  waivedFees: Fen;
  /** Principal of installments that were not yet billed (billed now by the payoff). */
  acceleratedPrincipal: Fen;
  /** The plan with every installment billed and the unearned fees waived. */
  plan: InstallmentPlan;
}

/** What paying a plan off on `day` costs, and the plan after acceleration. */
export function earlyPayoff(plan: InstallmentPlan, day: Day): EarlyPayoff {
  const p = JSON.parse(JSON.stringify(plan)) as InstallmentPlan;
  let principal = 0;
  let fees = 0;
  let waivedFees = 0;
  let acceleratedPrincipal = 0;
  for (const i of p.installments) {
    if (!i.billed) {
      const waived = installmentFeeOwed(i);
      i.feeWaived += waived;
      waivedFees += waived;
      acceleratedPrincipal += installmentPrincipalOwed(i);
      i.billed = true;
    } else {
      fees += installmentFeeOwed(i);
    }
    principal += installmentPrincipalOwed(i);
  }
  p.paidOffEarlyOn = day;
  return { amount: principal + fees, principal, fees, waivedFees, acceleratedPrincipal, plan: p };
}

/**
 * Accelerates plan `planId` for an early payoff on `day`: every installment becomes billed (owed
 * now, by the waterfall), unearned fees are waived. The repayment itself is then allocated by the
 * waterfall as usual.
 */
export function applyEarlyPayoff(
  balances: LineBalances,
  planId: string,
  day: Day,
): Result<{ balances: LineBalances; payoff: EarlyPayoff }, 'PLAN_NOT_FOUND'> {
  const index = balances.plans.findIndex((p) => p.id === planId);
  const plan = balances.plans[index];
  if (!plan) return { ok: false, code: 'PLAN_NOT_FOUND', message: `no installment plan ${planId}` };
  const payoff = earlyPayoff(plan, day);
  const b = cloneBalances(balances);
  b.plans[index] = payoff.plan;
  b.cycle.installmentPrincipal += payoff.acceleratedPrincipal;
  return { ok: true, balances: b, payoff };
}
