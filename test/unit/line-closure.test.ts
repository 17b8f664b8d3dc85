/**
 * Closure (domain/line/closure.ts, PRODUCT §9): CLOSED at once when nothing is owed, CLOSING with the
 * payoff otherwise and CLOSED by itself once paid off (advance), cancelled back to what the line was;
 * a credit balance is paid back, never kept; a charged-off line cannot close; a closed line decides
 * nothing more. Closing never forgives money: every entry balances and the line ends at zero.
 */
import { describe, expect, it } from 'vitest';
import {
  advance, decide, validateCommand,
  type CancelClosureCommand, type CloseCommand, type Command, type CreditLineState, type LiftCommand, type LimitCommand, type LineEvent, type SuspendCommand,
} from '../../domain/line';
import { lineAccountBalances, lineAccountId, platformAccountId, sumPostings } from '../../domain/ledger';
import { payoffQuote } from '../../domain/payoff';
import {
  AT, approved, conversionOf, decideAt, expectRefusal, inStatus, opened, product, purchaseOf, refundOf, repaymentOf, type Refusal,
} from './line-support';

let k = 0;
const customer = { type: 'customer', id: 'c1' } as const;
const staff = { type: 'staff', id: 'S7' } as const;
const closeOf = (extra: Partial<CloseCommand> = {}): CloseCommand => ({ key: `close${++k}`, requestHash: `hc${k}`, type: 'close', actor: customer, ...extra });
const cancelOf = (extra: Partial<CancelClosureCommand> = {}): CancelClosureCommand => ({ key: `cancel${++k}`, requestHash: `hx${k}`, type: 'cancelClosure', actor: customer, ...extra });

/** The first statement (2027-02-05) is billed at its close, 2027-02-06 00:00; due 2027-03-07. */
const BILLED_AT = '2027-02-06T10:00:00+08:00';
const STATEMENT = 'S-2027-02-05';

/** 20 000 bought, in the open cycle. */
const owing = () => approved(opened(), purchaseOf(20_000));
/** 300 000 bought, billed, and split into 3 installments of 100 000 (fee 1 500 each; the first billed at once). */
const inInstallments = () => approved(approved(opened(), purchaseOf(300_000)), conversionOf(STATEMENT, 3), BILLED_AT);
/** What the workflow does after every decision on a CLOSING line: bring it up to now (a paid-off line closes). */
const settle = (state: CreditLineState, at: string) => advance(state, at, product);
const accountsOf = (state: CreditLineState) => lineAccountBalances(state.balances);
const ZERO = { PRINCIPAL: 0, INSTALLMENT_PRINCIPAL: 0, INSTALLMENT_FEES: 0, PENALTIES: 0, CREDIT_BALANCE: 0 };
const templates = (event: LineEvent) => (event.messages ?? []).map((m) => `${m.template}/${m.channel}`).sort();

