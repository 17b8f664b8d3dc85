import { ApplicationFailure } from '@temporalio/common';
import { and, eq, lt, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { applications, auditLog, creditLines, lineDecisions, underwritingDecisions } from '../db/schema';
import { rescore, type LineBehaviour } from '../domain/scoring/behaviour';
import type { ApplicantFeatures, ReportSource } from '../domain/scoring/features';
import type { Scorecard } from '../domain/scoring/scorecard';
import { underwrite, type UnderwritingPolicy, type UnderwritingResult } from '../domain/underwriting';
import { systemClock, type Clock } from '../runtime/clock';
import { fetchApplicantData, SYNTHETIC_PROVIDERS, type ApplicantDataProviders } from './applicant-data';
import { withCleanErrors } from './errors';
import { loadScorecard } from './scorecard';

export interface UnderwritingDeps {
  db: Database;
  policy: UnderwritingPolicy;
  /** The credit scorecard; the committed current one unless given. */
  scorecard?: Scorecard;
  /** The bureau and platform-history providers; the synthetic stand-ins unless given. */
  applicantData?: ApplicantDataProviders;
  clock?: Clock;
}

export interface RecordDecisionInput {
  applicationId: string;
  creditLineId: string;
  result: UnderwritingResult;
  /** The model, or the staff member who decided a manual review. */
  decidedBy: string;
  decidedAt: string;
  /** The workflow's read-model version for this write. */
  version: number;
  /** A staff member's note on a manual review (the audit trail's "why"). */
  note?: string;
}

export interface RescoreLineInput {
  creditLineId: string;
  behaviour: LineBehaviour;
}

/** Figures and codes only: it goes into workflow history. */
export interface RescoreLineResult {
  probabilityOfDefault: number;
  modelLimit: number;
  reasonCodes: string[];
  modelVersion: string;
}

const LINE_OUTCOME = { APPROVE: 'APPROVED', MANUAL_REVIEW: 'MANUAL_REVIEW', DECLINE: 'DECLINED' } as const;

type ApplicationRow = typeof applications.$inferSelect;

/**
 * Where each report came from. `null` for an application scored before reports were kept (by the
 * income rule, features `{ monthlyIncome, employmentMonths, age }`) and decided by staff after.
 */
function sourcesOf(features: unknown): { bureau: ReportSource | null; platformHistory: ReportSource | null } {
  const f = features as Partial<ApplicantFeatures>;
  return { bureau: f.bureau?.source ?? null, platformHistory: f.platform?.source ?? null };
}

export function createUnderwritingActivities(deps: UnderwritingDeps) {
  const { db, policy } = deps;
  const scorecard = deps.scorecard ?? loadScorecard();
  const providers = deps.applicantData ?? SYNTHETIC_PROVIDERS;
  const clock = deps.clock ?? systemClock;

  /** What was declared (from the application) and what the providers report, for one applicant. */
  async function featuresOf(application: ApplicationRow): Promise<ApplicantFeatures> {
    const { bureau, platform } = await fetchApplicantData(providers, application.customerId);
    return { declared: { monthlyIncome: application.monthlyIncome, employmentMonths: application.employmentMonths, age: application.age }, platform, bureau };
  }

  async function applicationOf(applicationId: string): Promise<ApplicationRow> {
    const [application] = await db.select().from(applications).where(eq(applications.id, applicationId));
    if (!application) throw ApplicationFailure.nonRetryable(`application ${applicationId} does not exist`, 'APPLICATION_NOT_FOUND');
    return application;
  }

  return {
    /**
     * Reads the applicant's declared features (they never enter workflow history), fetches the bureau
     * report and platform history, scores them, and keeps the features scored with the decision, so
     * the record holds exactly what was scored whatever a provider answers later.
     */
    scoreApplication: (applicationId: string): Promise<UnderwritingResult> => withCleanErrors(async () => {
      const application = await applicationOf(applicationId);
      const features = await featuresOf(application);
      const result = underwrite(features, policy, scorecard);
      const scored = {
        decision: result.decision, probabilityOfDefault: result.probabilityOfDefault, limit: result.limit, modelVersion: result.modelVersion,
        features, reasonCodes: result.reasonCodes, decidedBy: `model:${result.modelVersion}`, decidedAt: (await clock()).toISOString(),
      };
      // A retried (or re-opened) scoring replaces what an earlier one kept: the workflow acts on the last answer.
      await db.insert(underwritingDecisions).values({ applicationId, ...scored })
        .onConflictDoUpdate({ target: underwritingDecisions.applicationId, set: scored });
      return result;
    }),

    /**
     * Stores the decision with its features and reasons, projects it onto the application and the line,
     * and records it among the line's automated decisions (API.md `Decision`).
     */
    recordUnderwritingDecision: (input: RecordDecisionInput): Promise<void> => withCleanErrors(async () => {
      const { result } = input;
      const applicationStatus = result.decision === 'APPROVE' ? 'APPROVED' : result.decision === 'DECLINE' ? 'DECLINED' : 'MANUAL_REVIEW';
      const lineStatus = result.decision === 'APPROVE' ? 'ACTIVE' : result.decision === 'DECLINE' ? 'DECLINED' : 'UNDERWRITING';
      const application = await applicationOf(input.applicationId);
      // The features scoring kept; fetched again only if scoring kept none (the providers are deterministic by customer).
      const [kept] = await db.select({ features: underwritingDecisions.features }).from(underwritingDecisions).where(eq(underwritingDecisions.applicationId, input.applicationId));
      const features: unknown = kept?.features ?? await featuresOf(application);
      await db.transaction(async (tx) => {
        // A manual review is decided twice (model, then staff): the final decision replaces the first.
        await tx.insert(underwritingDecisions).values({
          applicationId: input.applicationId,
          decision: result.decision,
          probabilityOfDefault: result.probabilityOfDefault,
          limit: result.limit,
          modelVersion: result.modelVersion,
          features,
          reasonCodes: result.reasonCodes,
          decidedBy: input.decidedBy,
          decidedAt: input.decidedAt,
        }).onConflictDoUpdate({
          target: underwritingDecisions.applicationId,
          set: { decision: result.decision, limit: result.limit, reasonCodes: result.reasonCodes, decidedBy: input.decidedBy, decidedAt: input.decidedAt },
          // A late retry of the model's record never overwrites the staff decision made after it.
          setWhere: sql`${underwritingDecisions.decidedAt} <= ${input.decidedAt}`,
        });
        const details = { probabilityOfDefault: result.probabilityOfDefault, limit: result.limit, modelVersion: result.modelVersion };
        // The trail: every decision, the model's and then a staff member's, with who and why.
        await tx.insert(auditLog).values({
          creditLineId: input.creditLineId, eventKey: `${input.creditLineId}:UNDERWRITING:${input.version}`, action: `UNDERWRITING_${result.decision}`,
          actor: input.decidedBy, reason: input.note ?? (result.reasonCodes.join(',') || null), details, occurredAt: input.decidedAt,
        }).onConflictDoNothing();
        // The line's automated decisions: what a customer may ask to have explained or reviewed.
        await tx.insert(lineDecisions).values({
          creditLineId: input.creditLineId, id: `uw-${input.version}`, customerId: application.customerId, kind: 'UNDERWRITING',
          outcome: LINE_OUTCOME[result.decision], reasons: result.reasonCodes, adverse: result.decision === 'DECLINE',
          decidedBy: input.decidedBy, decidedAt: input.decidedAt,
          details: { ...details, sources: sourcesOf(features) },
        }).onConflictDoNothing();
        // A declined application no longer holds the customer's one line (API.md: APPLICATION_EXISTS).
        await tx.update(applications)
          .set({ status: applicationStatus, updatedAt: sql`now()`, ...(result.decision === 'DECLINE' ? { endedAt: input.decidedAt } : {}) })
          .where(eq(applications.id, input.applicationId));
        const limit = result.decision === 'APPROVE' ? (result.limit ?? 0) : 0;
        await tx.update(creditLines)
          .set({
            status: lineStatus,
            limit,
            available: limit,
            openedAt: result.decision === 'APPROVE' ? input.decidedAt : null,
            closedAt: result.decision === 'DECLINE' ? input.decidedAt : null,
            version: input.version,
            updatedAt: sql`now()`,
          })
          .where(and(eq(creditLines.id, input.creditLineId), lt(creditLines.version, input.version)));
      });
    }),

    /**
     * Re-scores a line on its own behaviour at a statement (PRODUCT §8): the application's declared
     * features, fresh reports from the providers, and the line's record (domain/scoring/behaviour.ts).
     */
    rescoreLine: (input: RescoreLineInput): Promise<RescoreLineResult> => withCleanErrors(async () => {
      const [line] = await db.select({ applicationId: creditLines.applicationId }).from(creditLines).where(eq(creditLines.id, input.creditLineId));
      if (!line) throw ApplicationFailure.nonRetryable(`credit line ${input.creditLineId} does not exist`, 'CREDIT_LINE_NOT_FOUND');
      const features = await featuresOf(await applicationOf(line.applicationId));
      let rescored;
      try {
        rescored = rescore(features, input.behaviour, scorecard, policy);
      } catch (err) {
        if (err instanceof RangeError) throw ApplicationFailure.nonRetryable(err.message, 'LINE_BEHAVIOUR_INVALID');
        throw err;
      }
      return { ...rescored, modelVersion: scorecard.version };
    }),
  };
}
