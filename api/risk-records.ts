/**
 * The SQL of risk monitoring (PRODUCT §8): the platform's logins, the rules' hits (staff alerts), and
 * finding a customer's open line for a login. The velocity rule's hits are written by the line's own
 * events (activities/ledger.ts); this module reads them with the login rules' hits.
 */
import { and, asc, desc, eq, gte, inArray, lte, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { applications, creditLines, loginEvents, riskEvents } from '../db/schema';
import type { Login } from '../domain/risk/login';

type CreditLineRow = typeof creditLines.$inferSelect;

type RiskEventRow = typeof riskEvents.$inferSelect;
export type RiskEventInput = Omit<typeof riskEvents.$inferInsert, 'seq'>;

/** A risk event as API.md shows it (`RiskEvent`). */
export const toRiskEvent = (r: RiskEventRow) => ({
  id: r.id, creditLineId: r.creditLineId, customerId: r.customerId, rule: r.rule, shadow: r.shadow,
  figures: r.figures as Record<string, unknown>, action: r.action as 'NONE' | 'DECLINE' | 'SUSPEND', occurredAt: new Date(r.occurredAt).toISOString(),
});

/**
 * Stores a login the platform reported and answers its id; a retry of the same report (same customer,
 * device, moment and outcome) is the login stored the first time. The device, IP and city stay here.
 */
export async function recordLogin(db: Database, login: { customerId: string; deviceId: string; ip: string; city: string; success: boolean; occurredAt: string }): Promise<number> {
  const [inserted] = await db.insert(loginEvents).values(login).onConflictDoNothing().returning({ id: loginEvents.id });
  if (inserted) return inserted.id;
  const [stored] = await db.select({ id: loginEvents.id }).from(loginEvents).where(and(
    eq(loginEvents.customerId, login.customerId), eq(loginEvents.deviceId, login.deviceId),
    eq(loginEvents.occurredAt, login.occurredAt), eq(loginEvents.success, login.success),
  ));
  if (!stored) throw new Error('a login that conflicted on insert was not found');
  return stored.id;
}

/** How many of a customer's logins a window holds at most (newest kept): a flood of attempts cannot make a read unbounded. */
const LOGIN_HISTORY_CAP = 10_000;

/** A customer's logins from `from` to `to` (both included) but the one `except`, newest first, for the login rules. */
export async function loginsOfCustomer(db: Database, customerId: string, window: { from: string; to: string; except: number }): Promise<Login[]> {
  const rows = await db.select({ deviceId: loginEvents.deviceId, city: loginEvents.city, success: loginEvents.success, occurredAt: loginEvents.occurredAt })
    .from(loginEvents)
    .where(and(
      eq(loginEvents.customerId, customerId), gte(loginEvents.occurredAt, window.from), lte(loginEvents.occurredAt, window.to),
      sql`${loginEvents.id} <> ${window.except}`,
    ))
    .orderBy(desc(loginEvents.occurredAt)).limit(LOGIN_HISTORY_CAP);
  return rows.map((r) => ({ ...r, occurredAt: new Date(r.occurredAt).toISOString() }));
}

/** The customer's open line (ACTIVE or SUSPENDED, of the application that holds their one line), if any. */
export async function openLineOfCustomer(db: Database, customerId: string): Promise<CreditLineRow | undefined> {
  const [row] = await db.select({ line: creditLines }).from(creditLines)
    .innerJoin(applications, eq(applications.id, creditLines.applicationId))
    .where(and(eq(applications.customerId, customerId), sql`${applications.endedAt} IS NULL`, inArray(creditLines.status, ['ACTIVE', 'SUSPENDED'])));
  return row?.line;
}

/** Stores rule hits once each (ids are deterministic: a retry stores nothing) and answers them as stored, in the order given. */
export async function recordRiskEvents(db: Database, events: RiskEventInput[]): Promise<RiskEventRow[]> {
  if (events.length === 0) return [];
  await db.insert(riskEvents).values(events).onConflictDoNothing({ target: riskEvents.id });
  const stored = await db.select().from(riskEvents).where(inArray(riskEvents.id, events.map((e) => e.id)));
  return events.map((e) => {
    const row = stored.find((s) => s.id === e.id);
    if (!row) throw new Error(`risk event ${e.id} was not stored`);
    return row;
  });
}

/**
 * Staff alerts: every line's risk events from `since`, oldest first by (occurred_at, seq), a page at a
 * time. The cursor is the last event's `seq`; the next page starts after that event's (occurred_at, seq).
 */
export async function riskEventsPage(db: Database, page: { since?: string; cursor?: number; limit: number }): Promise<{ rows: RiskEventRow[]; nextCursor: number | null }> {
  const after = page.cursor === undefined
    ? undefined
    : sql`(${riskEvents.occurredAt}, ${riskEvents.seq}) > (SELECT r.occurred_at, r.seq FROM risk_events r WHERE r.seq = ${page.cursor})`;
  const rows = await db.select().from(riskEvents)
    .where(and(page.since ? gte(riskEvents.occurredAt, page.since) : undefined, after))
    .orderBy(asc(riskEvents.occurredAt), asc(riskEvents.seq)).limit(page.limit + 1);
  const items = rows.slice(0, page.limit);
  const last = items.at(-1);
  return { rows: items, nextCursor: rows.length > page.limit && last ? last.seq : null };
}

/** A line's risk events, newest first. */
export async function riskEventsOfLine(db: Database, creditLineId: string, limit = 100): Promise<RiskEventRow[]> {
  return db.select().from(riskEvents).where(eq(riskEvents.creditLineId, creditLineId)).orderBy(desc(riskEvents.seq)).limit(limit);
}
