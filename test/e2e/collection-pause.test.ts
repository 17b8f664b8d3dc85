/*
 * A collection pause over HTTP (API.md `POST /v1/support/credit-lines/{id}/collection-pause`), on the
 * time-skipping server with REVOLVE_CLOCK's clock: staff pause an overdue line with a reason, the line
 * says nothing while the days (and their penalties) pass, and the ladder resumes by itself at the end.
 */
import { randomUUID } from 'node:crypto';
import { asc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { checkLedger } from '../../db/ledger-check';
import { messages } from '../../db/schema';
import { addDays, instantAt } from '../../domain/calendar';
import { STANDARD_PRODUCT } from '../../domain/product';
import { useSpeakingStack } from '../support/speaking-stack';
import { api, eventually } from '../support/stack';

const speaking = useSpeakingStack({ status: 204 });
const { skipTo } = speaking;

async function overdueLine(customer: string, amount: number) {
  const call = api(speaking.stack.baseUrl, await speaking.stack.token('customer', customer));
  const applied = await call('POST', '/v1/applications', { phone: '13700002222', monthlyIncome: 2_000_000, employmentMonths: 60, age: 35 });
  const id = applied.body.creditLineId as string;
  const opened = await eventually(() => call('GET', `/v1/credit-lines/${id}`), (r) => r.body.status === 'ACTIVE' && r.body.nextStatementDate !== null);
  expect((await call('POST', `/v1/credit-lines/${id}/purchases`, { merchantId: 'self-operated', amount }, { 'idempotency-key': randomUUID() })).status).toBe(201);
  return { call, id, dueDate: addDays(opened.body.nextStatementDate as string, STANDARD_PRODUCT.statement.dueDateOffsetDays) };
}

const collectionMessages = async (id: string) => (await speaking.stack.database.db.select().from(messages).where(eq(messages.creditLineId, id)).orderBy(asc(messages.seq)))
  .filter((m) => m.kind === 'COLLECTION').map((m) => [m.template, m.channel]);

describe('a collection pause over HTTP', () => {
  it('pauses an overdue line until a moment, audited; nothing is said meanwhile, penalties go on, and the ladder resumes by itself', async () => {
    const { call, id, dueDate } = await overdueLine(`pause-${randomUUID().slice(0, 6)}`, 100_000);
    const staff = api(speaking.stack.baseUrl, await speaking.stack.token('support', 'S-pause'));
    const path = `/v1/support/credit-lines/${id}/collection-pause`;

    // Nothing overdue yet: nothing to pause.
    const early = await staff('POST', path, { until: new Date(await speaking.env.currentTimeMs() + 86_400_000).toISOString(), reason: 'disputed purchase' });
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ code: 'NOT_OVERDUE' });

    await skipTo(instantAt(addDays(dueDate, 2), '10:00'));
    await eventually(() => call('GET', `/v1/credit-lines/${id}`), (r) => r.body.daysPastDue === 2);
    const atDpd2 = await collectionMessages(id);
    expect(atDpd2).toEqual([['OVERDUE_NOTICE', 'SMS'], ['OVERDUE_NOTICE', 'IN_APP']]);

    // Bad input, each a problem with its code, nothing changed; not for customers.
    const until = instantAt(addDays(dueDate, 10), '09:00');
    const customer = await call('POST', path, { until, reason: 'x' });
    expect(customer.status).toBe(403);
    for (const [body, field] of [
      [{ until: '2027-13-01', reason: 'dispute' }, 'until'],
      [{ until: instantAt(addDays(dueDate, 1), '10:00'), reason: 'dispute' }, 'until'],
      [{ until: instantAt(addDays(dueDate, 40), '10:00'), reason: 'dispute' }, 'until'],
      [{ until }, 'reason'],
      [{ until, reason: 'a\u0007b' }, 'reason'],
    ] as const) {
      const bad = await staff('POST', path, body);
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect(bad.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [expect.objectContaining({ field })] });
      expect(bad.headers.get('content-type')).toContain('application/problem+json');
    }
    const notPaused = await staff('DELETE', path, { note: 'nothing to end' });
    expect(notPaused.status).toBe(409);
    expect(notPaused.body).toMatchObject({ code: 'NOT_PAUSED' });

    const paused = await staff('POST', path, { until, reason: 'customer in hospital until the 10th' });
    expect(paused.status).toBe(200);
    expect(paused.body).toEqual({ creditLineId: id, pausedUntil: until, daysPastDue: 2, stage: 'DPD1_NOTICE' });
    const record = await staff('GET', `/v1/support/credit-lines/${id}`);
    expect(record.body.audit.find((a: { action: string }) => a.action === 'COLLECTION_PAUSED')).toMatchObject({
      actor: 'staff:S-pause', reason: 'customer in hospital until the 10th', details: { until },
    });

    // DPD 3 and 7 pass in silence; the penalty of each day is still charged (50 fen a day).
    await skipTo(instantAt(addDays(dueDate, 9), '12:00'));
    const during = await eventually(() => call('GET', `/v1/credit-lines/${id}`), (r) => r.body.daysPastDue === 9);
    expect(during.body.balance).toBe(100_000 + 9 * 50);
    expect(await collectionMessages(id)).toEqual(atDpd2);

    // The pause ends at 09:00 on DPD 10: the line wakes by itself and the latest step held (DPD 7) speaks.
    await skipTo(instantAt(addDays(dueDate, 10), '12:00'));
    await eventually(() => collectionMessages(id), (m) => m.length > atDpd2.length, 10_000);
    expect((await collectionMessages(id)).slice(atDpd2.length)).toEqual([['OVERDUE_REMINDER', 'SMS'], ['OVERDUE_REMINDER', 'IN_APP']]);
    const after = await staff('GET', `/v1/support/credit-lines/${id}`);
    expect(after.body.audit.map((a: { action: string }) => a.action)).toEqual(expect.arrayContaining(['COLLECTION_PAUSE_ENDED', 'COLLECTION_STEP']));
    const check = await checkLedger(speaking.stack.database.db);
    expect(check.differences).toEqual([]);
  });

  it('ended early by staff (DELETE): the ladder takes the steps it held at once', async () => {
    const { call, id, dueDate } = await overdueLine(`resume-${randomUUID().slice(0, 6)}`, 80_000);
    const staff = api(speaking.stack.baseUrl, await speaking.stack.token('admin', 'A-resume'));
    const path = `/v1/support/credit-lines/${id}/collection-pause`;
    await skipTo(instantAt(addDays(dueDate, 2), '10:00'));
    await eventually(() => call('GET', `/v1/credit-lines/${id}`), (r) => r.body.daysPastDue === 2);
    expect((await staff('POST', path, { until: instantAt(addDays(dueDate, 20), '10:00'), reason: 'dispute with the merchant' })).status).toBe(200);
    await skipTo(instantAt(addDays(dueDate, 8), '10:00'));
    await eventually(() => call('GET', `/v1/credit-lines/${id}`), (r) => r.body.daysPastDue === 8);
    const before = await collectionMessages(id);
    expect(before).toEqual([['OVERDUE_NOTICE', 'SMS'], ['OVERDUE_NOTICE', 'IN_APP']]);
    expect((await staff('DELETE', path, {})).body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [expect.objectContaining({ field: 'note' })] });
    const ended = await staff('DELETE', path, { note: 'the merchant refunded nothing; collection goes on' });
    expect(ended.status).toBe(200);
    expect(ended.body).toEqual({ creditLineId: id, pausedUntil: null, daysPastDue: 8, stage: 'DPD1_NOTICE' });
    const after = await eventually(() => collectionMessages(id), (m) => m.length > before.length, 10_000);
    expect(after.slice(before.length)).toEqual([['OVERDUE_REMINDER', 'SMS'], ['OVERDUE_REMINDER', 'IN_APP']]);
    const record = await staff('GET', `/v1/support/credit-lines/${id}`);
    expect(record.body.audit.find((a: { action: string }) => a.action === 'COLLECTION_RESUMED')).toMatchObject({ actor: 'staff:A-resume', reason: 'the merchant refunded nothing; collection goes on' });
  });
});
