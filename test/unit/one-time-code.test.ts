import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { printableText } from '../../activities/sms';
import { LOCALES, maskedParams, messagesFor, renderMessage } from '../../domain/notifications';
import {
  attempt, CODE_MASK, formatCode, isCodeShaped, issuance, type Attempt, type CodeRecord,
} from '../../domain/one-time-code';
import { STANDARD_PRODUCT } from '../../domain/product';

const policy = STANDARD_PRODUCT.closure;
const T0 = '2027-03-01T10:00:00.000Z';
const at = (ms: number) => new Date(Date.parse(T0) + ms).toISOString();
const S = 1000;
const MIN = 60 * S;

/** A code sent at T0, as issued by the policy. */
function sent(): CodeRecord {
  const issued = issuance(null, T0, policy);
  if (!issued.allowed) throw new Error('a first code is always allowed');
  return issued.record;
}

/** `n` wrong tries in a row from `record`, each 1 s after the last; the answers and the last record. */
function wrong(record: CodeRecord, n: number): { answers: Attempt[]; record: CodeRecord } {
  const answers: Attempt[] = [];
  let r = record;
  for (let i = 1; i <= n; i += 1) {
    const a = attempt(r, at(i * S), false);
    answers.push(a);
    r = a.record ?? r;
  }
  return { answers, record: r };
}

describe('product numbers (PRODUCT §9)', () => {
  it('are 6 digits, 5 minutes, 5 tries, a resend at most once a minute', () => {
    expect(policy).toEqual({ otpDigits: 6, otpTtlMinutes: 5, otpMaxAttempts: 5, otpResendAfterSeconds: 60 });
  });
});

describe('issuing a code', () => {
  it('sends a first code at once: valid 5 minutes, 5 tries, not verified', () => {
    expect(issuance(null, T0, policy)).toEqual({
      allowed: true,
      record: { sentAt: T0, expiresAt: '2027-03-01T10:05:00.000Z', attemptsLeft: 5, verifiedAt: null },
    });
  });

  it.each([
    [0, 60], [1, 60], [S, 59], [30 * S + 500, 30], [59 * S, 1], [60 * S - 1, 1],
  ])('refuses a new code %i ms after the last, naming the seconds left, rounded up', (afterMs, seconds) => {
    expect(issuance(sent(), at(afterMs), policy)).toEqual({ allowed: false, retryAfterSeconds: seconds });
  });

  it('sends a new code 60 s after the last, replacing it (fresh tries, not verified)', () => {
    const used = { ...wrong(sent(), 4).record, verifiedAt: at(5 * S) };
    expect(issuance(used, at(MIN), policy)).toEqual({
      allowed: true,
      record: { sentAt: at(MIN), expiresAt: at(6 * MIN), attemptsLeft: 5, verifiedAt: null },
    });
  });

  it('holds a locked code to the resend rule too (a lock is no way around it)', () => {
    const locked = wrong(sent(), 5).record;
    expect(locked.attemptsLeft).toBe(0);
    expect(issuance(locked, at(10 * S), policy)).toEqual({ allowed: false, retryAfterSeconds: 50 });
    expect(issuance(locked, at(MIN), policy).allowed).toBe(true);
  });

  it('never asks for more than the interval when the clock stepped back', () => {
    expect(issuance(sent(), at(-10 * MIN), policy)).toEqual({ allowed: false, retryAfterSeconds: 60 });
  });
});

