/**
 * When a message may go out (PRODUCT §6, §7, §11): no SMS the line sends on its own between the
 * quiet hours' start and end in Asia/Shanghai (it waits for the end, it is never dropped); at most
 * `maxCollectionSmsPerDay` collection SMS a customer's day (the next waits for the next morning);
 * a one-time code the customer has just asked for goes at once and is not counted; in-app messages
 * are not restricted. Pure: instants in, instants out.
 */
import { addDays, instantAt, instantMs, localDay, localTime, type Day, type Instant } from '../calendar';
import type { Product } from '../product';
import type { Channel, MessageKind } from './templates';

type QuietHours = Product['sms']['quietHours'];

/** Whether `at` falls in the quiet hours (start inclusive, end exclusive; the window may span midnight). */
export function inQuietHours(at: Instant, quiet: QuietHours): boolean {
  const time = localTime(at).slice(0, 5);
  return quiet.start > quiet.end ? time >= quiet.start || time < quiet.end : time >= quiet.start && time < quiet.end;
}

/** The first moment at or after `due` outside the quiet hours. */
export function afterQuietHours(due: Instant, quiet: QuietHours): Instant {
  if (!inQuietHours(due, quiet)) return due;
  const day = localDay(due);
  const endToday = instantAt(day, quiet.end);
  return instantMs(endToday) > instantMs(due) ? endToday : instantAt(addDays(day, 1), quiet.end);
}

/** When a message due at `due` goes out, given its channel and kind. */
export function sendAt(due: Instant, channel: Channel, kind: MessageKind, product: Pick<Product, 'sms'>): Instant {
  if (channel !== 'SMS' || kind === 'CODE') return due;
  return afterQuietHours(due, product.sms.quietHours);
}

/**
 * The daily cap on collection SMS: given the days (Shanghai) on which collection SMS were already
 * sent or scheduled, when a collection SMS planned for `at` may go. A day already at the cap pushes
 * it to the next morning's end of quiet hours (and so on). Other kinds pass unchanged.
 */
export function underDailyCap(at: Instant, kind: MessageKind, collectionSmsDays: readonly Day[], product: Pick<Product, 'sms'>): Instant {
  if (kind !== 'COLLECTION') return at;
  let candidate = at;
  for (;;) {
    const day = localDay(candidate);
    const sent = collectionSmsDays.filter((d) => d === day).length;
    if (sent < product.sms.maxCollectionSmsPerDay) return candidate;
    candidate = instantAt(addDays(day, 1), product.sms.quietHours.end);
  }
}
