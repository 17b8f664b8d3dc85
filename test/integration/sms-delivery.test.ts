import http from 'node:http';
import { ApplicationFailure } from '@temporalio/common';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotificationActivities } from '../../activities/notifications';
import { webhookSmsProvider } from '../../activities/sms';
import { messageAttempts, messages } from '../../db/schema';
import { messagesFor } from '../../domain/notifications';
import { STANDARD_PRODUCT } from '../../domain/product';
import { freshDatabase, type TestDatabase } from '../support/database';
import { receiveApplication } from '../support/fixtures';
import { smsReceiver } from '../support/sms-receiver';

let database: TestDatabase;
const gateway = smsReceiver({ failFirst: 3 });
beforeAll(async () => { [database] = await Promise.all([freshDatabase(), gateway.start()]); });
afterAll(async () => { await gateway.stop(); await database?.drop(); });

/** An SMS in the outbox of a new line, as the ledger activity writes it with its event. */
async function outboxSms(at: string) {
  const input = await receiveApplication(database.db, { monthlyIncome: 2_000_000 });
  const [sms] = messagesFor(`${input.creditLineId}:OPENED:1`, 'LINE_OPENED', { limit: 1_000_000, statementDay: 5 }, at, STANDARD_PRODUCT);
  await database.db.insert(messages).values({ ...sms!, creditLineId: input.creditLineId, customerId: input.customerId, status: 'PENDING', createdAt: at });
  return sms!;
}

describe('SMS delivery through the webhook provider', () => {
  it('retries a receiver that fails 3 times, then delivers once by messageId, every attempt recorded', async () => {
    const sms = await outboxSms('2027-03-01T10:00:00+08:00');
    const activities = createNotificationActivities({
      db: database.db, sms: webhookSmsProvider({ url: gateway.url(), timeoutMs: 2000 }), clock: () => new Date('2027-03-01T10:00:05+08:00'),
    });
    // Temporal's retry policy calls the activity again after each failure: so does this loop.
    const failures: unknown[] = [];
    let delivered;
    for (let attempt = 0; attempt < 10 && !delivered; attempt++) {
      delivered = await activities.deliverSms(sms.id).catch((err: unknown) => { failures.push(err); return undefined; });
    }
    expect(failures).toHaveLength(3);
    for (const f of failures) expect(f).toMatchObject({ type: 'SMS_NOT_DELIVERED', nonRetryable: false });
    expect(delivered).toMatchObject({ status: 'DELIVERED', attempts: 4, alreadyDelivered: false });
    // A retried activity or a replayed workflow sends nothing again.
    expect(await activities.deliverSms(sms.id)).toMatchObject({ alreadyDelivered: true });
    expect(gateway.received).toHaveLength(4);
    expect(gateway.uniqueMessages()).toBe(1);
    expect(gateway.received[3]).toMatchObject({ messageId: sms.id, to: '13800138000', template: 'LINE_OPENED', text: sms.text, scheduledFor: new Date(sms.sendAt).toISOString() });

    const attempts = await database.db.select().from(messageAttempts).where(eq(messageAttempts.messageId, sms.id)).orderBy(asc(messageAttempts.id));
    expect(attempts.map((a) => [a.provider, a.result, a.detail])).toEqual([
      ['webhook', 'FAILED', 'HTTP 503'], ['webhook', 'FAILED', 'HTTP 503'], ['webhook', 'FAILED', 'HTTP 503'], ['webhook', 'DELIVERED', 'HTTP 204'],
    ]);
    const [row] = await database.db.select().from(messages).where(eq(messages.id, sms.id));
    expect(row).toMatchObject({ status: 'DELIVERED', attempts: 4 });
    // Nothing personal in what an attempt records.
    expect(JSON.stringify(attempts)).not.toContain('13800138000');
  });

  it('defers an attempt that falls inside quiet hours to 08:00, sending nothing', async () => {
    const sms = await outboxSms('2027-03-01T10:00:00+08:00');
    const before = gateway.received.length;
    const activities = createNotificationActivities({
      db: database.db, sms: webhookSmsProvider({ url: gateway.url(), timeoutMs: 2000 }), clock: () => new Date('2027-03-01T22:30:00+08:00'),
    });
    const err = await activities.deliverSms(sms.id).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'QUIET_HOURS', nonRetryable: false, nextRetryDelay: 9.5 * 3600_000 });
    expect(gateway.received.length).toBe(before);
    const attempts = await database.db.select().from(messageAttempts).where(eq(messageAttempts.messageId, sms.id));
    expect(attempts.map((a) => a.result)).toEqual(['DEFERRED']);
  });

  it('counts no answer within the timeout as a failed attempt', async () => {
    const sms = await outboxSms('2027-03-01T10:00:00+08:00');
    const silent = http.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(silent.address() as { port: number }).port}/`;
      const activities = createNotificationActivities({ db: database.db, sms: webhookSmsProvider({ url, timeoutMs: 300 }), clock: () => new Date('2027-03-01T10:00:05+08:00') });
      await expect(activities.deliverSms(sms.id)).rejects.toMatchObject({ type: 'SMS_NOT_DELIVERED' });
      const [attempt] = await database.db.select().from(messageAttempts).where(eq(messageAttempts.messageId, sms.id));
      expect(attempt).toMatchObject({ result: 'FAILED', detail: 'no answer within 300 ms' });
    } finally {
      await new Promise<void>((resolve) => { silent.close(() => resolve()); silent.closeAllConnections(); });
    }
  });
});
