/**
 * The billing calendar, in Asia/Shanghai.
 *
 * A calendar day is a 'YYYY-MM-DD' string meaning that day in Shanghai; an instant is an ISO-8601
 * string with an offset (or epoch milliseconds). Day arithmetic runs on day numbers (days since
 * 1970-01-01), so month ends, leap years and year ends need no special cases.
 *
 * Why a fixed +08:00 and not a time-zone database: Asia/Shanghai has had no daylight saving time
 * since 1991, so the offset is a constant. A constant cannot differ between two workers whose Node
 * builds carry different ICU/tzdata versions, which a workflow replayed for years must never see.
 */
import type { Product } from './product';
import { STANDARD_PRODUCT } from './product';

/** A Shanghai calendar day, 'YYYY-MM-DD'. */
export type Day = string;
/** An ISO-8601 instant with 'Z' or an explicit offset, e.g. '2027-01-05T02:00:00.000Z'. */
export type Instant = string;

export const SHANGHAI_OFFSET_MINUTES = 8 * 60;
const MS_PER_DAY = 86_400_000;
const SHANGHAI_OFFSET_MS = SHANGHAI_OFFSET_MINUTES * 60_000;
const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
// An instant must name its zone: without one, Date.parse would read it in the host's zone.
const INSTANT_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

export class CalendarError extends Error {
  override readonly name = 'CalendarError';
}

/** Day number (days since 1970-01-01) of a valid day; throws on anything else. */
export function toDayNumber(day: Day): number {
  const m = DAY_PATTERN.exec(day);
  if (!m) throw new CalendarError(`not a day (YYYY-MM-DD): "${day}"`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const n = ms / MS_PER_DAY;
  if (fromDayNumber(n) !== day) throw new CalendarError(`no such day: "${day}"`);
  return n;
}

/** The day with this day number. */
export function fromDayNumber(n: number): Day {
  if (!Number.isSafeInteger(n)) throw new CalendarError(`day number must be an integer, got ${n}`);
  return new Date(n * MS_PER_DAY).toISOString().slice(0, 10);
}

export function isDay(value: unknown): value is Day {
  if (typeof value !== 'string') return false;
  try {
    toDayNumber(value);
    return true;
  } catch {
    return false;
  }
}

export function addDays(day: Day, days: number): Day {
  return fromDayNumber(toDayNumber(day) + days);
}

/** Signed number of days from `from` to `to` (`addDays(from, daysBetween(from, to)) === to`). */
export function daysBetween(from: Day, to: Day): number {
  return toDayNumber(to) - toDayNumber(from);
}

function parts(day: Day): { year: number; month: number; dayOfMonth: number } {
  toDayNumber(day);
  return { year: Number(day.slice(0, 4)), month: Number(day.slice(5, 7)), dayOfMonth: Number(day.slice(8, 10)) };
}

function makeDay(year: number, month: number, dayOfMonth: number): Day {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(dayOfMonth).padStart(2, '0')}`;
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Calendar months later, clamped to the month's last day (Jan 31 + 1 month = Feb 28, or 29 in a leap year). */
export function addMonths(day: Day, months: number): Day {
  const { year, month, dayOfMonth } = parts(day);
  const index = year * 12 + (month - 1) + months;
  const y = Math.floor(index / 12);
  const m = index - y * 12 + 1;
  return makeDay(y, m, Math.min(dayOfMonth, daysInMonth(y, m)));
}

export function compareDays(a: Day, b: Day): number {
  return toDayNumber(a) - toDayNumber(b);
}

export function maxDay(a: Day, b: Day): Day {
  return compareDays(a, b) >= 0 ? a : b;
}

function assertStatementDay(statementDay: number): void {
  if (!Number.isInteger(statementDay) || statementDay < 1 || statementDay > 28) {
    throw new CalendarError(`statement day must be 1–28, got ${statementDay}`);
  }
}

/**
 * The first statement date strictly after `afterDay`. A cycle covers the days after one statement
 * date up to and including the next: the statement date is the cycle's last day.
 */
export function nextStatementDate(afterDay: Day, statementDay: number): Day {
  assertStatementDay(statementDay);
  const { year, month, dayOfMonth } = parts(afterDay);
  if (dayOfMonth < statementDay) return makeDay(year, month, statementDay);
  return month === 12 ? makeDay(year + 1, 1, statementDay) : makeDay(year, month + 1, statementDay);
}

/** The statement a purchase on `day` lands on: the first statement date on or after it. */
export function statementDateFor(day: Day, statementDay: number): Day {
  return nextStatementDate(addDays(day, -1), statementDay);
}

/** The statement date before `statementDate` (the previous cycle's last day). */
export function previousStatementDate(statementDate: Day, statementDay: number): Day {
  assertStatementDay(statementDay);
  const { year, month } = parts(statementDate);
  return month === 1 ? makeDay(year - 1, 12, statementDay) : makeDay(year, month - 1, statementDay);
}

/** Due date = statement date + the product's offset (30 days for the standard product). */
export function dueDate(statementDate: Day, product: Pick<Product, 'statement'> = STANDARD_PRODUCT): Day {
  return addDays(statementDate, product.statement.dueDateOffsetDays);
}

/**
 * Interest-free days of a purchase: from the purchase day to the due date of the statement it
 * lands on, counted as `daysBetween` (the purchase day excluded, the due date included). A purchase
 * on a statement date gets the offset (30); one the day after gets the days to the next statement
 * date (27–30) plus the offset, so at most 60.
 */
export function interestFreeDays(
  purchaseDay: Day,
  statementDay: number,
  product: Pick<Product, 'statement'> = STANDARD_PRODUCT,
): number {
  const days = daysBetween(purchaseDay, dueDate(statementDateFor(purchaseDay, statementDay), product));
  if (days > product.statement.maxInterestFreeDays) {
    throw new CalendarError(`interest-free period of ${days} days exceeds the product's maximum`);
  }
  return days;
}

/** Epoch milliseconds of an instant (ISO string with a zone, or epoch ms). */
export function instantMs(instant: Instant | number): number {
  if (typeof instant === 'number') {
    if (!Number.isFinite(instant)) throw new CalendarError(`not an instant: ${instant}`);
    return instant;
  }
  if (!INSTANT_PATTERN.test(instant)) throw new CalendarError(`not an ISO instant with a zone: "${instant}"`);
  const ms = Date.parse(instant);
  if (Number.isNaN(ms)) throw new CalendarError(`not an instant: "${instant}"`);
  return ms;
}

/** The Shanghai calendar day an instant falls on. */
export function localDay(instant: Instant | number): Day {
  return new Date(instantMs(instant) + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** The Shanghai wall-clock time 'HH:MM' of an instant. */
export function localTime(instant: Instant | number): string {
  return new Date(instantMs(instant) + SHANGHAI_OFFSET_MS).toISOString().slice(11, 16);
}

/** The instant (UTC ISO string, so instants sort as strings) of `time` 'HH:MM' Shanghai on `day`. */
export function instantAt(day: Day, time: string): Instant {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(time);
  if (!m) throw new CalendarError(`not a time (HH:MM): "${time}"`);
  const ms = toDayNumber(day) * MS_PER_DAY + (Number(m[1]) * 60 + Number(m[2])) * 60_000 - SHANGHAI_OFFSET_MS;
  return new Date(ms).toISOString();
}

/** The moment a statement date's cycle closes: the end of that Shanghai day (00:00 the next day). */
export function cycleCloseInstant(statementDate: Day): Instant {
  return instantAt(addDays(statementDate, 1), '00:00');
}
