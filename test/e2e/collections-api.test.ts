/*
 * The collections queue over HTTP: staff list the open cases, oldest first, paged, each with its
 * amounts, days past due as of now, the contacts made (no phone) and the line's statements; they
 * record contacts and promises to pay (audited); a closed case takes no note. The cases are written
 * straight into the database here: the ladder that opens them at DPD 15 is tested on its own.
 */
import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, collectionCases, collectionNotes, statements } from '../../db/schema';
import { addDays, localDay } from '../../domain/calendar';
import { api, eventually, startStack, type TestStack } from '../support/stack';

let stack: TestStack;
beforeAll(async () => { stack = await startStack(); });
afterAll(async () => { await stack?.stop(); });

const PHONE = '13812345678';

async function openLine(customerId: string) {
  const call = api(stack.baseUrl, await stack.token('customer', customerId));
  const applied = await call('POST', '/v1/applications', { phone: PHONE, monthlyIncome: 1_500_000, employmentMonths: 60, age: 35 });
  await eventually(() => call('GET', `/v1/credit-lines/${applied.body.creditLineId}`), (r) => r.body.status === 'ACTIVE' && r.body.nextStatementDate !== null);
  return { call, id: applied.body.creditLineId as string, customerId };
}

/** A case as the ledger activity writes it when the line reaches DPD 15 of `dueDate`. */
async function insertCase(line: { id: string; customerId: string }, dueDate: string, status: 'OPEN' | 'CLOSED' = 'OPEN') {
  const id = `${line.id}:case:${dueDate}`;
  await stack.database.db.insert(collectionCases).values({
    id, creditLineId: line.id, customerId: line.customerId, status, openedDpd: 15, dueDate,
    overduePrincipal: 100_000, penalties: 750, fees: 1_500, total: 102_250, openedAt: new Date().toISOString(),
    ...(status === 'CLOSED' ? { closedAt: new Date().toISOString(), closeReason: 'CURED' } : {}),
  });
  return id;
}

const today = () => localDay(new Date().toISOString());

