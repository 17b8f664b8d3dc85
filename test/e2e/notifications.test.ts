/*
 * An event that speaks: a line opened and a statement closed each send an SMS (to a local webhook
 * receiver, with the customer's phone) and an in-app message (listed by GET /v1/messages), written
 * with the event: the outbox row, its delivery attempts and the audit trail. On the time-skipping
 * server with REVOLVE_CLOCK's clock, so quiet hours and statement closes come in seconds.
 */
import { randomUUID } from 'node:crypto';
import { asc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditLog, messageAttempts, messages } from '../../db/schema';
import { addDays, instantAt, localTime } from '../../domain/calendar';
import { inQuietHours } from '../../domain/notifications';
import { STANDARD_PRODUCT } from '../../domain/product';
import { useSpeakingStack } from '../support/speaking-stack';
import { api, eventually } from '../support/stack';

const speaking = useSpeakingStack({ status: 202 });
const { received, skipTo } = speaking;

describe('messages as effects of events', () => {
  it('a line opened: SMS to the webhook with the phone, in-app message listed, outbox, attempts and audit written with the event', async () => {
    const customer = `nora-${randomUUID().slice(0, 8)}`;
    const call = api(speaking.stack.baseUrl, await speaking.stack.token('customer', customer));
    const applied = await call('POST', '/v1/applications', { phone: '13912345678', monthlyIncome: 2_000_000, employmentMonths: 60, age: 35, statementDay: 5 });
    const lineId = applied.body.creditLineId as string;
    await eventually(() => call('GET', `/v1/credit-lines/${lineId}`), (r) => r.body.status === 'ACTIVE');

    // Written with the event: the SMS in the outbox, the in-app message in the inbox, the audit row.
    const rows = await eventually(() => speaking.stack.database.db.select().from(messages).where(eq(messages.creditLineId, lineId)), (r) => r.length === 2);
    const sms = rows.find((m) => m.channel === 'SMS')!;
    const inApp = rows.find((m) => m.channel === 'IN_APP')!;
    expect(sms).toMatchObject({ template: 'LINE_OPENED', kind: 'SERVICE', locale: 'zh-CN' });
    expect(inQuietHours(new Date(sms.sendAt).toISOString(), STANDARD_PRODUCT.sms.quietHours)).toBe(false);
    expect(new Date(inApp.createdAt).getTime()).toBe(new Date(sms.createdAt).getTime());

    const inbox = await call('GET', '/v1/messages');
    expect(inbox.status).toBe(200);
    expect(inbox.body.items).toEqual([expect.objectContaining({ id: inApp.id, creditLineId: lineId, template: 'LINE_OPENED', channel: 'IN_APP', readAt: null })]);
    expect(inbox.body.items[0].text).toContain('额度');

    // Delivered when due (after quiet hours if it was opened in them), to the customer's own phone.
    await skipTo(new Date(sms.sendAt).toISOString());
    const delivered = await eventually(async () => received.filter((r) => r.creditLineId === lineId), (r) => r.length > 0, 20_000);
    expect(delivered[0]).toMatchObject({ messageId: sms.id, to: '13912345678', template: 'LINE_OPENED', text: sms.text, scheduledFor: new Date(sms.sendAt).toISOString() });
    const attempts = await eventually(() => speaking.stack.database.db.select().from(messageAttempts).where(eq(messageAttempts.messageId, sms.id)), (a) => a.some((x) => x.result === 'DELIVERED'));
    expect(attempts.at(-1)).toMatchObject({ provider: 'webhook', result: 'DELIVERED', detail: 'HTTP 202' });
    expect((await speaking.stack.database.db.select().from(messages).where(eq(messages.id, sms.id)))[0]).toMatchObject({ status: 'DELIVERED', attempts: 1 });

    const trail = await speaking.stack.database.db.select().from(auditLog).where(eq(auditLog.creditLineId, lineId)).orderBy(asc(auditLog.id));
    expect(trail.map((a) => a.action)).toEqual(['UNDERWRITING_APPROVE', 'LINE_OPENED']);
    expect(trail[1]).toMatchObject({ actor: expect.stringMatching(/^model:/), eventKey: sms.id.split(':LINE_OPENED:')[0] });

    // Marking read keeps the first moment.
    const read = await call('POST', `/v1/messages/${encodeURIComponent(inApp.id)}/read`);
    expect(read.status).toBe(200);
    expect(read.body.readAt).not.toBeNull();
    expect((await call('POST', `/v1/messages/${encodeURIComponent(inApp.id)}/read`)).body.readAt).toBe(read.body.readAt);
    const stranger = api(speaking.stack.baseUrl, await speaking.stack.token('customer', `other-${randomUUID().slice(0, 8)}`));
    expect((await stranger('POST', `/v1/messages/${encodeURIComponent(inApp.id)}/read`)).status).toBe(404);
    expect((await stranger('GET', '/v1/messages')).body.items).toEqual([]);

    // A purchase is in the trail with its actor; a statement close announces itself at 08:00, never at midnight.
    const bought = await call('POST', `/v1/credit-lines/${lineId}/purchases`, { merchantId: 'self-operated', amount: 88_800 }, { 'idempotency-key': randomUUID() });
    expect(bought.status).toBe(201);
    const line = (await call('GET', `/v1/credit-lines/${lineId}`)).body;
    // The cycle closes at the end of the statement date (00:00 the next day); its SMS waits for 08:00.
    await skipTo(instantAt(addDays(line.nextStatementDate as string, 1), '08:05'));
    const statementSms = await eventually(async () => received.filter((r) => r.creditLineId === lineId && r.template === 'STATEMENT_ISSUED'), (r) => r.length > 0, 20_000);
    expect(localTime(statementSms[0]!.scheduledFor)).toBe('08:00');
    expect(statementSms[0]!.text).toContain('888.00');

    const staff = api(speaking.stack.baseUrl, await speaking.stack.token('support', 'S-notify'));
    const record = await staff('GET', `/v1/support/credit-lines/${lineId}`);
    expect(record.status).toBe(200);
    const actions = record.body.audit.map((a: { action: string }) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['LINE_OPENED', 'PURCHASE', 'STATEMENT_CLOSED', 'UNDERWRITING_APPROVE']));
    expect(record.body.audit.find((a: { action: string }) => a.action === 'PURCHASE')).toMatchObject({ actor: `customer:${customer}`, details: { amount: 88_800, merchantId: 'self-operated' } });
    const smsShown = record.body.messages.filter((m: { channel: string }) => m.channel === 'SMS');
    expect(smsShown.length).toBe(2);
    for (const m of smsShown) expect(m.to).toBe('139****5678');
    expect(JSON.stringify(record.body)).not.toContain('13912345678');
  });
});
