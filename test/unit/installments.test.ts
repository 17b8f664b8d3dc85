import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, daysBetween } from '../../domain/calendar';
import { aprPercent, convertToInstallments, installmentQuote, irr } from '../../domain/installments';
import { STANDARD_PRODUCT } from '../../domain/product';
import { parseProduct } from '../../domain/product-schema';
import { netBalance, openBalances, outstandingPrincipal } from '../../domain/balances';
import { applyPurchase, closeCycle } from '../../domain/cycle';
import { allocateRepayment, owedByBucket } from '../../domain/waterfall';

function quoteOf(...args: Parameters<typeof installmentQuote>) {
  const r = installmentQuote(...args);
  if (!r.ok) throw new Error(r.code);
  return r.quote;
}

/*
 * Worked example: statement day 5, statement 2027-01-05 of 3 000 yuan (300 000 fen), due 2027-02-04,
 * converted into 3 installments on the statement date itself.
 *
 *   fee per installment = 0.5% × 300 000 = 1 500 fen; total fee 4 500
 *   principal 300 000 / 3 = 100 000 each
 *   #1 statement 2027-01-05, due 2027-02-04  (t = 30 days after conversion)   101 500
 *   #2 statement 2027-02-05, due 2027-03-07  (t = 61)                         101 500
 *   #3 statement 2027-03-05, due 2027-04-04  (t = 89)                         101 500
 *
 * APR: daily IRR r with 300 000 = 101 500 × (v^30 + v^61 + v^89), v = 1/(1+r), annualized as 365 × r.
 * By hand (checked with a separate Python bisection): r = 0.000248473 per day, so
 *   v^30 = 0.992574, v^61 = 0.984959, v^89 = 0.978131, sum 2.955665 × 101 500 = 300 000.0
 *   APR = 365 × 0.000248473 = 9.0693% → 9.07.
 * Cross-check on whole months (the textbook form): monthly IRR m with 300 000 = 101 500 × a(3, m).
 *   a = 300 000 / 101 500 = 2.955665. At m = 0.75%: 1/1.0075 + 1/1.0075² + 1/1.0075³
 *   = 0.992556 + 0.985167 + 0.977833 = 2.955556, a little low, and da/dm ≈ −5.85, so
 *   m ≈ 0.0075 − (2.955665 − 2.955556)/5.85 = 0.0074814 → 12 × m = 8.98% (effective (1+m)^12 − 1 = 9.36%).
 *   The day-count APR is a bit higher (9.07) because the first payment comes after 30 days and
 *   the last after 89, a shorter average time than 30/60/90 would give.
 */
