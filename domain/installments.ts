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
 * - A billed installment is due and its fee is earned, even if its due date is still ahead; the fees
 *   of installments not yet billed are unearned (the payoff quote waives them: payoff.ts).
 *
 * The plan types a line carries (`InstallmentPlan`, `Installment`, `ScheduleItem`) live with the
 * balances (balances.ts).
 */
import { cloneBalances, statementPrincipalOwed, type InstallmentPlan, type LineBalances, type Result, type ScheduleItem } from './balances';
import type { Day } from './calendar';
import { addDays, compareDays, daysBetween, dueDate, nextStatementDate } from './calendar';
import { applyRate, isPositiveFen, splitFen, type Fen } from './money';
import type { Product } from './product';
import { STANDARD_PRODUCT } from './product';

export interface InstallmentQuote {
  count: number;
  principal: Fen;
  totalFee: Fen;
  /** Annualized rate in percent, two decimals: 8.97 means 8.97%. */
  apr: number;
  schedule: ScheduleItem[];
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
