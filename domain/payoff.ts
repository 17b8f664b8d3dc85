/**
 * The payoff quote (PRODUCT §9): everything needed to owe nothing on a day.
 *
 * amount = penalties + billed installment fees + all principal (overdue, due, open cycle, and the
 * principal of installments not yet billed) − credit balance, never below 0. Fees of installments
 * not yet billed are unearned and waived (shown in `waivedFees`, not in the amount). Authorizations
 * not yet settled are not owed and are not in the quote.
 *
 * Penalties must be accrued up to `day` first (penalty.ts), as for any repayment.
 */
import type { Day } from './calendar';
import { earlyPayoff } from './installments';
import type { Fen } from './money';
import type { LineBalances, Result } from './statement';
import { cloneBalances } from './statement';
import { applyCreditBalance, installmentFeeOwed, installmentPrincipalOwed, owedByBucket, WATERFALL_ORDER, type OwedBucket } from './waterfall';

export type PayoffBucket = OwedBucket | 'FUTURE_INSTALLMENT_PRINCIPAL' | 'CREDIT_BALANCE';

export interface PayoffQuote {
  /** To pay on `day` to owe nothing. */
  amount: Fen;
  /** Non-zero parts in waterfall order, then future installment principal, then the credit (negative). */
  breakdown: { bucket: PayoffBucket; amount: Fen }[];
  waivedFees: Fen;
  /** Credit left for the customer after everything is paid (when the credit exceeds what is owed). */
  creditRemaining: Fen;
}

export function payoffQuote(balances: LineBalances, day: Day): PayoffQuote {
  const owed = owedByBucket(balances, day);
  const breakdown: { bucket: PayoffBucket; amount: Fen }[] = WATERFALL_ORDER.map((bucket) => ({
    bucket,
    amount: owed[bucket],
  }));
  let future = 0;
  let waivedFees = 0;
  for (const p of balances.plans) {
    for (const i of p.installments) {
      if (i.billed) continue;
      future += installmentPrincipalOwed(i);
      waivedFees += installmentFeeOwed(i);
    }
  }
  breakdown.push({ bucket: 'FUTURE_INSTALLMENT_PRINCIPAL', amount: future });
  breakdown.push({ bucket: 'CREDIT_BALANCE', amount: -balances.creditBalance });
  const net = breakdown.reduce((sum, x) => sum + x.amount, 0);
  return {
    amount: Math.max(0, net),
    breakdown: breakdown.filter((x) => x.amount !== 0),
    waivedFees,
    creditRemaining: Math.max(0, -net),
  };
}

/**
 * Settles the line from its credit balance once the credit covers the payoff (typically right after
 * a repayment of the quoted amount, which the waterfall leaves partly as credit): every plan is
 * accelerated with its unearned fees waived, then the credit pays everything in waterfall order.
 * Afterwards nothing is owed; any credit left is the customer's.
 */
export function settlePayoff(
  balances: LineBalances,
  day: Day,
): Result<{ balances: LineBalances; waivedFees: Fen }, 'PAYOFF_NOT_COVERED'> {
  const quote = payoffQuote(balances, day);
  if (quote.amount > 0) {
    return { ok: false, code: 'PAYOFF_NOT_COVERED', message: `${quote.amount} fen still to pay` };
  }
  let b = cloneBalances(balances);
  let waivedFees = 0;
  b.plans = b.plans.map((plan) => {
    if (plan.installments.every((i) => i.billed)) return plan;
    const payoff = earlyPayoff(plan, day);
    waivedFees += payoff.waivedFees;
    b.cycle.installmentPrincipal += payoff.acceleratedPrincipal;
    return payoff.plan;
  });
  b = applyCreditBalance(b, day).balances;
  return { ok: true, balances: b, waivedFees };
}
