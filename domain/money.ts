/**
 * Money: integer fen (1 yuan = 100 fen), never floating point.
 *
 * Rates live in configuration as decimal strings ("0.005") and are parsed into exact rationals, so
 * `0.005 × 12345 fen` is computed as `12345 × 5 / 1000` with integer arithmetic. Every rounding in
 * the domain goes through `roundFen`, the single place where a fraction of a fen is resolved.
 */

/** An amount of money in fen. Always a safe integer; see `assertFen`. */
export type Fen = number;

/**
 * How a fraction of a fen is resolved.
 * - `HALF_UP`: to the nearest fen, halves away from zero (0.5 → 1, −0.5 → −1). The product's mode.
 * - `DOWN`: towards zero (truncate). Used where a limit must never be exceeded (penalty cap).
 * - `UP`: away from zero.
 */
export type RoundingMode = 'HALF_UP' | 'DOWN' | 'UP';

/** The product's rounding mode for fees and penalties. */
export const PRODUCT_ROUNDING: RoundingMode = 'HALF_UP';

/** An exact non-negative rational rate, `num / den`, both safe integers, `den > 0`, reduced. */
export interface Rate {
  readonly num: number;
  readonly den: number;
}

export class MoneyInvariantError extends Error {
  override readonly name = 'MoneyInvariantError';
}

/** Invariant: a money amount is a safe integer number of fen. Throws on a violation (a bug, not input). */
export function assertFen(value: unknown, what = 'amount'): asserts value is Fen {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new MoneyInvariantError(`${what} must be a safe integer number of fen, got ${String(value)}`);
  }
}

/** Invariant: a money amount is a safe integer ≥ 0. */
export function assertNonNegativeFen(value: unknown, what = 'amount'): asserts value is Fen {
  assertFen(value, what);
  if (value < 0) throw new MoneyInvariantError(`${what} must not be negative, got ${value}`);
}

/** True when `value` is a valid positive amount (for validating input, where a throw is wrong). */
export function isPositiveFen(value: unknown): value is Fen {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

const DECIMAL_RATE = /^(0|[1-9]\d{0,5})(\.\d{1,9})?$/;

function gcd(a: number, b: number): number {
  let x = Math.abs(a);
  let y = Math.abs(b);
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}

/** True when `decimal` is a rate string `parseRate` accepts. */
export function isDecimalRate(decimal: string): boolean {
  return DECIMAL_RATE.test(decimal);
}

/**
 * Parses a non-negative decimal string ("0.005", "0.24", "1") into an exact rational.
 * At most 9 decimals so that `num` and `den` stay far inside the safe-integer range.
 */
export function parseRate(decimal: string): Rate {
  const match = DECIMAL_RATE.exec(decimal);
  if (!match) throw new MoneyInvariantError(`not a decimal rate: "${decimal}"`);
  const whole = match[1] ?? '0';
  const fraction = (match[2] ?? '.').slice(1);
  const den = 10 ** fraction.length;
  const num = Number(whole) * den + (fraction === '' ? 0 : Number(fraction));
  const divisor = gcd(num, den) || 1;
  return { num: num / divisor, den: den / divisor };
}

/**
 * THE rounding function: `numerator / denominator` resolved to a whole fen by `mode`.
 * Integers only. The numerator may be a bigint (an intermediate product such as amount × rate
 * numerator can pass 2^53); the division is done in BigInt so nothing loses precision. The result
 * must be a safe integer.
 */
export function roundFen(numerator: number | bigint, denominator: number, mode: RoundingMode): Fen {
  if (typeof numerator === 'number') assertFen(numerator, 'numerator');
  if (!Number.isSafeInteger(denominator) || denominator <= 0) {
    throw new MoneyInvariantError(`denominator must be a positive safe integer, got ${denominator}`);
  }
  const big = BigInt(numerator);
  const negative = big < 0n;
  const n = negative ? -big : big;
  const d = BigInt(denominator);
  let q = n / d;
  const r = n % d;
  if (mode === 'HALF_UP' && r * 2n >= d) q += 1n;
  if (mode === 'UP' && r !== 0n) q += 1n;
  const result = Number(negative ? -q : q);
  assertFen(result, 'rounded amount');
  return result === 0 ? 0 : result; // never -0
}

/** `amount × rate`, rounded once by `mode` (the product's half-up unless a caller needs a bound). */
export function applyRate(amount: Fen, rate: Rate | string, mode: RoundingMode = PRODUCT_ROUNDING): Fen {
  assertFen(amount);
  const r = typeof rate === 'string' ? parseRate(rate) : rate;
  return roundFen(BigInt(amount) * BigInt(r.num), r.den, mode);
}

/**
 * Splits `total` into `parts` whole-fen amounts that sum exactly to `total`, no fen lost or made.
 * Every part is `floor(total / parts)`; the remainder (< parts fen) is added in full to ONE part:
 * the first by default, so an installment plan's first installment carries the odd fen and the
 * later installments are equal.
 */
export function splitFen(total: Fen, parts: number, remainderTo: 'FIRST' | 'LAST' = 'FIRST'): Fen[] {
  assertNonNegativeFen(total, 'total');
  if (!Number.isSafeInteger(parts) || parts < 1) throw new MoneyInvariantError(`parts must be ≥ 1, got ${parts}`);
  const base = Math.floor(total / parts);
  const remainder = total - base * parts;
  const result = Array.from({ length: parts }, () => base);
  const index = remainderTo === 'FIRST' ? 0 : parts - 1;
  result[index] = base + remainder;
  return result;
}

/** Sum of amounts, asserting every term and the total stay safe integers. */
export function sumFen(amounts: readonly Fen[]): Fen {
  let total = 0;
  for (const a of amounts) {
    assertFen(a);
    total += a;
  }
  assertFen(total, 'sum');
  return total;
}

/** "1234.50" for 123450 fen: for messages and logs, never for arithmetic. */
export function formatYuan(amount: Fen): string {
  assertFen(amount);
  const sign = amount < 0 ? '-' : '';
  const abs = Math.abs(amount);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
