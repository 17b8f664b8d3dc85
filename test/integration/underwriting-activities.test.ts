import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUnderwritingActivities } from '../../activities/underwriting';
import { applications, creditLines, underwritingDecisions } from '../../db/schema';
import { STANDARD_PRODUCT } from '../../domain/product';
import { freshDatabase, type TestDatabase } from '../support/database';
import { receiveApplication } from '../support/fixtures';

let database: TestDatabase;
let activities: ReturnType<typeof createUnderwritingActivities>;
beforeAll(async () => {
  database = await freshDatabase();
  activities = createUnderwritingActivities({ db: database.db, policy: STANDARD_PRODUCT.underwriting });
});
afterAll(async () => { await database?.drop(); });

describe('underwriting activities against PostgreSQL', () => {
  it('scores the stored features and records the decision, application and line in one go', async () => {
    const input = await receiveApplication(database.db, { monthlyIncome: 1_000_000, employmentMonths: 60, age: 40 });
    const result = await activities.scoreApplication(input.applicationId);
    expect(result.decision).toBe('APPROVE');
    await activities.recordUnderwritingDecision({ applicationId: input.applicationId, creditLineId: input.creditLineId, result, decidedBy: 'model', decidedAt: '2026-11-25T02:00:00.000Z', version: 1 });
    const [line] = await database.db.select().from(creditLines).where(eq(creditLines.id, input.creditLineId));
    expect(line).toMatchObject({ status: 'ACTIVE', limit: result.limit, available: result.limit, version: 1 });
    const [application] = await database.db.select().from(applications).where(eq(applications.id, input.applicationId));
    expect(application?.status).toBe('APPROVED');
  });

  it('is idempotent under retry, and an older version never overwrites a newer one', async () => {
    const input = await receiveApplication(database.db, { monthlyIncome: 300_000, employmentMonths: 12 });
    const scored = await activities.scoreApplication(input.applicationId);
    expect(scored.decision).toBe('MANUAL_REVIEW');
    const review = { applicationId: input.applicationId, creditLineId: input.creditLineId, result: scored, decidedBy: 'model', decidedAt: '2026-11-25T02:00:00.000Z', version: 1 };
    await activities.recordUnderwritingDecision(review);
    await activities.recordUnderwritingDecision(review); // a retried activity
    const approved = { ...review, result: { ...scored, decision: 'APPROVE' as const, limit: 150_000 }, decidedBy: 'staff:S1', version: 2 };
    await activities.recordUnderwritingDecision(approved);
    await activities.recordUnderwritingDecision(review); // a late retry of the first write
    const decisions = await database.db.select().from(underwritingDecisions).where(eq(underwritingDecisions.applicationId, input.applicationId));
    expect(decisions).toHaveLength(1);
    const [line] = await database.db.select().from(creditLines).where(eq(creditLines.id, input.creditLineId));
    expect(line).toMatchObject({ status: 'ACTIVE', limit: 150_000, version: 2 });
  });

  it('fails without retry for an application that does not exist', async () => {
    await expect(activities.scoreApplication('app_missing')).rejects.toMatchObject({ type: 'APPLICATION_NOT_FOUND', nonRetryable: true });
  });

  it('refuses a negative income and a statement day past 28 at the database', async () => {
    const insert = (income: number, statementDay: number) => database.db.execute(sql`INSERT INTO applications (id, credit_line_id, customer_id, product_id, phone, monthly_income, employment_months, age, statement_day, status)
      VALUES (${`a-${income}-${statementDay}`}, ${`c-${income}-${statementDay}`}, 'x', 'standard', '1', ${income}, 1, 30, ${statementDay}, 'UNDERWRITING')`);
    const checkViolation = { cause: { code: '23514' } };
    await expect(insert(-5, 10)).rejects.toMatchObject(checkViolation);
    await expect(insert(5, 29)).rejects.toMatchObject(checkViolation);
    await expect(insert(5, 28)).resolves.toBeDefined();
  });
});
