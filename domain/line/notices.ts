/**
 * What the line says and records because of what happened: the messages an event sends (SMS into
 * the outbox, in-app into the inbox) and its audit entry. The SMS it sends wait in the line's state
 * (`pendingSms`) until delivered; the line wakes for the earliest one.
 */
import type { Actor, AuditEntry } from '../audit';
import { instantMs, localDay, type Instant } from '../calendar';
import { messagesFor, pendingSms, type Channel, type OutgoingMessage, type TemplateName, type TemplateParams } from '../notifications';
import type { Product } from '../product';
import type { LineState } from './state';

/** The messages of `template` for the event keyed `eventKey`, and the state with their SMS pending. */
export function say<S extends LineState>(
  state: S, eventKey: string, template: TemplateName, params: TemplateParams, at: Instant, product: Pick<Product, 'sms'>,
  channels?: readonly Channel[],
): { state: S; messages: OutgoingMessage[] } {
  // Conduct (PRODUCT §7): while overdue, one SMS a customer's day of any kind; the first decided goes,
  // a later one waits for the next morning. Days holding an SMS: those sent on the ladder, and those
  // of SMS still waiting to go (a statement announced at the same midnight, say).
  const overdue = state.collection;
  const busyDays = overdue ? [...overdue.smsDays, ...(state.pendingSms ?? []).map((p) => localDay(p.sendAt))] : [];
  const messages = messagesFor(eventKey, template, params, at, product, {
    ...(channels ? { channels } : {}),
    ...(overdue ? { collectionSmsDays: busyDays, capEverySms: true } : {}),
  });
  const sms = pendingSms(messages);
  if (sms.length === 0) return { state, messages };
  const smsDays = overdue ? [...overdue.smsDays, ...sms.map((m) => localDay(m.sendAt))].slice(-31) : undefined;
  return {
    state: { ...state, pendingSms: [...(state.pendingSms ?? []), ...sms], ...(overdue && smsDays ? { collection: { ...overdue, smsDays } } : {}) },
    messages,
  };
}

/** The state once an SMS is delivered (or given up): it no longer wakes the line. */
export function smsSettled<S extends LineState>(state: S, messageId: string): S {
  if (!state.pendingSms?.some((p) => p.id === messageId)) return state;
  return { ...state, pendingSms: state.pendingSms.filter((p) => p.id !== messageId) };
}

/** SMS due by `now`: the line hands them to the delivery activity. */
export function smsDue(state: LineState, now: Instant): string[] {
  return (state.pendingSms ?? []).filter((p) => instantMs(p.sendAt) <= instantMs(now)).map((p) => p.id);
}

/** The earliest pending SMS: a moment the line must wake for. */
export function nextSmsAt(state: LineState): Instant | null {
  let earliest: Instant | null = null;
  for (const p of state.pendingSms ?? []) if (earliest === null || instantMs(p.sendAt) < instantMs(earliest)) earliest = p.sendAt;
  return earliest;
}

export const SYSTEM = {
  cycleClose: { type: 'system', id: 'cycle-close' },
  penalty: { type: 'system', id: 'penalty' },
  reminders: { type: 'system', id: 'reminders' },
  collections: { type: 'system', id: 'collections' },
  closure: { type: 'system', id: 'closure' },
} as const satisfies Record<string, Actor>;

/** The actor of a command: who sent it, or (for commands sent before the audit trail) the line's customer. */
export const actorOf = (state: LineState, actor: Actor | undefined): Actor => actor ?? { type: 'customer', id: state.customerId };

export function audit(action: string, actor: Actor, details: AuditEntry['details'] = {}, reason?: string): AuditEntry {
  return { action, actor, ...(reason ? { reason } : {}), details };
}

