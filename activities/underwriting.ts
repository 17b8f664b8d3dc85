import { ApplicationFailure } from '@temporalio/common';
import { and, eq, lt, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { applications, auditLog, creditLines, underwritingDecisions } from '../db/schema';
import { underwrite, type UnderwritingPolicy, type UnderwritingResult } from '../domain/underwriting';
import { withCleanErrors } from './errors';

export interface UnderwritingDeps {
  db: Database;
  policy: UnderwritingPolicy;
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

export function createUnderwritingActivities({ db, policy }: UnderwritingDeps) {
  return {
    /** Reads the applicant's features (they never enter workflow history) and scores them. */
    scoreApplication: (applicationId: string): Promise<UnderwritingResult> => withCleanErrors(async () => {
      const [application] = await db.select().from(applications).where(eq(applications.id, applicationId));
      if (!application) {
        throw ApplicationFailure.nonRetryable(`application ${applicationId} does not exist`, 'APPLICATION_NOT_FOUND');
      }
      return underwrite(application, policy);
    }),

    /** Stores the decision with its features and reasons, and projects it onto the application and the line. */
    recordUnderwritingDecision: (input: RecordDecisionInput): Promise<void> => withCleanErrors(async () => {
      const { result } = input;
      const applicationStatus = result.decision === 'APPROVE' ? 'APPROVED' : result.decision === 'DECLINE' ? 'DECLINED' : 'MANUAL_REVIEW';
      const lineStatus = result.decision === 'APPROVE' ? 'ACTIVE' : result.decision === 'DECLINE' ? 'DECLINED' : 'UNDERWRITING';
      await db.transaction(async (tx) => {
        const [application] = await tx.select().from(applications).where(eq(applications.id, input.applicationId));
        if (!application) throw ApplicationFailure.nonRetryable(`application ${input.applicationId} does not exist`, 'APPLICATION_NOT_FOUND');
        const features = { monthlyIncome: application.monthlyIncome, employmentMonths: application.employmentMonths, age: application.age };
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
        });
        // The trail: every decision, the model's and then a staff member's, with who and why.
        await tx.insert(auditLog).values({
          creditLineId: input.creditLineId, eventKey: `${input.creditLineId}:UNDERWRITING:${input.version}`, action: `UNDERWRITING_${result.decision}`,
          actor: input.decidedBy, reason: input.note ?? (result.reasonCodes.join(',') || null),
          details: { probabilityOfDefault: result.probabilityOfDefault, limit: result.limit, modelVersion: result.modelVersion }, occurredAt: input.decidedAt,
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
  };
}
