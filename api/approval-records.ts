/**
 * The SQL the API reads maker–checker requests with (PRODUCT §10; API.md `/v1/support/approvals`), and
 * the model's limit a staff limit is compared with. The requests are written by the `staffApproval`
 * workflow's activities (activities/approvals.ts), never here.
 */
import { and, asc, desc, eq, like, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { approvals, lineDecisions, underwritingDecisions } from '../db/schema';
import type { ApprovalKind, ApprovalStatus } from '../domain/approvals';

export type ApprovalRow = typeof approvals.$inferSelect;

const iso = (t: string | null) => (t ? new Date(t).toISOString() : null);

/** A request as API.md shows it. */
export const toApproval = (r: ApprovalRow) => ({
  id: r.id,
  creditLineId: r.creditLineId,
  kind: r.kind as ApprovalKind,
  request: r.request as Record<string, unknown>,
  makerId: r.makerId,
  status: r.status as ApprovalStatus,
  checkerId: r.checkerId,
  checkerNote: r.checkerNote,
  requestedAt: iso(r.requestedAt)!,
  expiresAt: iso(r.expiresAt)!,
  decidedAt: iso(r.decidedAt),
  result: r.result ?? null,
});

export async function findApproval(db: Database, approvalId: string): Promise<ApprovalRow | undefined> {
  const [row] = await db.select().from(approvals).where(eq(approvals.id, approvalId));
  return row;
}

/** Where a page of the queue ends: the last request's `requested_at` (ms) and `seq` (ties). */
export interface ApprovalCursor { requestedAtMs: number; seq: number }

/** Requests by status (and line), oldest first (requested, then written), a page at a time. */
export async function approvalsPage(db: Database, page: { status?: ApprovalStatus; creditLineId?: string; cursor?: ApprovalCursor; limit: number }): Promise<{ rows: ApprovalRow[]; nextCursor: ApprovalCursor | null }> {
  const after = page.cursor;
  const rows = await db.select().from(approvals)
    .where(and(
      page.status ? eq(approvals.status, page.status) : undefined,
      page.creditLineId ? eq(approvals.creditLineId, page.creditLineId) : undefined,
      after ? sql`(${approvals.requestedAt}, ${approvals.seq}) > (${new Date(after.requestedAtMs).toISOString()}::timestamptz, ${after.seq})` : undefined,
    ))
    .orderBy(asc(approvals.requestedAt), asc(approvals.seq)).limit(page.limit + 1);
  const items = rows.slice(0, page.limit);
  const last = items.at(-1);
  return { rows: items, nextCursor: rows.length > page.limit && last ? { requestedAtMs: Date.parse(last.requestedAt), seq: last.seq } : null };
}

/**
 * The model's limit for a line (PRODUCT §10 "a limit above the model's"): the `to` of the model's latest
 * LIMIT_CHANGE decision on the line (its review at a statement), else the limit it gave at underwriting.
 * Null when neither is known: then every staff limit needs a checker.
 */
export async function modelLimitOf(db: Database, line: { id: string; applicationId: string }): Promise<number | null> {
  const [review] = await db.select({ details: lineDecisions.details }).from(lineDecisions)
    .where(and(eq(lineDecisions.creditLineId, line.id), eq(lineDecisions.kind, 'LIMIT_CHANGE'), like(lineDecisions.decidedBy, 'model:%')))
    .orderBy(desc(lineDecisions.seq)).limit(1);
  const to = (review?.details as { to?: unknown } | undefined)?.to;
  if (typeof to === 'number' && Number.isSafeInteger(to)) return to;
  const [underwriting] = await db.select({ limit: underwritingDecisions.limit }).from(underwritingDecisions).where(eq(underwritingDecisions.applicationId, line.applicationId));
  return underwriting?.limit ?? null;
}
