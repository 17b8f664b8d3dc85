import { condition, proxyActivities, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { UnderwritingResult } from '../domain/underwriting';
import {
  decideApplicationUpdate, searchAttributes, stateQuery,
  type CreditLineInput, type CreditLineStatus, type CreditLineView, type ManualReviewDecision,
} from './messages';

const { scoreApplication, recordUnderwritingDecision } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', nonRetryableErrorTypes: ['APPLICATION_NOT_FOUND'] },
});

/** A manual review not decided within this time declines automatically (PRODUCT §3). */
const MANUAL_REVIEW_TIMEOUT = '7 days';

/** One customer's credit line, from application to closure. */
export async function creditLine(input: CreditLineInput): Promise<CreditLineView> {
  let status: CreditLineStatus = 'UNDERWRITING';
  let limit: number | null = null;
  let version = 0;
  let pendingReview: ManualReviewDecision | undefined;
  let inReview = false;

  const view = (): CreditLineView => ({ creditLineId: input.creditLineId, customerId: input.customerId, status, limit, version });
  setHandler(stateQuery, view);
  setHandler(decideApplicationUpdate, async (decision) => {
    pendingReview = decision;
    await condition(() => !inReview);
    return { status: status === 'ACTIVE' ? 'APPROVED' : 'DECLINED' };
  }, {
    validator: (decision) => {
      if (!inReview || pendingReview) throw new Error('the application is not waiting for a manual review');
      if (decision.limit !== undefined && (!Number.isSafeInteger(decision.limit) || decision.limit <= 0)) throw new Error('limit must be a positive integer of fen');
    },
  });

  const setStatus = (next: CreditLineStatus) => {
    status = next;
    upsertSearchAttributes([{ key: searchAttributes.status, value: next }]);
  };
  const record = async (result: UnderwritingResult, decidedBy: string) => {
    version += 1;
    await recordUnderwritingDecision({
      applicationId: input.applicationId,
      creditLineId: input.creditLineId,
      result,
      decidedBy,
      decidedAt: new Date(Date.now()).toISOString(),
      version,
    });
  };

  const scored = await scoreApplication(input.applicationId);
  await record(scored, `model:${scored.modelVersion}`);
  let outcome = scored;
  if (scored.decision === 'MANUAL_REVIEW') {
    inReview = true;
    const decided = await condition(() => pendingReview !== undefined, MANUAL_REVIEW_TIMEOUT);
    const review = pendingReview;
    outcome = decided && review
      ? { ...scored, decision: review.approve ? 'APPROVE' : 'DECLINE', limit: review.approve ? (review.limit ?? scored.limit) : null }
      : { ...scored, decision: 'DECLINE', limit: null, reasonCodes: [...scored.reasonCodes, 'MANUAL_REVIEW_EXPIRED'] };
    await record(outcome, decided && review ? `staff:${review.staffId}` : 'system:review-timeout');
  }
  if (outcome.decision !== 'APPROVE') {
    setStatus('DECLINED');
    inReview = false;
    return view();
  }
  limit = outcome.limit;
  setStatus('ACTIVE');
  inReview = false;

  // The line's life after approval (purchases, statements, collections) is driven from here.
  await condition(() => status === 'CLOSED' || workflowInfo().continueAsNewSuggested);
  return view();
}
