import { and, asc, eq, gt, sql, type SQL } from 'drizzle-orm';
import type { z } from 'zod';
import type { Database } from '../db/client';
import { applications, creditLines, underwritingDecisions } from '../db/schema';
import { readLineAt, type LineReadState } from '../domain/credit-line';
import { STANDARD_PRODUCT } from '../domain/product';
import type { Principal } from './auth';
import { problems } from './problem';
import type { creditLineSchema } from './schemas';

type CreditLineRow = typeof creditLines.$inferSelect;
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
    nextStatementDate: live?.nextStatementDate ?? row.nextStatementDate,
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
