/**
 * The underwriting phase of a line's first run: the model scores the application, a staff member
 * decides within the review period if the model asks for it (the `decideApplication` Update), every
 * decision is recorded, and the phase ends with the line opened or the application declined.
 *
 * The rule for a staff decision or its absence is the domain's (`manualReviewOutcome`); this file only
 * orders the steps. Its Update handler is registered on every run, by the workflow, before its first
 * await (as every handler is), and refuses any decision outside a review.
 */
import { ActivityFailure, ApplicationFailure, condition, log, patched, proxyActivities, setHandler, type ActivityOptions } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { Actor } from '../domain/audit';
import { openLine, type CreditLineState } from '../domain/line';
import type { Product } from '../domain/product';
import { manualReviewOutcome, type UnderwritingResult } from '../domain/underwriting';
import { nowIso } from './clock';
import { decideApplicationUpdate, type CreditLineInput, type ManualReviewDecision } from './messages';

const UNDERWRITING_ACTIVITIES: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', nonRetryableErrorTypes: ['APPLICATION_NOT_FOUND'] },
};
const { scoreApplication, recordUnderwritingDecision } = proxyActivities<Activities>(UNDERWRITING_ACTIVITIES);

/** The model version of an application no model could score. */
const UNSCORED = 'none';

/** How the phase ended: the line as opened (not yet written), or the application declined. */
/** Approved: the opened line, and who decided (the model, or a staff member after a review), for the audit trail. */
export type UnderwritingOutcome = { approved: true; line: CreditLineState; decidedBy: Actor } | { approved: false };

export class Underwriting {
  private recorded = 0;
  private inReview = false;
  private pendingReview: ManualReviewDecision | undefined;
  private ended: UnderwritingOutcome | undefined;

  constructor(private readonly input: CreditLineInput, private readonly product: Product) {}

  /** The read model's version while underwriting: one per decision recorded. */
  get version(): number {
    return this.recorded;
  }

  /** Registers the staff decision's Update: accepted only while a review waits; answered once the phase ends. */
  listen(): void {
    setHandler(decideApplicationUpdate, async (decision) => {
      this.pendingReview = decision;
      await condition(() => !this.inReview);
      return { status: this.ended?.approved ? 'APPROVED' : 'DECLINED' };
    }, {
      validator: (decision) => {
        if (!this.inReview || this.pendingReview) throw new Error('the application is not waiting for a manual review');
        if (decision.limit !== undefined && (!Number.isSafeInteger(decision.limit) || decision.limit <= 0)) throw new Error('limit must be a positive integer of fen');
      },
    });
  }

  /** Scores, waits for staff if needed (declined when the review period passes), records each decision. */
  async run(): Promise<UnderwritingOutcome> {
    const model = await this.score();
    // Reopened on review: a person decides whatever the score (the model's limit, or the smallest, stands as a proposal).
    const reopened = this.input.reopened;
    if (reopened) this.recorded = reopened.version;
    const scored: UnderwritingResult = reopened && model.decision !== 'MANUAL_REVIEW'
      ? { ...model, decision: 'MANUAL_REVIEW', limit: model.limit ?? this.product.underwriting.minLimit }
      : model;
    await this.record(scored, scored.modelVersion === UNSCORED ? 'system:underwriting' : `model:${scored.modelVersion}`);
    let outcome = scored;
    let decidedBy: Actor = { type: 'model', id: scored.modelVersion };
    if (scored.decision === 'MANUAL_REVIEW') {
      this.inReview = true;
      const decided = await condition(() => this.pendingReview !== undefined, `${this.product.underwriting.manualReviewDays} days`);
      const reviewed = manualReviewOutcome(scored, decided ? this.pendingReview : undefined);
      outcome = reviewed.result;
      // A staff decision is recorded with the staff member's note: who decided, and why.
      await this.record(outcome, reviewed.decidedBy, decided ? this.pendingReview?.note : undefined);
      const [kind, ...id] = reviewed.decidedBy.split(':');
      decidedBy = { type: kind === 'staff' ? 'staff' : 'system', id: id.join(':') };
    }
    const ended: UnderwritingOutcome = outcome.decision !== 'APPROVE' || outcome.limit === null
      ? { approved: false }
      : { approved: true, line: openLine({ ...this.input, limit: outcome.limit, now: nowIso(), version: this.recorded + 1 }), decidedBy };
    // A staff member's Update is answered from here on.
    this.ended = ended;
    this.inReview = false;
    return ended;
  }

  /**
   * The model's score; when the applicant's data cannot be had for good (a bureau that refuses the
   * request, a report that is not one) or not within `applicantDataWaitMinutes` (a bureau down), a
   * person decides instead: never a failed line, never an applicant waiting for ever, and loud.
   */
  private async score(): Promise<UnderwritingResult> {
    // Before patch `scoring-bounded`, scoring was retried for as long as the bureau was down.
    const score = patched('scoring-bounded')
      ? proxyActivities<Activities>({ ...UNDERWRITING_ACTIVITIES, scheduleToCloseTimeout: `${this.product.underwriting.applicantDataWaitMinutes} minutes` }).scoreApplication
      : scoreApplication;
    try {
      return await score(this.input.applicationId);
    } catch (err) {
      const reason = err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause.type ?? err.cause.message : String(err);
      log.error('the application could not be scored; it goes to manual review', { creditLineId: this.input.creditLineId, reason });
      return { decision: 'MANUAL_REVIEW', probabilityOfDefault: 1, limit: this.product.underwriting.minLimit, reasonCodes: ['APPLICANT_DATA_UNAVAILABLE'], modelVersion: UNSCORED };
    }
  }

  private async record(result: UnderwritingResult, decidedBy: string, note?: string): Promise<void> {
    this.recorded += 1;
    await recordUnderwritingDecision({
      applicationId: this.input.applicationId, creditLineId: this.input.creditLineId, result, decidedBy, decidedAt: nowIso(), version: this.recorded,
      ...(note ? { note } : {}),
    });
  }
}
