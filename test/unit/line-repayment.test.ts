/*
 * The repayment decider (domain/line/repayment.ts): every refusal from a built line, then the
 * approvals. Repayments are bounded by the payoff amount (PRODUCT §5).
 */
import { describe, expect, it } from 'vitest';
import { advance, payoff, type CreditLineState, type RepaymentCommand } from '../../domain/line';
import { lineAccountId, platformAccountId } from '../../domain/ledger';
import { payoffQuote } from '../../domain/payoff';
import { AT, approved, decideAt, expectRefusal, inStatus, opened, product, purchaseOf, repaymentOf, type Refusal } from './line-support';

/** 20 000 bought on 2027-01-11, in the open cycle. */
const owing = (): CreditLineState => approved(opened(), purchaseOf(20_000));
/** The same, billed 2027-02-05, due 2027-03-07, unpaid: on 2027-03-10 two days of penalty (03-08, 03-09) at 10 a day. */
const OVERDUE_AT = '2027-03-10T10:00:00+08:00';
const POSITIVE = 'amount must be a positive integer of fen';
const OLD_RULES = { refuseOverpayment: false, validateFreeText: true, riskRules: true, restructuredCases: true, staffKeepsOwnHold: true };

const refusals: Refusal<RepaymentCommand>[] = [
  { name: 'a zero amount', state: owing, command: () => repaymentOf(0), code: 'INVALID_AMOUNT', message: POSITIVE, byValidator: true },
  { name: 'a negative amount', state: owing, command: () => repaymentOf(-1), code: 'INVALID_AMOUNT', message: POSITIVE, byValidator: true },
  { name: 'a fraction of a fen', state: owing, command: () => repaymentOf(0.5), code: 'INVALID_AMOUNT', message: POSITIVE, byValidator: true },
  { name: 'an unsafe integer', state: owing, command: () => repaymentOf(2 ** 53), code: 'INVALID_AMOUNT', message: POSITIVE, byValidator: true },
  { name: 'one fen above the payoff', state: owing, command: () => repaymentOf(20_001), code: 'OVERPAYMENT', message: 'at most 20000 fen is owed (the payoff amount); nothing was repaid', byValidator: false },
  { name: 'the largest safe integer', state: owing, command: () => repaymentOf(2 ** 53 - 1), code: 'OVERPAYMENT', message: 'at most 20000 fen is owed (the payoff amount); nothing was repaid', byValidator: false },
  { name: 'anything on a line that owes nothing', state: opened, command: () => repaymentOf(1), code: 'OVERPAYMENT', message: 'at most 0 fen is owed (the payoff amount); nothing was repaid', byValidator: false },
  { name: 'one fen above a payoff that includes today’s penalties', state: owing, at: OVERDUE_AT, command: () => repaymentOf(20_021), code: 'OVERPAYMENT', message: 'at most 20020 fen is owed (the payoff amount); nothing was repaid', byValidator: false },
];

describe('repayment refusals', () => {
  it.each(refusals.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expectRefusal(c);
  });

  it('covers every code the repayment decider gives', () => {
    expect(new Set(refusals.map((c) => c.code))).toEqual(new Set(['INVALID_AMOUNT', 'OVERPAYMENT']));
  });
});

describe('repayments are bounded by the payoff amount (PRODUCT §5)', () => {
  it('refuses OVERPAYMENT above what is owed and moves nothing', () => {
    const bought = owing();
    for (const amount of [20_001, 2 ** 53 - 1]) {
      const refused = decideAt(bought, repaymentOf(amount), AT);
      expect(refused.result).toMatchObject({ ok: false, code: 'OVERPAYMENT' });
      expect(refused.state.balances).toEqual(bought.balances);
      expect(refused.event.entry).toBeUndefined();
    }
    const exact = decideAt(bought, repaymentOf(payoffQuote(bought.balances, '2027-01-11').amount), AT);
    expect(exact.result).toMatchObject({ ok: true, body: { balance: 0 } });
    expect(decideAt(exact.state, repaymentOf(1), AT).result).toMatchObject({ ok: false, code: 'OVERPAYMENT' });
  });

  it('keeps the old rule for a line replaying history decided before the change', () => {
    const old = decideAt(owing(), repaymentOf(30_000), AT, OLD_RULES);
    expect(old.result).toMatchObject({ ok: true, body: { balance: -10_000 } });
  });

  it('the payoff read is the payoff quote of the line’s balances', () => {
    const line = advance(owing(), OVERDUE_AT, product).state;
    expect(payoff(line, '2027-03-10')).toEqual(payoffQuote(line.balances, '2027-03-10'));
    expect(payoff(line, '2027-03-10').amount).toBe(20_020);
  });
});

describe('repayment approvals', () => {
  it('pays the open cycle, answering the allocation and the balance left', () => {
    const command = repaymentOf(5_000);
    const { result, event } = decideAt(owing(), command, AT);
    expect(JSON.stringify(result)).toBe(`{"ok":true,"type":"repayment","body":{"repaymentId":"${command.repaymentId}","amount":5000,"allocation":[{"bucket":"CURRENT_CYCLE","amount":5000}],"balance":15000}}`);
    expect(event.idempotencyKey).toBe(`cl_1:REPAYMENT:repayment:${command.key}`);
    expect(event.entry).toEqual({ kind: 'REPAYMENT', postings: [
      { accountId: lineAccountId('cl_1', 'PRINCIPAL'), amount: -5_000 },
      { accountId: platformAccountId('CASH'), amount: 5_000 },
    ] });
    expect(event.transaction).toEqual({ id: command.repaymentId, kind: 'REPAYMENT', amount: -5_000, details: { allocation: [{ bucket: 'CURRENT_CYCLE', amount: 5_000 }] } });
  });

  it('pays exactly the payoff of an overdue line: today’s penalties first, nothing left', () => {
    const { result, state, event } = decideAt(owing(), repaymentOf(20_020), OVERDUE_AT);
    expect(result).toMatchObject({ ok: true, body: { allocation: [{ bucket: 'PENALTY', amount: 20 }, { bucket: 'OVERDUE_PRINCIPAL', amount: 20_000 }], balance: 0 } });
    expect(state.balances.penalties).toBe(0);
    expect(event.allBilledPaid).toBe(true);
    expect(event.line).toMatchObject({ balance: 0, currentDue: null, daysPastDue: 0 });
  });

  it('is accepted whatever the line’s status, but on a closed line (which owes nothing and decides nothing more)', () => {
    for (const status of ['SUSPENDED', 'CLOSING', 'CHARGED_OFF'] as const) {
      expect(decideAt(inStatus(owing(), status), repaymentOf(1_000), AT).result, status).toMatchObject({ ok: true, type: 'repayment' });
    }
    expect(decideAt(inStatus(owing(), 'CLOSED'), repaymentOf(1_000), AT).result).toEqual({ ok: false, type: 'repayment', code: 'LINE_NOT_ACTIVE', message: 'the line is closed' });
  });
});
