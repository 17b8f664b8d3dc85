import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { STANDARD_PRODUCT } from '../../domain/product';
import { limitFor, manualReviewOutcome, underwrite, type UnderwritingResult } from '../../domain/underwriting';

const policy = STANDARD_PRODUCT.underwriting;

describe('underwriting (income rule)', () => {
  // Worked by hand: z = 5.894 − 0.97·ln(income yuan) − 0.01·min(months, 60) (+0.5 outside age 22–60).
  it('approves 8,000 yuan a month at 36 months, age 30', () => {
    // z = 5.894 − 0.97·8.98720 − 0.36 = −3.18358 → PD = 1/(1+e^3.18358) = 0.0398
    const r = underwrite({ monthlyIncome: 800_000, employmentMonths: 36, age: 30 }, policy);
    expect(r.probabilityOfDefault).toBe(0.0398);
    expect(r.decision).toBe('APPROVE');
    // limit = floor(800,000 × 3 × (1 − 0.0398/0.15) / 10,000) × 10,000 = floor(176.32) × 10,000
    expect(r.limit).toBe(1_760_000);
  });

  it('sends 3,000 yuan at 12 months to manual review', () => {
    // z = 5.894 − 0.97·8.00637 − 0.12 = −1.99218 → PD = 1/(1+e^1.99218) = 1/8.3318 = 0.1200
    const r = underwrite({ monthlyIncome: 300_000, employmentMonths: 12, age: 30 }, policy);
    expect(r.probabilityOfDefault).toBe(0.12);
    expect(r.decision).toBe('MANUAL_REVIEW');
    expect(r.reasonCodes[0]).toBe('LOW_INCOME');
  });

  it('declines 1,500 yuan at 12 months, with the reasons worst first', () => {
    // z = 5.894 − 0.97·7.31322 − 0.12 + 0.5 (age 19) = −0.81982 → PD = 1/(1+e^0.81982) = 0.3058
    const r = underwrite({ monthlyIncome: 150_000, employmentMonths: 12, age: 19 }, policy);
    expect(r.probabilityOfDefault).toBe(0.3058);
    expect(r.decision).toBe('DECLINE');
    expect(r.limit).toBeNull();
    expect(r.reasonCodes).toEqual(['LOW_INCOME', 'AGE_OUTSIDE_PRIME', 'SHORT_EMPLOYMENT']);
  });

  it('declines minors outright', () => {
    const r = underwrite({ monthlyIncome: 5_000_000, employmentMonths: 60, age: 17 }, policy);
    expect(r).toMatchObject({ decision: 'DECLINE', reasonCodes: ['AGE_BELOW_MINIMUM'] });
  });

  it('keeps limits within [500, 50,000] yuan in whole hundreds of yuan', () => {
    expect(limitFor(10_000, 0.01, policy)).toBe(50_000);
    expect(limitFor(100_000_000, 0.0, policy)).toBe(5_000_000);
    fc.assert(fc.property(fc.integer({ min: 0, max: 100_000_000 }), fc.integer({ min: 0, max: 120 }), fc.integer({ min: 18, max: 90 }), (income, months, age) => {
      const r = underwrite({ monthlyIncome: income, employmentMonths: months, age }, policy);
      if (r.decision === 'DECLINE') return r.limit === null;
      return r.limit !== null && r.limit >= policy.minLimit && r.limit <= policy.maxLimit && r.limit % policy.limitStep === 0
        && r.probabilityOfDefault < policy.declineFromPd;
    }));
  });

  it('never scores a higher income as riskier, all else equal', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 1, max: 10_000_000 }), (income, more) => {
      const a = underwrite({ monthlyIncome: income, employmentMonths: 24, age: 30 }, policy);
      const b = underwrite({ monthlyIncome: income + more, employmentMonths: 24, age: 30 }, policy);
      return b.probabilityOfDefault <= a.probabilityOfDefault;
    }));
  });

  it('rejects income that is not integer fen', () => {
    expect(() => underwrite({ monthlyIncome: 12.5, employmentMonths: 1, age: 30 }, policy)).toThrow(RangeError);
  });
});

describe('manual review outcome (a staff decision, or none in time)', () => {
  const scored: UnderwritingResult = {
    decision: 'MANUAL_REVIEW', probabilityOfDefault: 0.12, limit: 300_000, reasonCodes: ['LOW_INCOME'], modelVersion: 'income-rule-2026.11',
  };

  it.each([
    ['approves with the staff limit', { approve: true, limit: 200_000, staffId: 'S1' }, { decision: 'APPROVE', limit: 200_000 }, 'staff:S1'],
    ['approves with the model limit when staff gives none', { approve: true, staffId: 'S2' }, { decision: 'APPROVE', limit: 300_000 }, 'staff:S2'],
    ['declines, whatever limit staff typed', { approve: false, limit: 200_000, staffId: 'S3' }, { decision: 'DECLINE', limit: null }, 'staff:S3'],
  ] as const)('%s', (_name, review, expected, decidedBy) => {
    const { result, decidedBy: by } = manualReviewOutcome(scored, review);
    // The model's score and reasons stay on record: staff decide, they do not rescore.
    expect(result).toEqual({ ...scored, ...expected });
    expect(by).toBe(decidedBy);
  });

  it('declines with MANUAL_REVIEW_EXPIRED, decided by the rule, when no one decided in time', () => {
    const { result, decidedBy } = manualReviewOutcome(scored, undefined);
    expect(result).toEqual({ ...scored, decision: 'DECLINE', limit: null, reasonCodes: ['LOW_INCOME', 'MANUAL_REVIEW_EXPIRED'] });
    expect(decidedBy).toBe('system:review-timeout');
  });

  it('leaves the scored result as it was', () => {
    const before = structuredClone(scored);
    manualReviewOutcome(scored, undefined);
    manualReviewOutcome(scored, { approve: true, limit: 100_000, staffId: 'S1' });
    expect(scored).toEqual(before);
  });
});