describe('the collections queue', () => {
  let staff: ReturnType<typeof api>;
  let recent: { id: string; customerId: string; call: ReturnType<typeof api> };
  let older: { id: string; customerId: string };
  let recentCase: string;
  let olderCase: string;
  let closedCase: string;

  beforeAll(async () => {
    staff = api(stack.baseUrl, await stack.token('support', 'S-collect'));
    recent = await openLine(`cora-${randomUUID().slice(0, 8)}`);
    older = await openLine(`otto-${randomUUID().slice(0, 8)}`);
    const cured = await openLine(`cyd-${randomUUID().slice(0, 8)}`);
    // Written in another order than the queue's: the queue is by due date, oldest first.
    recentCase = await insertCase(recent, addDays(today(), -20));
    olderCase = await insertCase(older, addDays(today(), -40));
    closedCase = await insertCase(cured, addDays(today(), -60), 'CLOSED');
    await stack.database.db.insert(statements).values({
      creditLineId: recent.id, id: 'S-2027-01-05', periodStart: '2026-12-06', periodEnd: '2027-01-05', statementDate: '2027-01-05', dueDate: '2027-01-25',
      openingBalance: 0, purchases: 100_000, refunds: 0, repayments: 0, fees: 0, penalties: 0, closingBalance: 100_000, amountDue: 100_000, status: 'OVERDUE',
    });
  });

  it('lists open cases to staff only, oldest first, paged, with amounts, days past due, contacts and statements', async () => {
    expect((await recent.call('GET', '/v1/support/collections')).status).toBe(403);
    expect((await api(stack.baseUrl)('GET', '/v1/support/collections')).status).toBe(401);

    const all = await staff('GET', '/v1/support/collections');
    expect(all.status).toBe(200);
    expect(all.body.items.map((c: { caseId: string }) => c.caseId)).toEqual([olderCase, recentCase]);
    expect(all.body.nextCursor).toBeNull();

    const first = await staff('GET', '/v1/support/collections?limit=1');
    expect(first.body.items.map((c: { caseId: string }) => c.caseId)).toEqual([olderCase]);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await staff('GET', `/v1/support/collections?limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body.items.map((c: { caseId: string }) => c.caseId)).toEqual([recentCase]);
    expect(second.body.nextCursor).toBeNull();

    const item = all.body.items[1];
    expect(item).toMatchObject({
      caseId: recentCase, creditLineId: recent.id, customerId: recent.customerId, status: 'OPEN', openedDpd: 15,
      dueDate: addDays(today(), -20), daysPastDue: 20,
      amounts: { overduePrincipal: 100_000, penalties: 750, fees: 1_500, total: 102_250 },
      statements: [{ id: 'S-2027-01-05', statementDate: '2027-01-05', dueDate: '2027-01-25', amountDue: 100_000, paidAmount: 0, status: 'OVERDUE' }],
    });
    expect(all.body.items[0]).toMatchObject({ daysPastDue: 40, statements: [] });
    // The line's opening SMS and in-app message are the contacts so far; never the phone.
    expect(item.contacts.map((c: { type: string; channel: string; template: string }) => [c.type, c.channel, c.template]).sort())
      .toEqual([['MESSAGE', 'IN_APP', 'LINE_OPENED'], ['MESSAGE', 'SMS', 'LINE_OPENED']]);
    for (const c of item.contacts) expect(c).not.toHaveProperty('to');
    expect(JSON.stringify(all.body)).not.toContain(PHONE);
    expect(JSON.stringify(all.body)).not.toContain('****');

    expect((await staff('GET', '/v1/support/collections?cursor=abc')).status).toBe(400);
    expect((await staff('GET', '/v1/support/collections?limit=0')).status).toBe(400);
  });

  it('records contacts and promises to pay, audited, shown in the case; refuses a closed or unknown case', async () => {
    const path = (caseId: string) => `/v1/support/collections/${encodeURIComponent(caseId)}/notes`;
    expect((await recent.call('POST', path(recentCase), { kind: 'CONTACT', note: 'hi' })).status).toBe(403);

    const contact = await staff('POST', path(recentCase), { kind: 'CONTACT', note: '电话联系本人，称下周还款' });
    expect(contact.status).toBe(201);
    expect(contact.body).toMatchObject({ caseId: recentCase, type: 'NOTE', kind: 'CONTACT', note: '电话联系本人，称下周还款', staffId: 'S-collect', promisedAmount: null, promisedDate: null });

    const promisedDate = addDays(today(), 5);
    const promise = await staff('POST', path(recentCase), { kind: 'PROMISE_TO_PAY', note: 'promised half', promisedAmount: 50_000, promisedDate });
    expect(promise.status).toBe(201);
    expect(promise.body).toMatchObject({ kind: 'PROMISE_TO_PAY', promisedAmount: 50_000, promisedDate });
    const admin = api(stack.baseUrl, await stack.token('admin', 'P-collect'));
    expect((await admin('POST', path(olderCase), { kind: 'CONTACT', note: 'left a voicemail' })).status).toBe(201);

    const refused = async (body: unknown, field: string) => {
      const r = await staff('POST', path(recentCase), body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect(r.body.errors.map((e: { field: string }) => e.field), JSON.stringify(body)).toContain(field);
    };
    await refused({ kind: 'PROMISE_TO_PAY', note: 'no promise' }, 'promisedAmount');
    await refused({ kind: 'PROMISE_TO_PAY', note: 'no date', promisedAmount: 50_000 }, 'promisedDate');
    await refused({ kind: 'CONTACT', note: 'a contact is no promise', promisedAmount: 50_000 }, 'promisedAmount');
    await refused({ kind: 'PROMISE_TO_PAY', note: 'zero', promisedAmount: 0, promisedDate }, 'promisedAmount');
    await refused({ kind: 'PROMISE_TO_PAY', note: 'fraction', promisedAmount: 1.5, promisedDate }, 'promisedAmount');
    await refused({ kind: 'PROMISE_TO_PAY', note: 'no such day', promisedAmount: 50_000, promisedDate: '2027-02-30' }, 'promisedDate');
    await refused({ kind: 'PROMISE_TO_PAY', note: 'yesterday', promisedAmount: 50_000, promisedDate: addDays(today(), -1) }, 'promisedDate');
    await refused({ kind: 'VISIT', note: 'at the door' }, 'kind');
    await refused({ kind: 'CONTACT', note: 'nul \u0000 inside' }, 'note');
    await refused({ kind: 'CONTACT', note: 'lone \ud800 surrogate' }, 'note');
    await refused({ kind: 'CONTACT', note: 'x'.repeat(501) }, 'note');
    await refused({ kind: 'CONTACT', note: '' }, 'note');
    await refused({ kind: 'CONTACT', note: 'extra', staffId: 'someone-else' }, 'body');
    expect((await staff('POST', path(recentCase), '{"kind":"CONTACT","note":')).status).toBe(400);

    const closed = await staff('POST', path(closedCase), { kind: 'CONTACT', note: 'too late' });
    expect(closed.status).toBe(409);
    expect(closed.body.code).toBe('CASE_CLOSED');
    const unknown = await staff('POST', path(`${recent.id}:case:2020-01-01`), { kind: 'CONTACT', note: 'nobody' });
    expect(unknown.status).toBe(404);
    // Case ids may be longer than other ids (up to 200 characters), never of other characters.
    expect((await staff('POST', path(`cl_${'a'.repeat(150)}:case:2020-01-01`), { kind: 'CONTACT', note: 'long' })).status).toBe(404);
    expect((await staff('POST', path(`cl_${'a'.repeat(200)}`), { kind: 'CONTACT', note: 'too long' })).status).toBe(400);
    expect((await staff('POST', path('cl x:case'), { kind: 'CONTACT', note: 'space' })).status).toBe(400);

    // Only the three accepted notes were written, each with its audit row in the same transaction.
    const notes = await stack.database.db.select().from(collectionNotes);
    expect(notes).toHaveLength(3);
    const trail = await stack.database.db.select().from(auditLog).where(and(eq(auditLog.creditLineId, recent.id), eq(auditLog.action, 'COLLECTION_NOTE')));
    expect(trail.map((a) => ({ eventKey: a.eventKey, actor: a.actor, reason: a.reason, details: a.details })).sort((a, b) => a.eventKey.localeCompare(b.eventKey))).toEqual([
      { eventKey: `${recentCase}:note:${contact.body.id}`, actor: 'staff:S-collect', reason: 'CONTACT', details: { caseId: recentCase } },
      { eventKey: `${recentCase}:note:${promise.body.id}`, actor: 'staff:S-collect', reason: 'PROMISE_TO_PAY', details: { caseId: recentCase, promisedAmount: 50_000, promisedDate } },
    ].sort((a, b) => a.eventKey.localeCompare(b.eventKey)));
    const record = await staff('GET', `/v1/support/credit-lines/${recent.id}`);
    expect(record.body.audit.filter((a: { action: string }) => a.action === 'COLLECTION_NOTE')).toHaveLength(2);
    // The line's record shows its case, and no request waiting for a checker.
    expect(record.body.cases).toEqual([expect.objectContaining({ caseId: recentCase, status: 'OPEN', openedDpd: 15, amounts: { overduePrincipal: 100_000, penalties: 750, fees: 1_500, total: 102_250 } })]);
    expect(record.body.pendingApprovals).toEqual([]);

    // The queue shows the notes among the contacts, newest first.
    const queue = await staff('GET', '/v1/support/collections');
    const shown = queue.body.items.find((c: { caseId: string }) => c.caseId === recentCase);
    const notesShown = shown.contacts.filter((c: { type: string }) => c.type === 'NOTE');
    expect(notesShown.map((n: { id: string }) => n.id)).toEqual([promise.body.id, contact.body.id]);
    expect(shown.contacts[0]).toMatchObject({ type: 'NOTE', id: promise.body.id });
  });

  it('describes both endpoints in the OpenAPI document', async () => {
    const doc = await api(stack.baseUrl)('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/v1/support/collections', '/v1/support/collections/{caseId}/notes']));
  });
});