describe('closing with nothing owed', () => {
  it('is CLOSED at once, told to the customer, with nothing to post', () => {
    const command = closeOf();
    const { state, result, event } = decideAt(opened(), command, AT);
    expect(result).toEqual({ ok: true, type: 'close', body: { status: 'CLOSED' } });
    expect(state).toMatchObject({ status: 'CLOSED', closedAt: AT });
    expect(state.closure).toBeUndefined();
    expect(event.line).toMatchObject({ status: 'CLOSED', balance: 0, available: 0 });
    expect(event.entry).toBeUndefined();
    expect(event.idempotencyKey).toBe(`cl_1:CLOSURE:close:${command.key}`);
    expect(event.audit).toEqual([expect.objectContaining({ action: 'CLOSURE', actor: customer, details: expect.objectContaining({ from: 'ACTIVE', status: 'CLOSED' }) })]);
    expect(templates(event)).toEqual(['LINE_CLOSED/IN_APP', 'LINE_CLOSED/SMS']);
  });

  it('pays a credit balance back to the customer: one balanced entry against CASH and a transaction', () => {
    // Bought, billed, paid in full, then refunded 5 000 by the merchant: 5 000 of credit, nothing owed.
    const paid = approved(owing(), repaymentOf(20_000), BILLED_AT);
    const inCredit = approved(paid, refundFor(paid, 5_000), BILLED_AT);
    expect(accountsOf(inCredit).CREDIT_BALANCE).toBe(-5_000);
    const { state, result, event } = decideAt(inCredit, closeOf(), BILLED_AT);
    expect(result).toEqual({ ok: true, type: 'close', body: { status: 'CLOSED', creditRefunded: 5_000 } });
    expect(accountsOf(state)).toEqual(ZERO);
    expect(event.entry).toEqual({
      kind: 'REPAYMENT', description: 'closure: credit balance paid back to the customer',
      postings: [{ accountId: lineAccountId('cl_1', 'CREDIT_BALANCE'), amount: 5_000 }, { accountId: platformAccountId('CASH'), amount: -5_000 }],
    });
    expect(event.transaction).toEqual({ id: 'cl_1:closure:credit-refund', kind: 'CREDIT_REFUND', amount: 5_000, details: { waivedFees: 0 } });
  });
});

/** A refund of the line's last purchase (its id is the one `purchaseOf` gave). */
function refundFor(state: CreditLineState, amount: number) {
  const last = state.purchases.at(-1)!;
  return refundOf(last.id, amount);
}

