import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { freeTextProblem, unstorableValue } from '../../domain/free-text';

describe('free text (API.md)', () => {
  it.each([
    ['a NUL', 'a\u0000b', /control/],
    ['a bell', '\u0007', /control/],
    ['an escape sequence', '\u001b[31mred', /control/],
    ['DEL', 'x\u007f', /control/],
    ['a C1 control', 'x\u0085y', /control/],
    ['a newline', 'two\nlines', /control/],
    ['a lone high surrogate', 'a\ud800b', /well-formed/],
    ['a lone low surrogate', 'a\udc00b', /well-formed/],
    ['a high surrogate at the end', 'abc\ud83d', /well-formed/],
    ['501 characters', 'x'.repeat(501), /at most 500/],
    ['501 emoji (1,002 UTF-16 units)', '😀'.repeat(501), /at most 500/],
  ])('refuses %s', (_what, text, reason) => {
    expect(freeTextProblem(text)).toMatch(reason);
  });

  it.each([
    ['500 characters', 'x'.repeat(500)],
    ['500 CJK characters', '白'.repeat(500)],
    ['500 emoji (each a surrogate pair)', '😀'.repeat(500)],
    ['the empty string', ''],
    ['punctuation and spaces', 'headphones, 2 × black — "gift"'],
  ])('accepts %s', (_what, text) => {
    expect(freeTextProblem(text)).toBeNull();
  });

  it('accepts exactly the strings that are well-formed, control-free and at most 500 code points', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 600 }), (text) => {
      const wellFormed = !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);
      const ok = wellFormed && !/\p{Cc}/u.test(text) && [...text].length <= 500;
      expect(freeTextProblem(text) === null).toBe(ok);
    }), { numRuns: 300 });
  });
});

describe('values on their way to storage', () => {
  it('names the first string PostgreSQL would refuse, however deep', () => {
    expect(unstorableValue({ a: [1, { b: 'ok' }, { c: 'x\u0000' }] })).toBe('$.a[2].c must not contain NUL');
    expect(unstorableValue({ details: { description: 'a\udc00' } })).toMatch(/\$\.details\.description .*surrogate/);
    expect(unstorableValue({ amount: Number.NaN })).toBe('$.amount must be a finite number');
    expect(unstorableValue({ ['k\u0000']: 1 })).toMatch(/unstorable key/);
  });

  it('passes ordinary events', () => {
    expect(unstorableValue({ id: 'p_1', amount: 100, details: { merchantId: 'self-operated', description: '白条 😀' }, list: [], none: null })).toBeNull();
  });
});
