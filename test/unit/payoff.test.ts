import { describe, expect, it } from 'vitest';
import { convertToInstallments } from '../../domain/installments';
import { accruePenalties } from '../../domain/penalty';
import { payoffQuote } from '../../domain/payoff';
import { openBalances, type LineBalances } from '../../domain/balances';
import { applyPurchase, applyRefund, closeCycle } from '../../domain/cycle';
import { allocateRepayment } from '../../domain/waterfall';

/*
 * Worked example (statement day 5, fen):
 *   01-02 purchase 300 000 → statement 2027-01-05, converted the same day into 3 × (100 000 + 1 500)
 *   01-20 purchase 20 000; 02-01 repayment 101 500 pays installment #1 (fee 1 500, principal 100 000)
 *   02-05 statement: 20 000 new principal (due 03-07), installment #2 billed (100 000 + fee 1 500)
 *   02-10 purchase 5 000 (open cycle); 02-12 refund 3 000 of the billed 01-20 purchase → credit 3 000
 *
 * Payoff on 2027-02-15:
 *   INSTALLMENT_FEE                1 500  (#2, billed: earned)
 *   DUE_PRINCIPAL                120 000  (#2 100 000 + statement 02-05 20 000)
 *   CURRENT_CYCLE                  5 000
 *   FUTURE_INSTALLMENT_PRINCIPAL 100 000  (#3)
 *   CREDIT_BALANCE                −3 000
 *   amount                       223 500; #3's fee of 1 500 is waived.
 */
function example(): LineBalances {
  let b = closeCycle(applyPurchase(openBalances('2027-01-01'), 300_000), '2027-01-05').balances;
  const converted = convertToInstallments(b, '2027-01-05', 3, '2027-01-05', 5);
  if (!converted.ok) throw new Error(converted.code);
  b = applyPurchase(converted.balances, 20_000);
  b = allocateRepayment(b, 101_500, '2027-02-01').balances;
  b = closeCycle(b, '2027-02-05').balances;
  b = applyPurchase(b, 5_000);
  return applyRefund(b, 3_000, '2027-01-20');
}

describe('payoff quote', () => {
  const b = example();

  it('adds up everything outstanding, waives unearned fees and deducts the credit', () => {
    expect(payoffQuote(b, '2027-02-15')).toEqual({
      amount: 223_500,
      breakdown: [
        { bucket: 'INSTALLMENT_FEE', amount: 1_500 },
        { bucket: 'DUE_PRINCIPAL', amount: 120_000 },
        { bucket: 'CURRENT_CYCLE', amount: 5_000 },
        { bucket: 'FUTURE_INSTALLMENT_PRINCIPAL', amount: 100_000 },
        { bucket: 'CREDIT_BALANCE', amount: -3_000 },
      ],
      waivedFees: 1_500,
      creditRemaining: 0,
    });
  });

  it('paying the quote leaves a quote of 0: the future installment principal is held as credit', () => {
    const paid = allocateRepayment(b, 223_500, '2027-02-15');
    expect(paid.allocation).toEqual([
      { bucket: 'INSTALLMENT_FEE', amount: 1_500 },
      { bucket: 'DUE_PRINCIPAL', amount: 120_000 },
      { bucket: 'CURRENT_CYCLE', amount: 5_000 },
      { bucket: 'CREDIT_BALANCE', amount: 97_000 },
    ]);
    expect(payoffQuote(paid.balances, '2027-02-15').amount).toBe(0);
  });

  it('includes penalties and overdue principal, and reports credit beyond what is owed', () => {
    // Statement 2027-01-05 of 10 000 unpaid, due 02-04; penalty 5 a day from 02-05 to 02-10 = 30.
    let c = closeCycle(applyPurchase(openBalances('2027-01-01'), 10_000), '2027-01-05').balances;
    c = accruePenalties(c, '2027-02-05', '2027-02-10').balances;
    expect(payoffQuote(c, '2027-02-10')).toMatchObject({
      amount: 10_030,
      breakdown: [
        { bucket: 'PENALTY', amount: 30 },
        { bucket: 'OVERDUE_PRINCIPAL', amount: 10_000 },
      ],
    });
    c = applyRefund(c, 12_000, '2027-01-02'); // more credit than owed
    expect(payoffQuote(c, '2027-02-10')).toMatchObject({ amount: 0, creditRemaining: 1_970 });
  });

  it('is zero for a line that owes nothing', () => {
    expect(payoffQuote(openBalances('2027-01-01'), '2027-01-01')).toEqual({ amount: 0, breakdown: [], waivedFees: 0, creditRemaining: 0 });
  });
});
