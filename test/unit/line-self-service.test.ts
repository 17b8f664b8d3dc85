/**
 * The customer managing their own line (PRODUCT §10): the self-freeze (suspension reason CUSTOMER,
 * domain/line/suspension.ts: set and lifted by the customer only) and the customer's own limit
 * (domain/line/limit.ts: never below what the line uses, never above the limit granted).
 */
import { describe, expect, it } from 'vitest';
import { decide, limitChangeFor, limitReviewDue, recordStatementCloses, type CreditLineState, type LiftCommand, type LimitCommand, type SuspendCommand } from '../../domain/line';
import { AT, approved, decideAt, expectRefusal, inStatus, opened, product, purchaseOf, type Refusal } from './line-support';

let k = 0;
const customer = { type: 'customer', id: 'c1' } as const;
const staff = { type: 'staff', id: 'S1' } as const;
const freezeOf = (extra: Partial<SuspendCommand> = {}): SuspendCommand => ({ key: `f${++k}`, requestHash: `hf${k}`, type: 'suspend', reason: 'CUSTOMER', actor: customer, ...extra });
const unfreezeOf = (extra: Partial<LiftCommand> = {}): LiftCommand => ({ key: `u${++k}`, requestHash: `hu${k}`, type: 'lift', reasons: ['CUSTOMER'], via: 'CUSTOMER', actor: customer, ...extra });
const ownLimit = (limit: number, extra: Partial<LimitCommand> = {}): LimitCommand => ({ key: `m${++k}`, requestHash: `hm${k}`, type: 'setLimit', limit, via: 'CUSTOMER', actor: customer, ...extra });

describe('the self-freeze', () => {
  it('suspends CUSTOMER (no purchases), records no adverse decision, and only the customer lifts it', () => {
    const frozen = decideAt(opened(), freezeOf(), AT);
    expect(frozen.result).toEqual({ ok: true, type: 'suspend', body: { status: 'SUSPENDED', suspensionReasons: ['CUSTOMER'], available: 0 } });
    expect(frozen.event.decisions).toBeUndefined();
    expect(frozen.event.messages).toBeUndefined();
    expect(frozen.event.audit).toEqual([expect.objectContaining({ action: 'SUSPENSION', actor: customer, details: expect.objectContaining({ suspensionReason: 'CUSTOMER' }) })]);
    expect(decideAt(frozen.state, purchaseOf(100), AT).result).toMatchObject({ ok: false, code: 'LINE_NOT_ACTIVE' });
    // Frozen again: the same answer, nothing changes.
    expect(decideAt(frozen.state, freezeOf(), AT).state.suspensionReasons).toEqual(['CUSTOMER']);
    // Staff cannot lift it; the customer can.
    expect(decideAt(frozen.state, unfreezeOf({ via: 'STAFF', actor: staff, note: 'asked by phone' }), AT).result).toMatchObject({ ok: false, code: 'REASON_NOT_LIFTABLE' });
    const unfrozen = decideAt(frozen.state, unfreezeOf(), AT);
    expect(unfrozen.result).toEqual({ ok: true, type: 'lift', body: { status: 'ACTIVE', suspensionReasons: [], available: 1_000_000 } });
    expect(unfrozen.event.audit).toEqual([expect.objectContaining({ action: 'SUSPENSION_LIFTED', actor: customer, details: expect.objectContaining({ via: 'CUSTOMER' }) })]);
    expect(decideAt(unfrozen.state, purchaseOf(100), AT).result).toMatchObject({ ok: true });
  });

  it('on a line suspended for another reason: unfreezing leaves it SUSPENDED for that one', () => {
    const staffSuspended = approved(opened(), { key: 's', requestHash: 'hs', type: 'suspend', reason: 'STAFF', actor: staff, note: 'fraud check' });
    const both = approved(staffSuspended, freezeOf());
    expect(both.suspensionReasons).toEqual(['STAFF', 'CUSTOMER']);
    expect(decideAt(both, unfreezeOf(), AT).state).toMatchObject({ status: 'SUSPENDED', suspensionReasons: ['STAFF'] });
    // The customer cannot lift staff's reason with the same route.
    expect(decideAt(both, unfreezeOf({ reasons: ['STAFF'] }), AT).result).toMatchObject({ ok: false, code: 'REASON_NOT_LIFTABLE' });
  });
});

const freezeRefusals: Refusal<SuspendCommand | LiftCommand>[] = [
  { name: 'a customer suspending for another reason', state: opened, command: () => freezeOf({ reason: 'STAFF' }), code: 'VALIDATION_FAILED', message: 'a customer suspends their own line with CUSTOMER only', byValidator: true },
  { name: 'staff freezing for the customer', state: opened, command: () => freezeOf({ actor: staff }), code: 'VALIDATION_FAILED', message: 'reason must be STAFF, RISK_LOGIN or RISK_VELOCITY', byValidator: true },
  { name: 'a rule freezing', state: opened, command: () => freezeOf({ actor: { type: 'rule', id: 'r' } }), code: 'VALIDATION_FAILED', message: 'reason must be STAFF, RISK_LOGIN or RISK_VELOCITY', byValidator: true },
  { name: 'freezing a closing line', state: () => inStatus(approved(opened(), purchaseOf(1_000)), 'CLOSING'), command: () => freezeOf(), code: 'LINE_NOT_ACTIVE', message: 'the line is closing', byValidator: false },
  { name: 'unfreezing a line not frozen', state: opened, command: () => unfreezeOf(), code: 'NOT_SUSPENDED_FOR_REASON', message: 'the line is not suspended for CUSTOMER', byValidator: false },
];

