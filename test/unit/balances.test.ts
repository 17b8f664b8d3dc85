/*
 * The bottom of the billing rules (domain/balances.ts): what a line owes and what it may still spend.
 */
import { describe, expect, it } from 'vitest';
import { available, cloneBalances, openBalances, outstandingPrincipal, type LineBalances } from '../../domain/balances';
import { applyPurchase, applyRefund, closeCycle } from '../../domain/cycle';
import { allocateRepayment } from '../../domain/waterfall';

describe('openBalances and cloneBalances', () => {
  it('a line opens owing nothing, its first cycle starting that day', () => {
    const b = openBalances('2027-01-01');
    expect(b).toEqual({
      cycleStart: '2027-01-01', lastStatement: null, unsettled: 0, currentCycle: 0, statements: [], plans: [], penalties: 0, creditBalance: 0,
      cycle: { purchases: 0, refunds: 0, repayments: 0, fees: 0, penalties: 0, installmentPrincipal: 0, convertedPrincipal: 0 },
    });
    expect(() => openBalances('2027-02-30')).toThrow();
  });

  it('a clone is equal and shares nothing with its original', () => {
    const b = closeCycle(applyPurchase(openBalances('2027-01-01'), 10_000), '2027-01-05').balances;
    const copy = cloneBalances(b);
    expect(copy).toEqual(b);
    copy.statements[0]!.paid = 1;
    copy.cycle.purchases = 1;
    expect(b.statements[0]?.paid).toBe(0);
    expect(b.cycle.purchases).toBe(0);
  });
});

describe('available credit and outstanding principal', () => {
  it('is limit − outstanding principal − unsettled authorizations', () => {
    const b = applyRefund(applyPurchase(openBalances('2027-01-01'), 35_000), 2_000, '2027-01-02');
    expect(outstandingPrincipal(b)).toBe(33_000);
    expect(available(100_000, b)).toBe(67_000);
    // Every purchase settles at once today; a carried state holding an unsettled amount still counts it.
    const held: LineBalances = { ...b, unsettled: 10_000 };
    expect(available(100_000, held)).toBe(57_000);
    expect(outstandingPrincipal(held)).toBe(33_000);
  });
  it('a refund after billing restores available credit at once', () => {
    let b = closeCycle(applyPurchase(openBalances('2027-01-01'), 30_000), '2027-01-05').balances;
    expect(available(50_000, b)).toBe(20_000);
    b = applyRefund(b, 10_000, '2027-01-03');
    expect(available(50_000, b)).toBe(30_000);
  });
  it('never exceeds the limit nor goes below zero', () => {
    const b = allocateRepayment(openBalances('2027-01-01'), 99_999, '2027-01-02').balances;
    expect(available(50_000, b)).toBe(50_000);
    expect(available(10_000, applyPurchase(openBalances('2027-01-01'), 20_000))).toBe(0);
  });
});
