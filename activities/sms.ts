/**
 * SMS providers behind one interface (PRODUCT §11; API.md "SMS webhook"):
 * - `log` (the default; a local stand-in for a gateway, labelled as such): the SMS is recorded in
 *   the database by the delivery activity and printed with the phone masked; nothing leaves the machine;
 * - `webhook`: one POST per message to SMS_WEBHOOK_URL with `{ messageId, creditLineId, to, template,
 *   text, params, scheduledFor }`; any 2xx is delivered, anything else (or no answer within the
 *   timeout) is a failed attempt, retried with backoff by the activity's retry policy. A receiver may
 *   see a message twice and must treat one `messageId` as one message.
 */
import type { Logger } from 'pino';
import { maskPhone } from '../domain/notifications';

export interface SmsRequest {
  messageId: string;
  creditLineId: string;
  /** The customer's own phone, read from PostgreSQL at the last moment. */
  to: string;
  template: string;
  text: string;
  params: Record<string, unknown>;
  /** When the line sent it (ISO-8601 with offset): never inside quiet hours. */
  scheduledFor: string;
}

export type SmsResult = { delivered: true; detail: string } | { delivered: false; detail: string };

export interface SmsProvider {
  readonly name: 'log' | 'webhook';
  send(sms: SmsRequest): Promise<SmsResult>;
}

/** Local default: no gateway is reached; the phone is masked in what it prints. */
export function logSmsProvider(logger: Logger): SmsProvider {
  return {
    name: 'log',
    async send(sms) {
      logger.info({ messageId: sms.messageId, creditLineId: sms.creditLineId, to: maskPhone(sms.to), template: sms.template, scheduledFor: sms.scheduledFor }, `SMS (log provider, not sent): ${sms.text}`);
      return { delivered: true, detail: 'logged (SMS_PROVIDER=log)' };
    },
  };
}

export function webhookSmsProvider(opts: { url: string; timeoutMs: number }): SmsProvider {
  return {
    name: 'webhook',
    async send(sms) {
      try {
        const res = await fetch(opts.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': sms.messageId },
          body: JSON.stringify(sms),
          signal: AbortSignal.timeout(opts.timeoutMs),
        });
        await res.arrayBuffer().catch(() => undefined);
        return res.ok ? { delivered: true, detail: `HTTP ${res.status}` } : { delivered: false, detail: `HTTP ${res.status}` };
      } catch (err) {
        // The kind of failure only: the URL may carry a token, the body carries the phone.
        const e = err as { name?: string; cause?: { code?: string } };
        return { delivered: false, detail: e.name === 'TimeoutError' ? `no answer within ${opts.timeoutMs} ms` : `network error ${e.cause?.code ?? e.name ?? 'unknown'}` };
      }
    },
  };
}

/** The provider SMS_PROVIDER names. */
export function smsProvider(opts: { provider: 'log' | 'webhook'; webhookUrl?: string; timeoutMs: number; logger: Logger }): SmsProvider {
  if (opts.provider === 'log') return logSmsProvider(opts.logger);
  if (!opts.webhookUrl) throw new Error('SMS_PROVIDER=webhook needs SMS_WEBHOOK_URL');
  return webhookSmsProvider({ url: opts.webhookUrl, timeoutMs: opts.timeoutMs });
}
