import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  addMonths,
  cycleCloseInstant,
  daysBetween,
  dueDate,
  fromDayNumber,
  instantAt,
  interestFreeDays,
  localDay,
  localTime,
  nextStatementDate,
  previousStatementDate,
  statementDateFor,
  toDayNumber,
} from '../../domain/calendar';
import { STANDARD_PRODUCT } from '../../domain/product';
import { parseProduct } from '../../domain/product-schema';

const arbDay = fc.integer({ min: toDayNumber('2000-01-01'), max: toDayNumber('2099-12-31') }).map(fromDayNumber);
const arbStatementDay = fc.integer({ min: 1, max: 28 });

describe('day arithmetic', () => {
  it('crosses month ends, leap days and year ends', () => {
    expect(addDays('2027-01-31', 28)).toBe('2027-02-28'); // 2027 is not a leap year
    expect(addDays('2027-02-28', 1)).toBe('2027-03-01');
    expect(addDays('2028-01-31', 29)).toBe('2028-02-29'); // 2028 is
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2028-02-29', 1)).toBe('2028-03-01');
    expect(addDays('2027-12-31', 1)).toBe('2028-01-01');
    expect(addDays('2028-01-01', -1)).toBe('2027-12-31');
    expect(daysBetween('2027-12-25', '2028-01-24')).toBe(30);
    expect(daysBetween('2028-01-01', '2029-01-01')).toBe(366);
    expect(daysBetween('2027-01-01', '2028-01-01')).toBe(365);
  });
  it('adds months clamped to the month end', () => {
    expect(addMonths('2027-01-31', 1)).toBe('2027-02-28');
    expect(addMonths('2028-01-31', 1)).toBe('2028-02-29');
    expect(addMonths('2027-12-15', 1)).toBe('2028-01-15');
    expect(addMonths('2028-03-31', -1)).toBe('2028-02-29');
    expect(addMonths('2027-01-15', -13)).toBe('2025-12-15');
  });
  it('refuses days that do not exist', () => {
    expect(() => toDayNumber('2027-02-29')).toThrow();
    expect(() => toDayNumber('2027-13-01')).toThrow();
    expect(() => toDayNumber('2027-1-01')).toThrow();
    expect(toDayNumber('2028-02-29')).toBe(toDayNumber('2028-02-28') + 1);
  });
  it('addDays and daysBetween are inverse', () => {
    fc.assert(
      fc.property(arbDay, fc.integer({ min: -1000, max: 1000 }), (day, n) => {
        expect(daysBetween(day, addDays(day, n))).toBe(n);
      }),
    );
  });
});

describe('statement and due dates', () => {
  it('finds the next statement date strictly after a day', () => {
    expect(nextStatementDate('2027-01-04', 5)).toBe('2027-01-05');
    expect(nextStatementDate('2027-01-05', 5)).toBe('2027-02-05');
    expect(nextStatementDate('2027-12-15', 15)).toBe('2028-01-15');
    expect(nextStatementDate('2027-12-31', 28)).toBe('2028-01-28');
    expect(nextStatementDate('2028-01-31', 28)).toBe('2028-02-28');
    expect(previousStatementDate('2028-01-15', 15)).toBe('2027-12-15');
  });
  it('puts a purchase on the statement date on or after it (the statement date closes its cycle)', () => {
    expect(statementDateFor('2027-01-05', 5)).toBe('2027-01-05');
    expect(statementDateFor('2027-01-06', 5)).toBe('2027-02-05');
  });
  it('sets the due date 30 days after the statement date', () => {
    // Dec 28 → Dec 31 is 3 days, + 27 → Jan 27.
    expect(dueDate('2027-12-28')).toBe('2028-01-27');
    // Jan 28 → Jan 31 is 3 days, + 27 → Feb 27.
    expect(dueDate('2028-01-28')).toBe('2028-02-27');
    // Feb 5 2027 → Feb 28 is 23 days, + 7 → Mar 7; in leap 2028 Feb 29 takes one: Mar 6.
    expect(dueDate('2027-02-05')).toBe('2027-03-07');
    expect(dueDate('2028-02-05')).toBe('2028-03-06');
  });
  it('rejects statement days outside 1–28', () => {
    expect(() => nextStatementDate('2027-01-01', 0)).toThrow();
    expect(() => nextStatementDate('2027-01-01', 29)).toThrow();
  });
  it('next statement date is 1–31 days ahead and falls on the statement day', () => {
    fc.assert(
      fc.property(arbDay, arbStatementDay, (day, sd) => {
        const next = nextStatementDate(day, sd);
        expect(Number(next.slice(8))).toBe(sd);
        expect(daysBetween(day, next)).toBeGreaterThanOrEqual(1);
        expect(daysBetween(day, next)).toBeLessThanOrEqual(31);
      }),
    );
  });
});

