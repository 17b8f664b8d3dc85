/**
 * Re-scoring a line on its own record (PRODUCT §8): on-time cycles can only help, a missed cycle,
 * days past due or a fuller line can only hurt, and the line's own conduct is named as such.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { loadScorecard } from '../../activities/scorecard';
import { STANDARD_PRODUCT } from '../../domain/product';
import { rescore, withLineRecord, type LineBehaviour } from '../../domain/scoring/behaviour';
import { scoreApplicant } from '../../domain/scoring/scorecard';
import { limitFor } from '../../domain/underwriting';
import { anyApplicant, applicant } from '../support/applicants';

const card = loadScorecard();
const policy = STANDARD_PRODUCT.underwriting;
const none: LineBehaviour = { onTimeCycles: 0, missedCycles: 0, maxDaysPastDue: 0, utilizationPermille: 0 };
const anyBehaviour = (): fc.Arbitrary<LineBehaviour> => fc.record({
  onTimeCycles: fc.nat(36), missedCycles: fc.nat(6), maxDaysPastDue: fc.nat(120), utilizationPermille: fc.nat(1100),
});
const pd = (f: Parameters<typeof rescore>[0], b: LineBehaviour) => rescore(f, b, card, policy).probabilityOfDefault;

describe('re-scoring a line on its behaviour', () => {
  it('scores a line with no record yet as its application', () => {
    const f = applicant({ monthlyIncome: 600_000 });
    const r = rescore(f, none, card, policy);
    expect(r.probabilityOfDefault).toBe(scoreApplicant(card, f).probabilityOfDefault);
    expect(r.modelLimit).toBe(limitFor(600_000, r.probabilityOfDefault, policy));
  });

  it('lowers a typical customer\'s PD after six on-time cycles, and raises the model\'s limit', () => {
    const f = applicant({ monthlyIncome: 600_000 });
    const before = rescore(f, none, card, policy);
    const after = rescore(f, { ...none, onTimeCycles: 6 }, card, policy);
    expect(after.probabilityOfDefault).toBeLessThan(before.probabilityOfDefault);
    expect(after.modelLimit).toBeGreaterThanOrEqual(before.modelLimit);
  });

  it('never raises the PD for more on-time cycles', () => {
    fc.assert(fc.property(anyApplicant(), anyBehaviour(), fc.integer({ min: 1, max: 24 }), (f, b, more) =>
      pd(f, { ...b, onTimeCycles: b.onTimeCycles + more }) <= pd(f, b)));
  });

  it('never lowers the PD for a missed cycle', () => {
    fc.assert(fc.property(anyApplicant(), anyBehaviour(), (f, b) => pd(f, { ...b, missedCycles: b.missedCycles + 1 }) >= pd(f, b)));
  });

  it('never lowers the PD for more days past due or a fuller line', () => {
    fc.assert(fc.property(anyApplicant(), anyBehaviour(), fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 500 }), (f, b, days, permille) =>
      pd(f, { ...b, maxDaysPastDue: b.maxDaysPastDue + days }) >= pd(f, b) && pd(f, { ...b, utilizationPermille: b.utilizationPermille + permille }) >= pd(f, b)));
  });

  it('names the line\'s own missed payments first, and not again as the platform\'s', () => {
    const f = applicant({ monthlyIncome: 600_000 });
    const r = rescore(f, { onTimeCycles: 2, missedCycles: 2, maxDaysPastDue: 35, utilizationPermille: 950 }, card, policy);
    expect(r.probabilityOfDefault).toBeGreaterThan(rescore(f, none, card, policy).probabilityOfDefault);
    expect(r.reasonCodes.slice(0, 2)).toEqual(['MISSED_LINE_PAYMENTS', 'HIGH_LINE_UTILIZATION']);
    expect(r.reasonCodes).not.toContain('LATE_PLATFORM_REPAYMENTS');
    expect(r.reasonCodes).not.toContain('BUREAU_DELINQUENCIES');
    expect(r.reasonCodes.length).toBeLessThanOrEqual(4);
  });

  it('folds the record into the features as documented', () => {
    const f = applicant({ monthlyIncome: 600_000 }, { platform: { onTimeRepayments: 3, lateRepayments: 1 }, bureau: { delinquencies24Months: 0, outstandingDebt: 100_000 } });
    const folded = withLineRecord(f, { onTimeCycles: 5, missedCycles: 2, maxDaysPastDue: 30, utilizationPermille: 500 }, 1_000_000);
    expect(folded.platform).toMatchObject({ onTimeRepayments: 8, lateRepayments: 3 });
    expect(folded.bureau).toMatchObject({ delinquencies24Months: 1, outstandingDebt: 600_000 });
    expect(withLineRecord(f, { ...none, maxDaysPastDue: 29 }, 1_000_000).bureau.delinquencies24Months).toBe(0);
    expect(folded.declared).toEqual(f.declared);
  });

  it('refuses a record that is not counts', () => {
    expect(() => rescore(applicant({}), { ...none, missedCycles: -1 }, card, policy)).toThrow(RangeError);
    expect(() => rescore(applicant({}), { ...none, utilizationPermille: 0.5 }, card, policy)).toThrow(RangeError);
  });
});
