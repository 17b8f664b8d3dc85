/**
 * The limit: set by a person or by the model's review at a statement (PRODUCT §8), never below what
 * the line uses, never above the product's maximum; the model's changes are explained decisions.
 */
import { describe, expect, it } from 'vitest';
import {
  advance, closesBetween, decide, limitChangeFor, limitReviewDue, recordStatementCloses, reviewed, type CreditLineState, type LimitCommand, type Rescored,
} from '../../domain/line';
import { approved, AT, opened, product, purchaseOf } from './line-support';

let k = 0;
const limitOf = (limit: number, extra: Partial<LimitCommand> = {}): LimitCommand =>
  ({ key: `lim${++k}`, requestHash: `h${k}`, type: 'setLimit', limit, via: 'STAFF', actor: { type: 'staff', id: 'S1' }, note: 'restored on review', ...extra });
const scored = (modelLimit: number, pd = 0.03): Rescored => ({ probabilityOfDefault: pd, modelLimit, reasonCodes: ['LOW_INCOME'], modelVersion: 'scorecard-test' });
const onTime = (line: CreditLineState, cycles: number) => recordStatementCloses(line, cycles, '2027-01-11');

describe('setting the limit', () => {
  it('never below what the line uses, never above the product maximum', () => {
    const line = approved(opened(1_000_000), purchaseOf(300_000));
    expect(decide(line, limitOf(299_999), AT, product).result).toMatchObject({ ok: false, code: 'LIMIT_BELOW_BALANCE' });
    expect(decide(line, limitOf(product.underwriting.maxLimit + 1), AT, product).result).toMatchObject({ ok: false, code: 'LIMIT_ABOVE_MAXIMUM' });
    const set = decide(line, limitOf(300_000), AT, product);
    expect(set.result).toMatchObject({ ok: true, body: { limit: 300_000, available: 0, status: 'ACTIVE' } });
    // A person's change is audited, not an automated decision; the customer is told.
    expect(set.event.decisions).toBeUndefined();
    expect(set.event.audit).toEqual([expect.objectContaining({ action: 'LIMIT_CHANGE', reason: 'restored on review', details: expect.objectContaining({ from: 1_000_000, limit: 300_000 }) })]);
    expect(set.event.messages?.map((m) => `${m.template}/${m.channel}`).sort()).toEqual(['LIMIT_CHANGED/IN_APP', 'LIMIT_CHANGED/SMS']);
    expect(set.event.entry).toBeUndefined();
  });

  it("records the model's cut as an adverse decision with its reasons", () => {
    const cut = decide(opened(1_000_000), limitOf(500_000, { via: 'MODEL', actor: { type: 'model', id: 'v1' }, model: { version: 'v1', probabilityOfDefault: 0.12, reasons: ['MISSED_DUE_DATE'] } }), AT, product);
    expect(cut.event.decisions).toEqual([expect.objectContaining({
      kind: 'LIMIT_CHANGE', outcome: 'LOWERED', adverse: true, reasons: ['MISSED_DUE_DATE'], decidedBy: 'model:v1', details: { from: 1_000_000, to: 500_000, probabilityOfDefault: 0.12 },
    })]);
  });
});

describe('the limit review at statements', () => {
  it('is due after six on-time cycles, and again six cycles after', () => {
    expect(limitReviewDue(onTime(opened(), 5), product, '2027-01-11')).toBeNull();
    const six = onTime(opened(), 6);
    expect(limitReviewDue(six, product, '2027-01-11')).toMatchObject({ direction: 'RAISE', behaviour: { onTimeCycles: 6, missedCycles: 0 } });
    expect(limitReviewDue(reviewed(six), product, '2027-01-11')).toBeNull();
    expect(limitReviewDue(onTime(reviewed(six), 6), product, '2027-01-11')).toMatchObject({ direction: 'RAISE' });
  });

  it('rises to the model limit within the maximum, and never lowers on a rise', () => {
    const line = onTime(opened(1_000_000), 6);
    const review = limitReviewDue(line, product, '2027-01-11')!;
    expect(limitChangeFor(line, review, scored(1_234_567), product, '2027-07-05')).toMatchObject({ limit: 1_230_000, via: 'MODEL', key: 'limit-review:2027-07-05', model: { reasons: ['ON_TIME_REPAYMENTS'] } });
    expect(limitChangeFor(line, review, scored(99_000_000), product, '2027-07-05')?.limit).toBe(product.underwriting.maxLimit);
    expect(limitChangeFor(line, review, scored(900_000), product, '2027-07-05')).toBeNull();
  });

  it('cuts a line past due at its statement, never below what it uses', () => {
    const used = approved(opened(1_000_000), purchaseOf(612_345));
    // Past due at a close: a day after the first statement's due date (2027-03-07).
    const late = recordStatementCloses(advance(used, '2027-03-20T10:00:00+08:00', product).state, 1, '2027-03-20');
    expect(late.risk).toMatchObject({ onTimeCycles: 0, missedCycles: 1, cyclesSinceReview: 1 });
    const review = limitReviewDue(late, product, '2027-03-20')!;
    expect(review.direction).toBe('CUT');
    expect(review.behaviour.maxDaysPastDue).toBe(13);
    expect(limitChangeFor(late, review, scored(200_000, 0.2), product, '2027-03-05')).toMatchObject({ limit: 620_000, model: { reasons: ['MISSED_DUE_DATE', 'LOW_INCOME'] } });
    expect(limitChangeFor(late, review, scored(2_000_000, 0.2), product, '2027-03-05')).toBeNull();
  });

  it('counts the statements a line slept through', () => {
    expect(closesBetween('2027-02-05', '2027-03-05', 5)).toBe(1);
    expect(closesBetween('2027-02-05', '2027-06-05', 5)).toBe(4);
    expect(closesBetween('2027-02-05', '2027-02-05', 5)).toBe(0);
  });
});