describe('interest-free days', () => {
  it('is 30 on a statement date and up to 60 the day after', () => {
    // Statement day 5. Bought 2027-01-05: statement 01-05, due 02-04 → 30 days.
    expect(interestFreeDays('2027-01-05', 5)).toBe(30);
    // Bought 2027-01-06: statement 02-05, due 03-07. Jan 6→31 = 25, Feb = 28, Mar 1→7 = 7 → 60.
    expect(interestFreeDays('2027-01-06', 5)).toBe(60);
    // Bought 2027-02-06: statement 03-05, due 04-04. Feb 6→28 = 22, Mar = 31, Apr 1→4 = 4 → 57.
    expect(interestFreeDays('2027-02-06', 5)).toBe(57);
    // Leap year: bought 2028-02-06 → 23 + 31 + 4 = 58.
    expect(interestFreeDays('2028-02-06', 5)).toBe(58);
    // Year end: bought 2027-12-29, statement day 28: statement 2028-01-28, due 02-27 → 2 + 31 + 27 = 60.
    expect(interestFreeDays('2027-12-29', 28)).toBe(60);
  });
  it('is always between 30 and 60 days', () => {
    fc.assert(
      fc.property(arbDay, arbStatementDay, (day, sd) => {
        const days = interestFreeDays(day, sd);
        expect(days).toBeGreaterThanOrEqual(30);
        expect(days).toBeLessThanOrEqual(60);
      }),
    );
  });
  it('a product whose offset could break the 60-day promise does not validate', () => {
    const bad = structuredClone(STANDARD_PRODUCT);
    bad.statement.dueDateOffsetDays = 31;
    expect(() => parseProduct(bad)).toThrow(/maxInterestFreeDays/);
  });
});

describe('instants in Asia/Shanghai (+08:00)', () => {
  it('maps instants to Shanghai days', () => {
    expect(localDay('2027-01-04T16:00:00Z')).toBe('2027-01-05'); // 00:00 in Shanghai
    expect(localDay('2027-01-04T15:59:59.999Z')).toBe('2027-01-04');
    expect(localDay('2027-12-31T16:30:00Z')).toBe('2028-01-01');
    expect(localDay('2027-01-05T08:00:00+08:00')).toBe('2027-01-05');
    expect(localDay(Date.UTC(2028, 1, 28, 16))).toBe('2028-02-29');
    expect(localTime('2027-01-05T13:05:00Z')).toBe('21:05');
  });
  it('builds instants from a Shanghai day and time', () => {
    expect(instantAt('2027-01-05', '10:00')).toBe('2027-01-05T02:00:00.000Z');
    expect(instantAt('2028-01-01', '00:00')).toBe('2027-12-31T16:00:00.000Z');
    expect(cycleCloseInstant('2028-02-28')).toBe('2028-02-28T16:00:00.000Z'); // 2028-02-29 00:00 Shanghai
  });
  it('refuses instants without a zone and bad times', () => {
    expect(() => localDay('2027-01-05T10:00:00')).toThrow();
    expect(() => instantAt('2027-01-05', '24:00')).toThrow();
    expect(() => instantAt('2027-01-05', '9:00')).toThrow();
  });
  it('round-trips a day and time through an instant', () => {
    fc.assert(
      fc.property(arbDay, fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), (day, h, m) => {
        const time = `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
        const instant = instantAt(day, time);
        expect(localDay(instant)).toBe(day);
        expect(localTime(instant)).toBe(time);
      }),
    );
  });
});
