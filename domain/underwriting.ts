/**
 * Underwriting: features in, a probability of default (PD), a decision band and a limit out.
 *
 * For now the model is a small, documented logistic rule on income, employment and age (the
 * machine-learned model replaces it in a later issue behind the same signature). It is pure, so
 * the scoring activity, the tests and a staff "explain this decision" view all get the same answer.
 */

export interface ApplicantFeatures {
  /** Declared monthly income, fen. */
  monthlyIncome: number;
  employmentMonths: number;
  age: number;
}

export interface UnderwritingPolicy {
  /** PD strictly below this approves. */
  approveBelowPd: number;
  /** PD at or above this declines; between the two goes to manual review. */
  declineFromPd: number;
  minLimit: number;
  maxLimit: number;
  /** Limits are rounded down to a multiple of this (fen). */
  limitStep: number;
  /** Limit before the risk discount, as a multiple of monthly income. */
  incomeMultiple: number;
  minimumAge: number;
}

export type UnderwritingDecision = 'APPROVE' | 'MANUAL_REVIEW' | 'DECLINE';

export interface UnderwritingResult {
  decision: UnderwritingDecision;
  probabilityOfDefault: number;
  /** Fen; null when declined. */
  limit: number | null;
  /** The factors that pushed PD up the most, worst first. */
  reasonCodes: string[];
  modelVersion: string;
}

export const INCOME_RULE_MODEL_VERSION = 'income-rule-2026.11';

// Logistic coefficients, calibrated by hand so that, at 12 months' employment and age 30,
// 1,500 yuan a month scores PD ≈ 0.21 (decline), 3,000 ≈ 0.12 (review), 8,000 ≈ 0.05 (approve).
const INTERCEPT = 5.894;
const PER_LOG_INCOME_YUAN = -0.97;
const PER_EMPLOYMENT_MONTH = -0.01;
const EMPLOYMENT_MONTHS_CAP = 60;
const OUTSIDE_PRIME_AGE = 0.5;
const PRIME_AGE = { from: 22, to: 60 };
/** Below this income the logarithm's reference point, 1,000 yuan, is used (no log of zero). */
const INCOME_FLOOR_YUAN = 100;

function logistic(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

export function underwrite(features: ApplicantFeatures, policy: UnderwritingPolicy): UnderwritingResult {
  if (!Number.isSafeInteger(features.monthlyIncome) || features.monthlyIncome < 0) {
    throw new RangeError('monthlyIncome must be a non-negative integer of fen');
  }
  if (features.age < policy.minimumAge) {
    return { decision: 'DECLINE', probabilityOfDefault: 1, limit: null, reasonCodes: ['AGE_BELOW_MINIMUM'], modelVersion: INCOME_RULE_MODEL_VERSION };
  }
  const incomeYuan = Math.max(features.monthlyIncome / 100, INCOME_FLOOR_YUAN);
  const incomeTerm = PER_LOG_INCOME_YUAN * Math.log(incomeYuan);
  const employmentTerm = PER_EMPLOYMENT_MONTH * Math.min(features.employmentMonths, EMPLOYMENT_MONTHS_CAP);
  const ageTerm = features.age < PRIME_AGE.from || features.age > PRIME_AGE.to ? OUTSIDE_PRIME_AGE : 0;
  const z = INTERCEPT + incomeTerm + employmentTerm + ageTerm;
  // Each term relative to a comfortable applicant (8,000 yuan, 60 months, prime age): what it adds.
  const contributions: [string, number][] = [
    ['LOW_INCOME', incomeTerm - PER_LOG_INCOME_YUAN * Math.log(8000)],
    ['SHORT_EMPLOYMENT', employmentTerm - PER_EMPLOYMENT_MONTH * EMPLOYMENT_MONTHS_CAP],
    ['AGE_OUTSIDE_PRIME', ageTerm],
  ];
  // Rounded to 4 places so the stored PD and the decision agree exactly.
  const pd = Math.round(logistic(z) * 10_000) / 10_000;
  const reasonCodes = contributions.filter(([, c]) => c > 0.05).sort((a, b) => b[1] - a[1]).map(([code]) => code);

  const decision: UnderwritingDecision = pd < policy.approveBelowPd ? 'APPROVE' : pd < policy.declineFromPd ? 'MANUAL_REVIEW' : 'DECLINE';
  return {
    decision,
    probabilityOfDefault: pd,
    limit: decision === 'DECLINE' ? null : limitFor(features.monthlyIncome, pd, policy),
    reasonCodes,
    modelVersion: INCOME_RULE_MODEL_VERSION,
  };
}

/** Income × multiple, discounted by risk, rounded down to the step, within [min, max]. */
export function limitFor(monthlyIncome: number, pd: number, policy: UnderwritingPolicy): number {
  const riskFactor = Math.max(0, 1 - pd / policy.declineFromPd);
  const raw = Math.floor((monthlyIncome * policy.incomeMultiple * riskFactor) / policy.limitStep) * policy.limitStep;
  return Math.min(policy.maxLimit, Math.max(policy.minLimit, raw));
}

/** A staff member's decision on an application in manual review: approve (with their limit, or the model's) or decline. */
export interface StaffReview {
  approve: boolean;
  /** Fen; absent: the model's limit. */
  limit?: number;
  staffId: string;
}

/**
 * The outcome of an application the model sent to manual review: a staff decision made in time becomes
 * the outcome (their limit, else the model's); no decision in time declines it, saying so with
 * `MANUAL_REVIEW_EXPIRED` (PRODUCT §3). `decidedBy` is who the record names: the staff member, or the rule.
 */
export function manualReviewOutcome(scored: UnderwritingResult, review: StaffReview | undefined): { result: UnderwritingResult; decidedBy: string } {
  if (!review) {
    return { result: { ...scored, decision: 'DECLINE', limit: null, reasonCodes: [...scored.reasonCodes, 'MANUAL_REVIEW_EXPIRED'] }, decidedBy: 'system:review-timeout' };
  }
  return {
    result: { ...scored, decision: review.approve ? 'APPROVE' : 'DECLINE', limit: review.approve ? (review.limit ?? scored.limit) : null },
    decidedBy: `staff:${review.staffId}`,
  };
}
