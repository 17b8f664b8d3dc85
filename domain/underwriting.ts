/**
 * Underwriting: an applicant's features in, a probability of default (PD), a decision band and a
 * limit out (PRODUCT §3). The PD and the reasons come from the credit scorecard (domain/scoring/),
 * trained by `npm run model:train`; the card is data, read by the activity and passed in. Pure, so
 * the scoring activity, the tests and a staff "explain this decision" view all get the same answer.
 */
import type { ApplicantFeatures } from './scoring/features';
import type { ReasonCode } from './scoring/reason-codes';
import { MAX_REASONS, scoreApplicant, type Scorecard } from './scoring/scorecard';

export type { ApplicantFeatures } from './scoring/features';

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
  /** The scorecard's version, e.g. `scorecard-2026.11.1`. */
  modelVersion: string;
}

/** The band a PD falls in under the policy. */
export function decisionFor(pd: number, policy: UnderwritingPolicy): UnderwritingDecision {
  return pd < policy.approveBelowPd ? 'APPROVE' : pd < policy.declineFromPd ? 'MANUAL_REVIEW' : 'DECLINE';
}

export function underwrite(features: ApplicantFeatures, policy: UnderwritingPolicy, model: Scorecard): UnderwritingResult {
  const { monthlyIncome, age } = features.declared;
  if (!Number.isSafeInteger(monthlyIncome) || monthlyIncome < 0) {
    throw new RangeError('monthlyIncome must be a non-negative integer of fen');
  }
  const score = scoreApplicant(model, features);
  const pd = score.probabilityOfDefault;
  // Minors are declined by policy whatever they score; the score is still recorded with the decision.
  if (age < policy.minimumAge) {
    const belowMinimum: ReasonCode[] = ['AGE_BELOW_MINIMUM', ...score.reasonCodes.filter((c) => c !== 'AGE_OUTSIDE_PRIME')];
    const reasonCodes = belowMinimum.slice(0, MAX_REASONS);
    return { decision: 'DECLINE', probabilityOfDefault: pd, limit: null, reasonCodes, modelVersion: model.version };
  }
  const decision = decisionFor(pd, policy);
  return {
    decision,
    probabilityOfDefault: pd,
    limit: decision === 'DECLINE' ? null : limitFor(monthlyIncome, pd, policy),
    reasonCodes: score.reasonCodes,
    modelVersion: model.version,
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
