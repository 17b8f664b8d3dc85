import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, daysBetween } from '../../domain/calendar';
import { applyRate } from '../../domain/money';
import { accruePenalties, chargedBetween, daysPastDue, oldestUnpaidDueDate } from '../../domain/penalty';
import { STANDARD_PRODUCT } from '../../domain/product';
import { parseProduct } from '../../domain/product-schema';
import { openBalances, type LineBalances } from '../../domain/balances';
import { applyPurchase, closeCycle } from '../../domain/cycle';
import { allocateRepayment } from '../../domain/waterfall';

/** A line with one statement of `principal` dated `statementDate` (statement day = its day of month). */
function billedLine(principal: number, statementDate: string): LineBalances {
  const opened = addDays(statementDate, -3);
  return closeCycle(applyPurchase(openBalances(opened), principal), statementDate).balances;
}

describe('days past due', () => {
  it('counts from the day after the due date', () => {
    expect(daysPastDue('2027-01-27', '2027-01-27')).toBe(0);
    expect(daysPastDue('2027-01-27', '2027-01-28')).toBe(1);
    expect(daysPastDue('2027-01-27', '2027-02-03')).toBe(7); // across the month end
    expect(daysPastDue('2028-02-27', '2028-03-01')).toBe(3); // 02-28, 02-29, 03-01
    expect(daysPastDue('2027-12-27', '2028-03-26')).toBe(90);
    expect(daysPastDue(null, '2027-02-03')).toBe(0);
  });
  it('finds the oldest unpaid due date', () => {
    const b = billedLine(10_000, '2026-12-28'); // due 2027-01-27
    expect(oldestUnpaidDueDate(b, '2027-01-27')).toBeNull();
    expect(oldestUnpaidDueDate(b, '2027-01-28')).toBe('2027-01-27');
    expect(oldestUnpaidDueDate(allocateRepayment(b, 10_000, '2027-01-28').balances, '2027-01-29')).toBeNull();
  });
});

/*
 * Worked example across a month end: statement 2026-12-28 of 123 457 fen, due 2027-01-27, unpaid.
 *   per day 123 457 × 0.05% = 61.7285 → 62 fen (half-up)
 *   DPD 1 .. 7 = 01-28, 01-29, 01-30, 01-31, 02-01, 02-02, 02-03 → 7 × 62 = 434 fen
 */
describe('penalty accrual', () => {
  const b = billedLine(123_457, '2026-12-28');

  it('charges 0.05% a day on overdue principal across a month end', () => {
    const r = accruePenalties(b, '2027-01-28', '2027-02-03');
    expect(r.accrued).toBe(434);
    expect(r.byDebt).toEqual([{ debtId: 'S-2026-12-28', amount: 434 }]);
    expect(r.balances.penalties).toBe(434);
    expect(r.balances.cycle.penalties).toBe(434);
  });

  it('charges nothing up to the due date', () => {
    expect(accruePenalties(b, '2027-01-01', '2027-01-27').accrued).toBe(0);
    // A range starting before the due date only charges the days after it.
    expect(accruePenalties(b, '2027-01-20', '2027-01-30').accrued).toBe(3 * 62);
  });

  it('crosses a leap day: due 2028-02-27, DPD 1..3 = 02-28, 02-29, 03-01', () => {
    const leap = billedLine(100_000, '2028-01-28');
    expect(accruePenalties(leap, '2028-02-28', '2028-03-01').accrued).toBe(150);
  });

  it('is additive and idempotent: accruing a range in pieces, or twice, charges each day once', () => {
    const whole = accruePenalties(b, '2027-01-28', '2027-02-03').accrued;
    const part1 = accruePenalties(b, '2027-01-28', '2027-01-31');
    const part2 = accruePenalties(part1.balances, '2027-02-01', '2027-02-03');
    expect(part1.accrued + part2.accrued).toBe(whole);
    const again = accruePenalties(part2.balances, '2027-01-28', '2027-02-03');
    expect(again.accrued).toBe(0);
  });

  it('follows the principal down after a partial repayment', () => {
    let c = accruePenalties(b, '2027-01-28', '2027-01-28').balances; // 62
    // 100 062 pays the 62 penalty then 100 000 principal: 23 457 left → 11.7285 → 12 a day.
    c = allocateRepayment(c, 100_062, '2027-01-28').balances;
    expect(accruePenalties(c, '2027-01-29', '2027-01-30').accrued).toBe(24);
  });

  it('never charges penalties on a paid statement', () => {
    const paid = allocateRepayment(b, 123_457, '2027-01-27').balances;
    expect(accruePenalties(paid, '2027-01-28', '2027-03-01').accrued).toBe(0);
  });
});

