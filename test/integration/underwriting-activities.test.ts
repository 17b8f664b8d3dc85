import http from 'node:http';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpBureau, SYNTHETIC_PROVIDERS } from '../../activities/applicant-data';
import { createUnderwritingActivities } from '../../activities/underwriting';
import { applications, creditLines, lineDecisions, underwritingDecisions } from '../../db/schema';
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
    // Every feature scored is stored with the decision, each report with where it came from.
    const [decision] = await database.db.select().from(underwritingDecisions).where(eq(underwritingDecisions.applicationId, input.applicationId));
    expect(decision).toMatchObject({ decision: 'APPROVE', modelVersion: 'scorecard-2026.11.1', probabilityOfDefault: result.probabilityOfDefault, limit: result.limit });
    expect(decision?.features).toEqual({
      declared: { monthlyIncome: 1_000_000, employmentMonths: 60, age: 40 },
      platform: await SYNTHETIC_PROVIDERS.platformHistory.fetch(input.customerId),
      bureau: await SYNTHETIC_PROVIDERS.bureau.fetch(input.customerId),
    });
    // …and among the line's automated decisions (API.md `Decision`).
    const decisions = await database.db.select().from(lineDecisions).where(eq(lineDecisions.creditLineId, input.creditLineId));
    expect(decisions).toEqual([expect.objectContaining({
      id: 'uw-1', customerId: input.customerId, kind: 'UNDERWRITING', outcome: 'APPROVED', reasons: result.reasonCodes, adverse: false, decidedBy: 'model',
      details: { probabilityOfDefault: result.probabilityOfDefault, limit: result.limit, modelVersion: 'scorecard-2026.11.1', sources: { bureau: 'synthetic', platformHistory: 'synthetic' } },
    })]);
    // The result travels through workflow history: figures and codes, nothing personal.
    expect(JSON.stringify(result)).not.toMatch(/13800138000|1000000/);
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
    // One line decision per version, written once however often the activity ran.
    const lineRecord = await database.db.select().from(lineDecisions).where(eq(lineDecisions.creditLineId, input.creditLineId)).orderBy(lineDecisions.seq);
    expect(lineRecord.map((d) => [d.id, d.outcome, d.adverse, d.decidedBy])).toEqual([['uw-1', 'MANUAL_REVIEW', false, 'model'], ['uw-2', 'APPROVED', false, 'staff:S1']]);
    expect(lineRecord[0]?.reasons[0]).toBe('LOW_INCOME');
  });

  it('records a decline as adverse, with its reasons', async () => {
    const input = await receiveApplication(database.db, { monthlyIncome: 100_000, employmentMonths: 2 });
    const result = await activities.scoreApplication(input.applicationId);
    expect(result).toMatchObject({ decision: 'DECLINE', limit: null });
    await activities.recordUnderwritingDecision({ applicationId: input.applicationId, creditLineId: input.creditLineId, result, decidedBy: `model:${result.modelVersion}`, decidedAt: '2026-11-25T02:00:00.000Z', version: 1 });
    const [decision] = await database.db.select().from(lineDecisions).where(and(eq(lineDecisions.creditLineId, input.creditLineId), eq(lineDecisions.id, 'uw-1')));
    expect(decision).toMatchObject({ outcome: 'DECLINED', adverse: true, decidedBy: 'model:scorecard-2026.11.1', reasons: result.reasonCodes });
    expect(decision?.reasons).toContain('LOW_INCOME');
  });

  it('scores with the configured bureau, and fails for good when it refuses the customer', async () => {
    const server = http.createServer((req, res) => {
      if (req.url?.includes('unknown')) { res.statusCode = 404; res.end(); return; }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ openCreditAccounts: 2, delinquencies24Months: 3, inquiries6Months: 8, outstandingDebt: 8_000_000 }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      const withBureau = createUnderwritingActivities({
        db: database.db, policy: STANDARD_PRODUCT.underwriting, applicantData: { ...SYNTHETIC_PROVIDERS, bureau: httpBureau({ url, timeoutMs: 1000 }) },
      });
      const input = await receiveApplication(database.db, { monthlyIncome: 1_000_000, employmentMonths: 60, age: 40 });
      // A troubled bureau report (delinquencies, a scramble for credit, debts of 8 months' income) turns a comfortable approval into a decline.
      const result = await withBureau.scoreApplication(input.applicationId);
      expect(result.decision).toBe('DECLINE');
      expect(result.reasonCodes.slice(0, 2).sort()).toEqual(['BUREAU_DELINQUENCIES', 'MANY_RECENT_INQUIRIES']);
      await withBureau.recordUnderwritingDecision({ applicationId: input.applicationId, creditLineId: input.creditLineId, result, decidedBy: 'model', decidedAt: '2026-11-25T02:00:00.000Z', version: 1 });
      const [decision] = await database.db.select().from(lineDecisions).where(eq(lineDecisions.creditLineId, input.creditLineId));
      expect(decision?.details).toMatchObject({ sources: { bureau: 'http', platformHistory: 'synthetic' } });

      const unknown = await receiveApplication(database.db, { monthlyIncome: 1_000_000, customerId: `unknown-${input.customerId}` });
      await expect(withBureau.scoreApplication(unknown.applicationId)).rejects.toMatchObject({ type: 'BUREAU_REQUEST_REFUSED', nonRetryable: true });
    } finally {
      await new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
    }
  });

  it('re-scores a line on its behaviour, by the line\'s id alone', async () => {
    const input = await receiveApplication(database.db, { monthlyIncome: 600_000, employmentMonths: 24 });
    const clean = await activities.rescoreLine({ creditLineId: input.creditLineId, behaviour: { onTimeCycles: 6, missedCycles: 0, maxDaysPastDue: 0, utilizationPermille: 300 } });
    const missed = await activities.rescoreLine({ creditLineId: input.creditLineId, behaviour: { onTimeCycles: 4, missedCycles: 2, maxDaysPastDue: 40, utilizationPermille: 950 } });
    expect(clean).toMatchObject({ modelVersion: 'scorecard-2026.11.1' });
    expect(missed.probabilityOfDefault).toBeGreaterThan(clean.probabilityOfDefault);
    expect(missed.modelLimit).toBeLessThan(clean.modelLimit);
    expect(missed.reasonCodes[0]).toBe('MISSED_LINE_PAYMENTS');
    expect(Object.keys(clean).sort()).toEqual(['modelLimit', 'modelVersion', 'probabilityOfDefault', 'reasonCodes']);
    await expect(activities.rescoreLine({ creditLineId: 'cl_missing', behaviour: { onTimeCycles: 0, missedCycles: 0, maxDaysPastDue: 0, utilizationPermille: 0 } }))
      .rejects.toMatchObject({ type: 'CREDIT_LINE_NOT_FOUND', nonRetryable: true });
    await expect(activities.rescoreLine({ creditLineId: input.creditLineId, behaviour: { onTimeCycles: -1, missedCycles: 0, maxDaysPastDue: 0, utilizationPermille: 0 } }))
      .rejects.toMatchObject({ type: 'LINE_BEHAVIOUR_INVALID', nonRetryable: true });
  });

  it('records a staff decision on an application the income rule sent to review before reports were kept', async () => {
    const input = await receiveApplication(database.db, { monthlyIncome: 300_000, employmentMonths: 12 });
    // As the income rule stored it, before this worker was deployed.
    await database.db.insert(underwritingDecisions).values({
      applicationId: input.applicationId, decision: 'MANUAL_REVIEW', probabilityOfDefault: 0.12, limit: 300_000, modelVersion: 'income-rule-2026.11',
      features: { monthlyIncome: 300_000, employmentMonths: 12, age: 30 }, reasonCodes: ['LOW_INCOME'], decidedBy: 'model:income-rule-2026.11', decidedAt: '2026-11-20T02:00:00.000Z',
    });
    const result = { decision: 'APPROVE' as const, probabilityOfDefault: 0.12, limit: 200_000, reasonCodes: ['LOW_INCOME'], modelVersion: 'income-rule-2026.11' };
    await activities.recordUnderwritingDecision({ applicationId: input.applicationId, creditLineId: input.creditLineId, result, decidedBy: 'staff:S1', decidedAt: '2026-11-25T02:00:00.000Z', version: 2 });
    const [decision] = await database.db.select().from(lineDecisions).where(eq(lineDecisions.creditLineId, input.creditLineId));
    expect(decision).toMatchObject({ id: 'uw-2', outcome: 'APPROVED', details: { modelVersion: 'income-rule-2026.11', sources: { bureau: null, platformHistory: null } } });
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