describe('freeze refusals', () => {
  it.each(freezeRefusals.map((c) => [c.name, c] as const))('%s', (_name, c) => { expectRefusal(c); });
});

describe("the customer's own limit", () => {
  /** Granted 1 000 000; 300 000 used. */
  const used = (): CreditLineState => approved(opened(1_000_000), purchaseOf(300_000));

  it('lowers, keeps the grant to go back up to, and never goes above it', () => {
    const lowered = decideAt(used(), ownLimit(400_000), AT);
    expect(lowered.result).toEqual({ ok: true, type: 'setLimit', body: { limit: 400_000, available: 100_000, status: 'ACTIVE' } });
    expect(lowered.state).toMatchObject({ limit: 400_000, grantedLimit: 1_000_000 });
    // Audited as the customer's; told to them; no automated decision.
    expect(lowered.event.audit).toEqual([expect.objectContaining({ action: 'LIMIT_CHANGE', actor: customer, details: expect.objectContaining({ from: 1_000_000, limit: 400_000, via: 'CUSTOMER' }) })]);
    expect(lowered.event.decisions).toBeUndefined();
    expect((lowered.event.messages ?? []).map((m) => m.template)).toContain('LIMIT_CHANGED');
    // Lower again, then back up within the grant, then to the grant (the grant is no longer kept).
    const lower = approved(lowered.state, ownLimit(300_000));
    expect(lower).toMatchObject({ limit: 300_000, grantedLimit: 1_000_000 });
    expect(decideAt(lower, ownLimit(1_000_001), AT).result).toEqual({ ok: false, type: 'setLimit', code: 'LIMIT_ABOVE_GRANTED', message: 'the limit granted to this line is 1000000 fen' });
    const back = approved(lower, ownLimit(1_000_000));
    expect(back.limit).toBe(1_000_000);
    expect(back.grantedLimit).toBeUndefined();
  });

  it('a limit set by staff is a new grant; the model never raises a line its customer lowered', () => {
    const lowered = approved(used(), ownLimit(500_000));
    const staffSet = approved(lowered, { key: 'st', requestHash: 'hst', type: 'setLimit', limit: 600_000, via: 'STAFF', actor: staff, note: 'on request' });
    expect(staffSet).toMatchObject({ limit: 600_000 });
    expect(staffSet.grantedLimit).toBeUndefined();
    const onTime = recordStatementCloses(lowered, 6, '2027-07-06');
    const review = limitReviewDue(onTime, product, '2027-07-06');
    expect(review?.direction).toBe('RAISE');
    expect(limitChangeFor(onTime, review!, { probabilityOfDefault: 0.02, modelLimit: 2_000_000, reasonCodes: [], modelVersion: 'v1' }, product, '2027-07-05')).toBeNull();
    expect(limitChangeFor(used(), review!, { probabilityOfDefault: 0.02, modelLimit: 2_000_000, reasonCodes: [], modelVersion: 'v1' }, product, '2027-07-05')?.limit).toBe(2_000_000);
  });
});

const limitRefusals: Refusal<LimitCommand>[] = [
  { name: 'below what the line uses', state: () => approved(opened(1_000_000), purchaseOf(300_000)), command: () => ownLimit(299_999), code: 'LIMIT_BELOW_BALANCE', message: 'the line already uses 300000 fen', byValidator: false },
  { name: 'above the granted limit', state: () => opened(1_000_000), command: () => ownLimit(1_000_100), code: 'LIMIT_ABOVE_GRANTED', message: 'the limit granted to this line is 1000000 fen', byValidator: false },
  { name: 'above the product maximum', state: () => opened(1_000_000), command: () => ownLimit(product.underwriting.maxLimit + 1), code: 'LIMIT_ABOVE_MAXIMUM', message: `the product's maximum limit is ${product.underwriting.maxLimit} fen`, byValidator: true },
  { name: 'zero', state: () => opened(1_000_000), command: () => ownLimit(0), code: 'VALIDATION_FAILED', message: 'limit must be a positive integer of fen', byValidator: true },
  { name: 'the CUSTOMER way by staff', state: () => opened(1_000_000), command: () => ownLimit(500_000, { actor: staff }), code: 'VALIDATION_FAILED', message: 'only the customer sets their own limit, and only that way', byValidator: true },
  { name: 'a customer the STAFF way', state: () => opened(1_000_000), command: () => ownLimit(500_000, { via: 'STAFF' }), code: 'VALIDATION_FAILED', message: 'only the customer sets their own limit, and only that way', byValidator: true },
  { name: 'a closing line', state: () => inStatus(approved(opened(1_000_000), purchaseOf(1_000)), 'CLOSING'), command: () => ownLimit(500_000), code: 'LINE_NOT_ACTIVE', message: 'the line is closing', byValidator: false },
];

describe("the customer's limit refusals", () => {
  it.each(limitRefusals.map((c) => [c.name, c] as const))('%s', (_name, c) => { expectRefusal(c); });

  it('a refusal changes neither the limit nor the grant', () => {
    const lowered = approved(opened(1_000_000), ownLimit(500_000));
    const refused = decide(lowered, ownLimit(2_000_000), AT, product);
    expect(refused.state).toMatchObject({ limit: 500_000, grantedLimit: 1_000_000 });
  });
});
