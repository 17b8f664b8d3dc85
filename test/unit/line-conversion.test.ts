/*
 * The conversion decider (domain/line/conversion.ts): every refusal from a built line, the approvals,
 * and the installment quote. INVALID_AMOUNT is among the conversion's codes (the installment rules
 * give it for a principal of 0), but a decision never meets it: a statement with nothing owed is
 * refused CONVERSION_NOT_ALLOWED first. The quote does give it (last table).
 */
import { describe, expect, it } from 'vitest';
import { advance, quoteInstallments, type ConversionCommand, type CreditLineState } from '../../domain/line';
import { installmentQuote } from '../../domain/installments';
import { lineAccountId, platformAccountId } from '../../domain/ledger';
import { approved, conversionOf, decideAt, expectRefusal, opened, product, purchaseOf, repaymentOf, type Refusal } from './line-support';

/** 30 000 bought 2027-01-11, billed on statement S-2027-02-05 (due 2027-03-07); the line the next morning. */
const AFTER_CLOSE = '2027-02-06T10:00:00+08:00';
const billed = (): CreditLineState => advance(approved(opened(), purchaseOf(30_000)), AFTER_CLOSE, product).state;
const converted = (): CreditLineState => approved(billed(), conversionOf('S-2027-02-05'), AFTER_CLOSE);
/** Paid in full: still on the line until the next close prunes it. */
const paid = (): CreditLineState => approved(billed(), repaymentOf(30_000), AFTER_CLOSE);
const ONLY_3 = 'count must be one of 3';

const refusals: Refusal<ConversionCommand>[] = [
  { name: 'a count the product does not offer', state: billed, at: AFTER_CLOSE, command: () => conversionOf('S-2027-02-05', 2), code: 'COUNT_NOT_ALLOWED', message: ONLY_3, byValidator: true },
  { name: 'a count of 0', state: billed, at: AFTER_CLOSE, command: () => conversionOf('S-2027-02-05', 0), code: 'COUNT_NOT_ALLOWED', message: ONLY_3, byValidator: true },
  { name: 'a bad count for an unknown statement (validation first)', state: billed, at: AFTER_CLOSE, command: () => conversionOf('S-2099-01-05', 12), code: 'COUNT_NOT_ALLOWED', message: ONLY_3, byValidator: true },
  { name: 'a line with no statement yet', state: opened, command: () => conversionOf('S-2027-02-05'), code: 'STATEMENT_NOT_FOUND', message: 'no unpaid statement S-2027-02-05 on this line', byValidator: false },
  { name: 'a statement the line never had', state: billed, at: AFTER_CLOSE, command: () => conversionOf('S-2027-01-05'), code: 'STATEMENT_NOT_FOUND', message: 'no unpaid statement S-2027-01-05 on this line', byValidator: false },
  { name: 'a statement paid and pruned at the next close', state: paid, at: '2027-03-06T10:00:00+08:00', command: () => conversionOf('S-2027-02-05'), code: 'STATEMENT_NOT_FOUND', message: 'no unpaid statement S-2027-02-05 on this line', byValidator: false },
  { name: 'a statement paid, not yet pruned', state: paid, at: AFTER_CLOSE, command: () => conversionOf('S-2027-02-05'), code: 'CONVERSION_NOT_ALLOWED', message: 'no unpaid, unconverted statement on that date', byValidator: false },
  { name: 'a statement already converted', state: converted, at: AFTER_CLOSE, command: () => conversionOf('S-2027-02-05'), code: 'CONVERSION_NOT_ALLOWED', message: 'no unpaid, unconverted statement on that date', byValidator: false },
  { name: 'a statement past its due date', state: billed, at: '2027-03-08T10:00:00+08:00', command: () => conversionOf('S-2027-02-05'), code: 'CONVERSION_NOT_ALLOWED', message: 'the statement is past its due date', byValidator: false },
];

describe('conversion refusals', () => {
  it.each(refusals.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expectRefusal(c);
  });

  it('covers every code a conversion decision gives', () => {
    expect(new Set(refusals.map((c) => c.code))).toEqual(new Set(['COUNT_NOT_ALLOWED', 'STATEMENT_NOT_FOUND', 'CONVERSION_NOT_ALLOWED']));
  });
});

