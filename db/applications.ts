import { eq } from 'drizzle-orm';
import type { Database } from './client';
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

/** An application is received together with its (still underwriting) line, in one transaction. */
export async function insertApplication(db: Database, a: NewApplication): Promise<void> {
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
