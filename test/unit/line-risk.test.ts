/**
 * The risk rules inside the line (PRODUCT §8): velocity decided in the purchase decision, suspension
 * and lifting by reason and by who asks, and what each records (rule hits, decisions, notices).
 */
import { describe, expect, it } from 'vitest';
import { instantMs } from '../../domain/calendar';
import { velocityHits } from '../../domain/risk/velocity';
import { decide, type Command, type CreditLineState, type LiftCommand, type SuspendCommand } from '../../domain/line';
import { mayLift } from '../../domain/line/suspension';
import { AT, decideAt, opened, product, purchaseOf } from './line-support';

const minutes = (m: number) => new Date(instantMs(AT) + m * 60_000).toISOString();
let k = 0;
const suspendOf = (extra: Partial<SuspendCommand> = {}): SuspendCommand =>
  ({ key: `s${++k}`, requestHash: `hs${k}`, type: 'suspend', reason: 'STAFF', actor: { type: 'staff', id: 'S1' }, note: 'card reported stolen', ...extra });
const liftOf = (extra: Partial<LiftCommand> = {}): LiftCommand =>
  ({ key: `l${++k}`, requestHash: `hl${k}`, type: 'lift', reasons: ['STAFF'], via: 'STAFF', actor: { type: 'staff', id: 'S1' }, note: 'reviewed', ...extra });

/** Purchases of `amount` at each of `times` (minutes after AT); the line after, and every decision. */
function burst(amount: number, times: number[], line: CreditLineState = opened()) {
  const decided = [];
  for (const t of times) {
    const d = decideAt(line, purchaseOf(amount), minutes(t));
    decided.push(d);
    line = d.state;
  }
  return { line, decided };
}

describe('the velocity rule', () => {
  it('declines the fifth purchase of at most 50 yuan within 10 minutes and suspends RISK_VELOCITY', () => {
    const { line, decided } = burst(5_000, [0, 1, 2, 3, 4]);
    expect(decided.slice(0, 4).every((d) => d.result.ok)).toBe(true);
    const fifth = decided[4]!;
    expect(fifth.result).toMatchObject({ ok: false, code: 'RISK_DECLINED' });
    expect(line.status).toBe('SUSPENDED');
    expect(line.suspensionReasons).toEqual(['RISK_VELOCITY']);
    // Nothing moved: the balance is the four approved purchases.
    expect(fifth.event.entry).toBeUndefined();
    expect(line.balances).toEqual(decided[3]!.state.balances);
    // The enforced hit and the shadow trial beside it, each a staff alert.
    expect(fifth.event.riskEvents).toEqual([
      { id: `cl_1:risk:${line.version}-1`, rule: 'velocity-small-purchases', shadow: false, action: 'SUSPEND', figures: { purchases: 5, threshold: 5, maxAmount: 5_000, windowMinutes: 10, amount: 5_000 } },
      { id: `cl_1:risk:${line.version}-2`, rule: 'velocity-small-purchases-trial', shadow: true, action: 'NONE', figures: { purchases: 5, threshold: 4, maxAmount: 5_000, windowMinutes: 10, amount: 5_000 } },
    ]);
    // Two adverse decisions, explained by the rule that made them.
    expect(fifth.event.decisions).toEqual([
      expect.objectContaining({ id: `d-${line.version}-1`, kind: 'PURCHASE_DECLINE', outcome: 'DECLINED', reasons: ['RISK_VELOCITY'], adverse: true, decidedBy: 'rule:velocity-small-purchases', details: expect.objectContaining({ riskEventId: `cl_1:risk:${line.version}-1` }) }),
      expect.objectContaining({ id: `d-${line.version}-2`, kind: 'SUSPENSION', outcome: 'SUSPENDED', reasons: ['RISK_VELOCITY'] }),
    ]);
    // The customer is told, by SMS and in the app.
    expect(fifth.event.messages?.map((m) => `${m.template}/${m.channel}`).sort()).toEqual(['RISK_SUSPENDED/IN_APP', 'RISK_SUSPENDED/SMS']);
    expect(fifth.event.audit).toEqual([expect.objectContaining({ action: 'PURCHASE_REFUSED', reason: 'RISK_DECLINED' })]);
  });

  it('lets five small purchases spread over 11 minutes through', () => {
    const { line, decided } = burst(5_000, [0, 2.75, 5.5, 8.25, 11]);
    expect(decided.every((d) => d.result.ok)).toBe(true);
    expect(line.status).toBe('ACTIVE');
    // The fourth within 10 minutes is the trial threshold: recorded in shadow, nothing done.
    const shadowHits = decided.flatMap((d) => d.event.riskEvents ?? []);
    expect(shadowHits.length).toBeGreaterThan(0);
    expect(shadowHits.every((h) => h.shadow && h.action === 'NONE' && h.rule === 'velocity-small-purchases-trial')).toBe(true);
    expect(decided.every((d) => d.event.decisions === undefined)).toBe(true);
  });

  it('does not count purchases above 50 yuan', () => {
    const { line, decided } = burst(5_001, [0, 1, 2, 3, 4, 5]);
    expect(decided.every((d) => d.result.ok)).toBe(true);
    expect(line.risk?.smallPurchases).toEqual([]);
  });

  it('is not applied to lines replaying history from before the risk rules', () => {
    let line = opened();
    for (let i = 0; i < 6; i++) {
      const d = decideAt(line, purchaseOf(100), minutes(i), { refuseOverpayment: true, validateFreeText: true, riskRules: false, restructuredCases: true, staffKeepsOwnHold: true });
      expect(d.result.ok).toBe(true);
      line = d.state;
    }
    expect(line.risk).toBeUndefined();
  });

  it('counts a purchase exactly 10 minutes old as out of the window', () => {
    const rules = product.risk.rules.filter((r) => r.mode === 'enforce');
    const four = [minutes(0), minutes(1), minutes(2), minutes(3)];
    expect(velocityHits(four, 5_000, minutes(10), rules)).toEqual([]);
    expect(velocityHits(four, 5_000, minutes(9.99), rules)).toHaveLength(1);
  });
});

