/*
 * The line's core (domain/line/): the dispatcher and its idempotency, the carried state, reads as of
 * any moment, and waking up.
 */
import { describe, expect, it } from 'vitest';
import { cycleCloseInstant } from '../../domain/calendar';
import {
  advance, decide, nextWakeUp, readLineAt, readStateOf, rememberedAnswer, REMEMBERED_COMMANDS, snapshotEvent,
  type Command, type WakeUp,
} from '../../domain/line';
import { payoffQuote } from '../../domain/payoff';
import { AT, approved, conversionOf, decideAt, opened, product, purchaseOf, refundOf, repaymentOf } from './line-support';

describe('the dispatcher', () => {
  // Each command type reaches its own decider: its event is named after that decider's entry kind.
  it.each([
    ['purchase', () => purchaseOf(100), 'PURCHASE'],
    ['refund', () => refundOf('p_nope', 100), 'REFUND'],
    ['repayment', () => repaymentOf(100), 'REPAYMENT'],
    ['conversion', () => conversionOf('S-2027-02-05'), 'INSTALLMENT_CONVERSION'],
  ] as const)('sends a %s to its decider', (type, make, kind) => {
    const command: Command = make();
    const { result, event } = decideAt(opened(), command, AT);
    expect(result.type).toBe(type);
    expect(event.idempotencyKey).toBe(`cl_1:${kind}:${type}:${command.key}`);
  });
});

describe('idempotency: the same key gets the same answer (IDEMPOTENCY_KEY_REUSED)', () => {
  it.each([
    ['purchase', () => purchaseOf(100)],
    ['refund', () => refundOf('p_nope', 100)],
    ['repayment', () => repaymentOf(100)],
    ['conversion', () => conversionOf('S-2027-02-05')],
  ] as const)('a %s: the remembered answer, or a refusal for another request under the same key', (type, make) => {
    const command: Command = make();
    const line = approved(opened(), purchaseOf(50_000));
    expect(rememberedAnswer(line, command)).toBeNull();
    const { state, result } = decideAt(line, command, AT);
    expect(rememberedAnswer(state, command)).toEqual(result);
    const reused = rememberedAnswer(state, { ...command, requestHash: 'another body' });
    expect(reused).toEqual({ ok: false, type, code: 'IDEMPOTENCY_KEY_REUSED', message: 'this Idempotency-Key was used for a different request' });
    expect(JSON.stringify(reused)).toBe(`{"ok":false,"type":"${type}","code":"IDEMPOTENCY_KEY_REUSED","message":"this Idempotency-Key was used for a different request"}`);
  });

  it(`remembers the last ${REMEMBERED_COMMANDS} answers`, () => {
    let line = opened();
    const first = purchaseOf(1);
    line = decide(line, first, AT, product).state;
    for (let i = 0; i < REMEMBERED_COMMANDS; i++) line = decide(line, purchaseOf(1), AT, product).state;
    expect(line.remembered).toHaveLength(REMEMBERED_COMMANDS);
    expect(rememberedAnswer(line, first)).toBeNull();
  });
});

describe('the carried state', () => {
  it('keeps its keys in the order lines carry them across continue-as-new', () => {
    expect(Object.keys(opened())).toEqual([
      'creditLineId', 'customerId', 'productId', 'statementDay', 'openedOn', 'status', 'suspensionReasons', 'limit', 'balances',
      'nextStatementDate', 'purchases', 'remembered', 'version',
    ]);
    // What later features keep is added at the end (the risk rules' record of small purchases).
    expect(Object.keys(decideAt(opened(), purchaseOf(100), AT).state)).toEqual([...Object.keys(opened()), 'risk']);
  });

  it('is stored for reads without its refundable purchases and remembered answers', () => {
    const line = approved(opened(), purchaseOf(100));
    const { purchases: _p, remembered: _r, ...rest } = line;
    expect(readStateOf(line)).toEqual(rest);
    expect(snapshotEvent(line, AT, 'OPENED')).toMatchObject({ idempotencyKey: `cl_1:OPENED:${line.version}`, version: line.version, state: rest });
  });
});

describe('a line read as of any moment (API.md)', () => {
  it('shows the penalties and days past due of today, though the line has not acted since', () => {
    // Bought in the cycle closing 2027-02-05, due 2027-03-07, never paid.
    const bought = approved(opened(), purchaseOf(100_000));
    const lastActed = advance(bought, '2027-02-06T10:00:00+08:00', product).state;
    const asOf = '2027-04-06T12:00:00+08:00';
    const read = readLineAt(readStateOf(lastActed), asOf, product);
    const lived = advance(lastActed, asOf, product, { penaltyThroughToday: true }).state;
    expect(read.daysPastDue).toBe(30);
    expect(read.balance).toBeGreaterThan(100_000);
    // Today's penalty included (API.md): 30 days of 0.05% of 100,000 fen.
    expect(read.balance).toBe(100_000 + 30 * 50);
    expect(read.balance).toBe(payoffQuote(lived.balances, '2027-04-06').amount);
    // The newest statement, with the oldest unpaid due date.
    expect(read.currentDue).toMatchObject({ statementId: 'S-2027-04-05', dueDate: '2027-03-07' });
  });
});

describe('waking up', () => {
  const line = opened();
  const close = cycleCloseInstant(line.nextStatementDate);

  it('wakes for the cycle close when no module needs an earlier moment', () => {
    expect(close).toBe('2027-02-05T16:00:00.000Z'); // 2027-02-06 00:00 in Shanghai
    expect(nextWakeUp(line)).toBe(close);
    const later: WakeUp = () => '2027-03-01T10:00:00+08:00';
    const none: WakeUp = () => null;
    expect(nextWakeUp(line, [later, none])).toBe(close);
  });

  it('wakes at the earliest moment a module needs', () => {
    const reminder: WakeUp = () => '2027-01-20T10:00:00+08:00';
    const sooner: WakeUp = () => '2027-01-12T08:00:00+08:00';
    expect(nextWakeUp(line, [reminder])).toBe('2027-01-20T10:00:00+08:00');
    expect(nextWakeUp(line, [reminder, sooner, () => null])).toBe('2027-01-12T08:00:00+08:00');
  });
});
