/*
 * Properties over whole random lines: a line is opened, then random purchases, refunds, repayments
 * and installment conversions happen over months; cycles close on their statement dates (closeCycle
 * asserts its movement identity every time), overdue debts accrue penalties. At every repayment the
 * allocation is checked against the balances it changed, and at the end the payoff quote is paid
 * and must leave a quote of nothing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, compareDays, fromDayNumber, nextStatementDate, statementDateFor, toDayNumber } from '../../domain/calendar';
import { available, installmentFeeOwed, openBalances, outstandingPrincipal, type LineBalances } from '../../domain/balances';
import { applyPurchase, applyRefund, closeCycle, markOverdue } from '../../domain/cycle';
import { convertToInstallments } from '../../domain/installments';
import { accruePenalties } from '../../domain/penalty';
import { payoffQuote } from '../../domain/payoff';
import { allocateRepayment, owedByBucket, totalOwed, WATERFALL_ORDER, type OwedBucket } from '../../domain/waterfall';

type Op =
  | { kind: 'purchase'; amount: number }
  | { kind: 'refund'; share: number; billed: boolean }
  | { kind: 'repay'; amount: number }
  | { kind: 'convert' };

const arbOp: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('purchase' as const), amount: fc.integer({ min: 1, max: 500_000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('refund' as const), share: fc.double({ min: 0.01, max: 1, noNaN: true }), billed: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('repay' as const), amount: fc.integer({ min: 1, max: 800_000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('convert' as const) }) },
);

const arbLine = fc.record({
  start: fc.integer({ min: toDayNumber('2026-01-01'), max: toDayNumber('2030-12-31') }).map(fromDayNumber),
  statementDay: fc.integer({ min: 1, max: 28 }),
  limit: fc.integer({ min: 5, max: 500 }).map((x) => x * 10_000),
  steps: fc.array(fc.record({ gap: fc.integer({ min: 0, max: 25 }), op: arbOp }), { minLength: 1, maxLength: 40 }),
});

function everyNumberNonNegative(value: unknown, path = ''): void {
  if (typeof value === 'number') {
    if (path.endsWith('closingBalance')) return; // a statement's balance is negative when in credit
    if (path.endsWith('.apr')) return; // a percentage, not money
    expect(Number.isSafeInteger(value), path).toBe(true);
    expect(value, path).toBeGreaterThanOrEqual(0);
  } else if (Array.isArray(value)) value.forEach((v, i) => everyNumberNonNegative(v, `${path}[${i}]`));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) everyNumberNonNegative(v, `${path}.${k}`);
}

function checkRepayment(before: LineBalances, amount: number, day: string): LineBalances {
  const owedBefore = owedByBucket(before, day);
  const { allocation, balances } = allocateRepayment(before, amount, day);
  const owedAfter = owedByBucket(balances, day);
  // Sums to the payment, every line positive, buckets unique and in order.
  expect(allocation.reduce((s, l) => s + l.amount, 0)).toBe(amount);
  expect(allocation.every((l) => l.amount > 0)).toBe(true);
  const order = [...WATERFALL_ORDER, 'CREDIT_BALANCE'];
  const indexes = allocation.map((l) => order.indexOf(l.bucket));
  expect([...indexes].sort((a, b) => a - b)).toEqual(indexes);
  expect(new Set(indexes).size).toBe(indexes.length);
  // Each line is what its bucket actually went down by; the credit line is what the credit went up by.
  const paid = (k: string) => allocation.find((l) => l.bucket === k)?.amount ?? 0;
  for (const k of WATERFALL_ORDER) expect(paid(k), k).toBe(owedBefore[k] - owedAfter[k]);
  expect(paid('CREDIT_BALANCE')).toBe(balances.creditBalance - before.creditBalance);
  // Order: no bucket is paid while an earlier one is left unpaid.
  WATERFALL_ORDER.forEach((k, i) => {
    if (paid(k) > 0) for (const earlier of WATERFALL_ORDER.slice(0, i)) expect(owedAfter[earlier as OwedBucket], earlier).toBe(0);
  });
  if (paid('CREDIT_BALANCE') > 0) expect(totalOwed(balances, day)).toBe(0);
  // Credit only for what is above the total owed.
  expect(paid('CREDIT_BALANCE')).toBe(Math.max(0, amount - totalOwed(before, day)));
  everyNumberNonNegative(balances);
  return balances;
}

type Line = typeof arbLine extends fc.Arbitrary<infer T> ? T : never;

function simulate(line: Line) {
  let day = line.start;
  let b = openBalances(day);
  let nextClose = statementDateFor(day, line.statementDay);
  let unbilledPurchases = 0;
  let billedPurchases = 0;
  let lastPurchaseDay = day;
  let statements = 0;
  let repayments = 0;
  let conversions = 0;
  let penalties = 0;

  const advanceTo = (target: string) => {
    while (compareDays(nextClose, target) < 0) {
      b = accruePenalties(b, line.start, nextClose).balances;
      b = closeCycle(b, nextClose).balances; // throws if its movements do not explain its balance
      statements++;
      billedPurchases += unbilledPurchases;
      unbilledPurchases = 0;
      b = markOverdue(b, addDays(nextClose, 1)).balances;
      nextClose = nextStatementDate(nextClose, line.statementDay);
    }
    day = target;
    const accrued = accruePenalties(b, line.start, day);
    penalties += accrued.accrued;
    b = markOverdue(accrued.balances, day).balances;
  };

  for (const { gap, op } of line.steps) {
    advanceTo(addDays(day, gap));
    if (op.kind === 'purchase') {
      if (op.amount > available(line.limit, b)) continue; // declined: changes nothing
      b = applyPurchase(b, op.amount);
      unbilledPurchases += op.amount;
      lastPurchaseDay = day;
    } else if (op.kind === 'refund') {
      const pool = op.billed ? billedPurchases : unbilledPurchases;
      const amount = Math.floor(pool * op.share);
      if (amount <= 0) continue;
      const purchaseDay = op.billed ? (b.lastStatement?.statementDate ?? day) : lastPurchaseDay;
      b = applyRefund(b, amount, purchaseDay);
      if (op.billed) billedPurchases -= amount;
      else unbilledPurchases -= amount;
    } else if (op.kind === 'repay') {
      b = checkRepayment(b, op.amount, day);
      repayments++;
    } else if (b.lastStatement) {
      const r = convertToInstallments(b, b.lastStatement.statementDate, 3, day, line.statementDay);
      if (r.ok) {
        expect(r.plan.installments.reduce((s, i) => s + i.principal, 0)).toBe(r.plan.principal);
        expect(r.plan.installments.every((i) => i.fee >= 0 && installmentFeeOwed(i) >= 0)).toBe(true);
        expect(outstandingPrincipal(r.balances)).toBe(outstandingPrincipal(b));
        b = r.balances;
        conversions++;
      }
    }
    const avail = available(line.limit, b);
    expect(avail).toBeGreaterThanOrEqual(0);
    expect(avail).toBeLessThanOrEqual(line.limit);
    everyNumberNonNegative(b);
  }
  return { b, day, nextClose, statements, repayments, conversions, penalties };
}

describe('billing over random lines', () => {
  it('every repayment allocation sums, follows the order and matches the balances; every statement reconciles', () => {
    let statements = 0;
    let repayments = 0;
    let conversions = 0;
    let linesWithPenalties = 0;
    fc.assert(
      fc.property(arbLine, (line) => {
        const r = simulate(line);
        statements += r.statements;
        repayments += r.repayments;
        conversions += r.conversions;
        if (r.penalties > 0) linesWithPenalties++;
      }),
      { numRuns: 150 },
    );
    // The generator really exercises closes and repayments (a property over nothing proves nothing).
    expect(statements).toBeGreaterThan(100);
    expect(repayments).toBeGreaterThan(100);
    expect(conversions).toBeGreaterThan(10);
    expect(linesWithPenalties).toBeGreaterThan(5);
  });

  it('paying the payoff quote always leaves a quote of nothing, and the credit remaining as it was', () => {
    fc.assert(
      fc.property(arbLine, (line) => {
        const { b, day } = simulate(line);
        const quote = payoffQuote(b, day);
        expect(quote.breakdown.reduce((s, x) => s + x.amount, 0)).toBe(quote.amount - quote.creditRemaining);
        expect(quote.waivedFees).toBeGreaterThanOrEqual(0);
        const paid = quote.amount > 0 ? allocateRepayment(b, quote.amount, day).balances : b;
        expect(payoffQuote(paid, day)).toMatchObject({ amount: 0, creditRemaining: quote.creditRemaining, waivedFees: quote.waivedFees });
      }),
      { numRuns: 150 },
    );
  });
});
