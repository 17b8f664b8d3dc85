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
