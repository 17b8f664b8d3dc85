/**
 * One-time codes (API.md "One-time codes", PRODUCT §8, §9): the policy, pure. The shell
 * (api/one-time-codes.ts) makes the code from a cryptographic source, keeps only its keyed hash,
 * compares hashes in constant time and reads the clock; here it is decided, from the stored record
 * and the moment, whether a code may be sent and what one try answers.
 *
 * - A code is valid `otpTtlMinutes` from when it was sent; it has `otpMaxAttempts` tries; the try
 *   that spends the last one is refused LOCKED, and so is everything after it, right code or not,
 *   until a new code is asked for.
 * - A new code at most every `otpResendAfterSeconds` (locked or not: a lock is not a way around the
 *   resend rule); asking again after that replaces the old code, tries and all.
 * - The right code presented again after it verified, while still valid, answers VERIFIED again
 *   without spending a try: a client that retries a confirm (the line answered 503) gets through.
 *   Past its expiry it is EXPIRED like any code. The caller keys its action by the code (a lift's key
 *   is the code's), so a second VERIFIED is answered as the first and lifts nothing raised since.
 * - An expired code spends no try (nothing is learnt from a guess at a dead code).
 */
import { instantMs, type Instant } from './calendar';
import type { Product } from './product';

/** The product's numbers for codes (`product.closure`, shared by every purpose). */
export type CodePolicy = Product['closure'];

/** What a code is for: lifting a risk suspension, or closing the line. One live code per line and purpose. */
export const CODE_PURPOSES = ['REINSTATEMENT', 'CLOSURE'] as const;
export type CodePurpose = (typeof CODE_PURPOSES)[number];

/** How the customer proves it: a code by SMS (face recognition later, behind the same service). */
export type CodeChannel = 'sms' | 'face';

/** What a code stands in for wherever it is shown or stored (the outbox, a log line). */
export const CODE_MASK = '******';

/** The stored record of a code, as far as the policy needs it (the hash is the shell's to compare). */
export interface CodeRecord {
  sentAt: Instant;
  expiresAt: Instant;
  attemptsLeft: number;
  /** When the right code was first presented; null until then. */
  verifiedAt: Instant | null;
}

export type Issuance =
  | { allowed: true; record: CodeRecord }
  | { allowed: false; retryAfterSeconds: number };

export type AttemptOutcome =
  | { outcome: 'VERIFIED' }
  | { outcome: 'FAILED'; attemptsLeft: number }
  | { outcome: 'EXPIRED' }
  | { outcome: 'LOCKED' }
  | { outcome: 'NOT_STARTED' };

/** An outcome and the record after it (`null` when there is none); `changed` says whether to write it. */
export type Attempt = AttemptOutcome & { record: CodeRecord | null; changed: boolean };

const iso = (ms: number): Instant => new Date(ms).toISOString();

/**
 * Whether a new code may be sent at `now`, given the code held (if any): the fresh record to store,
 * or how many whole seconds to wait (at least 1, at most the resend interval).
 */
export function issuance(held: CodeRecord | null, now: Instant, policy: CodePolicy): Issuance {
  const nowMs = instantMs(now);
  const resendMs = policy.otpResendAfterSeconds * 1000;
  if (held) {
    const waitMs = instantMs(held.sentAt) + resendMs - nowMs;
    // A clock that stepped back never makes the wait longer than the interval itself.
    if (waitMs > 0) return { allowed: false, retryAfterSeconds: Math.min(policy.otpResendAfterSeconds, Math.ceil(waitMs / 1000)) };
  }
  return {
    allowed: true,
    record: { sentAt: iso(nowMs), expiresAt: iso(nowMs + policy.otpTtlMinutes * 60_000), attemptsLeft: policy.otpMaxAttempts, verifiedAt: null },
  };
}

/** Whether the record can no longer verify anything (a new code must be asked for). */
export const isLocked = (record: CodeRecord): boolean => record.attemptsLeft <= 0;

/** Whether the code is past its validity at `now` (valid up to, not including, `expiresAt`). */
export const isExpired = (record: CodeRecord, now: Instant): boolean => instantMs(now) >= instantMs(record.expiresAt);

/** One try at `now`: `matched` says whether the presented code's hash equals the stored one. */
export function attempt(held: CodeRecord | null, now: Instant, matched: boolean): Attempt {
  if (!held) return { outcome: 'NOT_STARTED', record: null, changed: false };
  if (isLocked(held)) return { outcome: 'LOCKED', record: held, changed: false };
  if (isExpired(held, now)) return { outcome: 'EXPIRED', record: held, changed: false };
  if (matched) {
    if (held.verifiedAt) return { outcome: 'VERIFIED', record: held, changed: false };
    return { outcome: 'VERIFIED', record: { ...held, verifiedAt: iso(instantMs(now)) }, changed: true };
  }
  const attemptsLeft = held.attemptsLeft - 1;
  const record = { ...held, attemptsLeft };
  return attemptsLeft === 0 ? { outcome: 'LOCKED', record, changed: true } : { outcome: 'FAILED', attemptsLeft, record, changed: true };
}

/** The code as sent: `n` (0 ≤ n < 10^digits, from a cryptographic source) with its leading zeros. */
export function formatCode(n: number, digits: number): string {
  if (!Number.isSafeInteger(n) || n < 0 || n >= 10 ** digits) throw new RangeError(`a code is 0 to ${10 ** digits - 1}`);
  return String(n).padStart(digits, '0');
}

/** Whether `code` has the shape of a code (exactly `digits` ASCII digits). */
export const isCodeShaped = (code: string, digits: number): boolean => code.length === digits && /^[0-9]+$/.test(code);
