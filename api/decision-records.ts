/**
 * The SQL of automated decisions and their human reviews (PIPL Art. 24; API.md `Decision`,
 * `/v1/support/reviews`): decisions are written by the line's events and by underwriting; reviews
 * are asked for by customers and resolved by staff here, each step in the audit trail.
 */
import { and, asc, desc, eq, gt, inArray } from 'drizzle-orm';
import type { Database } from '../db/client';
import { auditLog, decisionReviews, lineDecisions } from '../db/schema';

export type DecisionRow = typeof lineDecisions.$inferSelect;
export type ReviewRow = typeof decisionReviews.$inferSelect;

export const reviewIdFor = (creditLineId: string, decisionId: string): string => `${creditLineId}:review:${decisionId}`;

/** A line's decisions, newest first, each with its review (if one was asked for). */
export async function decisionsOfLine(db: Database, creditLineId: string, limit = 200): Promise<{ decision: DecisionRow; review: ReviewRow | null }[]> {
  const decisions = await db.select().from(lineDecisions).where(eq(lineDecisions.creditLineId, creditLineId)).orderBy(desc(lineDecisions.seq)).limit(limit);
  const reviews = decisions.length === 0 ? [] : await db.select().from(decisionReviews)
    .where(and(eq(decisionReviews.creditLineId, creditLineId), inArray(decisionReviews.decisionId, decisions.map((d) => d.id))));
  return decisions.map((decision) => ({ decision, review: reviews.find((r) => r.decisionId === decision.id) ?? null }));
}

export async function findDecision(db: Database, creditLineId: string, decisionId: string): Promise<DecisionRow | undefined> {
  const [row] = await db.select().from(lineDecisions).where(and(eq(lineDecisions.creditLineId, creditLineId), eq(lineDecisions.id, decisionId)));
  return row;
}

/** Asks for a review of a decision; asked already, the review there is answered (one per decision). */
export async function requestReview(db: Database, decision: DecisionRow, customerActor: string, at: string): Promise<ReviewRow> {
  const id = reviewIdFor(decision.creditLineId, decision.id);
  return db.transaction(async (tx) => {
    const [added] = await tx.insert(decisionReviews).values({
      id, creditLineId: decision.creditLineId, decisionId: decision.id, customerId: decision.customerId, status: 'REQUESTED', requestedAt: at,
    }).onConflictDoNothing().returning();
    if (added) {
      await tx.insert(auditLog).values({
        creditLineId: decision.creditLineId, eventKey: id, action: 'REVIEW_REQUESTED', actor: customerActor, reason: null,
        details: { decisionId: decision.id, kind: decision.kind }, occurredAt: at,
      }).onConflictDoNothing();
      return added;
    }
    const [existing] = await tx.select().from(decisionReviews).where(eq(decisionReviews.id, id));
    return existing!;
  });
}

/** The staff queue: reviews by status, oldest first, a page at a time (the cursor is the last row's order). */
export async function reviewsPage(db: Database, page: { status?: string; cursor?: number; limit: number }): Promise<{ rows: { review: ReviewRow; decision: DecisionRow }[]; nextCursor: number | null }> {
  const rows = await db.select({ review: decisionReviews, decision: lineDecisions }).from(decisionReviews)
    .innerJoin(lineDecisions, and(eq(lineDecisions.creditLineId, decisionReviews.creditLineId), eq(lineDecisions.id, decisionReviews.decisionId)))
    .where(and(page.status ? eq(decisionReviews.status, page.status) : undefined, page.cursor ? gt(decisionReviews.seq, page.cursor) : undefined))
    .orderBy(asc(decisionReviews.seq)).limit(page.limit + 1);
  const items = rows.slice(0, page.limit);
  const last = items.at(-1);
  return { rows: items, nextCursor: rows.length > page.limit && last ? last.review.seq : null };
}

export async function findReview(db: Database, reviewId: string): Promise<{ review: ReviewRow; decision: DecisionRow } | undefined> {
  const [row] = await db.select({ review: decisionReviews, decision: lineDecisions }).from(decisionReviews)
    .innerJoin(lineDecisions, and(eq(lineDecisions.creditLineId, decisionReviews.creditLineId), eq(lineDecisions.id, decisionReviews.decisionId)))
    .where(eq(decisionReviews.id, reviewId));
  return row;
}

/** Resolves a review still REQUESTED (false: someone resolved it first), audited with the staff member and note. */
export async function resolveReview(db: Database, review: ReviewRow, outcome: 'UPHELD' | 'REVERSED', staffActor: string, note: string, at: string): Promise<ReviewRow | null> {
  return db.transaction(async (tx) => {
    const [resolved] = await tx.update(decisionReviews).set({ status: outcome, resolvedAt: at, resolvedBy: staffActor, note })
      .where(and(eq(decisionReviews.id, review.id), eq(decisionReviews.status, 'REQUESTED'))).returning();
    if (!resolved) return null;
    await tx.insert(auditLog).values({
      creditLineId: review.creditLineId, eventKey: review.id, action: `REVIEW_${outcome}`, actor: staffActor, reason: note,
      details: { decisionId: review.decisionId }, occurredAt: at,
    }).onConflictDoNothing();
    return resolved;
  });
}