describe('one try of a code', () => {
  it('answers NOT_STARTED when no code was sent, writing nothing', () => {
    expect(attempt(null, T0, false)).toEqual({ outcome: 'NOT_STARTED', record: null, changed: false });
    expect(attempt(null, T0, true)).toEqual({ outcome: 'NOT_STARTED', record: null, changed: false });
  });

  it('verifies the right code without spending a try, and records when', () => {
    expect(attempt(sent(), at(30 * S), true)).toEqual({
      outcome: 'VERIFIED', changed: true, record: { ...sent(), verifiedAt: at(30 * S) },
    });
  });

  it('verifies the right code again while valid, spending nothing and writing nothing (a retried confirm)', () => {
    const verified = attempt(sent(), at(30 * S), true).record!;
    expect(attempt(verified, at(4 * MIN), true)).toEqual({ outcome: 'VERIFIED', record: verified, changed: false });
  });

  it('counts wrong tries down: 4, 3, 2, 1 left, and the 5th answers LOCKED', () => {
    const { answers, record } = wrong(sent(), 5);
    expect(answers.map((a) => a.outcome === 'FAILED' ? a.attemptsLeft : a.outcome)).toEqual([4, 3, 2, 1, 'LOCKED']);
    expect(answers.every((a) => a.changed)).toBe(true);
    expect(record.attemptsLeft).toBe(0);
  });

  it('stays LOCKED after the last try, whatever follows: the right code, a wrong one, after expiry', () => {
    const locked = wrong(sent(), 5).record;
    for (const [when, matched] of [[10 * S, true], [11 * S, false], [10 * MIN, true]] as const) {
      expect(attempt(locked, at(when), matched)).toEqual({ outcome: 'LOCKED', record: locked, changed: false });
    }
  });

  it('lets the right code through after fewer than 5 wrong tries', () => {
    const { record } = wrong(sent(), 4);
    expect(attempt(record, at(10 * S), true)).toMatchObject({ outcome: 'VERIFIED', record: { attemptsLeft: 1 } });
  });

  it('answers EXPIRED from the 5th minute on, spending no try, right code or wrong', () => {
    const code = sent();
    expect(attempt(code, at(5 * MIN - 1), true).outcome).toBe('VERIFIED');
    expect(attempt(code, at(5 * MIN), true)).toEqual({ outcome: 'EXPIRED', record: code, changed: false });
    expect(attempt(code, at(5 * MIN), false)).toEqual({ outcome: 'EXPIRED', record: code, changed: false });
    const verified = attempt(code, at(S), true).record!;
    expect(attempt(verified, at(6 * MIN), true).outcome).toBe('EXPIRED');
  });

  it('spends a try for a wrong code even after the right one verified', () => {
    const verified = attempt(sent(), at(S), true).record!;
    expect(attempt(verified, at(2 * S), false)).toMatchObject({ outcome: 'FAILED', attemptsLeft: 4 });
  });
});

describe('the code itself', () => {
  it('keeps leading zeros and is exactly 6 digits', () => {
    expect(formatCode(0, 6)).toBe('000000');
    expect(formatCode(42, 6)).toBe('000042');
    expect(formatCode(999_999, 6)).toBe('999999');
    expect(() => formatCode(1_000_000, 6)).toThrow(RangeError);
    expect(() => formatCode(-1, 6)).toThrow(RangeError);
    expect(() => formatCode(1.5, 6)).toThrow(RangeError);
  });

  it.each([['123456', true], ['000000', true], ['12345', false], ['1234567', false], ['12345a', false], ['１２３４５６', false], [' 12345', false], ['', false]])(
    '%j has the shape of a code: %s', (code, shaped) => { expect(isCodeShaped(code, 6)).toBe(shaped); },
  );
});