describe('installment quote', () => {
  const quote = quoteOf(300_000, 3, '2027-01-05', '2027-02-04', 5);

  it('schedules principal, fee and due dates', () => {
    expect(quote).toEqual({
      count: 3,
      principal: 300_000,
      totalFee: 4_500,
      apr: 9.07,
      schedule: [
        { seq: 1, statementDate: '2027-01-05', dueDate: '2027-02-04', principal: 100_000, fee: 1_500 },
        { seq: 2, statementDate: '2027-02-05', dueDate: '2027-03-07', principal: 100_000, fee: 1_500 },
        { seq: 3, statementDate: '2027-03-05', dueDate: '2027-04-04', principal: 100_000, fee: 1_500 },
      ],
    });
  });

  it('the APR is the root of the schedule’s NPV (independent evaluation around 9.07%)', () => {
    const npv = (aprPct: number) => {
      const r = aprPct / 100 / 365;
      return 300_000 - [30, 61, 89].reduce((s, t) => s + 101_500 / (1 + r) ** t, 0);
    };
    expect(npv(9.065)).toBeLessThan(0); // too low a rate: the payments are worth more than the loan
    expect(npv(9.075)).toBeGreaterThan(0);
  });

  it('the monthly IRR of the textbook schedule is 0.74814% (8.98% nominal a year)', () => {
    const m = irr([
      { t: 0, amount: 300_000 },
      { t: 1, amount: -101_500 },
      { t: 2, amount: -101_500 },
      { t: 3, amount: -101_500 },
    ]);
    expect(m).toBeCloseTo(0.0074814, 6);
    expect(Math.round(m * 12 * 10_000) / 100).toBe(8.98);
  });

  it('counts from the moment of conversion: later conversion, higher APR', () => {
    // Converted 2027-01-10: t = 25, 56, 84 → 9.90 (Python: 9.8961).
    expect(quoteOf(300_000, 3, '2027-01-10', '2027-02-04', 5).apr).toBe(9.9);
    // Converted on the due date: the first installment is paid at once (t = 0, 31, 59) → 18.21.
    expect(quoteOf(300_000, 3, '2027-02-04', '2027-02-04', 5).apr).toBe(18.21);
  });

  it('puts the odd fen on the first installment and rounds the fee half-up once', () => {
    // 100 100 × 0.5% = 500.5 → 501 a month; 100 100 / 3 = 33 366.67 → 33 368, 33 366, 33 366.
    const q = quoteOf(100_100, 3, '2028-01-28', '2028-02-27', 28);
    expect(q.schedule.map((i) => [i.principal, i.fee])).toEqual([
      [33_368, 501],
      [33_366, 501],
      [33_366, 501],
    ]);
    expect(q.totalFee).toBe(1_503);
    // Leap year and year end in the dates: 2028-01-28 + 30 = 02-27; 02-28 + 30 = 03-29; 03-28 + 30 = 04-27.
    expect(q.schedule.map((i) => i.dueDate)).toEqual(['2028-02-27', '2028-03-29', '2028-04-27']);
  });

  it('crosses the year end', () => {
    const q = quoteOf(60_000, 3, '2027-12-20', '2028-01-14', 15);
    expect(q.schedule.map((i) => i.statementDate)).toEqual(['2027-12-15', '2028-01-15', '2028-02-15']);
    expect(q.schedule.map((i) => i.dueDate)).toEqual(['2028-01-14', '2028-02-14', '2028-03-16']);
  });

  it('refuses bad requests with a typed result', () => {
    expect(installmentQuote(300_000, 6, '2027-01-05', '2027-02-04', 5)).toMatchObject({ ok: false, code: 'COUNT_NOT_ALLOWED' });
    expect(installmentQuote(0, 3, '2027-01-05', '2027-02-04', 5)).toMatchObject({ ok: false, code: 'INVALID_AMOUNT' });
    expect(installmentQuote(1.5, 3, '2027-01-05', '2027-02-04', 5)).toMatchObject({ ok: false, code: 'INVALID_AMOUNT' });
    expect(installmentQuote(300_000, 3, '2027-02-05', '2027-02-04', 5)).toMatchObject({ ok: false, code: 'CONVERSION_NOT_ALLOWED' });
  });

  it('a product with 6 installments is only configuration', () => {
    const six = parseProduct({ ...STANDARD_PRODUCT, installments: { allowedCounts: [3, 6], monthlyFeeRate: '0.006' } });
    const r = installmentQuote(600_000, 6, '2027-01-05', '2027-02-04', 5, six);
    expect(r.ok && r.quote.schedule.length).toBe(6);
    expect(r.ok && r.quote.totalFee).toBe(6 * 3_600);
  });

  it('principals sum to the converted principal, fees are never negative, the APR is positive', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000_000 }),
        fc.integer({ min: 1, max: 28 }),
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 0, max: 3000 }),
        (principal, statementDay, daysBeforeDue, offset) => {
          const statementDate = addDays('2026-01-01', offset);
          // Make it a real statement date for the statement day.
          const s = `${statementDate.slice(0, 8)}${String(statementDay).padStart(2, '0')}`;
          const due = addDays(s, 30);
          const q = quoteOf(principal, 3, addDays(due, -daysBeforeDue), due, statementDay);
          expect(q.schedule.reduce((sum, i) => sum + i.principal, 0)).toBe(principal);
          expect(q.schedule.every((i) => i.fee >= 0 && i.principal >= 0)).toBe(true);
          expect(q.schedule.reduce((sum, i) => sum + i.fee, 0)).toBe(q.totalFee);
          expect(q.totalFee).toBe(3 * Math.round(principal * 0.005 + 1e-9));
          // Due dates strictly increase, 27–31 days apart.
          for (let k = 1; k < 3; k++) {
            const gap = daysBetween(q.schedule[k - 1]?.dueDate ?? '', q.schedule[k]?.dueDate ?? '');
            expect(gap).toBeGreaterThanOrEqual(28);
            expect(gap).toBeLessThanOrEqual(31);
          }
          if (q.totalFee > 0) expect(q.apr).toBeGreaterThan(0);
        },
      ),
    );
  });

  it('aprPercent is 0 without a fee', () => {
    expect(aprPercent(300, '2027-01-05', [{ seq: 1, statementDate: '2027-01-05', dueDate: '2027-02-04', principal: 300, fee: 0 }])).toBe(0);
  });
});

