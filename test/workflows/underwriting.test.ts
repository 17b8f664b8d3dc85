import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { applications, creditLines, underwritingDecisions } from '../../db/schema';
import { STANDARD_PRODUCT } from '../../domain/product';
import { decideApplicationUpdate, searchAttributes, stateQuery, workflowIdFor, type CreditLineInput } from '../../workflows/messages';
import { receiveApplication } from '../support/fixtures';
import { eventually } from '../support/eventually';
import { terminateWhenIdle, useTimeSkippingWorker } from '../support/temporal';

const fixture = useTimeSkippingWorker('underwriting-test');

function start(input: CreditLineInput) {
  return fixture.env.client.workflow.start('creditLine', {
    workflowId: workflowIdFor(input.creditLineId), taskQueue: fixture.taskQueue, args: [input],
    typedSearchAttributes: [{ key: searchAttributes.customerId, value: input.customerId }],
  });
}

async function rowsOf(input: CreditLineInput) {
  const [application] = await fixture.database.db.select().from(applications).where(eq(applications.id, input.applicationId));
  const [line] = await fixture.database.db.select().from(creditLines).where(eq(creditLines.id, input.creditLineId));
  const [decision] = await fixture.database.db.select().from(underwritingDecisions).where(eq(underwritingDecisions.applicationId, input.applicationId));
  return { application, line, decision };
}

describe('underwriting in the credit-line workflow', () => {
  it('approves a well-paid applicant, writes the decision and opens the line', async () => {
    // 20,000 yuan a month, 36 months employed, age 30: PD well under 0.08.
    const input = await receiveApplication(fixture.database.db, { monthlyIncome: 2_000_000 });
    const handle = await start(input);
    const state = await eventually(() => handle.query(stateQuery), (s) => s.status === 'ACTIVE');
    const { application, line, decision } = await rowsOf(input);
    expect(application?.status).toBe('APPROVED');
    expect(decision?.decision).toBe('APPROVE');
    expect(decision?.modelVersion).toMatch(/^scorecard-/);
    expect(decision?.decidedBy).toBe(`model:${decision?.modelVersion}`);
    // Every feature scored, each report labelled with its source (the synthetic stand-ins here).
    expect(decision?.features).toMatchObject({ declared: { monthlyIncome: 2_000_000, employmentMonths: 36, age: 30 }, platform: { source: 'synthetic' }, bureau: { source: 'synthetic' } });
    expect(line).toMatchObject({ status: 'ACTIVE', limit: state.limit, available: state.limit, balance: 0 });
    expect(state.limit).toBeGreaterThanOrEqual(STANDARD_PRODUCT.underwriting.minLimit);
    expect((state.limit ?? 0) % STANDARD_PRODUCT.underwriting.limitStep).toBe(0);
    const description = await handle.describe();
    expect(description.typedSearchAttributes.get(searchAttributes.status)).toBe('ACTIVE');
    await terminateWhenIdle(handle);
  });

  it('declines a low income, and the workflow ends DECLINED', async () => {
    const input = await receiveApplication(fixture.database.db, { monthlyIncome: 100_000, employmentMonths: 2 });
    const handle = await start(input);
    const result = await handle.result();
    expect(result.status).toBe('DECLINED');
    const { application, line, decision } = await rowsOf(input);
    expect(application?.status).toBe('DECLINED');
    expect(line?.status).toBe('DECLINED');
    expect(decision?.reasonCodes).toContain('LOW_INCOME');
  });

  it('waits for staff in manual review, and takes their decision and limit', async () => {
    // 3,000 yuan a month scores PD between 0.08 and 0.15.
    const input = await receiveApplication(fixture.database.db, { monthlyIncome: 300_000, employmentMonths: 12 });
    const handle = await start(input);
    await eventually(async () => (await rowsOf(input)).application?.status, (s) => s === 'MANUAL_REVIEW');
    const outcome = await handle.executeUpdate(decideApplicationUpdate, { args: [{ approve: true, limit: 200_000, note: 'payslips seen', staffId: 'S1' }] });
    expect(outcome).toEqual({ status: 'APPROVED' });
    const { line, decision } = await rowsOf(input);
    expect(line).toMatchObject({ status: 'ACTIVE', limit: 200_000 });
    expect(decision).toMatchObject({ decision: 'APPROVE', decidedBy: 'staff:S1' });
    await expect(handle.executeUpdate(decideApplicationUpdate, { args: [{ approve: false, note: 'again', staffId: 'S2' }] })).rejects.toThrow();
    await terminateWhenIdle(handle);
  });

  it('declines automatically when no one decides a manual review within 7 days', async () => {
    const input = await receiveApplication(fixture.database.db, { monthlyIncome: 300_000, employmentMonths: 12 });
    const handle = await start(input);
    const startedAt = await fixture.env.currentTimeMs();
    const result = await handle.result(); // the time-skipping server jumps over the 7-day timer
    expect(result.status).toBe('DECLINED');
    expect((await fixture.env.currentTimeMs()) - startedAt).toBeGreaterThanOrEqual(7 * 24 * 3600 * 1000);
    const { decision } = await rowsOf(input);
    expect(decision?.reasonCodes).toContain('MANUAL_REVIEW_EXPIRED');
    expect(decision?.decidedBy).toBe('system:review-timeout');
  });
});
