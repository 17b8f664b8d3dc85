import { describe, expect, it } from 'vitest';
import { convertToInstallments } from '../../domain/installments';
import { accruePenalties } from '../../domain/penalty';
import { openBalances, type LineBalances } from '../../domain/balances';
import { applyPurchase, closeCycle } from '../../domain/cycle';
import { allocateRepayment, applyCreditBalance, owedByBucket, totalOwed, WATERFALL_ORDER } from '../../domain/waterfall';

/*
 * Worked example: a mixed balance (statement day 5, amounts in fen).
 *   01-02 purchase 100 000 → statement 2027-01-05 (S1), due 2027-02-04, not paid: overdue from 02-05
 *   01-10 purchase 300 000 → statement 2027-02-05 (S2), due 2027-03-07
 *   02-06 S2 converted into 3 installments: #1 = 100 000 + fee 1 500, due 03-07, billed at once
 *   02-07 purchase 20 000 → open cycle
 *   penalty on S1 for 02-05 .. 02-14 (DPD 1 to 10): 100 000 × 0.05% = 50 a day × 10 = 500
 *
 * Owed on 2027-02-14: PENALTY 500, INSTALLMENT_FEE 1 500, OVERDUE_PRINCIPAL 100 000 (S1),
 *   DUE_PRINCIPAL 100 000 (installment #1), CURRENT_CYCLE 20 000; installments #2, #3 not yet billed.
 *
 * Repayment of 150 000: 500 → PENALTY, 1 500 → INSTALLMENT_FEE, 100 000 → OVERDUE_PRINCIPAL,
 *   48 000 → DUE_PRINCIPAL (150 000 − 102 000), nothing left.
 * Then 80 000: 52 000 → DUE_PRINCIPAL, 20 000 → CURRENT_CYCLE, 8 000 → CREDIT_BALANCE.
 */
function mixed(): LineBalances {
  let b = applyPurchase(openBalances('2027-01-01'), 100_000);
  b = closeCycle(b, '2027-01-05').balances;
  b = applyPurchase(b, 300_000);
  b = closeCycle(b, '2027-02-05').balances;
  const converted = convertToInstallments(b, '2027-02-05', 3, '2027-02-06', 5);
  if (!converted.ok) throw new Error(converted.code);
  b = applyPurchase(converted.balances, 20_000);
  return accruePenalties(b, '2027-02-05', '2027-02-14').balances;
}

describe('repayment waterfall', () => {
  const b = mixed();

  it('sees the mixed balance bucket by bucket', () => {
    expect(owedByBucket(b, '2027-02-14')).toEqual({
      PENALTY: 500,
      INSTALLMENT_FEE: 1_500,
      OVERDUE_PRINCIPAL: 100_000,
      DUE_PRINCIPAL: 100_000,
      CURRENT_CYCLE: 20_000,
    });
    expect(totalOwed(b, '2027-02-14')).toBe(222_000);
  });

  it('pays in the fixed order and turns the excess into credit', () => {
    const first = allocateRepayment(b, 150_000, '2027-02-14');
    expect(first.allocation).toEqual([
      { bucket: 'PENALTY', amount: 500 },
      { bucket: 'INSTALLMENT_FEE', amount: 1_500 },
      { bucket: 'OVERDUE_PRINCIPAL', amount: 100_000 },
      { bucket: 'DUE_PRINCIPAL', amount: 48_000 },
    ]);
    const second = allocateRepayment(first.balances, 80_000, '2027-02-14');
    expect(second.allocation).toEqual([
      { bucket: 'DUE_PRINCIPAL', amount: 52_000 },
      { bucket: 'CURRENT_CYCLE', amount: 20_000 },
      { bucket: 'CREDIT_BALANCE', amount: 8_000 },
    ]);
    expect(second.balances.creditBalance).toBe(8_000);
    expect(totalOwed(second.balances, '2027-02-14')).toBe(0);
    expect(b.penalties).toBe(500); // the input is untouched
  });

  it('pays overdue principal oldest first', () => {
    // Two unpaid statements: 2027-01-05 (10 000, due 02-04) and 2027-02-05 (20 000, due 03-07).
    let c = closeCycle(applyPurchase(openBalances('2027-01-01'), 10_000), '2027-01-05').balances;
    c = closeCycle(applyPurchase(c, 20_000), '2027-02-05').balances;
    // On 03-08 both are overdue; 15 000 pays the older in full, then 5 000 of the newer.
    const r = allocateRepayment(c, 15_000, '2027-03-08');
    expect(r.allocation).toEqual([{ bucket: 'OVERDUE_PRINCIPAL', amount: 15_000 }]);
    expect(r.balances.statements.map((s) => s.paid)).toEqual([10_000, 5_000]);
  });

  it('the due date itself is still DUE, the day after is OVERDUE', () => {
    const c = closeCycle(applyPurchase(openBalances('2027-01-01'), 10_000), '2027-01-05').balances;
    expect(allocateRepayment(c, 1, '2027-02-04').allocation[0]?.bucket).toBe('DUE_PRINCIPAL');
    expect(allocateRepayment(c, 1, '2027-02-05').allocation[0]?.bucket).toBe('OVERDUE_PRINCIPAL');
  });

  it('applies a credit balance without counting it as a repayment', () => {
    const withCredit = allocateRepayment(openBalances('2027-01-01'), 5_000, '2027-01-02').balances;
    const c = closeCycle(applyPurchase(withCredit, 3_000), '2027-01-05').balances; // the close applies it
    expect(c.creditBalance).toBe(2_000);
    expect(c.statements).toEqual([]);
    const none = applyCreditBalance(openBalances('2027-01-01'), '2027-01-02');
    expect(none.allocation).toEqual([]);
  });

  it('refuses non-positive or fractional payments', () => {
    expect(() => allocateRepayment(b, 0, '2027-02-14')).toThrow();
    expect(() => allocateRepayment(b, -5, '2027-02-14')).toThrow();
    expect(() => allocateRepayment(b, 1.5, '2027-02-14')).toThrow();
  });

  it('lists buckets in the published order', () => {
    expect(WATERFALL_ORDER).toEqual(['PENALTY', 'INSTALLMENT_FEE', 'OVERDUE_PRINCIPAL', 'DUE_PRINCIPAL', 'CURRENT_CYCLE']);
  });
});
