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
import { installmentFeeOwed, installmentPrincipalOwed, type LineBalances } from './balances';
import type { Day } from './calendar';
import type { Fen } from './money';
import { owedByBucket, WATERFALL_ORDER, type OwedBucket } from './waterfall';

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
