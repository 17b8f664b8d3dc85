/**
 * SMS providers behind one interface (PRODUCT §11; API.md "SMS webhook"):
 * - `log` (the default; a local stand-in for a gateway, labelled as such): the SMS is recorded in
 *   the database by the delivery activity and printed with the phone masked; nothing leaves the machine.
 *   A secret in it (a one-time code) is masked in what it prints too; the clear SMS of such a template
 *   goes instead to a local file only the owner can read (`outboxPath`, `.data/sms-outbox.jsonl` under
 *   `revolve start`), which is how someone running locally reads their code. Never a log line;
 * - `webhook`: one POST per message to SMS_WEBHOOK_URL with `{ messageId, creditLineId, to, template,
 *   text, params, scheduledFor }`; any 2xx is delivered, anything else (or no answer within the
 *   timeout) is a failed attempt, retried with backoff by the activity's retry policy. A receiver may
 *   see a message twice and must treat one `messageId` as one message.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { CODE_MASK } from '../domain/one-time-code';
import { maskPhone, secretParamsOf } from '../domain/notifications';

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

/**
 * The text of `sms` with its template's secrets masked: each secret parameter's value, and, should
 * the parameters not carry it, every run of 4 or more digits (a code is never printed, whatever the params).
 */
export function printableText(sms: Pick<SmsRequest, 'template' | 'text' | 'params'>): string {
  const secrets = secretParamsOf(sms.template);
  if (secrets.length === 0) return sms.text;
  let text = sms.text;
  for (const name of secrets) {
    const value = sms.params[name];
    if ((typeof value === 'string' || typeof value === 'number') && String(value).length > 0) text = text.replaceAll(String(value), CODE_MASK);
  }
  return text.replace(/[0-9]{4,}/g, CODE_MASK);
}

/**
 * Local default: no gateway is reached; the phone is masked in what it prints, and so is a secret.
 * With `outboxPath`, an SMS holding a secret is appended in clear (phone masked) to that file, created
 * owner-only (0600): the local stand-in for the customer's phone.
 */
export function logSmsProvider(logger: Logger, opts: { outboxPath?: string } = {}): SmsProvider {
  return {
    name: 'log',
    async send(sms) {
      const to = maskPhone(sms.to);
      if (opts.outboxPath && secretParamsOf(sms.template).length > 0) {
        await fs.mkdir(path.dirname(opts.outboxPath), { recursive: true, mode: 0o700 });
        const line = `${JSON.stringify({ messageId: sms.messageId, creditLineId: sms.creditLineId, to, template: sms.template, text: sms.text, scheduledFor: sms.scheduledFor })}\n`;
        await fs.appendFile(opts.outboxPath, line, { mode: 0o600 });
        // `mode` applies only when the file is created: a file made by other means is narrowed too.
        await fs.chmod(opts.outboxPath, 0o600);
      }
      const where = opts.outboxPath && secretParamsOf(sms.template).length > 0 ? ` (in clear in ${opts.outboxPath})` : '';
      logger.info({ messageId: sms.messageId, creditLineId: sms.creditLineId, to, template: sms.template, scheduledFor: sms.scheduledFor }, `SMS (log provider, not sent): ${printableText(sms)}${where}`);
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
export function smsProvider(opts: { provider: 'log' | 'webhook'; webhookUrl?: string; timeoutMs: number; logger: Logger; outboxPath?: string }): SmsProvider {
  if (opts.provider === 'log') return logSmsProvider(opts.logger, { outboxPath: opts.outboxPath });
  if (!opts.webhookUrl) throw new Error('SMS_PROVIDER=webhook needs SMS_WEBHOOK_URL');
  return webhookSmsProvider({ url: opts.webhookUrl, timeoutMs: opts.timeoutMs });
}