describe('suspending and lifting', () => {
  const suspendedBy = (reasons: Command[]) => reasons.reduce((line, c) => decide(line, c, AT, product).state, opened());

  it('a staff suspension holds until staff lift it, with the note in the trail', () => {
    const decided = decide(opened(), suspendOf(), AT, product);
    expect(decided.state).toMatchObject({ status: 'SUSPENDED', suspensionReasons: ['STAFF'] });
    expect(decided.event.audit).toEqual([expect.objectContaining({ action: 'SUSPENSION', actor: { type: 'staff', id: 'S1' }, reason: 'card reported stolen' })]);
    expect(decided.event.decisions).toEqual([expect.objectContaining({ kind: 'SUSPENSION', decidedBy: 'staff:S1', reasons: ['STAFF'] })]);
    const byCustomer = decide(decided.state, liftOf({ actor: { type: 'customer', id: 'c1' } }), AT, product);
    expect(byCustomer.result).toMatchObject({ ok: false, code: 'REASON_NOT_LIFTABLE' });
    const lifted = decide(decided.state, liftOf(), AT, product);
    expect(lifted.result).toMatchObject({ ok: true, body: { status: 'ACTIVE', suspensionReasons: [] } });
    expect(lifted.event.audit).toEqual([expect.objectContaining({ action: 'SUSPENSION_LIFTED', reason: 'reviewed' })]);
  });

  it('the line is ACTIVE again only when every reason is lifted', () => {
    const line = suspendedBy([suspendOf(), suspendOf({ reason: 'RISK_LOGIN', actor: { type: 'rule', id: 'login-new-device-new-city' }, riskEventId: 'cl_1:risk:x' })]);
    expect(line.suspensionReasons).toEqual(['RISK_LOGIN', 'STAFF']);
    const verified = decide(line, liftOf({ reasons: ['RISK_LOGIN', 'RISK_VELOCITY'], via: 'VERIFICATION', actor: { type: 'customer', id: 'c1' } }), AT, product);
    expect(verified.state).toMatchObject({ status: 'SUSPENDED', suspensionReasons: ['STAFF'] });
  });

  it('a verification lifts only risk reasons, and only the customer verifies', () => {
    const line = suspendedBy([suspendOf({ reason: 'RISK_VELOCITY', actor: { type: 'rule', id: 'velocity-small-purchases' } })]);
    expect(decide(line, liftOf({ reasons: ['RISK_VELOCITY'], via: 'VERIFICATION' }), AT, product).result).toMatchObject({ ok: false, code: 'REASON_NOT_LIFTABLE' });
    expect(decide(line, liftOf({ reasons: ['STAFF'], via: 'VERIFICATION', actor: { type: 'customer', id: 'c1' } }), AT, product).result).toMatchObject({ ok: false, code: 'REASON_NOT_LIFTABLE' });
    expect(decide(opened(), liftOf({ reasons: ['RISK_LOGIN', 'RISK_VELOCITY'], via: 'VERIFICATION', actor: { type: 'customer', id: 'c1' } }), AT, product).result).toMatchObject({ ok: false, code: 'NOT_SUSPENDED_FOR_REASON' });
  });

  it('OVERDUE is never lifted by a command; CUSTOMER only by the customer', () => {
    for (const via of ['STAFF', 'VERIFICATION', 'REVIEW'] as const) {
      expect(mayLift('OVERDUE', via, { type: 'staff', id: 'S1' })).toBe(false);
      expect(mayLift('OVERDUE', via, { type: 'customer', id: 'c1' })).toBe(false);
    }
    expect(mayLift('CUSTOMER', 'STAFF', { type: 'staff', id: 'S1' })).toBe(false);
    expect(mayLift('CUSTOMER', 'STAFF', { type: 'customer', id: 'c1' })).toBe(true);
    expect(mayLift('RISK_LOGIN', 'REVIEW', { type: 'staff', id: 'S1' })).toBe(true);
  });

  it('suspending for a reason already held changes nothing and records no second decision', () => {
    const once = decide(opened(), suspendOf(), AT, product);
    const twice = decide(once.state, suspendOf(), AT, product);
    expect(twice.state.suspensionReasons).toEqual(['STAFF']);
    expect(twice.event.decisions).toBeUndefined();
  });

  it('refuses OVERDUE and CUSTOMER as reasons to suspend, and a note that is not free text', () => {
    expect(decide(opened(), suspendOf({ reason: 'OVERDUE' }), AT, product).result).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' });
    expect(decide(opened(), suspendOf({ reason: 'CUSTOMER' }), AT, product).result).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' });
    expect(decide(opened(), suspendOf({ note: 'a\u0000b' }), AT, product).result).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' });
  });

  it('lifting RISK_VELOCITY forgives the burst: the next small purchase starts a fresh window', () => {
    const { line } = burst(5_000, [0, 1, 2, 3, 4]);
    const lifted = decide(line, liftOf({ reasons: ['RISK_LOGIN', 'RISK_VELOCITY'], via: 'VERIFICATION', actor: { type: 'customer', id: 'c1' } }), minutes(5), product);
    expect(lifted.state.status).toBe('ACTIVE');
    expect(lifted.event.messages?.map((m) => m.template)).toEqual(['SUSPENSION_LIFTED']);
    expect(decideAt(lifted.state, purchaseOf(5_000), minutes(6)).result.ok).toBe(true);
  });
});