describe('annual cap', () => {
  // A steep product: 1% a day, capped at 5% a year. On 100 000 fen: 1 000 a day, cap 5 000.
  const steep = parseProduct({ ...STANDARD_PRODUCT, penalty: { dailyRate: '0.01', annualCapRate: '0.05' } });
  const b = billedLine(100_000, '2026-12-28'); // due 2027-01-27

  it('stops at the cap and resumes only as old charges leave the 365-day window', () => {
    const r = accruePenalties(b, '2027-01-28', '2027-12-31', steep);
    expect(r.accrued).toBe(5_000); // 01-28 .. 02-01 charged, then capped
    // 2028-01-28 is 365 days after 2027-01-28: the window 2027-01-29 .. 2028-01-27 holds 4 000, so 1 000 more.
    const next = accruePenalties(r.balances, '2028-01-01', '2028-01-28', steep);
    expect(next.accrued).toBe(1_000);
  });

  it('cuts the day that crosses the cap to what is left under it', () => {
    // Cap 4.5% of 100 000 = 4 500: four full days, then 500.
    const p = parseProduct({ ...STANDARD_PRODUCT, penalty: { dailyRate: '0.01', annualCapRate: '0.045' } });
    const r = accruePenalties(b, '2027-01-28', '2027-03-01', p);
    expect(r.accrued).toBe(4_500);
    expect(r.balances.statements[0]?.penalty.segments).toEqual([
      { from: '2027-01-28', days: 4, perDay: 1_000 },
      { from: '2027-02-01', days: 1, perDay: 500 },
    ]);
  });

  it('with the standard product a whole year stays under 24%: 365 × 0.05% = 18.25%', () => {
    const r = accruePenalties(b, '2027-01-28', '2028-01-27');
    expect(r.accrued).toBe(365 * 50);
    expect(r.accrued).toBeLessThanOrEqual(applyRate(100_000, STANDARD_PRODUCT.penalty.annualCapRate, 'DOWN'));
  });

  it('over any 365 days never exceeds cap × principal, however accrual is split', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 20_000, max: 10_000_000 }),
        fc.integer({ min: 1, max: 200 }), // daily rate in basis points of a percent: 0.0001 .. 0.02
        fc.integer({ min: 1, max: 60 }), // cap 1% .. 60%
        fc.array(fc.integer({ min: 1, max: 120 }), { minLength: 1, maxLength: 12 }),
        (principal, dailyBp, capPct, pieces) => {
          const product = parseProduct({
            ...STANDARD_PRODUCT,
            penalty: { dailyRate: (dailyBp / 10_000).toFixed(4), annualCapRate: (capPct / 100).toFixed(2) },
          });
          let line = billedLine(principal, '2026-12-28');
          let from = '2027-01-28';
          let total = 0;
          for (const n of pieces) {
            const to = addDays(from, n - 1);
            const r = accruePenalties(line, from, to, product);
            line = r.balances;
            total += r.accrued;
            // Every 365-day window ending on a day of this piece (the track keeps the last 365 days).
            const track = line.statements[0]?.penalty;
            if (!track) throw new Error('no track');
            for (let end = from; daysBetween(end, to) >= 0; end = addDays(end, 1)) {
              const window = chargedBetween(track, addDays(end, -364), end);
              // Exact, in integers: window ≤ principal × capPct / 100.
              expect(window * 100).toBeLessThanOrEqual(principal * capPct);
            }
            from = addDays(to, 1);
          }
          // The same days accrued in one go give the same total.
          const last = addDays(from, -1);
          expect(accruePenalties(billedLine(principal, '2026-12-28'), '2027-01-28', last, product).accrued).toBe(total);
          expect(line.penalties).toBe(total);
          expect(total).toBeGreaterThan(0);
          // Where a full year of daily charges fits under the cap, every day is charged in full.
          const perDay = applyRate(principal, product.penalty.dailyRate);
          const cap = applyRate(principal, product.penalty.annualCapRate, 'DOWN');
          if (365 * perDay <= cap) expect(total).toBe(perDay * (daysBetween('2027-01-28', last) + 1));
          else expect(total).toBeLessThan(perDay * (daysBetween('2027-01-28', last) + 1) + 1);
        },
      ),
      { numRuns: 60 },
    );
  });
});