describe('closing with something owed', () => {
  it('is CLOSING with the payoff quote; purchases are declined, reminders and repayments go on; paid off, it closes by itself', () => {
    const line = owing();
    const closing = decideAt(line, closeOf(), AT);
    const payoff = payoffQuote(line.balances, '2027-01-11');
    expect(closing.result).toEqual({ ok: true, type: 'close', body: { status: 'CLOSING', payoff } });
    expect(payoff.amount).toBe(20_000);
    expect(closing.state).toMatchObject({ status: 'CLOSING', closure: { requestedAt: AT, requestedBy: 'customer:c1', previous: { status: 'ACTIVE', suspensionReasons: [] } } });
    expect(templates(closing.event)).toEqual(['LINE_CLOSING/IN_APP', 'LINE_CLOSING/SMS']);
    expect(closing.event.messages?.find((m) => m.channel === 'IN_APP')?.params).toEqual({ amount: 20_000 });
    // Closed again (a retried confirm, or staff after the customer): the same answer, nothing changes.
    const again = decideAt(closing.state, closeOf(), AT);
    expect(again.result).toEqual(closing.result);
    expect(again.state.closure).toEqual(closing.state.closure);
    expect(decideAt(closing.state, purchaseOf(100), AT).result).toMatchObject({ ok: false, code: 'LINE_NOT_ACTIVE', message: 'the line is closing' });
    // Part paid: still CLOSING; the rest paid: CLOSED by itself, in its own event.
    const part = decideAt(closing.state, repaymentOf(5_000), AT);
    expect(settle(part.state, AT).state.status).toBe('CLOSING');
    const rest = decideAt(part.state, repaymentOf(15_000), AT);
    expect(rest.result).toMatchObject({ ok: true, body: { balance: 0 } });
    const closed = settle(rest.state, AT);
    expect(closed.state).toMatchObject({ status: 'CLOSED', closedAt: AT });
    expect(closed.events).toHaveLength(1);
    const [event] = closed.events;
    expect(event!.line.status).toBe('CLOSED');
    expect(event!.entry).toBeUndefined();
    expect(event!.audit).toEqual([expect.objectContaining({ action: 'LINE_CLOSED', actor: { type: 'system', id: 'closure' }, details: { creditRefunded: 0, waivedFees: 0 } })]);
    expect(templates(event!)).toEqual(['LINE_CLOSED/IN_APP', 'LINE_CLOSED/SMS']);
    // Once closed, time changes nothing.
    expect(advance(closed.state, '2027-09-01T10:00:00+08:00', product, { reminders: true, collections: true, penaltyThroughToday: true })).toEqual({ state: closed.state, events: [], closed: [] });
  });

  it('with 3 installments: the payoff waives the unearned fees; paid, the installments are paid off early and the line closes at zero', () => {
    const line = inInstallments();
    expect(accountsOf(line)).toMatchObject({ PRINCIPAL: 0, INSTALLMENT_PRINCIPAL: 300_000, INSTALLMENT_FEES: 1_500 });
    const closing = decideAt(line, closeOf(), BILLED_AT);
    expect(closing.result).toMatchObject({ ok: true, body: { status: 'CLOSING', payoff: { amount: 301_500, waivedFees: 3_000 } } });
    const paid = decideAt(closing.state, repaymentOf(301_500), BILLED_AT);
    expect(paid.result).toMatchObject({ ok: true, body: { balance: 0 } });
    const closed = settle(paid.state, BILLED_AT);
    expect(closed.state.status).toBe('CLOSED');
    expect(accountsOf(closed.state)).toEqual(ZERO);
    const plan = closed.state.balances.plans[0]!;
    expect(plan.paidOffEarlyOn).toBe('2027-02-06');
    expect(plan.installments.map((i) => [i.billed, i.principalPaid, i.feePaid, i.feeWaived])).toEqual([[true, 100_000, 1_500, 0], [false, 100_000, 0, 1_500], [false, 100_000, 0, 1_500]]);
    // The credit the repayment left pays the installments not yet billed: a reclassification, no cash.
    const [event] = closed.events;
    expect(event!.entry?.postings).toEqual([
      { accountId: lineAccountId('cl_1', 'INSTALLMENT_PRINCIPAL'), amount: -200_000 },
      { accountId: lineAccountId('cl_1', 'CREDIT_BALANCE'), amount: 200_000 },
    ]);
    expect(event!.audit?.[0]?.details).toEqual({ creditRefunded: 0, waivedFees: 3_000 });
    expect(event!.installments?.filter((i) => i.feeWaived > 0).map((i) => i.seq)).toEqual([2, 3]);
    // Never forgiven: the customer paid every fen of principal and every fee earned.
    const entries = [paid.event, event!].map((e) => e.entry!);
    for (const e of entries) expect(sumPostings(e.postings)).toBe(0);
    expect(paid.event.entry?.postings.find((p) => p.accountId === platformAccountId('CASH'))?.amount).toBe(301_500);
  });

  it('a refund on a CLOSING line that leaves more than is owed closes it and pays the rest back', () => {
    // Billed 20 000, 15 000 repaid, CLOSING with 5 000 to pay; then the merchant refunds all 20 000.
    const part = approved(owing(), repaymentOf(15_000), BILLED_AT);
    const closing = decideAt(part, closeOf(), BILLED_AT).state;
    const refunded = decideAt(closing, refundFor(closing, 20_000), BILLED_AT);
    expect(refunded.result).toMatchObject({ ok: true });
    expect(refunded.state.status).toBe('CLOSING');
    // The credit pays the 5 000 and the 15 000 left goes back to the customer, in the closing event.
    const closed = settle(refunded.state, BILLED_AT);
    expect(closed.state.status).toBe('CLOSED');
    expect(accountsOf(closed.state)).toEqual(ZERO);
    const [event] = closed.events;
    expect(event!.entry?.postings).toEqual([
      { accountId: lineAccountId('cl_1', 'PRINCIPAL'), amount: -5_000 },
      { accountId: lineAccountId('cl_1', 'CREDIT_BALANCE'), amount: 20_000 },
      { accountId: platformAccountId('CASH'), amount: -15_000 },
    ]);
    expect(event!.transaction).toEqual({ id: 'cl_1:closure:credit-refund', kind: 'CREDIT_REFUND', amount: 15_000, details: { waivedFees: 0 } });
  });

  it('a credit smaller than what is owed is not paid back; the line stays CLOSING until the rest comes', () => {
    const billed = approved(owing(), repaymentOf(1), BILLED_AT);
    const closing = decideAt(billed, closeOf(), BILLED_AT).state;
    const partRefund = decideAt(closing, refundFor(closing, 5_000), BILLED_AT).state;
    expect(accountsOf(partRefund).CREDIT_BALANCE).toBe(-5_000);
    expect(settle(partRefund, BILLED_AT).state.status).toBe('CLOSING');
    const paid = decideAt(partRefund, repaymentOf(payoffQuote(partRefund.balances, '2027-02-06').amount), BILLED_AT);
    const closed = settle(paid.state, BILLED_AT);
    expect(closed.state.status).toBe('CLOSED');
    expect(accountsOf(closed.state)).toEqual(ZERO);
    expect(closed.events[0]?.transaction).toBeUndefined();
  });

  it('a suspended or overdue line may close: CLOSING with its reasons kept; the ladder goes on while CLOSING', () => {
    const suspended = approved(owing(), { key: 's1', requestHash: 'hs1', type: 'suspend', reason: 'STAFF', actor: staff, note: 'fraud check' } as SuspendCommand);
    const closing = decideAt(suspended, closeOf(), AT);
    expect(closing.state).toMatchObject({ status: 'CLOSING', suspensionReasons: ['STAFF'], closure: { previous: { status: 'SUSPENDED', suspensionReasons: ['STAFF'] } } });
    // Unpaid past its due date (2027-03-07): OVERDUE joins, the line stays CLOSING, penalties accrue.
    const late = advance(closing.state, '2027-03-10T10:00:00+08:00', product, { reminders: true, collections: true, penaltyThroughToday: true }).state;
    expect(late).toMatchObject({ status: 'CLOSING', suspensionReasons: ['STAFF', 'OVERDUE'] });
    expect(late.balances.penalties).toBeGreaterThan(0);
    // Cancelled: back to SUSPENDED with the reasons it holds now.
    const cancelled = decideAt(late, cancelOf(), '2027-03-10T10:00:00+08:00');
    expect(cancelled.result).toEqual({ ok: true, type: 'cancelClosure', body: { status: 'SUSPENDED', suspensionReasons: ['OVERDUE', 'STAFF'] } });
    expect(cancelled.state.closure).toBeUndefined();
    expect(cancelled.event.audit).toEqual([expect.objectContaining({ action: 'CLOSURE_CANCELLED', details: expect.objectContaining({ from: 'CLOSING', status: 'SUSPENDED' }) })]);
    expect(templates(cancelled.event)).toEqual(['CLOSURE_CANCELLED/IN_APP']);
  });

  it('cancelled, an ACTIVE line is ACTIVE again and buys', () => {
    const closing = decideAt(owing(), closeOf(), AT).state;
    const cancelled = decideAt(closing, cancelOf(), AT);
    expect(cancelled.state).toMatchObject({ status: 'ACTIVE', suspensionReasons: [] });
    expect(decideAt(cancelled.state, purchaseOf(1_000), AT).result).toMatchObject({ ok: true });
  });
});

