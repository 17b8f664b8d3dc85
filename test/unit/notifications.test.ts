import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { instantMs, localDay, localTime } from '../../domain/calendar';
import {
  afterQuietHours, inQuietHours, LOCALES, maskPhone, messagesFor, pendingSms, renderMessage, sendAt, TEMPLATE_NAMES, underDailyCap,
} from '../../domain/notifications';
import { STANDARD_PRODUCT as product } from '../../domain/product';

const quiet = product.sms.quietHours;
const sh = (dayTime: string) => new Date(`${dayTime}:00+08:00`).toISOString();

describe('quiet hours, 21:00–08:00 Asia/Shanghai (PRODUCT §6)', () => {
  it.each([
    ['22:30 waits for 08:00 the next day', '2027-03-01T22:30', '2027-03-02T08:00'],
    ['07:59 waits for 08:00 the same day', '2027-03-01T07:59', '2027-03-01T08:00'],
    ['00:00 (a statement close) waits for 08:00', '2027-03-05T00:00', '2027-03-05T08:00'],
    ['21:00 is quiet already', '2027-03-01T21:00', '2027-03-02T08:00'],
    ['08:00 goes at once', '2027-03-01T08:00', '2027-03-01T08:00'],
    ['20:59 goes at once', '2027-03-01T20:59', '2027-03-01T20:59'],
    ['New Year\'s Eve 23:00 waits into the new year', '2027-12-31T23:00', '2028-01-01T08:00'],
  ])('an SMS due at %s', (_what, due, expected) => {
    expect(afterQuietHours(sh(due), quiet)).toBe(sh(expected));
  });

  it('never sends an SMS inside quiet hours, never earlier than due, and at most one night later', () => {
    fc.assert(fc.property(fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2030-12-31T00:00:00Z') }), (ms) => {
      const due = new Date(ms).toISOString();
      const at = afterQuietHours(due, quiet);
      expect(inQuietHours(at, quiet)).toBe(false);
      expect(instantMs(at)).toBeGreaterThanOrEqual(ms);
      expect(instantMs(at) - ms).toBeLessThanOrEqual(11 * 3600_000);
      if (!inQuietHours(due, quiet)) expect(at).toBe(due);
      else expect(localTime(at)).toBe('08:00');
    }), { numRuns: 500 });
  });

  it('lets a one-time code and in-app messages go at once, whatever the hour', () => {
    const night = sh('2027-03-01T23:30');
    expect(sendAt(night, 'SMS', 'CODE', product)).toBe(night);
    expect(sendAt(night, 'IN_APP', 'SERVICE', product)).toBe(night);
    expect(sendAt(night, 'IN_APP', 'COLLECTION', product)).toBe(night);
    expect(sendAt(night, 'SMS', 'SERVICE', product)).toBe(sh('2027-03-02T08:00'));
  });
});

describe('at most one collection SMS a customer\'s day (PRODUCT §7)', () => {
  it('moves a second collection SMS of the day to the next morning, and a third further', () => {
    const at = sh('2027-03-10T10:00');
    expect(underDailyCap(at, 'COLLECTION', [], product)).toBe(at);
    expect(underDailyCap(at, 'COLLECTION', ['2027-03-10'], product)).toBe(sh('2027-03-11T08:00'));
    expect(underDailyCap(at, 'COLLECTION', ['2027-03-10', '2027-03-11'], product)).toBe(sh('2027-03-12T08:00'));
  });

  it('does not count or cap service messages and codes', () => {
    const at = sh('2027-03-10T10:00');
    expect(underDailyCap(at, 'SERVICE', ['2027-03-10'], product)).toBe(at);
    expect(underDailyCap(at, 'CODE', ['2027-03-10'], product)).toBe(at);
  });

  it('never schedules more collection SMS on a day than the cap, however many are planned', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 5 * 86_400_000 }), { minLength: 1, maxLength: 12 }), (offsets) => {
      const days: string[] = [];
      for (const offset of offsets) {
        const planned = afterQuietHours(new Date(Date.parse('2027-03-10T00:00:00+08:00') + offset).toISOString(), quiet);
        days.push(localDay(underDailyCap(planned, 'COLLECTION', days, product)));
      }
      for (const day of new Set(days)) expect(days.filter((d) => d === day).length).toBeLessThanOrEqual(product.sms.maxCollectionSmsPerDay);
    }), { numRuns: 200 });
  });
});

describe('messages as effects of an event', () => {
  it('makes one message per channel, ids scoped by the event\'s (line-scoped) key, the SMS after quiet hours', () => {
    const messages = messagesFor('cl_1:STATEMENT:2027-03-05', 'STATEMENT_ISSUED', { statementDate: '2027-03-05', amountDue: 123_456, dueDate: '2027-04-04' }, sh('2027-03-05T00:00'), product);
    expect(messages.map((m) => [m.id, m.channel, m.sendAt])).toEqual([
      ['cl_1:STATEMENT:2027-03-05:STATEMENT_ISSUED:SMS', 'SMS', sh('2027-03-05T08:00')],
      ['cl_1:STATEMENT:2027-03-05:STATEMENT_ISSUED:IN_APP', 'IN_APP', sh('2027-03-05T00:00')],
    ]);
    expect(messages[0]?.text).toBe('【Revolve】您2027-03-05的账单已出，应还 ¥1234.56，最后还款日 2027-04-04。');
    expect(pendingSms(messages)).toEqual([{ id: 'cl_1:STATEMENT:2027-03-05:STATEMENT_ISSUED:SMS', sendAt: sh('2027-03-05T08:00') }]);
  });

  it('has every template in Chinese and English, naming its amounts', () => {
    for (const template of TEMPLATE_NAMES) {
      for (const locale of LOCALES) {
        const text = renderMessage(template, { limit: 500_000, amountDue: 500_000, statementDay: 5, statementDate: '2027-03-05', dueDate: '2027-04-04' }, locale);
        expect(text.length).toBeGreaterThan(10);
        expect(text).not.toMatch(/undefined|NaN/);
      }
    }
    expect(renderMessage('LINE_OPENED', { limit: 1_680_000, statementDay: 26 }, 'en')).toBe('[Revolve] Your credit line is open: limit CNY 16800.00, statement on day 26 of each month.');
  });
});

describe('phones are masked wherever they are shown', () => {
  it.each([['13800138000', '138****8000'], ['+8613800138000', '+86*******8000'], ['1234567', '*******']])('%s → %s', (phone, masked) => {
    expect(maskPhone(phone)).toBe(masked);
  });
});
