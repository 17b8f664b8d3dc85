/*
 * The purchase decider (domain/line/purchase.ts): every decline reason from a built line, then the
 * approvals. RISK_DECLINED is a decline reason of PRODUCT §4 that no rule gives yet.
 */
import { describe, expect, it } from 'vitest';
import { decide, LineInvariantError, validateCommand, type CreditLineState, type PurchaseCommand } from '../../domain/line';
import { lineAccountId, platformAccountId } from '../../domain/ledger';
import { AT, approved, decideAt, expectRefusal, inStatus, opened, product, purchaseOf, type Refusal } from './line-support';

/** Limit 100 000, 60 000 spent: 40 000 available. */
const spent = (): CreditLineState => approved(opened(100_000), purchaseOf(60_000));
const POSITIVE = 'amount must be a positive integer of fen';
const OLD_RULES = { refuseOverpayment: true, validateFreeText: false, riskRules: false, restructuredCases: false, staffKeepsOwnHold: false };

const refusals: Refusal<PurchaseCommand>[] = [
  { name: 'a zero amount', state: opened, command: () => purchaseOf(0), code: 'INVALID_AMOUNT', message: POSITIVE, byValidator: true },
  { name: 'a negative amount', state: opened, command: () => purchaseOf(-100), code: 'INVALID_AMOUNT', message: POSITIVE, byValidator: true },
  { name: 'a fraction of a fen', state: opened, command: () => purchaseOf(10.5), code: 'INVALID_AMOUNT', message: POSITIVE, byValidator: true },
  { name: 'an unsafe integer', state: opened, command: () => purchaseOf(2 ** 53), code: 'INVALID_AMOUNT', message: POSITIVE, byValidator: true },
  { name: 'a description with a NUL', state: opened, command: () => purchaseOf(100, { description: 'a\u0000b' }), code: 'VALIDATION_FAILED', message: 'description must not contain control characters', byValidator: true },
  { name: 'a description with a bell', state: opened, command: () => purchaseOf(100, { description: 'bell\u0007' }), code: 'VALIDATION_FAILED', message: 'description must not contain control characters', byValidator: true },
  { name: 'a description with a lone surrogate', state: opened, command: () => purchaseOf(100, { description: 'x\ud800' }), code: 'VALIDATION_FAILED', message: 'description must be well-formed Unicode (no lone surrogate)', byValidator: true },
  { name: 'a description of 501 characters', state: opened, command: () => purchaseOf(100, { description: 'x'.repeat(501) }), code: 'VALIDATION_FAILED', message: 'description must be at most 500 characters', byValidator: true },
  { name: 'a merchant not on the list', state: opened, command: () => purchaseOf(100, { merchantId: 'amazon' }), code: 'MERCHANT_NOT_ELIGIBLE', message: 'this merchant does not accept this credit line', byValidator: true },
  { name: 'a merchant id that is not storable text (never echoed)', state: opened, command: () => purchaseOf(100, { merchantId: 'm\u0000' }), code: 'MERCHANT_NOT_ELIGIBLE', message: 'this merchant does not accept this credit line', byValidator: true },
  { name: 'a bad amount before a bad description and merchant', state: opened, command: () => purchaseOf(0, { description: 'a\u0000', merchantId: 'amazon' }), code: 'INVALID_AMOUNT', message: POSITIVE, byValidator: true },
  { name: 'a bad description before a bad merchant', state: opened, command: () => purchaseOf(100, { description: 'a\u0000', merchantId: 'amazon' }), code: 'VALIDATION_FAILED', message: 'description must not contain control characters', byValidator: true },
  { name: 'a suspended line', state: () => inStatus(opened(), 'SUSPENDED'), command: () => purchaseOf(100), code: 'LINE_NOT_ACTIVE', message: 'the line is suspended', byValidator: false },
  { name: 'a closing line', state: () => inStatus(spent(), 'CLOSING'), command: () => purchaseOf(100), code: 'LINE_NOT_ACTIVE', message: 'the line is closing', byValidator: false },
  { name: 'a closed line', state: () => inStatus(opened(), 'CLOSED'), command: () => purchaseOf(100), code: 'LINE_NOT_ACTIVE', message: 'the line is closed', byValidator: false },
  { name: 'a charged-off line', state: () => inStatus(opened(), 'CHARGED_OFF'), command: () => purchaseOf(100), code: 'LINE_NOT_ACTIVE', message: 'the line is charged_off', byValidator: false },
  { name: 'a suspended line, at a merchant not on the list (validation first)', state: () => inStatus(opened(), 'SUSPENDED'), command: () => purchaseOf(100, { merchantId: 'amazon' }), code: 'MERCHANT_NOT_ELIGIBLE', message: 'this merchant does not accept this credit line', byValidator: true },
  { name: 'a suspended line, above its credit (the status first)', state: () => inStatus(spent(), 'SUSPENDED'), command: () => purchaseOf(50_000), code: 'LINE_NOT_ACTIVE', message: 'the line is suspended', byValidator: false },
  { name: 'one fen above the available credit', state: spent, command: () => purchaseOf(40_001), code: 'INSUFFICIENT_CREDIT', message: 'available credit is 40000 fen', byValidator: false },
  { name: 'a fresh line, above its limit', state: () => opened(100_000), command: () => purchaseOf(100_001), code: 'INSUFFICIENT_CREDIT', message: 'available credit is 100000 fen', byValidator: false },
  { name: 'an old line, a description not checked before the rule, over the credit', state: spent, command: () => purchaseOf(40_001, { description: 'bell\u0007' }), code: 'INSUFFICIENT_CREDIT', message: 'available credit is 40000 fen', byValidator: false, rules: OLD_RULES },
];

