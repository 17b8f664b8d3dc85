/*
 * The refund decider (domain/line/refund.ts): every refusal from a built line, then the approvals.
 */
import { describe, expect, it } from 'vitest';
import { REFUNDABLE_DAYS, type CreditLineState, type RefundCommand } from '../../domain/line';
import { lineAccountId, platformAccountId } from '../../domain/ledger';
import { AT, approved, decideAt, expectRefusal, inStatus, opened, purchaseOf, refundOf, type Refusal } from './line-support';

/** A purchase p_1 of 30 000 on 2027-01-11. */
const bought = (): CreditLineState => approved(opened(), purchaseOf(30_000, { purchaseId: 'p_1' }));
/** p_1 with 10 000 of it refunded already. */
const partlyRefunded = (): CreditLineState => approved(bought(), refundOf('p_1', 10_000));
const POSITIVE = 'amount must be a positive integer of fen';

const refusals: Refusal<RefundCommand>[] = [
  { name: 'a zero amount', state: bought, command: () => refundOf('p_1', 0), code: 'INVALID_AMOUNT', message: POSITIVE, byValidator: true },
  { name: 'a negative amount', state: bought, command: () => refundOf('p_1', -5), code: 'INVALID_AMOUNT', message: POSITIVE, byValidator: true },
  { name: 'a fraction of a fen', state: bought, command: () => refundOf('p_1', 1.5), code: 'INVALID_AMOUNT', message: POSITIVE, byValidator: true },
  { name: 'a bad amount on a closed line (validation first)', state: () => inStatus(bought(), 'CLOSED'), command: () => refundOf('p_1', 0), code: 'INVALID_AMOUNT', message: POSITIVE, byValidator: true },
  { name: 'a closed line', state: () => inStatus(bought(), 'CLOSED'), command: () => refundOf('p_1', 1_000), code: 'LINE_CLOSED', message: 'the line is closed', byValidator: false },
  { name: 'a closed line, an unknown purchase (the status first)', state: () => inStatus(bought(), 'CLOSED'), command: () => refundOf('p_nope', 1_000), code: 'LINE_CLOSED', message: 'the line is closed', byValidator: false },
  { name: 'a purchase the line never had', state: bought, command: () => refundOf('p_nope', 1_000), code: 'PURCHASE_NOT_FOUND', message: 'purchase p_nope is not refundable on this line', byValidator: false },
  {
    // Bought 2027-01-11; the close of 2027-08-05 forgets purchases of 180 days before it or older.
    name: `a purchase older than ${REFUNDABLE_DAYS} days, forgotten at a cycle close`, state: bought, at: '2027-08-06T10:00:00+08:00',
    command: () => refundOf('p_1', 1_000), code: 'PURCHASE_NOT_FOUND', message: 'purchase p_1 is not refundable on this line', byValidator: false,
  },
  { name: 'one fen more than the purchase', state: bought, command: () => refundOf('p_1', 30_001), code: 'REFUND_EXCEEDS_PURCHASE', message: 'at most 30000 fen of this purchase can still be refunded', byValidator: false },
  { name: 'one fen more than is left after a partial refund', state: partlyRefunded, command: () => refundOf('p_1', 20_001), code: 'REFUND_EXCEEDS_PURCHASE', message: 'at most 20000 fen of this purchase can still be refunded', byValidator: false },
];

describe('refund refusals', () => {
  it.each(refusals.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expectRefusal(c);
  });

  it('covers every code the refund decider gives', () => {
    expect(new Set(refusals.map((c) => c.code))).toEqual(new Set(['INVALID_AMOUNT', 'LINE_CLOSED', 'PURCHASE_NOT_FOUND', 'REFUND_EXCEEDS_PURCHASE']));
  });
});

describe('refund approvals', () => {
  it('refunds part of an unbilled purchase, then the rest: available credit comes back', () => {
    const command = refundOf('p_1', 10_000);
    const first = decideAt(bought(), command, AT);
    expect(JSON.stringify(first.result)).toBe(`{"ok":true,"type":"refund","body":{"refundId":"${command.refundId}","purchaseId":"p_1","amount":10000,"available":980000}}`);
    expect(first.state.purchases).toEqual([{ id: 'p_1', day: '2027-01-11', merchantId: 'self-operated', amount: 30_000, refunded: 10_000 }]);
    expect(first.state.balances.currentCycle).toBe(20_000);
    expect(first.event.idempotencyKey).toBe(`cl_1:REFUND:refund:${command.key}`);
    expect(first.event.entry).toEqual({ kind: 'REFUND', postings: [
      { accountId: lineAccountId('cl_1', 'PRINCIPAL'), amount: -10_000 },
      { accountId: platformAccountId('MERCHANT_SETTLEMENT'), amount: 10_000 },
    ] });
    expect(first.event.transaction).toEqual({ id: command.refundId, kind: 'REFUND', amount: -10_000, details: { purchaseId: 'p_1' } });
    const rest = decideAt(first.state, refundOf('p_1', 20_000), AT);
    expect(rest.result).toMatchObject({ ok: true, body: { amount: 20_000, available: 1_000_000 } });
    expect(rest.state.purchases[0]?.refunded).toBe(30_000);
  });

  it('refunds on a line that is not closed, whatever its status', () => {
    for (const status of ['SUSPENDED', 'CLOSING', 'CHARGED_OFF'] as const) {
      expect(decideAt(inStatus(bought(), status), refundOf('p_1', 1_000), AT).result, status).toMatchObject({ ok: true, type: 'refund' });
    }
  });

  it('a refund of a billed purchase becomes credit; the last day before the purchase is forgotten it is still refundable', () => {
    // The close of 2027-08-05 forgets p_1; until then it can be refunded, billed or not.
    const { result, state } = decideAt(bought(), refundOf('p_1', 5_000), '2027-08-05T10:00:00+08:00');
    expect(result).toMatchObject({ ok: true, body: { purchaseId: 'p_1', amount: 5_000 } });
    expect(state.balances.creditBalance).toBe(5_000);
  });
});
