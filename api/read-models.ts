import { and, asc, desc, eq, gt, gte, inArray, lt, lte, sql, type SQL } from 'drizzle-orm';
import type { z } from 'zod';
import type { Database } from '../db/client';
import { applications, approvals, auditLog, collectionCases, collectionNotes, commandResults, creditLines, installments, messageAttempts, messages, rejectedLineEvents, statements, transactions, underwritingDecisions } from '../db/schema';
import { daysBetween } from '../domain/calendar';
import { readLineAt, type LineReadState } from '../domain/line';
import { maskPhone } from '../domain/notifications';
import { STANDARD_PRODUCT } from '../domain/product';
import type { Principal } from './auth';
import { problems } from './problem';
import { riskEventsOfLine, toRiskEvent } from './risk-records';
import type { creditLineSchema } from './schemas';

/*
 * The API's reads of lines, statements, messages and collections cases: routes and the line gateway
 * hold no SQL. Beside it, one module per staff concern: risk-records.ts (logins, rule hits),
 * decision-records.ts (decisions, reviews), approval-records.ts (maker–checker requests).
 * Finders that take a principal answer "not found" for anyone else's line (no enumeration).
 */

type CreditLineRow = typeof creditLines.$inferSelect;
export type StatementRow = typeof statements.$inferSelect;
export type TransactionRow = typeof transactions.$inferSelect;
export type InstallmentRow = typeof installments.$inferSelect;
export type CreditLineBody = z.infer<typeof creditLineSchema>;

const iso = (t: string | null) => (t ? new Date(t).toISOString() : null);

/**
 * The line as of `now` (API.md): an open line's stored state is brought up to the moment of the
 * request by the domain's own `advance` (cycle closes, penalties, days past due), so a read never
 * waits for the line to act. Lines not yet open (or stored before the state column) show their row.
 */
export function toCreditLine(row: CreditLineRow, now: Date): CreditLineBody {
  const state = row.state as LineReadState | null;
  const live = state && row.productId === STANDARD_PRODUCT.id ? readLineAt(state, now.toISOString(), STANDARD_PRODUCT) : null;
  return {
    id: row.id,
    customerId: row.customerId,
    productId: row.productId,
    status: live?.status ?? row.status as CreditLineBody['status'],
    suspensionReasons: live?.suspensionReasons ?? row.suspensionReasons as CreditLineBody['suspensionReasons'],
    limit: live?.limit ?? row.limit,
    available: live?.available ?? row.available,
    balance: live?.balance ?? row.balance,
    statementDay: row.statementDay,
    // A closed line has no next statement.
    nextStatementDate: (live?.status ?? row.status) === 'CLOSED' ? null : live?.nextStatementDate ?? row.nextStatementDate,
    currentDue: live ? live.currentDue : (row.currentDue as CreditLineBody['currentDue']) ?? null,
    daysPastDue: live?.daysPastDue ?? row.daysPastDue,
    openedAt: iso(row.openedAt),
    closedAt: iso(row.closedAt),
  };
}

/** Staff see every line; a customer only their own, and anyone else's line is "not found" (no enumeration). */
export async function findCreditLineFor(db: Database, principal: Principal, id: string): Promise<CreditLineRow> {
  const [row] = await db.select().from(creditLines).where(eq(creditLines.id, id));
  if (!row || (principal.role === 'customer' && row.customerId !== principal.subject)) throw problems.notFound(`credit line ${id}`);
  return row;
}

export async function creditLinesOfCustomer(db: Database, customerId: string): Promise<CreditLineRow[]> {
  return db.select().from(creditLines).where(eq(creditLines.customerId, customerId)).orderBy(asc(creditLines.openedAt), asc(creditLines.id));
}

/**
 * Lines by status, customer and days past due as of `today`. Days past due move with the calendar, so
 * the filter is on the oldest unpaid due date the row holds (its `currentDue`), which only a
 * payment moves, and every payment rewrites the row.
 */
export async function searchCreditLines(db: Database, filter: { status?: string; minDaysPastDue?: number; customerId?: string; after?: string; limit: number; today: string }): Promise<CreditLineRow[]> {
  const conditions: SQL[] = [];
  if (filter.status) conditions.push(eq(creditLines.status, filter.status));
  if (filter.minDaysPastDue !== undefined && filter.minDaysPastDue > 0) {
    conditions.push(sql`(${creditLines.currentDue}->>'dueDate')::date <= ${filter.today}::date - ${filter.minDaysPastDue}::int`);
  }
  if (filter.customerId) conditions.push(eq(creditLines.customerId, filter.customerId));
  if (filter.after) conditions.push(gt(creditLines.id, filter.after));
  return db.select().from(creditLines).where(and(...conditions)).orderBy(asc(creditLines.id)).limit(filter.limit);
}