describe('the SMS of a code', () => {
  it('says the code and its validity in Chinese and English', () => {
    expect(renderMessage('VERIFICATION_CODE', { code: '042917', validMinutes: 5 }, 'zh-CN'))
      .toBe('【Revolve】您的验证码为 042917，5分钟内有效。请勿告诉他人，Revolve 工作人员不会向您索要验证码。');
    expect(renderMessage('VERIFICATION_CODE', { code: '042917', validMinutes: 5 }, 'en'))
      .toBe('[Revolve] Your verification code is 042917, valid for 5 minutes. Never share it: Revolve staff will never ask for it.');
    for (const locale of LOCALES) expect(renderMessage('VERIFICATION_CODE', { code: '042917', validMinutes: 5 }, locale)).toContain('042917');
  });

  it('is an SMS only, sent at once even inside quiet hours (the customer asked for it)', () => {
    const night = '2027-03-01T23:30:00+08:00';
    const out = messagesFor('cl_1:otp:REINSTATEMENT:1', 'VERIFICATION_CODE', { code: '042917', validMinutes: 5 }, night, STANDARD_PRODUCT);
    expect(out.map((m) => [m.id, m.channel, m.kind, m.sendAt])).toEqual([['cl_1:otp:REINSTATEMENT:1:VERIFICATION_CODE:SMS', 'SMS', 'CODE', night]]);
  });

  it('is stored and printed with the code masked', () => {
    expect(maskedParams('VERIFICATION_CODE', { code: '042917', validMinutes: 5 }, CODE_MASK)).toEqual({ code: '******', validMinutes: 5 });
    expect(maskedParams('LINE_OPENED', { limit: 123456, statementDay: 5 }, CODE_MASK)).toEqual({ limit: 123456, statementDay: 5 });
    const text = renderMessage('VERIFICATION_CODE', { code: '042917', validMinutes: 5 });
    expect(printableText({ template: 'VERIFICATION_CODE', text, params: { code: '042917', validMinutes: 5 } }))
      .toBe(renderMessage('VERIFICATION_CODE', { code: '******', validMinutes: 5 }));
    // Without the code in the parameters, any run of digits is masked still.
    expect(printableText({ template: 'VERIFICATION_CODE', text, params: {} })).not.toContain('042917');
    // Other templates print as they are.
    const opened = renderMessage('LINE_OPENED', { limit: 123456, statementDay: 5 });
    expect(printableText({ template: 'LINE_OPENED', text: opened, params: {} })).toBe(opened);
  });
});

describe('properties over any sequence of requests and tries', () => {
  type Step = { kind: 'issue' } | { kind: 'try'; matched: boolean };
  const step: fc.Arbitrary<{ afterMs: number; step: Step }> = fc.record({
    afterMs: fc.oneof(fc.integer({ min: 0, max: 5 * S }), fc.integer({ min: 0, max: 7 * MIN })),
    step: fc.oneof(fc.constant<Step>({ kind: 'issue' }), fc.boolean().map((matched): Step => ({ kind: 'try', matched }))),
  });

  it('keeps tries within 0..5, never verifies after expiry, stays locked, never resends within 60 s', () => {
    fc.assert(fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
      let record: CodeRecord | null = null;
      let nowMs = 0;
      let lastSentMs: number | null = null;
      let failuresSinceIssue = 0;
      for (const { afterMs, step: s } of steps) {
        nowMs += afterMs;
        const now = at(nowMs);
        if (s.kind === 'issue') {
          const issued = issuance(record, now, policy);
          if (issued.allowed) {
            expect(lastSentMs === null || nowMs - lastSentMs >= policy.otpResendAfterSeconds * S).toBe(true);
            record = issued.record;
            lastSentMs = nowMs;
            failuresSinceIssue = 0;
          } else {
            expect(lastSentMs).not.toBeNull();
            expect(nowMs - lastSentMs!).toBeLessThan(policy.otpResendAfterSeconds * S);
            expect(issued.retryAfterSeconds).toBeGreaterThanOrEqual(1);
            expect(issued.retryAfterSeconds).toBeLessThanOrEqual(policy.otpResendAfterSeconds);
            // Waiting what it says is always enough.
            expect(nowMs + issued.retryAfterSeconds * S - lastSentMs!).toBeGreaterThanOrEqual(policy.otpResendAfterSeconds * S);
          }
          continue;
        }
        const before: CodeRecord | null = record;
        const a = attempt(before, now, s.matched);
        if (!before) { expect(a.outcome).toBe('NOT_STARTED'); continue; }
        if (a.outcome === 'VERIFIED') {
          expect(nowMs).toBeLessThan(Date.parse(before.expiresAt) - Date.parse(T0));
          expect(s.matched).toBe(true);
        }
        if (before.attemptsLeft === 0) expect(a.outcome).toBe('LOCKED');
        if (a.outcome === 'FAILED' || (a.outcome === 'LOCKED' && before.attemptsLeft > 0)) failuresSinceIssue += 1;
        record = a.record;
        expect(record!.attemptsLeft).toBeGreaterThanOrEqual(0);
        expect(record!.attemptsLeft).toBe(policy.otpMaxAttempts - failuresSinceIssue);
        if (a.outcome === 'FAILED') expect(a.attemptsLeft).toBe(record!.attemptsLeft);
        if (!a.changed) expect(record).toBe(before);
      }
    }), { numRuns: 1000 });
  });
});
