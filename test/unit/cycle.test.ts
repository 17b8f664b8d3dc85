import { describe, expect, it } from 'vitest';
import { netBalance, openBalances } from '../../domain/balances';
import { applyPurchase, applyRefund, buildStatement, closeCycle, markOverdue } from '../../domain/cycle';
import { allocateRepayment } from '../../domain/waterfall';

/*
 * Worked example (statement day 5, line opened 2027-01-01, all amounts in fen):
 *
 * Cycle 1, 2027-01-01 .. 2027-01-05
 *   01-02 purchase 10 000, 01-03 purchase 25 000, 01-04 refund 2 000 of the 01-03 purchase (not yet billed)
 *   → statement 2027-01-05: opening 0 + purchases 35 000 − refunds 2 000 = closing 33 000, due 2027-02-04.
 *
 * Cycle 2, 2027-01-06 .. 2027-02-05
 *   01-10 purchase 50 000
 *   01-20 repayment 40 000 → DUE_PRINCIPAL 33 000 (statement 01-05), CURRENT_CYCLE 7 000
 *   01-25 refund 5 000 of the 01-03 purchase, billed already → credit balance 5 000
 *   → the open cycle's principal 50 000 − 7 000 = 43 000 is billed; the 5 000 credit pays it down to 38 000.
 *   statement 2027-02-05: opening 33 000 + 50 000 − 5 000 − 40 000 = closing 38 000, due 2027-03-07
 *   (Feb 5 + 30 days: 23 days to Feb 28, then 7 into March).
 */
describe('a statement from the cycle’s movements', () => {
  const opened = openBalances('2027-01-01');
  let b = applyPurchase(opened, 10_000);
  b = applyPurchase(b, 25_000);
  b = applyRefund(b, 2_000, '2027-01-03');
  const first = closeCycle(b, '2027-01-05');

  it('closes the first cycle', () => {
    expect(first.statement).toEqual({
      periodStart: '2027-01-01',
      periodEnd: '2027-01-05',
      statementDate: '2027-01-05',
      dueDate: '2027-02-04',
      openingBalance: 0,
      purchases: 35_000,
      refunds: 2_000,
      repayments: 0,
      fees: 0,
      penalties: 0,
      installmentPrincipal: 0,
      convertedPrincipal: 0,
      newPrincipal: 33_000,
      closingBalance: 33_000,
      amountDue: 33_000,
      creditBalance: 0,
    });
    expect(first.balances.currentCycle).toBe(0);
    expect(first.balances.cycleStart).toBe('2027-01-06');
    expect(first.balances.statements).toHaveLength(1);
    expect(first.balances.statements[0]).toMatchObject({ id: 'S-2027-01-05', billed: 33_000, dueDate: '2027-02-04' });
  });

  it('closes the second cycle with a repayment and a refund after billing', () => {
    let c = applyPurchase(first.balances, 50_000);
    const paid = allocateRepayment(c, 40_000, '2027-01-20');
    expect(paid.allocation).toEqual([
      { bucket: 'DUE_PRINCIPAL', amount: 33_000 },
      { bucket: 'CURRENT_CYCLE', amount: 7_000 },
    ]);
    c = applyRefund(paid.balances, 5_000, '2027-01-03');
    expect(c.creditBalance).toBe(5_000);
    const second = closeCycle(c, '2027-02-05');
    expect(second.statement).toMatchObject({
      periodStart: '2027-01-06',
      periodEnd: '2027-02-05',
      dueDate: '2027-03-07',
      openingBalance: 33_000,
      purchases: 50_000,
      refunds: 5_000,
      repayments: 40_000,
      newPrincipal: 43_000,
      closingBalance: 38_000,
      amountDue: 38_000,
      creditBalance: 0,
    });
    // The paid statement is dropped; the new one is partly paid by the credit.
    expect(second.balances.statements).toEqual([
      expect.objectContaining({ id: 'S-2027-02-05', billed: 43_000, paid: 5_000, converted: 0 }),
    ]);
    expect(netBalance(second.balances)).toBe(38_000);
  });

  it('never mutates its input', () => {
    const before = JSON.stringify(b);
    closeCycle(b, '2027-01-05');
    applyPurchase(b, 1);
    applyRefund(b, 1, '2027-01-03');
    expect(JSON.stringify(b)).toBe(before);
  });

  it('refuses a statement date before the open cycle', () => {
    expect(() => closeCycle(first.balances, '2027-01-05')).toThrow();
  });

  it('a statement with credit left over has a negative closing balance and nothing due', () => {
    // Pay 33 000 + 500 extra; refund a billed 1 000: the next (empty) statement shows −1 500.
    let c = allocateRepayment(first.balances, 33_500, '2027-01-10').balances;
    c = applyRefund(c, 1_000, '2027-01-02');
    const s = closeCycle(c, '2027-02-05').statement;
    expect(s).toMatchObject({ openingBalance: 33_000, repayments: 33_500, refunds: 1_000, closingBalance: -1_500, amountDue: 0, creditBalance: 1_500 });
  });
});

describe('buildStatement', () => {
  it('sums the movements onto the opening balance', () => {
    // 1 000 + 500 − 100 − 700 + 30 + 20 + 300 − 900 = 150
    const s = buildStatement({
      periodStart: '2027-03-06',
      statementDate: '2027-04-05',
      dueDate: '2027-05-05',
      openingBalance: 1_000,
      movements: { purchases: 500, refunds: 100, repayments: 700, fees: 30, penalties: 20, installmentPrincipal: 300, convertedPrincipal: 900 },
      newPrincipal: 500,
      creditBalance: 0,
    });
    expect(s.closingBalance).toBe(150);
    expect(s.amountDue).toBe(150);
  });
});

describe('refunds', () => {
  it('a refund of an unbilled purchase reduces the open cycle', () => {
    const b = applyRefund(applyPurchase(openBalances('2027-01-01'), 10_000), 4_000, '2027-01-02');
    expect(b.currentCycle).toBe(6_000);
    expect(b.creditBalance).toBe(0);
  });
  it('a refund of an unbilled purchase already repaid becomes credit', () => {
    let b = applyPurchase(openBalances('2027-01-01'), 10_000);
    b = allocateRepayment(b, 8_000, '2027-01-03').balances; // open cycle down to 2 000
    b = applyRefund(b, 5_000, '2027-01-02');
    expect(b.currentCycle).toBe(0);
    expect(b.creditBalance).toBe(3_000);
  });
  it('a purchase on the statement date is billed on it, so its refund becomes credit', () => {
    let b = applyPurchase(openBalances('2027-01-01'), 10_000);
    b = closeCycle(b, '2027-01-05').balances;
    b = applyRefund(b, 10_000, '2027-01-05');
    expect(b.creditBalance).toBe(10_000);
  });
});

describe('markOverdue', () => {
  const b = closeCycle(applyPurchase(openBalances('2027-01-01'), 33_000), '2027-01-05').balances;
  it('marks a statement overdue the day after its due date, once', () => {
    expect(markOverdue(b, '2027-02-04').newlyOverdue).toEqual([]); // the due date itself is on time
    const marked = markOverdue(b, '2027-02-05');
    expect(marked.newlyOverdue).toEqual([{ debtId: 'S-2027-01-05', dueDate: '2027-02-04', principal: 33_000, fee: 0 }]);
    expect(markOverdue(marked.balances, '2027-02-06').newlyOverdue).toEqual([]);
  });
  it('does not mark a paid statement', () => {
    const paid = allocateRepayment(b, 33_000, '2027-02-04').balances;
    expect(markOverdue(paid, '2027-02-05').newlyOverdue).toEqual([]);
  });
});