export async function findApplicationFor(db: Database, principal: Principal, id: string) {
  const [row] = await db
    .select({ application: applications, decision: underwritingDecisions })
    .from(applications)
    .leftJoin(underwritingDecisions, eq(underwritingDecisions.applicationId, applications.id))
    .where(eq(applications.id, id));
  if (!row || (principal.role === 'customer' && row.application.customerId !== principal.subject)) throw problems.notFound(`application ${id}`);
  return row;
}

/** The answer already given to an Idempotency-Key on a line, if any. */
export async function answeredCommand(db: Database, creditLineId: string, idempotencyKey: string) {
  const [row] = await db.select().from(commandResults)
    .where(and(eq(commandResults.creditLineId, creditLineId), eq(commandResults.idempotencyKey, idempotencyKey)));
  return row;
}

/** A line's statements, newest first. */
export async function statementsOf(db: Database, creditLineId: string): Promise<StatementRow[]> {
  return db.select().from(statements).where(eq(statements.creditLineId, creditLineId)).orderBy(desc(statements.statementDate));
}

/**
 * One statement with the cycle's movements (from the start of periodStart to the end of periodEnd,
 * Shanghai time) and its installment plan; null when the line has no such statement.
 */
export async function statementWithLines(db: Database, creditLineId: string, statementId: string): Promise<{ statement: StatementRow; lines: TransactionRow[]; plan: InstallmentRow[] } | null> {
  const [statement] = await db.select().from(statements).where(and(eq(statements.creditLineId, creditLineId), eq(statements.id, statementId)));
  if (!statement) return null;
  const [lines, plan] = await Promise.all([
    db.select().from(transactions).where(and(
      eq(transactions.creditLineId, creditLineId),
      gte(transactions.occurredAt, `${statement.periodStart}T00:00:00+08:00`),
      lt(transactions.occurredAt, sql`(${statement.periodEnd}::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'`),
    )).orderBy(transactions.seq),
    db.select().from(installments).where(and(eq(installments.creditLineId, creditLineId), eq(installments.statementId, statement.id))).orderBy(installments.seq),
  ]);
  return { statement, lines, plan };
}

/** A page of a line's money movements, newest first: those before `cursor` (a seq), and the next cursor. */
export async function transactionsPage(db: Database, creditLineId: string, page: { cursor?: string; limit: number }): Promise<{ rows: TransactionRow[]; nextCursor: string | null }> {
  const rows = await db.select().from(transactions)
    .where(and(eq(transactions.creditLineId, creditLineId), page.cursor ? lte(transactions.seq, Number(page.cursor) - 1) : undefined))
    .orderBy(desc(transactions.seq)).limit(page.limit + 1);
  const items = rows.slice(0, page.limit);
  const last = items.at(-1);
  return { rows: items, nextCursor: rows.length > page.limit && last ? String(last.seq) : null };
}

// ── Messages and the audit trail ─────────────────────────────────────────────────────────────

type MessageRow = typeof messages.$inferSelect;

/** A customer's in-app inbox, newest first, a page at a time (the cursor is the last row's insertion order). */
export async function inboxPage(db: Database, customerId: string, page: { cursor?: string; limit: number }): Promise<{ rows: MessageRow[]; nextCursor: string | null }> {
  const rows = await db.select().from(messages)
    .where(and(eq(messages.customerId, customerId), eq(messages.channel, 'IN_APP'), page.cursor ? lt(messages.seq, Number(page.cursor)) : undefined))
    .orderBy(desc(messages.seq)).limit(page.limit + 1);
  const items = rows.slice(0, page.limit);
  const last = items.at(-1);
  return { rows: items, nextCursor: rows.length > page.limit && last ? String(last.seq) : null };
}

/** Marks the customer's in-app message read at `now` (the first reading counts); null when it is not theirs. */
export async function markMessageRead(db: Database, customerId: string, messageId: string, now: Date): Promise<MessageRow | null> {
  const mine = and(eq(messages.id, messageId), eq(messages.customerId, customerId), eq(messages.channel, 'IN_APP'));
  const [row] = await db.select().from(messages).where(mine);
  if (!row || row.readAt) return row ?? null;
  const [read] = await db.update(messages).set({ readAt: now.toISOString() }).where(mine).returning();
  return read ?? row;
}

/**
 * What support sees of a line's life, newest first: its audit trail, the messages it sent (SMS with
 * the phone masked, and each one's delivery attempts) and the events the database refused.
 */