describe('staff closing on the customer\'s behalf', () => {
  it('records the agent, the reason and how identity was checked', () => {
    const { result, event } = decideAt(owing(), closeOf({ actor: staff, note: 'customer called, wants to close', identityCheck: 'video call, ID card shown' }), AT);
    expect(result).toMatchObject({ ok: true, body: { status: 'CLOSING' } });
    expect(event.audit).toEqual([{
      action: 'CLOSURE', actor: staff, reason: 'customer called, wants to close',
      details: expect.objectContaining({ identityCheck: 'video call, ID card shown', from: 'ACTIVE', status: 'CLOSING' }),
    }]);
  });
});

const refusals: Refusal<CloseCommand | CancelClosureCommand>[] = [
  { name: 'staff without a reason', state: owing, command: () => closeOf({ actor: staff, identityCheck: 'video call' }), code: 'VALIDATION_FAILED', message: 'note is required when staff close a line', byValidator: true },
  { name: 'staff without the identity check', state: owing, command: () => closeOf({ actor: staff, note: 'asked by phone' }), code: 'VALIDATION_FAILED', message: 'identityCheck is required when staff close a line', byValidator: true },
  { name: 'an identity check that is not free text', state: owing, command: () => closeOf({ actor: staff, note: 'asked', identityCheck: 'a\u0000b' }), code: 'VALIDATION_FAILED', message: 'identityCheck must not contain control characters', byValidator: true },
  { name: 'a rule closing a line', state: owing, command: () => closeOf({ actor: { type: 'rule', id: 'x' } }), code: 'VALIDATION_FAILED', message: 'a line is closed by its customer, or by staff on their behalf', byValidator: true },
  { name: 'a charged-off line', state: () => inStatus(owing(), 'CHARGED_OFF'), command: () => closeOf(), code: 'LINE_CHARGED_OFF', message: 'the line was charged off: what it owes is still owed, so it cannot be closed; repayments are still taken', byValidator: false },
  { name: 'a closed line, closed again', state: () => decideAt(opened(), closeOf(), AT).state, command: () => closeOf(), code: 'LINE_NOT_ACTIVE', message: 'the line is closed', byValidator: false },
  { name: 'cancelling when not closing', state: owing, command: () => cancelOf(), code: 'NOT_CLOSING', message: 'the line is not closing: there is no closure to cancel', byValidator: false },
  { name: 'cancelling on a closed line', state: () => decideAt(opened(), closeOf(), AT).state, command: () => cancelOf(), code: 'LINE_NOT_ACTIVE', message: 'the line is closed', byValidator: false },
  { name: 'cancelling by the platform', state: owing, command: () => cancelOf({ actor: { type: 'platform', id: 'p' } }), code: 'VALIDATION_FAILED', message: 'a closure is cancelled by the customer, or by staff on their behalf', byValidator: true },
];

