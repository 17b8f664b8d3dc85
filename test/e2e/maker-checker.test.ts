/*
 * Maker–checker over HTTP (PRODUCT §10; API.md fee-waivers, limit, approvals), on the time-skipping
 * server with REVOLVE_CLOCK's clock: a line goes overdue and owes penalties; staff ask to waive some.
 * The maker can never decide their own request (nothing is recorded for the try), a rejected request
 * changes nothing, an approved one posts a balanced entry and lowers the balance by its amount, an
 * expired one changes nothing, one the line no longer owes fails with the line's code; a limit at or
 * below the model's is set at once, above it only on approval. Every step is in the line's audit trail.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { checkLedger } from '../../db/ledger-check';
import { journalEntries, postings } from '../../db/schema';
import { addDays, instantAt, instantMs } from '../../domain/calendar';
import { STANDARD_PRODUCT } from '../../domain/product';
import { historyText, readableHistory } from '../../runtime/history-scan';
import { approvalWorkflowIdFor, decideApprovalUpdate } from '../../workflows/approval-messages';
import { useSpeakingStack } from '../support/speaking-stack';
import { api, eventually } from '../support/stack';

const speaking = useSpeakingStack({ status: 204 });
const { skipTo } = speaking;

type Call = ReturnType<typeof api>;
interface AuditRow { action: string; actor: string; reason: string | null; details: Record<string, unknown>; eventKey: string }

async function openLine(name: string, monthlyIncome: number) {
  const call = api(speaking.stack.baseUrl, await speaking.stack.token('customer', `${name}-${randomUUID().slice(0, 6)}`));
  const applied = await call('POST', '/v1/applications', { phone: '13700002222', monthlyIncome, employmentMonths: 60, age: 35 });
  const id = applied.body.creditLineId as string;
  const opened = await eventually(() => call('GET', `/v1/credit-lines/${id}`), (r) => r.body.status === 'ACTIVE' && r.body.nextStatementDate !== null);
  return { call, id, applicationId: applied.body.applicationId as string, opened: opened.body };
}

const key = () => ({ 'idempotency-key': randomUUID() });
const pathOf = (approvalId: string) => `/v1/support/approvals/${encodeURIComponent(approvalId)}`;

async function auditOf(staff: Call, lineId: string): Promise<AuditRow[]> {
  return (await staff('GET', `/v1/support/credit-lines/${lineId}`)).body.audit as AuditRow[];
}

const feeWaiverEntries = (lineId: string) => speaking.stack.database.db.select().from(journalEntries)
  .where(and(eq(journalEntries.creditLineId, lineId), eq(journalEntries.kind, 'FEE_WAIVER')));

describe('maker–checker', () => {
  it('fee waivers: never decided by the maker, nothing before approval, balanced on approval, nothing when rejected, expired or no longer owed', async () => {
    const { call, id } = await openLine('waiver', 2_000_000);
    expect((await call('POST', `/v1/credit-lines/${id}/purchases`, { merchantId: 'self-operated', amount: 100_000 }, key())).status).toBe(201);
    const line0 = (await call('GET', `/v1/credit-lines/${id}`)).body;
    const dueDate = addDays(line0.nextStatementDate as string, STANDARD_PRODUCT.statement.dueDateOffsetDays);
    // DPD 5 at noon: five days of penalties at 50 fen (0.05% of 100 000).
    await skipTo(instantAt(addDays(dueDate, 5), '12:00'));
    const overdue = await eventually(() => call('GET', `/v1/credit-lines/${id}`), (r) => r.body.daysPastDue === 5);
    expect(overdue.body.balance).toBe(100_000 + 250);

    const maker = api(speaking.stack.baseUrl, await speaking.stack.token('support', 'S-maker'));
    const checker = api(speaking.stack.baseUrl, await speaking.stack.token('support', 'S-checker'));
    const waivers = `/v1/support/credit-lines/${id}/fee-waivers`;

    // Bad requests: a problem with a stable code, nothing requested.
    expect((await maker('POST', waivers, { amount: 0, reason: 'x' })).body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect((await maker('POST', waivers, { amount: 1.5, reason: 'x' })).body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect((await maker('POST', waivers, { amount: 10, reason: 'bell\u0007' })).body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect((await maker('POST', waivers, { amount: 10 })).body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect((await maker('POST', waivers, { amount: 251, reason: 'more than owed' })).body).toMatchObject({ status: 422, code: 'AMOUNT_ABOVE_FEES' });
    expect((await call('POST', waivers, { amount: 10, reason: 'myself' })).status).toBe(403);
    expect((await maker('POST', '/v1/support/credit-lines/cl_nope/fee-waivers', { amount: 10, reason: 'x' })).status).toBe(404);
    expect((await maker('GET', `/v1/support/approvals?creditLineId=${id}`)).body.items).toEqual([]);

    const ask = async (amount: number, reason: string) => {
      const asked = await maker('POST', waivers, { amount, reason });
      expect(asked.status).toBe(202);
      return asked.body.approvalId as string;
    };
    const approveMe = await ask(100, 'hospital stay, documents seen');
    const rejectMe = await ask(50, 'customer asked nicely');
    const expireMe = await ask(50, 'left to expire');
    expect(approveMe).toMatch(new RegExp(`^${id}:approval:[a-z0-9]+$`));
    const queue = await eventually(() => maker('GET', `/v1/support/approvals?status=PENDING&creditLineId=${id}`), (r) => r.body.items?.length === 3);
    const first = queue.body.items[0];
    expect(first).toMatchObject({
      id: approveMe, creditLineId: id, kind: 'FEE_WAIVER', request: { kind: 'FEE_WAIVER', amount: 100, reason: 'hospital stay, documents seen' },
      makerId: 'S-maker', status: 'PENDING', checkerId: null, checkerNote: null, decidedAt: null, result: null,
    });
    expect(instantMs(first.expiresAt) - instantMs(first.requestedAt)).toBe(72 * 3_600_000);
    // Nothing changes before approval.
    expect((await call('GET', `/v1/credit-lines/${id}`)).body.balance).toBe(100_250);
    expect(await feeWaiverEntries(id)).toEqual([]);

    // The maker cannot decide their own request: refused at the API, and by the workflow's validator
    // before anything enters its history.
    const own = await maker('POST', pathOf(approveMe), { approve: true, note: 'looks fine to me' });
    expect(own.body).toMatchObject({ status: 403, code: 'MAKER_CANNOT_APPROVE' });
    const child = speaking.stack.client.workflow.getHandle(approvalWorkflowIdFor(approveMe));
    const direct = await child.executeUpdate(decideApprovalUpdate, { args: [{ approve: true, note: 'sneaky', checkerId: 'S-maker' }] }).catch((err: unknown) => err);
    expect(direct).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(((direct as WorkflowUpdateFailedError).cause as ApplicationFailure).type).toBe('MAKER_CANNOT_APPROVE');
    const history = await readableHistory(speaking.stack.client, approvalWorkflowIdFor(approveMe));
    expect(history.events?.some((e) => e.workflowExecutionUpdateAcceptedEventAttributes || e.workflowExecutionUpdateCompletedEventAttributes)).toBe(false);
    expect(historyText(history)).toContain('hospital stay, documents seen');
    expect(historyText(history)).not.toContain('sneaky');
    expect((await auditOf(checker, id)).filter((a) => a.eventKey === approveMe).map((a) => a.action)).toEqual(['APPROVAL_REQUESTED']);
    expect((await maker('GET', `/v1/support/approvals?creditLineId=${id}`)).body.items[0]).toMatchObject({ status: 'PENDING', checkerId: null });

    // Rejected: nothing changes.
    const rejected = await checker('POST', pathOf(rejectMe), { approve: false, note: 'no grounds' });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ id: rejectMe, status: 'REJECTED', checkerId: 'S-checker', checkerNote: 'no grounds', decidedAt: expect.any(String) });
    expect((await call('GET', `/v1/credit-lines/${id}`)).body.balance).toBe(100_250);
    expect(await feeWaiverEntries(id)).toEqual([]);

    // Approved: the line waives 100 of penalties, in one balanced entry against penalty income.
    const approved = await checker('POST', pathOf(approveMe), { approve: true, note: 'documents checked' });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({
      id: approveMe, status: 'APPROVED', checkerId: 'S-checker', checkerNote: 'documents checked',
      result: { amount: 100, waived: { penalties: 100, installmentFees: 0 }, balance: 100_150 },
    });
    expect((await call('GET', `/v1/credit-lines/${id}`)).body.balance).toBe(100_150);
    const [entry, ...more] = await feeWaiverEntries(id);
    expect(more).toEqual([]);
    const entryPostings = await speaking.stack.database.db.select().from(postings).where(eq(postings.entryId, entry!.id));
    expect(entryPostings.map((p) => [p.accountId, p.amount]).sort()).toEqual([[`line:${id}:PENALTIES`, -100], ['platform:PENALTY_INCOME', 100]]);
    const payoff = await call('GET', `/v1/credit-lines/${id}/payoff-quote`);
    expect(payoff.body.breakdown).toContainEqual({ bucket: 'PENALTY', amount: 150 });
    const txs = await call('GET', `/v1/credit-lines/${id}/transactions?limit=1`);
    expect(txs.body.items[0]).toMatchObject({ kind: 'FEE_WAIVER', amount: -100 });
    const ledger = await checkLedger(speaking.stack.database.db);
    expect(ledger.differences).toEqual([]);
    expect(ledger.trialBalance).toBe(0);

    // Decided once: the same checker's retry answers the same; anyone else is told it is decided.
    expect((await checker('POST', pathOf(approveMe), { approve: true, note: 'documents checked' })).body).toMatchObject({ status: 'APPROVED' });
    const third = api(speaking.stack.baseUrl, await speaking.stack.token('admin', 'S-third'));
    expect((await third('POST', pathOf(approveMe), { approve: false, note: 'too late' })).body).toMatchObject({ status: 409, code: 'APPROVAL_DECIDED' });
    expect((await third('POST', pathOf(rejectMe), { approve: true, note: 'overrule' })).body).toMatchObject({ status: 409, code: 'APPROVAL_DECIDED' });
    expect((await third('POST', pathOf(`${id}:approval:nosuchone`), { approve: true, note: 'x' })).body).toMatchObject({ status: 404, code: 'APPROVAL_NOT_FOUND' });
    expect((await third('POST', pathOf('not-an-approval'), { approve: true, note: 'x' })).body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });

    // Every step in the line's audit trail: who asked, who decided, what the line applied.
    const trail = await auditOf(checker, id);
    const steps = (approvalId: string) => trail.filter((a) => a.eventKey === approvalId || a.details.approvalId === approvalId).map((a) => [a.action, a.actor]).reverse();
    expect(steps(approveMe)).toEqual([['APPROVAL_REQUESTED', 'staff:S-maker'], ['APPROVAL_APPROVED', 'staff:S-checker'], ['FEE_WAIVER', 'staff:S-maker']]);
    expect(steps(rejectMe)).toEqual([['APPROVAL_REQUESTED', 'staff:S-maker'], ['APPROVAL_REJECTED', 'staff:S-checker']]);
    const applied = trail.find((a) => a.action === 'FEE_WAIVER')!;
    expect(applied.reason).toBe(`hospital stay, documents seen (approval ${approveMe}, approved by staff:S-checker)`);
    expect(applied.details).toMatchObject({ amount: 100, approvalId: approveMe });
    expect(trail.find((a) => a.action === 'APPROVAL_REQUESTED' && a.eventKey === approveMe)).toMatchObject({ reason: 'hospital stay, documents seen', details: { kind: 'FEE_WAIVER', amount: 100 } });

    // A request the line no longer owes when approved: the line refuses it, the request FAILED, nothing changed.
    const failMe = await ask(150, 'all the penalties');
    await eventually(() => maker('GET', `/v1/support/approvals?status=PENDING&creditLineId=${id}`), (r) => r.body.items?.some((a: { id: string }) => a.id === failMe));
    const owed = (await call('GET', `/v1/credit-lines/${id}/payoff-quote`)).body.amount as number;
    expect((await call('POST', `/v1/credit-lines/${id}/repayments`, { amount: owed }, key())).status).toBe(201);
    const failed = await checker('POST', pathOf(failMe), { approve: true, note: 'fine' });
    expect(failed.body).toMatchObject({ status: 'FAILED', result: { code: 'NOTHING_TO_WAIVE' } });
    expect((await call('GET', `/v1/credit-lines/${id}`)).body.balance).toBe(0);
    expect(await feeWaiverEntries(id)).toHaveLength(1);
    const afterFail = await auditOf(checker, id);
    expect(afterFail.find((a) => a.action === 'APPROVAL_FAILED')).toMatchObject({ eventKey: failMe, actor: 'system:approvals', reason: 'NOTHING_TO_WAIVE' });
    expect(afterFail.some((a) => a.action === 'FEE_WAIVER_REFUSED' && a.reason === 'NOTHING_TO_WAIVE')).toBe(true);

    // Left alone for 72 hours: EXPIRED, recorded by the system, nothing applied, and no checker can revive it.
    const pending = (await maker('GET', `/v1/support/approvals?status=PENDING&creditLineId=${id}`)).body.items;
    expect(pending.map((a: { id: string }) => a.id)).toEqual([expireMe]);
    await skipTo(new Date(instantMs(pending[0].expiresAt) + 60_000).toISOString());
    const expired = await eventually(() => maker('GET', `/v1/support/approvals?status=EXPIRED&creditLineId=${id}`), (r) => r.body.items?.length === 1);
    expect(expired.body.items[0]).toMatchObject({ id: expireMe, status: 'EXPIRED', checkerId: null, decidedAt: expect.any(String), result: null });
    expect((await checker('POST', pathOf(expireMe), { approve: true, note: 'sorry, late' })).body).toMatchObject({ status: 409, code: 'APPROVAL_EXPIRED' });
    expect(await feeWaiverEntries(id)).toHaveLength(1);
    expect((await auditOf(checker, id)).find((a) => a.eventKey === expireMe && a.action === 'APPROVAL_EXPIRED')).toMatchObject({ actor: 'system:approvals' });
    expect((await checkLedger(speaking.stack.database.db)).ok).toBe(true);

    // The queue pages oldest first: in the order the maker asked, whichever a worker ran first.
    const page1 = await maker('GET', `/v1/support/approvals?creditLineId=${id}&limit=2`);
    expect(page1.body.items.map((a: { id: string }) => a.id)).toEqual([approveMe, rejectMe]);
    const page2 = await maker('GET', `/v1/support/approvals?creditLineId=${id}&limit=2&cursor=${page1.body.nextCursor}`);
    expect(page2.body.items.map((a: { id: string }) => a.id)).toEqual([expireMe, failMe]);
    const requested = [...page1.body.items, ...page2.body.items].map((a: { requestedAt: string }) => instantMs(a.requestedAt));
    expect(requested).toEqual([...requested].sort((a, b) => a - b));
    expect(page2.body.nextCursor).toBeNull();
    expect((await maker('GET', '/v1/support/approvals?cursor=bogus')).body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect((await call('GET', '/v1/support/approvals')).status).toBe(403);
  }, 120_000);

  it('an installment fee waived: the plan, the statement and the ledger agree', async () => {
    const { call, id } = await openLine('fees', 2_000_000);
    expect((await call('POST', `/v1/credit-lines/${id}/purchases`, { merchantId: 'self-operated', amount: 30_000 }, key())).status).toBe(201);
    const statementDate = (await call('GET', `/v1/credit-lines/${id}`)).body.nextStatementDate as string;
    await skipTo(instantAt(addDays(statementDate, 1), '12:00'));
    const statementId = `S-${statementDate}`;
    await eventually(() => call('GET', `/v1/credit-lines/${id}/statements`), (r) => r.body.items?.some((st: { id: string }) => st.id === statementId));
    // Converted: the first installment's fee (0.5% of 30 000) is billed at once.
    expect((await call('POST', `/v1/credit-lines/${id}/statements/${statementId}/installments`, { count: 3 }, key())).status).toBe(201);
    expect((await call('GET', `/v1/credit-lines/${id}/payoff-quote`)).body.breakdown).toContainEqual({ bucket: 'INSTALLMENT_FEE', amount: 150 });
    const before = (await call('GET', `/v1/credit-lines/${id}`)).body.balance as number;

    const maker = api(speaking.stack.baseUrl, await speaking.stack.token('support', 'S-maker'));
    const checker = api(speaking.stack.baseUrl, await speaking.stack.token('support', 'S-checker'));
    expect((await maker('POST', `/v1/support/credit-lines/${id}/fee-waivers`, { amount: 151, reason: 'too much' })).body).toMatchObject({ status: 422, code: 'AMOUNT_ABOVE_FEES' });
    const asked = await maker('POST', `/v1/support/credit-lines/${id}/fee-waivers`, { amount: 150, reason: 'conversion fee refunded as a goodwill gesture' });
    expect(asked.status).toBe(202);
    const approved = await checker('POST', pathOf(asked.body.approvalId), { approve: true, note: 'agreed' });
    expect(approved.body).toMatchObject({ status: 'APPROVED', result: { waived: { penalties: 0, installmentFees: 150 } } });
    expect((await call('GET', `/v1/credit-lines/${id}`)).body.balance).toBe(before - 150);
    const statement = await call('GET', `/v1/credit-lines/${id}/statements/${statementId}`);
    expect(statement.body.installments?.[0]).toMatchObject({ seq: 1, fee: 150, feeWaived: 150 });
    const [entry] = await feeWaiverEntries(id);
    const entryPostings = await speaking.stack.database.db.select().from(postings).where(eq(postings.entryId, entry!.id));
    expect(entryPostings.map((p) => [p.accountId, p.amount]).sort()).toEqual([[`line:${id}:INSTALLMENT_FEES`, -150], ['platform:FEE_INCOME', 150]]);
    const ledger = await checkLedger(speaking.stack.database.db);
    expect(ledger.differences).toEqual([]);
    expect(ledger.ok).toBe(true);
  }, 60_000);

  it("limits: at or below the model's at once, above it only on approval; a line not open is refused", async () => {
    const { call, id, applicationId } = await openLine('limit', 500_000);
    const modelLimit = (await call('GET', `/v1/applications/${applicationId}`)).body.limit as number;
    expect(modelLimit + 200_000).toBeLessThanOrEqual(STANDARD_PRODUCT.underwriting.maxLimit);
    const maker = api(speaking.stack.baseUrl, await speaking.stack.token('support', 'S-maker'));
    const checker = api(speaking.stack.baseUrl, await speaking.stack.token('support', 'S-checker'));
    const limitPath = `/v1/support/credit-lines/${id}/limit`;

    expect((await maker('PUT', limitPath, { limit: STANDARD_PRODUCT.underwriting.maxLimit + 1, reason: 'x' })).body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect((await maker('PUT', limitPath, { limit: STANDARD_PRODUCT.underwriting.minLimit - 1, reason: 'x' })).body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });

    // At or below the model's: set at once, audited as the maker's.
    const lower = await maker('PUT', limitPath, { limit: modelLimit - 10_000, reason: 'customer asked for less' });
    expect(lower.status).toBe(200);
    expect(lower.body).toMatchObject({ id, limit: modelLimit - 10_000 });
    const atModel = await maker('PUT', limitPath, { limit: modelLimit, reason: 'back to the model' });
    expect(atModel.body).toMatchObject({ limit: modelLimit });

    // Above it: a request, nothing changes until a checker approves.
    const above = modelLimit + 100_000;
    const asked = await maker('PUT', limitPath, { limit: above, reason: 'long-standing customer' }, { 'idempotency-key': 'limit-1' });
    expect(asked.status).toBe(202);
    // The same key and body: the same request; the same key for another body: refused.
    expect((await maker('PUT', limitPath, { limit: above, reason: 'long-standing customer' }, { 'idempotency-key': 'limit-1' })).body).toEqual({ approvalId: asked.body.approvalId });
    expect((await maker('PUT', limitPath, { limit: above + 10_000, reason: 'long-standing customer' }, { 'idempotency-key': 'limit-1' })).body).toMatchObject({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
    const approvalId = asked.body.approvalId as string;
    const pending = await eventually(() => maker('GET', `/v1/support/approvals?creditLineId=${id}`), (r) => r.body.items?.length === 1);
    expect(pending.body.items[0]).toMatchObject({ kind: 'LIMIT_ABOVE_MODEL', request: { limit: above, modelLimit, from: modelLimit }, status: 'PENDING' });
    expect((await call('GET', `/v1/credit-lines/${id}`)).body.limit).toBe(modelLimit);
    expect((await maker('POST', pathOf(approvalId), { approve: true, note: 'mine' })).body.code).toBe('MAKER_CANNOT_APPROVE');

    const approved = await checker('POST', pathOf(approvalId), { approve: true, note: 'payment record is spotless' });
    expect(approved.body).toMatchObject({ status: 'APPROVED', result: { limit: above } });
    expect((await call('GET', `/v1/credit-lines/${id}`)).body.limit).toBe(above);
    const trail = await auditOf(checker, id);
    const changes = trail.filter((a) => a.action === 'LIMIT_CHANGE').reverse();
    expect(changes.map((a) => [a.actor, a.details.limit])).toEqual([['staff:S-maker', modelLimit - 10_000], ['staff:S-maker', modelLimit], ['staff:S-maker', above]]);
    expect(changes[2]!.reason).toBe(`long-standing customer (approval ${approvalId}, approved by staff:S-checker)`);
    expect(trail.filter((a) => a.eventKey === approvalId).map((a) => [a.action, a.actor]).reverse()).toEqual([['APPROVAL_REQUESTED', 'staff:S-maker'], ['APPROVAL_APPROVED', 'staff:S-checker']]);

    // A line that is not open takes no request at all.
    const declinedCustomer = api(speaking.stack.baseUrl, await speaking.stack.token('customer', `declined-${randomUUID().slice(0, 6)}`));
    const declined = await declinedCustomer('POST', '/v1/applications', { phone: '13700003333', monthlyIncome: 80_000, employmentMonths: 1, age: 35 });
    await eventually(() => declinedCustomer('GET', `/v1/credit-lines/${declined.body.creditLineId}`), (r) => r.body.status === 'DECLINED');
    const closedId = declined.body.creditLineId as string;
    expect((await maker('PUT', `/v1/support/credit-lines/${closedId}/limit`, { limit: 100_000, reason: 'x' })).body).toMatchObject({ status: 422, code: 'LINE_NOT_ACTIVE' });
    expect((await maker('POST', `/v1/support/credit-lines/${closedId}/fee-waivers`, { amount: 100, reason: 'x' })).body).toMatchObject({ status: 422, code: 'LINE_NOT_ACTIVE' });
    expect((await maker('GET', `/v1/support/approvals?creditLineId=${closedId}`)).body.items).toEqual([]);
  }, 60_000);

  it('a hardship plan: asked by one, approved by another, the overdue amount re-aged and OVERDUE lifted, the books balanced', async () => {
    const { call, id } = await openLine('hardship', 2_000_000);
    expect((await call('POST', `/v1/credit-lines/${id}/purchases`, { merchantId: 'self-operated', amount: 120_000 }, key())).status).toBe(201);
    const maker = api(speaking.stack.baseUrl, await speaking.stack.token('support', 'S-plan-maker'));
    const checker = api(speaking.stack.baseUrl, await speaking.stack.token('support', 'S-plan-checker'));
    const plans = `/v1/support/credit-lines/${id}/hardship-plan`;
    // Nothing overdue yet: nothing to re-age, nothing requested.
    expect((await maker('POST', plans, { installments: 6, note: 'lost job' })).body).toMatchObject({ status: 422, code: 'NOT_OVERDUE' });

    const line0 = (await call('GET', `/v1/credit-lines/${id}`)).body;
    const dueDate = addDays(line0.nextStatementDate as string, STANDARD_PRODUCT.statement.dueDateOffsetDays);
    await skipTo(instantAt(addDays(dueDate, 10), '12:00'));
    await eventually(() => call('GET', `/v1/credit-lines/${id}`), (r) => r.body.daysPastDue === 10 && r.body.suspensionReasons.includes('OVERDUE'));
    expect((await maker('POST', plans, { installments: 13, note: 'too long' })).body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    const asked = await maker('POST', plans, { installments: 6, note: 'lost job, new one starts next month' });
    expect(asked.status).toBe(202);
    const approvalId = asked.body.approvalId as string;
    expect((await maker('POST', pathOf(approvalId), { approve: true, note: 'mine' })).status).toBe(403);
    expect((await call('GET', `/v1/credit-lines/${id}`)).body.suspensionReasons).toContain('OVERDUE');

    const approved = await checker('POST', pathOf(approvalId), { approve: true, note: 'payslip of the new job seen' });
    expect(approved.body).toMatchObject({ status: 'APPROVED', result: { count: 6, schedule: expect.any(Array) } });
    expect(approved.body.result.schedule).toHaveLength(6);
    const after = (await call('GET', `/v1/credit-lines/${id}`)).body;
    expect(after.daysPastDue).toBe(0);
    expect(after.suspensionReasons).not.toContain('OVERDUE');
    const ledger = await checkLedger(speaking.stack.database.db);
    expect(ledger.differences).toEqual([]);
    expect(ledger.trialBalance).toBe(0);
    const trail = (await auditOf(checker, id)).filter((a) => a.eventKey === approvalId).map((a) => `${a.action} ${a.actor}`);
    expect(trail).toEqual(expect.arrayContaining(['APPROVAL_REQUESTED staff:S-plan-maker', 'APPROVAL_APPROVED staff:S-plan-checker']));
  }, 60_000);

  it('a write-off outside the ladder: asked by one, approved by another, the debt charged off against credit losses, repayments then recoveries', async () => {
    const { call, id } = await openLine('writeoff', 2_000_000);
    expect((await call('POST', `/v1/credit-lines/${id}/purchases`, { merchantId: 'self-operated', amount: 70_000 }, key())).status).toBe(201);
    const maker = api(speaking.stack.baseUrl, await speaking.stack.token('support', 'S-wo-maker'));
    const checker = api(speaking.stack.baseUrl, await speaking.stack.token('support', 'S-wo-checker'));
    const asked = await maker('POST', `/v1/support/credit-lines/${id}/write-off`, { reason: 'customer deceased, estate insolvent' });
    expect(asked.status).toBe(202);
    const approvalId = asked.body.approvalId as string;
    expect((await call('GET', `/v1/credit-lines/${id}`)).body.status).toBe('ACTIVE');
    expect((await maker('POST', pathOf(approvalId), { approve: true, note: 'mine' })).status).toBe(403);
    const approved = await checker('POST', pathOf(approvalId), { approve: true, note: 'death certificate seen' });
    expect(approved.body).toMatchObject({ status: 'APPROVED', result: { principal: 70_000, total: 70_000 } });
    expect((await call('GET', `/v1/credit-lines/${id}`)).body).toMatchObject({ status: 'CHARGED_OFF', balance: 0 });
    const [entry] = await speaking.stack.database.db.select().from(journalEntries).where(and(eq(journalEntries.creditLineId, id), eq(journalEntries.kind, 'CHARGE_OFF')));
    const entryPostings = await speaking.stack.database.db.select().from(postings).where(eq(postings.entryId, entry!.id));
    expect(entryPostings).toContainEqual(expect.objectContaining({ accountId: 'platform:CREDIT_LOSSES', amount: 70_000 }));
    // The estate pays some back: a recovery, not a repayment of a line that owes nothing.
    expect((await call('POST', `/v1/credit-lines/${id}/repayments`, { amount: 20_000 }, key())).status).toBe(201);
    const ledger = await checkLedger(speaking.stack.database.db);
    expect(ledger.differences).toEqual([]);
    expect(ledger.trialBalance).toBe(0);
    // Nothing left to write off: refused before any request is made.
    expect((await maker('POST', `/v1/support/credit-lines/${id}/write-off`, { reason: 'again' })).body).toMatchObject({ status: 422, code: 'LINE_NOT_ACTIVE' });
  }, 60_000);
});
