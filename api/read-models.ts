import { and, asc, eq, gt, gte, type SQL } from 'drizzle-orm';
import type { z } from 'zod';
import type { Database } from '../db/client';
import { applications, creditLines, underwritingDecisions } from '../db/schema';
import type { Principal } from './auth';
import { problems } from './problem';
import type { creditLineSchema } from './schemas';

type CreditLineRow = typeof creditLines.$inferSelect;
export type CreditLineBody = z.infer<typeof creditLineSchema>;

const iso = (t: string | null) => (t ? new Date(t).toISOString() : null);

export function toCreditLine(row: CreditLineRow): CreditLineBody {
  return {
    id: row.id,
    customerId: row.customerId,
    productId: row.productId,
    status: row.status as CreditLineBody['status'],
    suspensionReasons: row.suspensionReasons as CreditLineBody['suspensionReasons'],
    limit: row.limit,
    available: row.available,
    balance: row.balance,
    statementDay: row.statementDay,
    nextStatementDate: row.nextStatementDate,
    currentDue: (row.currentDue as CreditLineBody['currentDue']) ?? null,
    daysPastDue: row.daysPastDue,
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

export async function searchCreditLines(db: Database, filter: { status?: string; minDaysPastDue?: number; customerId?: string; after?: string; limit: number }): Promise<CreditLineRow[]> {
  const conditions: SQL[] = [];
  if (filter.status) conditions.push(eq(creditLines.status, filter.status));
  if (filter.minDaysPastDue !== undefined) conditions.push(gte(creditLines.daysPastDue, filter.minDaysPastDue));
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