describe('converting a statement on the line', () => {
  // Statement 2027-01-05 of 300 000 fen, due 2027-02-04.
  const billed = closeCycle(applyPurchase(openBalances('2027-01-01'), 300_000), '2027-01-05').balances;

  function convert(day = '2027-01-05') {
    const r = convertToInstallments(billed, '2027-01-05', 3, day, 5);
    if (!r.ok) throw new Error(r.code);
    return r;
  }

  it('replaces the statement’s principal with a plan whose first installment is billed', () => {
    const { balances, plan } = convert();
    expect(plan).toMatchObject({ id: 'plan:2027-01-05', principal: 300_000, totalFee: 4_500, apr: 9.07, convertedOn: '2027-01-05' });
    expect(plan.installments.map((i) => i.billed)).toEqual([true, false, false]);
    expect(owedByBucket(balances, '2027-01-10')).toEqual({
      PENALTY: 0,
      INSTALLMENT_FEE: 1_500,
      OVERDUE_PRINCIPAL: 0,
      DUE_PRINCIPAL: 100_000,
      CURRENT_CYCLE: 0,
    });
    expect(outstandingPrincipal(balances)).toBe(300_000);
    // What is owed went from 300 000 to 101 500: −300 000 converted + 100 000 + 1 500 billed.
    expect(netBalance(balances)).toBe(101_500);
  });

  it('is allowed up to and including the due date, once, and not for a paid statement', () => {
    expect(convertToInstallments(billed, '2027-01-05', 3, '2027-02-04', 5).ok).toBe(true);
    expect(convertToInstallments(billed, '2027-01-05', 3, '2027-02-05', 5)).toMatchObject({ ok: false, code: 'CONVERSION_NOT_ALLOWED' });
    expect(convertToInstallments(convert().balances, '2027-01-05', 3, '2027-01-06', 5)).toMatchObject({ ok: false, code: 'CONVERSION_NOT_ALLOWED' });
    const paid = allocateRepayment(billed, 300_000, '2027-01-06').balances;
    expect(convertToInstallments(paid, '2027-01-05', 3, '2027-01-06', 5)).toMatchObject({ ok: false, code: 'CONVERSION_NOT_ALLOWED' });
    expect(convertToInstallments(billed, '2026-12-05', 3, '2027-01-06', 5)).toMatchObject({ ok: false, code: 'CONVERSION_NOT_ALLOWED' });
    expect(convertToInstallments(billed, '2027-01-05', 4, '2027-01-06', 5)).toMatchObject({ ok: false, code: 'COUNT_NOT_ALLOWED' });
  });

  /*
   * Next statement 2027-02-05 after paying installment 1 (101 500) on 2027-02-01:
   *   opening 300 000 − repayments 101 500 + fees (1 500 + 1 500) + installment principal
   *   (100 000 + 100 000) − converted 300 000 = 101 500, which is installment 2.
   */
  it('bills the next installment on the next statement', () => {
    const paid = allocateRepayment(convert().balances, 101_500, '2027-02-01');
    expect(paid.allocation).toEqual([
      { bucket: 'INSTALLMENT_FEE', amount: 1_500 },
      { bucket: 'DUE_PRINCIPAL', amount: 100_000 },
    ]);
    const { statement, balances } = closeCycle(paid.balances, '2027-02-05');
    expect(statement).toMatchObject({
      openingBalance: 300_000,
      repayments: 101_500,
      fees: 3_000,
      installmentPrincipal: 200_000,
      convertedPrincipal: 300_000,
      newPrincipal: 0,
      closingBalance: 101_500,
    });
    expect(balances.plans[0]?.installments.map((i) => i.billed)).toEqual([true, true, false]);
  });
});
