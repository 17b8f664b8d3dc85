import { ApplicationFailure } from '@temporalio/common';
import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { applications, messageAttempts, messages } from '../db/schema';
import { afterQuietHours, inQuietHours, type MessageKind } from '../domain/notifications';
import { STANDARD_PRODUCT } from '../domain/product';
import type { Clock } from '../runtime/clock';
import { withCleanErrors } from './errors';
import type { SmsProvider } from './sms';

export interface DeliveryResult { messageId: string; status: 'DELIVERED'; attempts: number; alreadyDelivered: boolean }

/**
 * Delivers one SMS of the outbox, at least once and idempotent by its id: a message already
 * delivered is not sent again (a retried activity, a replayed workflow). Every attempt is recorded
 * (provider, time, result). The phone is read here, by the line's application, and goes nowhere but
 * to the provider. An attempt that falls inside quiet hours (a retry that ran late) is deferred to
 * their end, never sent; a failed one is retried with backoff by the activity's retry policy.
 */
export function createNotificationActivities({ db, sms, clock }: { db: Database; sms: SmsProvider; clock: Clock }) {
  const record = (messageId: string, result: 'DELIVERED' | 'FAILED' | 'DEFERRED', detail: string) =>
    db.insert(messageAttempts).values({ messageId, provider: sms.name, result, detail });

  return {
    deliverSms: (messageId: string): Promise<DeliveryResult> => withCleanErrors(async () => {
      const [row] = await db.select({ message: messages, phone: applications.phone }).from(messages)
        .innerJoin(applications, eq(applications.creditLineId, messages.creditLineId))
        .where(and(eq(messages.id, messageId), eq(messages.channel, 'SMS')));
      if (!row) throw ApplicationFailure.nonRetryable(`no SMS ${messageId} in the outbox`, 'MESSAGE_NOT_FOUND');
      const { message, phone } = row;
      if (message.status === 'DELIVERED') return { messageId, status: 'DELIVERED', attempts: message.attempts, alreadyDelivered: true };
      const now = (await clock()).toISOString();
      const quiet = STANDARD_PRODUCT.sms.quietHours;
      if ((message.kind as MessageKind) !== 'CODE' && inQuietHours(now, quiet)) {
        await record(messageId, 'DEFERRED', 'quiet hours');
        throw ApplicationFailure.create({
          type: 'QUIET_HOURS', message: 'inside quiet hours: deferred to their end',
          nextRetryDelay: Math.max(1000, Date.parse(afterQuietHours(now, quiet)) - Date.parse(now)),
        });
      }
      const result = await sms.send({
        messageId, creditLineId: message.creditLineId, to: phone, template: message.template, text: message.text,
        params: message.params as Record<string, unknown>, scheduledFor: new Date(message.sendAt).toISOString(),
      });
      await db.transaction(async (tx) => {
        await tx.insert(messageAttempts).values({ messageId, provider: sms.name, result: result.delivered ? 'DELIVERED' : 'FAILED', detail: result.detail });
        await tx.update(messages).set({
          attempts: sql`${messages.attempts} + 1`,
          ...(result.delivered ? { status: 'DELIVERED', deliveredAt: now } : {}),
        }).where(eq(messages.id, messageId));
      });
      if (!result.delivered) throw ApplicationFailure.retryable(`SMS not delivered: ${result.detail}`, 'SMS_NOT_DELIVERED');
      return { messageId, status: 'DELIVERED', attempts: message.attempts + 1, alreadyDelivered: false };
    }),

    /** After the line gave up retrying (its retry window closed): the SMS is FAILED, for staff to see. */
    markSmsUndeliverable: (messageId: string): Promise<void> => withCleanErrors(async () => {
      await db.update(messages).set({ status: 'FAILED' }).where(and(eq(messages.id, messageId), eq(messages.status, 'PENDING')));
    }),
  };
}
