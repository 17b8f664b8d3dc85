import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { loadScorecard } from '../../activities/scorecard';
import { STANDARD_PRODUCT } from '../../domain/product';
import { limitFor, manualReviewOutcome, underwrite, type UnderwritingResult } from '../../domain/underwriting';
import { applicant } from '../support/applicants';

const policy = STANDARD_PRODUCT.underwriting;
const card = loadScorecard();

describe('underwriting (the committed scorecard)', () => {
  // The standard applicants of the service tests, with a middling clean record (test/support/applicants.ts).
  it('approves 8,000 yuan a month at 36 months, age 30, with a limit from income and PD', () => {
    const r = underwrite(applicant({ monthlyIncome: 800_000, employmentMonths: 36, age: 30 }), policy, card);
    expect(r.decision).toBe('APPROVE');
    expect(r.probabilityOfDefault).toBeLessThan(policy.approveBelowPd);
    expect(r.modelVersion).toBe(card.version);
    // 800,000 × 3 × (1 − PD/0.15), rounded down to 100 yuan.
    expect(r.limit).toBe(Math.floor((2_400_000 * (1 - r.probabilityOfDefault / 0.15)) / 10_000) * 10_000);
  });

  it('sends 3,000 yuan at 12 months to manual review, income named first', () => {
    const r = underwrite(applicant({ monthlyIncome: 300_000, employmentMonths: 12, age: 30 }), policy, card);
    expect(r.decision).toBe('MANUAL_REVIEW');
    expect(r.probabilityOfDefault).toBeGreaterThanOrEqual(policy.approveBelowPd);
    expect(r.probabilityOfDefault).toBeLessThan(policy.declineFromPd);
    expect(r.reasonCodes[0]).toBe('LOW_INCOME');
  });

  it('declines 1,500 yuan at 12 months at 19, with the reasons worst first', () => {
    const r = underwrite(applicant({ monthlyIncome: 150_000, employmentMonths: 12, age: 19 }), policy, card);
    expect(r.decision).toBe('DECLINE');
    expect(r.limit).toBeNull();
    expect(r.reasonCodes[0]).toBe('LOW_INCOME');
    expect(r.reasonCodes).toContain('AGE_OUTSIDE_PRIME');
    expect(r.reasonCodes.length).toBeLessThanOrEqual(4);
  });

  it('declines on a bad bureau report what it would approve on a clean one', () => {
    const clean = underwrite(applicant({ monthlyIncome: 800_000, employmentMonths: 36 }), policy, card);
    const troubled = underwrite(applicant({ monthlyIncome: 800_000, employmentMonths: 36 }, { bureau: { delinquencies24Months: 2, inquiries6Months: 6 }, platform: { lateRepayments: 3 } }), policy, card);
    expect(clean.decision).toBe('APPROVE');
    expect(troubled.decision).toBe('DECLINE');
    expect(troubled.reasonCodes.slice(0, 3).sort()).toEqual(['BUREAU_DELINQUENCIES', 'LATE_PLATFORM_REPAYMENTS', 'MANY_RECENT_INQUIRIES']);
  });

  it('declines minors outright, saying so first', () => {
    const r = underwrite(applicant({ monthlyIncome: 5_000_000, employmentMonths: 60, age: 17 }), policy, card);
    expect(r).toMatchObject({ decision: 'DECLINE', limit: null });
    expect(r.reasonCodes[0]).toBe('AGE_BELOW_MINIMUM');
  });

  it('keeps limits within [500, 50,000] yuan in whole hundreds of yuan', () => {
    expect(limitFor(10_000, 0.01, policy)).toBe(50_000);
    expect(limitFor(100_000_000, 0.0, policy)).toBe(5_000_000);
    fc.assert(fc.property(fc.integer({ min: 0, max: 100_000_000 }), fc.integer({ min: 0, max: 120 }), fc.integer({ min: 18, max: 90 }), (income, months, age) => {
      const r = underwrite(applicant({ monthlyIncome: income, employmentMonths: months, age }), policy, card);
      if (r.decision === 'DECLINE') return r.limit === null;
      return r.limit !== null && r.limit >= policy.minLimit && r.limit <= policy.maxLimit && r.limit % policy.limitStep === 0
        && r.probabilityOfDefault < policy.declineFromPd;
    }));
  });

  it('never scores a higher income as riskier, all else equal', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 1, max: 10_000_000 }), (income, more) => {
      const a = underwrite(applicant({ monthlyIncome: income }), policy, card);
      const b = underwrite(applicant({ monthlyIncome: income + more }), policy, card);
      return b.probabilityOfDefault <= a.probabilityOfDefault;
    }));
  });

  it('rejects income that is not integer fen', () => {
    expect(() => underwrite(applicant({ monthlyIncome: 12.5 }), policy, card)).toThrow(RangeError);
  });
});

describe('manual review outcome (a staff decision, or none in time)', () => {
  const scored: UnderwritingResult = {
    decision: 'MANUAL_REVIEW', probabilityOfDefault: 0.12, limit: 300_000, reasonCodes: ['LOW_INCOME'], modelVersion: 'scorecard-2026.11.1',
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