export async function lineRecord(db: Database, creditLineId: string, phone: string, limit = 200) {
  const [trail, sent, attempts, refused, risk, cases, pending] = await Promise.all([
    db.select().from(auditLog).where(eq(auditLog.creditLineId, creditLineId)).orderBy(desc(auditLog.id)).limit(limit),
    db.select().from(messages).where(eq(messages.creditLineId, creditLineId)).orderBy(desc(messages.seq)).limit(limit),
    db.select({ attempt: messageAttempts }).from(messageAttempts).innerJoin(messages, eq(messages.id, messageAttempts.messageId))
      .where(eq(messages.creditLineId, creditLineId)).orderBy(asc(messageAttempts.id)),
    db.select().from(rejectedLineEvents).where(eq(rejectedLineEvents.creditLineId, creditLineId)).orderBy(desc(rejectedLineEvents.id)).limit(limit),
    riskEventsOfLine(db, creditLineId),
    db.select().from(collectionCases).where(eq(collectionCases.creditLineId, creditLineId)).orderBy(desc(collectionCases.seq)).limit(limit),
    db.select().from(approvals).where(and(eq(approvals.creditLineId, creditLineId), eq(approvals.status, 'PENDING'))).orderBy(asc(approvals.seq)),
  ]);
  const iso = (t: string | null) => (t ? new Date(t).toISOString() : null);
  return {
    audit: trail.map((a) => ({ action: a.action, actor: a.actor, reason: a.reason, details: a.details, occurredAt: iso(a.occurredAt), eventKey: a.eventKey })),
    messages: sent.map((m) => ({
      id: m.id, channel: m.channel, template: m.template, text: m.text, status: m.status, sendAt: iso(m.sendAt), deliveredAt: iso(m.deliveredAt), readAt: iso(m.readAt),
      ...(m.channel === 'SMS' ? { to: maskPhone(phone) } : {}),
      attempts: attempts.filter((x) => x.attempt.messageId === m.id).map(({ attempt }) => ({ provider: attempt.provider, result: attempt.result, detail: attempt.detail, at: iso(attempt.attemptedAt) })),
    })),
    rejectedEvents: refused.map((r) => ({ eventKey: r.eventKey, kind: r.kind, sqlstate: r.sqlstate, constraint: r.constraintName, reason: r.reason, at: iso(r.rejectedAt) })),
    // The rules' hits on the line (its last 100, newest first), enforced and shadow.
    riskEvents: risk.map(toRiskEvent),
    // Its collections cases (newest first) and the staff requests waiting for a second person.
    cases: cases.map((c) => ({
      caseId: c.id, status: c.status, openedDpd: c.openedDpd, dueDate: c.dueDate, openedAt: iso(c.openedAt), closedAt: iso(c.closedAt), closeReason: c.closeReason,
      amounts: { overduePrincipal: c.overduePrincipal, penalties: c.penalties, fees: c.fees, total: c.total },
    })),
    pendingApprovals: pending.map((a) => ({
      id: a.id, kind: a.kind, request: a.request, makerId: a.makerId, requestedAt: iso(a.requestedAt), expiresAt: iso(a.expiresAt),
    })),
  };
}

// ── The collections queue (PRODUCT §7: cases opened at DPD 15) ──────────────────────────────────

type CollectionCaseRow = typeof collectionCases.$inferSelect;
type CollectionNoteRow = typeof collectionNotes.$inferSelect;

/** How many of a line's messages a case shows, newest first. */
const CASE_MESSAGES = 20;

const toCollectionNote = (n: CollectionNoteRow) => ({
  type: 'NOTE' as const, id: String(n.id), kind: n.kind, note: n.note, staffId: n.staffId,
  promisedAmount: n.promisedAmount, promisedDate: n.promisedDate, at: new Date(n.createdAt).toISOString(),
});

/**
 * A page of open cases, oldest first (by the oldest unpaid due date, then by opening order), each
 * with its amounts, days past due as of `today`, the contacts made (the line's SMS and in-app
 * messages, newest 20, never a phone; and the case's notes), and the line's statements. The cursor
 * is the last case's `seq`: the next page starts after that case's (due date, seq).
 */
