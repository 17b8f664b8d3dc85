/**
 * Re-scoring a line on its own behaviour at a statement (PRODUCT §8): the application's features with
 * the line's record folded in, scored by the same card, so a limit rise or cut rests on the model and
 * its reasons. The card was trained on applications, which have no line, so the line's record enters
 * through the characteristics that mean the same thing:
 * - each cycle paid on time is one more on-time repayment, each missed cycle one more late repayment
 *   (the line is one of the platform's products: its record joins the platform's);
 * - a cycle 30 or more days past due is a delinquency, as the bureau would report it;
 * - the line's balance is debt: utilization × the limit the model gives on the application features
 *   (the line's limit unless staff set another), added to the bureau's outstanding debt (the bureau
 *   contract reports debt without this line, so it is never counted twice).
 * Each of these can only move the PD one way, because the card's characteristics are monotonic.
 */
import type { UnderwritingPolicy } from '../underwriting';
import { limitFor } from '../underwriting';
import type { ApplicantFeatures } from './features';
import type { ReasonCode } from './reason-codes';
import { MAX_REASONS, scoreApplicant, type Scorecard } from './scorecard';

/** The line's record over its cycles with a due date, as the line counts it. */
export interface LineBehaviour {
  onTimeCycles: number;
  missedCycles: number;
  maxDaysPastDue: number;
  /** Balance over limit, in thousandths (0–1000, more when over the limit). */
  utilizationPermille: number;
}

export interface Rescore {
  probabilityOfDefault: number;
  /** What the model would lend now (fen): the application's limit rule at the new PD. */
  modelLimit: number;
  reasonCodes: ReasonCode[];
}

/** Days past due from which a missed cycle counts as a delinquency (the bureau's 30+). */
export const DELINQUENT_FROM_DAYS_PAST_DUE = 30;
/** From this utilization the line's own use is named among the reasons. */
export const HIGH_UTILIZATION_PERMILLE = 800;

function checkBehaviour(b: LineBehaviour): void {
  for (const [name, value] of Object.entries(b)) {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer`);
  }
}

/** The application's features with the line's record folded in (see the module comment). */
export function withLineRecord(features: ApplicantFeatures, behaviour: LineBehaviour, lineLimit: number): ApplicantFeatures {
  checkBehaviour(behaviour);
  const { platform, bureau } = features;
  return {
    declared: features.declared,
    platform: {
      ...platform,
      onTimeRepayments: platform.onTimeRepayments + behaviour.onTimeCycles,
      lateRepayments: platform.lateRepayments + behaviour.missedCycles,
    },
    bureau: {
      ...bureau,
      delinquencies24Months: bureau.delinquencies24Months + (behaviour.maxDaysPastDue >= DELINQUENT_FROM_DAYS_PAST_DUE ? 1 : 0),
      outstandingDebt: bureau.outstandingDebt + Math.round((lineLimit * behaviour.utilizationPermille) / 1000),
    },
  };
}

export function rescore(features: ApplicantFeatures, behaviour: LineBehaviour, model: Scorecard, policy: UnderwritingPolicy): Rescore {
  const atApplication = scoreApplicant(model, features);
  const lineLimit = limitFor(features.declared.monthlyIncome, atApplication.probabilityOfDefault, policy);
  const score = scoreApplicant(model, withLineRecord(features, behaviour, lineLimit));
  // The line's own conduct is named as such; a late repayment or delinquency that is only the line's is not named twice.
  const own: ReasonCode[] = [];
  if (behaviour.missedCycles > 0 || behaviour.maxDaysPastDue > 0) own.push('MISSED_LINE_PAYMENTS');
  if (behaviour.utilizationPermille >= HIGH_UTILIZATION_PERMILLE) own.push('HIGH_LINE_UTILIZATION');
  const onlyTheLines = new Set<ReasonCode>([
    ...(features.platform.lateRepayments === 0 ? ['LATE_PLATFORM_REPAYMENTS' as const] : []),
    ...(features.bureau.delinquencies24Months === 0 ? ['BUREAU_DELINQUENCIES' as const] : []),
  ]);
  const fromCard = score.reasonCodes.filter((c) => !(own.includes('MISSED_LINE_PAYMENTS') && onlyTheLines.has(c)));
  return {
    probabilityOfDefault: score.probabilityOfDefault,
    modelLimit: limitFor(features.declared.monthlyIncome, score.probabilityOfDefault, policy),
    reasonCodes: [...new Set([...own, ...fromCard])].slice(0, MAX_REASONS),
  };
}
