import { and, eq, isNull } from 'drizzle-orm';
import type { Database } from './client';
import { databaseErrorFacts } from './errors';
import { applications, creditLines } from './schema';

export interface NewApplication {
  applicationId: string;
  creditLineId: string;
  customerId: string;
  productId: string;
  phone: string;
  monthlyIncome: number;
  employmentMonths: number;
  age: number;
  statementDay: number;
}

/** The application that holds the customer's one line (under review or open), if any. */
export type ExistingApplication = { applicationId: string; creditLineId: string };

/**
 * An application is received together with its (still underwriting) line, in one transaction, unless
 * the customer already has a line that is not DECLINED or CLOSED: then nothing is written and that
 * one is returned. A unique index decides, so concurrent applications cannot both get through.
 */
export async function insertApplication(db: Database, a: NewApplication): Promise<{ inserted: true } | { inserted: false; existing: ExistingApplication }> {
  const holder = () => db.select({ applicationId: applications.id, creditLineId: applications.creditLineId }).from(applications)
    .where(and(eq(applications.customerId, a.customerId), isNull(applications.endedAt)));
  const [existing] = await holder();
  if (existing) return { inserted: false, existing };
  try {
    await insert(db, a);
    return { inserted: true };
  } catch (err) {
    if (databaseErrorFacts(err).constraint !== 'applications_one_open_per_customer_idx') throw err;
    const [winner] = await holder();
    if (!winner) throw err;
    return { inserted: false, existing: winner };
  }
}

async function insert(db: Database, a: NewApplication): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.insert(applications).values({
      id: a.applicationId, creditLineId: a.creditLineId, customerId: a.customerId, productId: a.productId,
      phone: a.phone, monthlyIncome: a.monthlyIncome, employmentMonths: a.employmentMonths, age: a.age,
      statementDay: a.statementDay, status: 'UNDERWRITING',
    });
    await tx.insert(creditLines).values({
      id: a.creditLineId, customerId: a.customerId, productId: a.productId, applicationId: a.applicationId,
      status: 'UNDERWRITING', limit: 0, available: 0, balance: 0, statementDay: a.statementDay,
    });
  });
}

/** Removes an application no workflow will ever decide (its workflow could not be started). */
export async function withdrawApplication(db: Database, a: Pick<NewApplication, 'applicationId' | 'creditLineId'>): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.delete(creditLines).where(eq(creditLines.id, a.creditLineId));
    await tx.delete(applications).where(eq(applications.id, a.applicationId));
  });
}

/**
 * A declined application reopened for manual review (a reversed decision, API.md reviews): scored
 * again by its workflow, then in review (UNDERWRITING until then). It holds
 * the customer's one line again, unless another one does — then nothing changes and that one is returned.
 */
export async function reopenApplication(db: Database, applicationId: string): Promise<{ reopened: true; version: number } | { reopened: false; existing?: ExistingApplication; status?: string }> {
  try {
    return await db.transaction(async (tx) => {
      const [application] = await tx.update(applications).set({ status: 'UNDERWRITING', endedAt: null })
        .where(and(eq(applications.id, applicationId), eq(applications.status, 'DECLINED'))).returning();
      if (!application) {
        const [row] = await tx.select({ status: applications.status }).from(applications).where(eq(applications.id, applicationId));
        return { reopened: false as const, ...(row ? { status: row.status } : {}) };
      }
      const [line] = await tx.update(creditLines).set({ status: 'UNDERWRITING', closedAt: null })
        .where(eq(creditLines.id, application.creditLineId)).returning({ version: creditLines.version });
      return { reopened: true as const, version: line?.version ?? 0 };
    });
  } catch (err) {
    if (databaseErrorFacts(err).constraint !== 'applications_one_open_per_customer_idx') throw err;
    const [a] = await db.select({ customerId: applications.customerId }).from(applications).where(eq(applications.id, applicationId));
    const [existing] = a ? await db.select({ applicationId: applications.id, creditLineId: applications.creditLineId }).from(applications)
      .where(and(eq(applications.customerId, a.customerId), isNull(applications.endedAt))) : [];
    return { reopened: false, ...(existing ? { existing } : {}) };
  }
}