export async function collectionQueue(db: Database, page: { cursor?: string; limit: number; today: string }) {
  const after = page.cursor
    ? sql`(${collectionCases.dueDate}, ${collectionCases.seq}) > (SELECT c.due_date, c.seq FROM collection_cases c WHERE c.seq = ${Number(page.cursor)})`
    : undefined;
  const rows = await db.select().from(collectionCases)
    .where(and(eq(collectionCases.status, 'OPEN'), after))
    .orderBy(asc(collectionCases.dueDate), asc(collectionCases.seq)).limit(page.limit + 1);
  const cases = rows.slice(0, page.limit);
  const last = cases.at(-1);
  const nextCursor = rows.length > page.limit && last ? String(last.seq) : null;
  if (cases.length === 0) return { items: [], nextCursor };

  const lineIds = [...new Set(cases.map((c) => c.creditLineId))];
  const ranked = db.select({
    id: messages.id, creditLineId: messages.creditLineId, channel: messages.channel, kind: messages.kind, template: messages.template,
    text: messages.text, status: messages.status, sendAt: messages.sendAt, deliveredAt: messages.deliveredAt, createdAt: messages.createdAt, seq: messages.seq,
    rank: sql<number>`row_number() OVER (PARTITION BY ${messages.creditLineId} ORDER BY ${messages.seq} DESC)`.as('rank'),
  }).from(messages).where(inArray(messages.creditLineId, lineIds)).as('ranked');
  const [sent, notes, lineStatements] = await Promise.all([
    db.select().from(ranked).where(lte(ranked.rank, CASE_MESSAGES)).orderBy(desc(ranked.seq)),
    db.select().from(collectionNotes).where(inArray(collectionNotes.caseId, cases.map((c) => c.id))).orderBy(desc(collectionNotes.id)),
    db.select().from(statements).where(inArray(statements.creditLineId, lineIds)).orderBy(desc(statements.statementDate)),
  ]);
  const items = cases.map((c) => {
    const contacts = [
      ...sent.filter((m) => m.creditLineId === c.creditLineId).map((m) => ({
        type: 'MESSAGE' as const, id: m.id, channel: m.channel, kind: m.kind, template: m.template,
        // A one-time code is the customer's secret, not a contact: staff see that it went, not what it said.
        text: m.kind === 'CODE' ? null : m.text,
        status: m.status, sendAt: new Date(m.sendAt).toISOString(), deliveredAt: iso(m.deliveredAt), at: new Date(m.createdAt).toISOString(),
      })),
      ...notes.filter((n) => n.caseId === c.id).map(toCollectionNote),
    ].sort((a, b) => b.at.localeCompare(a.at));
    return {
      caseId: c.id, creditLineId: c.creditLineId, customerId: c.customerId, status: c.status as 'OPEN' | 'CLOSED',
      openedAt: new Date(c.openedAt).toISOString(), openedDpd: c.openedDpd, dueDate: c.dueDate,
      daysPastDue: Math.max(0, daysBetween(c.dueDate, page.today)),
      amounts: { overduePrincipal: c.overduePrincipal, penalties: c.penalties, fees: c.fees, total: c.total },
      contacts,
      statements: lineStatements.filter((s) => s.creditLineId === c.creditLineId).map((s) => ({
        id: s.id, statementDate: s.statementDate, dueDate: s.dueDate, amountDue: s.amountDue, paidAmount: s.paidAmount, status: s.status,
      })),
    };
  });
  return { items, nextCursor };
}

export interface CollectionNoteInput {
  caseId: string;
  staffId: string;
  kind: 'CONTACT' | 'PROMISE_TO_PAY';
  note: string;
  promisedAmount?: number;
  promisedDate?: string;
  now: Date;
}

/**
 * Records a staff member's note on an open case, with its audit row, in one transaction. The case's
 * row is locked (shared) meanwhile, so a close cannot slip in between the check and the note.
 */
export async function addCollectionNote(db: Database, input: CollectionNoteInput): Promise<
  { outcome: 'NOT_FOUND' } | { outcome: 'CLOSED'; case: CollectionCaseRow } | { outcome: 'ADDED'; note: ReturnType<typeof toCollectionNote> }
> {
  return db.transaction(async (tx) => {
    const [found] = await tx.select().from(collectionCases).where(eq(collectionCases.id, input.caseId)).for('share');
    if (!found) return { outcome: 'NOT_FOUND' as const };
    if (found.status !== 'OPEN') return { outcome: 'CLOSED' as const, case: found };
    const occurredAt = input.now.toISOString();
    const [note] = await tx.insert(collectionNotes).values({
      caseId: found.id, creditLineId: found.creditLineId, staffId: input.staffId, kind: input.kind, note: input.note,
      promisedAmount: input.promisedAmount ?? null, promisedDate: input.promisedDate ?? null, createdAt: occurredAt,
    }).returning();
    if (!note) throw new Error('the note was not written');
    await tx.insert(auditLog).values({
      creditLineId: found.creditLineId, eventKey: `${found.id}:note:${note.id}`, action: 'COLLECTION_NOTE', actor: `staff:${input.staffId}`,
      reason: input.kind, occurredAt,
      details: {
        caseId: found.id,
        ...(input.promisedAmount !== undefined ? { promisedAmount: input.promisedAmount } : {}),
        ...(input.promisedDate !== undefined ? { promisedDate: input.promisedDate } : {}),
      },
    });
    return { outcome: 'ADDED' as const, note: toCollectionNote(note) };
  });
}