describe('conversion approvals', () => {
  it('splits the statement into 3, answering the plan as the API shows it', () => {
    const command = conversionOf('S-2027-02-05');
    const { result, state, event } = decideAt(billed(), command, AFTER_CLOSE);
    if (!result.ok || result.type !== 'conversion') throw new Error('refused');
    // 30 000 / 3 = 10 000 each; fee 0.5% × 30 000 = 150 a month; the first installment falls on the statement's due date.
    expect(JSON.stringify(result)).toBe(
      `{"ok":true,"type":"conversion","body":{"planId":"plan:2027-02-05","statementId":"S-2027-02-05","count":3,"principal":30000,"totalFee":450,"apr":${result.body.apr},"convertedOn":"2027-02-06",`
      + '"schedule":[{"seq":1,"dueDate":"2027-03-07","principal":10000,"fee":150},{"seq":2,"dueDate":"2027-04-04","principal":10000,"fee":150},{"seq":3,"dueDate":"2027-05-05","principal":10000,"fee":150}]}}',
    );
    expect(result.body.apr).toBeGreaterThan(0);
    expect(state.balances.plans).toHaveLength(1);
    expect(event.idempotencyKey).toBe(`cl_1:INSTALLMENT_CONVERSION:conversion:${command.key}`);
    expect(event.entry).toEqual({ kind: 'INSTALLMENT_CONVERSION', postings: [
      { accountId: lineAccountId('cl_1', 'PRINCIPAL'), amount: -30_000 },
      { accountId: lineAccountId('cl_1', 'INSTALLMENT_PRINCIPAL'), amount: 30_000 },
      { accountId: lineAccountId('cl_1', 'INSTALLMENT_FEES'), amount: 150 },
      { accountId: platformAccountId('FEE_INCOME'), amount: -150 },
    ] });
    expect(event.transaction).toEqual({ id: 'plan:2027-02-05', kind: 'INSTALLMENT_CONVERSION', amount: 150, details: { statementId: 'S-2027-02-05', principal: 30_000, totalFee: 450, apr: result.body.apr } });
    expect(event.installments?.map((i) => [i.seq, i.billed])).toEqual([[1, true], [2, false], [3, false]]);
  });

  it('is allowed up to the due date itself', () => {
    expect(decideAt(billed(), conversionOf('S-2027-02-05'), '2027-03-07T20:00:00+08:00').result).toMatchObject({ ok: true, type: 'conversion' });
  });
});

describe('the installment quote', () => {
  const quote = (state: CreditLineState, statementId: string, count: number, day: string) => quoteInstallments(state, statementId, count, day, product);

  it('is the installment rules’ quote of what the statement still owes', () => {
    const expected = installmentQuote(30_000, 3, '2027-02-06', '2027-03-07', 5, product);
    if (!expected.ok) throw new Error(expected.code);
    expect(quote(billed(), 'S-2027-02-05', 3, '2027-02-06')).toEqual({ ok: true, quote: expected.quote });
  });

  it.each([
    ['a statement the line never had', billed, 'S-2027-01-05', 3, '2027-02-06', 'STATEMENT_NOT_FOUND', 'no unpaid, unconverted statement S-2027-01-05'],
    ['a statement already converted', converted, 'S-2027-02-05', 3, '2027-02-06', 'STATEMENT_NOT_FOUND', 'no unpaid, unconverted statement S-2027-02-05'],
    ['a statement past its due date', billed, 'S-2027-02-05', 3, '2027-03-08', 'CONVERSION_NOT_ALLOWED', 'the due date has passed'],
    ['a count the product does not offer', billed, 'S-2027-02-05', 6, '2027-02-06', 'COUNT_NOT_ALLOWED', 'installment count must be one of 3'],
    ['a statement paid in full, not yet pruned', paid, 'S-2027-02-05', 3, '2027-02-06', 'INVALID_AMOUNT', 'the principal to convert must be a positive amount'],
  ] as const)('refuses %s', (_name, state, statementId, count, day, code, message) => {
    expect(quote(state(), statementId, count, day)).toEqual({ ok: false, code, message });
  });
});
