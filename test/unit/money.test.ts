import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyRate,
  assertFen,
  assertNonNegativeFen,
  formatYuan,
  parseRate,
  roundFen,
  splitFen,
  sumFen,
  type RoundingMode,
} from '../../domain/money';

/** Reference rounding in BigInt, written independently of roundFen (floor-based). */
function reference(n: bigint, d: bigint, mode: RoundingMode): bigint {
  const neg = n < 0n;
  const a = neg ? -n : n;
  const r =
    mode === 'DOWN' ? a / d : mode === 'UP' ? (a + d - 1n) / d : (2n * a + d) / (2n * d); // half-up: floor(a/d + 1/2)
  return neg ? -r : r;
}

describe('parseRate', () => {
  it('parses decimal strings into reduced exact rationals', () => {
    expect(parseRate('0.005')).toEqual({ num: 1, den: 200 });
    expect(parseRate('0.0005')).toEqual({ num: 1, den: 2000 });
    expect(parseRate('0.24')).toEqual({ num: 6, den: 25 });
    expect(parseRate('1')).toEqual({ num: 1, den: 1 });
    expect(parseRate('0')).toEqual({ num: 0, den: 1 });
  });
  it('refuses anything but a plain non-negative decimal', () => {
    for (const bad of ['', '-0.1', '.5', '1e-3', '0.005 ', '01', 'abc', '0.0000000001']) {
      expect(() => parseRate(bad), bad).toThrow();
    }
  });
});

describe('roundFen', () => {
  it('rounds half away from zero in HALF_UP', () => {
    expect(roundFen(5, 2, 'HALF_UP')).toBe(3); // 2.5 → 3
    expect(roundFen(-5, 2, 'HALF_UP')).toBe(-3); // −2.5 → −3
    expect(roundFen(7, 3, 'HALF_UP')).toBe(2); // 2.33 → 2
    expect(roundFen(8, 3, 'HALF_UP')).toBe(3); // 2.67 → 3
    expect(roundFen(1, 200, 'HALF_UP')).toBe(0); // 0.005 fen → 0
    expect(roundFen(0, 7, 'HALF_UP')).toBe(0);
    expect(Object.is(roundFen(-1, 3, 'HALF_UP'), 0)).toBe(true); // never −0
  });
  it('truncates in DOWN and rounds away from zero in UP', () => {
    expect(roundFen(8, 3, 'DOWN')).toBe(2);
    expect(roundFen(-8, 3, 'DOWN')).toBe(-2);
    expect(roundFen(7, 3, 'UP')).toBe(3);
    expect(roundFen(6, 3, 'UP')).toBe(2);
  });
  it('rejects non-integers and bad denominators', () => {
    expect(() => roundFen(1.5, 2, 'HALF_UP')).toThrow();
    expect(() => roundFen(1, 0, 'HALF_UP')).toThrow();
    expect(() => roundFen(1, -2, 'HALF_UP')).toThrow();
  });
  it('agrees with an independent BigInt reference for every mode', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e15, max: 1e15 }),
        fc.integer({ min: 1, max: 1e9 }),
        fc.constantFrom<RoundingMode>('HALF_UP', 'DOWN', 'UP'),
        (n, d, mode) => {
          expect(roundFen(n, d, mode)).toBe(Number(reference(BigInt(n), BigInt(d), mode)));
        },
      ),
    );
  });
});

describe('applyRate', () => {
  it('computes 0.5% of 12345 fen exactly: 12345 × 5 / 1000 = 61.725 → 62', () => {
    expect(applyRate(12345, '0.005')).toBe(62);
  });
  it('computes 0.05% of 123457 fen: 61.7285 → 62, and 0.05% of 100000 = 50', () => {
    expect(applyRate(123457, '0.0005')).toBe(62);
    expect(applyRate(100000, '0.0005')).toBe(50);
  });
  it('honours an explicit mode: 24% of 1001 fen = 240.24 → DOWN 240, UP 241', () => {
    expect(applyRate(1001, '0.24', 'DOWN')).toBe(240);
    expect(applyRate(1001, '0.24', 'UP')).toBe(241);
  });
  it('is exact where floating point is not: 0.5 × (2^53 − 1) fen', () => {
    // 4503599627370495.5 → half-up 4503599627370496.
    expect(applyRate(Number.MAX_SAFE_INTEGER, '0.5')).toBe(4503599627370496);
  });
  it('matches the BigInt reference for any amount and decimal rate', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e12 }),
        fc.integer({ min: 0, max: 99999 }),
        fc.integer({ min: 1, max: 6 }),
        (amount, digits, scale) => {
          const rate = `0.${String(digits).padStart(scale, '0').slice(-scale)}`;
          const { num, den } = parseRate(rate);
          expect(applyRate(amount, rate)).toBe(Number(reference(BigInt(amount) * BigInt(num), BigInt(den), 'HALF_UP')));
        },
      ),
    );
  });
});

describe('splitFen', () => {
  it('puts the remainder on the first part by default, on the last on request', () => {
    expect(splitFen(100, 3)).toEqual([34, 33, 33]);
    expect(splitFen(100, 3, 'LAST')).toEqual([33, 33, 34]);
    expect(splitFen(300002, 3)).toEqual([100002, 100000, 100000]);
    expect(splitFen(2, 3)).toEqual([2, 0, 0]);
    expect(splitFen(0, 3)).toEqual([0, 0, 0]);
  });
  it('never loses or makes a fen, and no part is negative or off by a full share', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        fc.integer({ min: 1, max: 36 }),
        fc.constantFrom<'FIRST' | 'LAST'>('FIRST', 'LAST'),
        (total, n, to) => {
          const parts = splitFen(total, n, to);
          expect(parts).toHaveLength(n);
          expect(parts.reduce((s, p) => s + p, 0)).toBe(total);
          const base = Math.floor(total / n);
          parts.forEach((p, i) => {
            const carrier = to === 'FIRST' ? i === 0 : i === n - 1;
            expect(p).toBe(carrier ? total - base * (n - 1) : base);
            expect(p).toBeGreaterThanOrEqual(0);
          });
        },
      ),
    );
  });
  it('refuses negative totals and bad part counts', () => {
    expect(() => splitFen(-1, 3)).toThrow();
    expect(() => splitFen(10, 0)).toThrow();
    expect(() => splitFen(10, 1.5)).toThrow();
  });
});

describe('invariants and helpers', () => {
  it('assertFen accepts safe integers only', () => {
    expect(() => assertFen(1)).not.toThrow();
    expect(() => assertFen(-1)).not.toThrow();
    for (const bad of [0.1, Number.NaN, Infinity, 2 ** 53, '1', null]) expect(() => assertFen(bad)).toThrow();
    expect(() => assertNonNegativeFen(-1)).toThrow();
  });
  it('sums and formats', () => {
    expect(sumFen([1, 2, 3])).toBe(6);
    expect(() => sumFen([Number.MAX_SAFE_INTEGER, 1])).toThrow();
    expect(formatYuan(123450)).toBe('1234.50');
    expect(formatYuan(5)).toBe('0.05');
    expect(formatYuan(-1999)).toBe('-19.99');
  });
});
