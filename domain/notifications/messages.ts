/**
 * A message is an effect of an event: the domain decides what to say (template and parameters), on
 * which channels, and from when it may go (`sendAt`). The event's transaction stores it (the outbox
 * for SMS, the inbox for in-app); the workflow has the SMS delivered when due.
 */
import type { Day, Instant } from '../calendar';
import type { Product } from '../product';
import { sendAt, underDailyCap } from './schedule';
import { DEFAULT_LOCALE, renderMessage, TEMPLATES, type Channel, type Locale, type MessageKind, type TemplateName, type TemplateParams } from './templates';

export interface OutgoingMessage {
  /** `<event key>:<template>:<channel>`: scoped by the line (event keys start with its id), stable across retries. */
  id: string;
  channel: Channel;
  kind: MessageKind;
  template: TemplateName;
  params: TemplateParams;
  locale: Locale;
  /** The text as the customer reads it. */
  text: string;
  /** The moment it may go: never inside quiet hours for an SMS the line sends on its own. */
  sendAt: Instant;
}

/** An SMS still to deliver, as the line carries it (plain JSON). */
export interface PendingSms { id: string; sendAt: Instant }

/**
 * The messages of `template` for an event keyed `eventKey` that happened at `at`, one per channel of
 * the template. `collectionSmsDays` are the days already holding collection SMS (for the daily cap).
 */
export function messagesFor(
  eventKey: string, template: TemplateName, params: TemplateParams, at: Instant, product: Pick<Product, 'sms'>,
  opts: { locale?: Locale; collectionSmsDays?: readonly Day[]; channels?: readonly Channel[]; capEverySms?: boolean } = {},
): OutgoingMessage[] {
  const { kind, channels }: { kind: MessageKind; channels: readonly Channel[] } = TEMPLATES[template];
  const locale = opts.locale ?? DEFAULT_LOCALE;
  const text = renderMessage(template, params, locale);
  // An overdue customer: every SMS but a code counts against the daily cap (`capEverySms`).
  const capAs: MessageKind = opts.capEverySms && (kind as MessageKind) !== 'CODE' ? 'COLLECTION' : kind;
  return channels.filter((c) => !opts.channels || opts.channels.includes(c)).map((channel) => {
    const allowed = sendAt(at, channel, kind, product);
    return {
      id: `${eventKey}:${template}:${channel}`,
      channel, kind, template, params, locale, text,
      sendAt: channel === 'SMS' ? underDailyCap(allowed, capAs, opts.collectionSmsDays ?? [], product) : allowed,
    };
  });
}

/** The SMS among `messages`, as the line tracks them until delivered. */
export function pendingSms(messages: readonly OutgoingMessage[]): PendingSms[] {
  return messages.filter((m) => m.channel === 'SMS').map((m) => ({ id: m.id, sendAt: m.sendAt }));
}

/** "13800138000" → "138****8000": what logs and support screens show of a phone. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\s/g, '');
  if (digits.length <= 7) return '*'.repeat(digits.length);
  return `${digits.slice(0, 3)}${'*'.repeat(digits.length - 7)}${digits.slice(-4)}`;
}
