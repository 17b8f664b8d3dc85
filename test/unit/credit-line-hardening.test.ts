import { describe, expect, it } from 'vitest';
import { advance, decide, LineInvariantError, openLine, readLineAt, readStateOf, type Command, type CreditLineState } from '../../domain/credit-line';
import { payoffQuote } from '../../domain/payoff';
import { STANDARD_PRODUCT as product } from '../../domain/product';

const opened = (): CreditLineState => openLine({ creditLineId: 'cl_1', customerId: 'c1', productId: product.id, statementDay: 5, limit: 1_000_000, now: '2027-01-10T10:00:00+08:00', version: 1 });
const at = '2027-01-11T10:00:00+08:00';
let n = 0;
const command = (c: Record<string, unknown>): Command => ({ key: `k${(n += 1)}`, requestHash: `h${n}`, ...c } as Command);
const buy = (state: CreditLineState, amount: number, description?: string) =>
  decide(state, command({ type: 'purchase', purchaseId: `p_${n}`, merchantId: 'self-operated', amount, ...(description !== undefined ? { description } : {}) }), at, product);
const repay = (state: CreditLineState, amount: number, rules?: Parameters<typeof decide>[4]) =>
  decide(state, command({ type: 'repayment', repaymentId: `rp_${n}`, amount }), at, product, rules);

describe('repayments are bounded by the payoff amount (PRODUCT §5)', () => {
  it('refuses OVERPAYMENT above what is owed and moves nothing', () => {
    const bought = buy(opened(), 20_000).state;
    for (const amount of [20_001, 2 ** 53 - 1]) {
      const refused = repay(bought, amount);
      expect(refused.result).toMatchObject({ ok: false, code: 'OVERPAYMENT' });
      expect(refused.state.balances).toEqual(bought.balances);
      expect(refused.event.entry).toBeUndefined();
    }
    const exact = repay(bought, payoffQuote(bought.balances, '2027-01-11').amount);
    expect(exact.result).toMatchObject({ ok: true, body: { balance: 0 } });
    expect(repay(exact.state, 1).result).toMatchObject({ ok: false, code: 'OVERPAYMENT' });
  });

  it('keeps the old rule for a line replaying history decided before the change', () => {
    const bought = buy(opened(), 20_000).state;
    const old = repay(bought, 30_000, { refuseOverpayment: false, validateFreeText: true });
    expect(old.result).toMatchObject({ ok: true, body: { balance: -10_000 } });
  });
});

describe('what could never be stored is never decided', () => {
  it('refuses a description that is not free text, as the validator does', () => {
    for (const description of ['a\u0000b', 'x\ud800', 'x'.repeat(501), 'bell\u0007']) {
      const refused = buy(opened(), 100, description);
      expect(refused.result).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' });
      expect(JSON.stringify(refused.event)).not.toContain(description);
    }
    expect(buy(opened(), 100, '白条 😀 headphones').result).toMatchObject({ ok: true });
  });

  it('throws a LineInvariantError, leaving the state as it was, when an event could not be stored', () => {
    const state = opened();
    const before = JSON.stringify(state);
    // Under the rules before free-text validation, a NUL would reach the event: the invariant stops it.
    expect(() => decide(state, command({ type: 'purchase', purchaseId: 'p_x', merchantId: 'self-operated', amount: 100, description: 'a\u0000' }), at, product, { refuseOverpayment: true, validateFreeText: false }))
      .toThrow(LineInvariantError);
    expect(JSON.stringify(state)).toBe(before);
  });
});

describe('a line read as of any moment (API.md)', () => {
  it('shows the penalties and days past due of today, though the line has not acted since', () => {
    // Bought in the cycle closing 2027-02-05, due 2027-03-07, never paid.
    const bought = buy(opened(), 100_000).state;
    const lastActed = advance(bought, '2027-02-06T10:00:00+08:00', product).state;
    const asOf = '2027-04-06T12:00:00+08:00';
    const read = readLineAt(readStateOf(lastActed), asOf, product);
    const lived = advance(lastActed, asOf, product).state;
    expect(read.daysPastDue).toBe(30);
    expect(read.balance).toBeGreaterThan(100_000);
    expect(read.balance).toBe(payoffQuote(lived.balances, '2027-04-06').amount);
    // The newest statement, with the oldest unpaid due date.
    expect(read.currentDue).toMatchObject({ statementId: 'S-2027-04-05', dueDate: '2027-03-07' });
  });
});