describe('purchase refusals', () => {
  it.each(refusals.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expectRefusal(c);
  });

  it('covers every code the purchase decider gives', () => {
    expect(new Set(refusals.map((c) => c.code))).toEqual(new Set(['INVALID_AMOUNT', 'VALIDATION_FAILED', 'MERCHANT_NOT_ELIGIBLE', 'LINE_NOT_ACTIVE', 'INSUFFICIENT_CREDIT']));
  });

  it('never writes a refused description into the event', () => {
    for (const description of ['a\u0000b', 'x\ud800', 'x'.repeat(501), 'bell\u0007']) {
      const refused = decideAt(opened(), purchaseOf(100, { description }), AT);
      expect(refused.result).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' });
      expect(JSON.stringify(refused.event)).not.toContain(description);
    }
  });
});

describe('purchase approvals', () => {
  it('takes exactly the available credit, recording the purchase, its entry and its transaction', () => {
    const before = spent();
    const command = purchaseOf(40_000, { purchaseId: 'p_x', merchantId: 'affiliate-002', description: '白条 😀 headphones' });
    const { state, result, event } = decideAt(before, command, AT);
    expect(JSON.stringify(result)).toBe('{"ok":true,"type":"purchase","body":{"purchaseId":"p_x","status":"APPROVED","amount":40000,"available":0}}');
    expect(state.balances.currentCycle).toBe(100_000);
    expect(state.purchases.at(-1)).toEqual({ id: 'p_x', day: '2027-01-11', merchantId: 'affiliate-002', amount: 40_000, refunded: 0 });
    expect(event.idempotencyKey).toBe(`cl_1:PURCHASE:purchase:${command.key}`);
    expect(event.entry).toEqual({ kind: 'PURCHASE', postings: [
      { accountId: lineAccountId('cl_1', 'PRINCIPAL'), amount: 40_000 },
      { accountId: platformAccountId('MERCHANT_SETTLEMENT'), amount: -40_000 },
    ] });
    expect(event.transaction).toEqual({ id: 'p_x', kind: 'PURCHASE', amount: 40_000, details: { merchantId: 'affiliate-002', description: '白条 😀 headphones' } });
    expect(event.line).toMatchObject({ status: 'ACTIVE', limit: 100_000, available: 0, balance: 100_000 });
    expect(validateCommand(command, product)).toBeNull();
  });

  it('records no description when there is none', () => {
    const { event } = decideAt(opened(), purchaseOf(100, { purchaseId: 'p_y' }), AT);
    expect(event.transaction).toEqual({ id: 'p_y', kind: 'PURCHASE', amount: 100, details: { merchantId: 'self-operated' } });
  });

  it('under the rules before free-text validation, takes a storable description unchecked', () => {
    const { result, event } = decideAt(opened(), purchaseOf(100, { description: 'bell\u0007' }), AT, OLD_RULES);
    expect(result).toMatchObject({ ok: true, type: 'purchase' });
    expect(event.transaction?.details).toEqual({ merchantId: 'self-operated', description: 'bell\u0007' });
  });

  it('under those rules, throws a LineInvariantError, leaving the state as it was, when the event could not be stored', () => {
    const state = opened();
    const before = JSON.stringify(state);
    // A NUL would reach the event: the invariant stops it.
    expect(() => decide(state, purchaseOf(100, { purchaseId: 'p_x', description: 'a\u0000' }), AT, product, OLD_RULES)).toThrow(LineInvariantError);
    expect(JSON.stringify(state)).toBe(before);
  });
});