describe('closure refusals', () => {
  it.each(refusals.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const { event } = expectRefusal(c);
    expect(event.audit?.[0]?.action).toMatch(/_REFUSED$/);
  });

  it('the validator message for a control character is the free-text rule', () => {
    expect(validateCommand(closeOf({ actor: staff, note: 'x', identityCheck: 'a\u0000b' }), product)?.code).toBe('VALIDATION_FAILED');
  });
});

describe('a closed line', () => {
  const closed = () => decideAt(owing(), repaymentOf(20_000), AT).state;
  const closedLine = () => decideAt(closed(), closeOf(), AT).state;

  it('refuses every command (LINE_NOT_ACTIVE; a refund its own LINE_CLOSED) and changes nothing', () => {
    const line = closedLine();
    expect(line.status).toBe('CLOSED');
    const purchaseId = line.purchases[0]!.id;
    const commands: Command[] = [
      purchaseOf(100), repaymentOf(100), conversionOf(STATEMENT, 3),
      { key: 'sx', requestHash: 'hsx', type: 'suspend', reason: 'CUSTOMER', actor: customer } as SuspendCommand,
      { key: 'lx', requestHash: 'hlx', type: 'lift', reasons: ['CUSTOMER'], via: 'CUSTOMER', actor: customer } as LiftCommand,
      { key: 'mx', requestHash: 'hmx', type: 'setLimit', limit: 100_000, via: 'CUSTOMER', actor: customer } as LimitCommand,
      closeOf(), cancelOf(),
    ];
    for (const command of commands) {
      const decided = decide(line, command, AT, product);
      expect(decided.result, command.type).toEqual({ ok: false, type: command.type, code: 'LINE_NOT_ACTIVE', message: 'the line is closed' });
      expect(decided.state.balances).toEqual(line.balances);
      expect(decided.state.status).toBe('CLOSED');
      expect(decided.event.entry).toBeUndefined();
    }
    expect(decide(line, refundOf(purchaseId, 100), AT, product).result).toMatchObject({ ok: false, code: 'LINE_CLOSED' });
  });
});
