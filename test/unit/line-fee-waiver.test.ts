/*
 * The fee-waiver decider (domain/line/fee-waiver.ts): what a waiver takes from each bucket (penalties
 * first, then billed installment fees oldest first), its balanced journal entry against the income
 * the charges were booked to, every refusal, and, over random lines, that the postings always sum to
 * zero, replay to the line's accounts, and never waive more than is owed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { installmentFeeOwed, netBalance } from '../../domain/balances';
import { addDays, instantAt } from '../../domain/calendar';
import { lineAccountBalances, LINE_ACCOUNTS, lineAccountId, platformAccountId, sumPostings } from '../../domain/ledger';
import { lineFigures } from '../../domain/projection';
import {
  advance, rememberedAnswer, waivableFees, type CreditLineState, type LineEvent, type WaiveFeesCommand,
} from '../../domain/line';
import { approved, conversionOf, decideAt, expectRefusal, inStatus, opened, product, purchaseOf, repaymentOf, type Refusal } from './line-support';

let k = 0;
const waiverOf = (amount: number, extra: Partial<WaiveFeesCommand> = {}): WaiveFeesCommand => {
  k += 1;
  return {
    key: `cl_1:approval:w${k}`, requestHash: `h${k}`, type: 'waiveFees', amount, approvalId: `cl_1:approval:w${k}`,
    actor: { type: 'staff', id: 'S-maker' }, note: `hospital stay (approval cl_1:approval:w${k}, approved by staff:S-checker)`, ...extra,
  };
};

/*
 * 30 000 bought 2027-01-11, billed on S-2027-02-05 and converted the next morning into three
 * installments of 10 000 + 150 fee (the first billed at once, due 2027-03-07). Left unpaid: on
 * 2027-03-10 the first installment is two days past due (5 fen a day) and the second is billed.
 */
const AFTER_CLOSE = '2027-02-06T10:00:00+08:00';
const OVERDUE_AT = '2027-03-10T10:00:00+08:00';
const converted = (): CreditLineState => approved(advance(approved(opened(), purchaseOf(30_000)), AFTER_CLOSE, product).state, conversionOf('S-2027-02-05'), AFTER_CLOSE);
const owingFees = (): CreditLineState => advance(converted(), OVERDUE_AT, product).state;
/** 20 000 billed on S-2027-02-05 and unpaid: on 2027-03-10, 20 fen of penalties and no fee. */
const owingPenalties = (): CreditLineState => advance(approved(opened(), purchaseOf(20_000)), OVERDUE_AT, product).state;

describe('waiving fees', () => {
  it('takes penalties first, then billed installment fees oldest first, and posts each against its income', () => {
    const line = owingFees();
    expect(waivableFees(line.balances)).toEqual({ penalties: 10, installmentFees: 300, total: 310 });
    const before = lineFigures(line.limit, line.balances);
    const { state, result, event } = decideAt(line, waiverOf(160), OVERDUE_AT);
    expect(result).toEqual({
      ok: true, type: 'waiveFees',
      body: { transactionId: expect.stringMatching(/:fee-waiver$/), amount: 160, waived: { penalties: 10, installmentFees: 150 }, balance: before.balance - 160 },
    });
    expect(state.balances.penalties).toBe(0);
    // The oldest installment's fee, all of it; the next one untouched.
    const [first, second] = state.balances.plans[0]!.installments;
    expect([first!.feeWaived, second!.feeWaived]).toEqual([150, 0]);
    expect(state.balances.cycle.waived).toBe(160);

    expect(event.entry).toEqual({
      kind: 'FEE_WAIVER', description: 'fees waived on approval',
      postings: [
        { accountId: lineAccountId('cl_1', 'PENALTIES'), amount: -10 },
        { accountId: lineAccountId('cl_1', 'INSTALLMENT_FEES'), amount: -150 },
        { accountId: platformAccountId('PENALTY_INCOME'), amount: 10 },
        { accountId: platformAccountId('FEE_INCOME'), amount: 150 },
      ],
    });
    expect(sumPostings(event.entry!.postings)).toBe(0);
    expect(event.transaction).toEqual({ id: result.ok ? (result.body as { transactionId: string }).transactionId : '', kind: 'FEE_WAIVER', amount: -160, details: { penalties: 10, installmentFees: 150, approvalId: expect.any(String) } });
    // The read models move with it: the installment's waived fee, the line's balance, the audit trail.
    expect(event.installments?.map((i) => [i.seq, i.feeWaived])).toEqual([[1, 150]]);
    expect(event.line.balance).toBe(before.balance - 160);
    expect(event.line.accounts.INSTALLMENT_FEES).toBe(150);
    expect(event.audit).toEqual([{
      action: 'FEE_WAIVER', actor: { type: 'staff', id: 'S-maker' }, reason: expect.stringContaining('hospital stay'),
      details: expect.objectContaining({ amount: 160, approvalId: expect.stringMatching(/^cl_1:approval:/) }),
    }]);
    // A repeated key is answered from memory (the workflow does so before deciding): nothing is waived twice.
    const command = { key: state.remembered.at(-1)!.key, requestHash: state.remembered.at(-1)!.requestHash, type: 'waiveFees' as const };
    expect(rememberedAnswer(state, command)).toEqual(result);
  });

  it('waives part of the penalties alone against penalty income only', () => {
    const { state, event } = decideAt(owingPenalties(), waiverOf(15), OVERDUE_AT);
    expect(state.balances.penalties).toBe(5);
    expect(event.entry?.postings).toEqual([
      { accountId: lineAccountId('cl_1', 'PENALTIES'), amount: -15 },
      { accountId: platformAccountId('PENALTY_INCOME'), amount: 15 },
    ]);
  });

  it('keeps the next statement explaining its balance: the waiver is among its movements', () => {
    const waived = decideAt(owingFees(), waiverOf(310), OVERDUE_AT).state;
    // The next close (2027-04-05) asserts closing = opening + movements; it would throw if the waiver were missing.
    const closed = advance(waived, '2027-04-06T10:00:00+08:00', product);
    const statement = closed.closed.at(-1)!;
    expect(statement.waived).toBe(310);
    expect(statement.closingBalance).toBe(statement.openingBalance + statement.fees + statement.penalties + statement.installmentPrincipal - statement.repayments - 310);
    expect(closed.state.balances.cycle.waived).toBeUndefined();
  });
});

const NOTE = 'hospital stay';
const refusals: Refusal<WaiveFeesCommand>[] = [
  { name: 'a zero amount', state: owingFees, at: OVERDUE_AT, command: () => waiverOf(0), code: 'INVALID_AMOUNT', message: 'amount must be a positive integer of fen', byValidator: true },
  { name: 'a fraction of a fen', state: owingFees, at: OVERDUE_AT, command: () => waiverOf(1.5), code: 'INVALID_AMOUNT', message: 'amount must be a positive integer of fen', byValidator: true },
  { name: 'no approval named', state: owingFees, at: OVERDUE_AT, command: () => waiverOf(10, { approvalId: '' }), code: 'VALIDATION_FAILED', message: 'a fee waiver names the approval that allowed it', byValidator: true },
  { name: 'a note with a control character', state: owingFees, at: OVERDUE_AT, command: () => waiverOf(10, { note: `${NOTE}\u0000` }), code: 'VALIDATION_FAILED', message: 'note must not contain control characters', byValidator: true },
  { name: "another line's approval", state: owingFees, at: OVERDUE_AT, command: () => waiverOf(10, { approvalId: 'cl_2:approval:x' }), code: 'VALIDATION_FAILED', message: 'the approval is not one of this line', byValidator: false },
  { name: 'a line that owes no fee or penalty', state: () => approved(opened(), purchaseOf(20_000)), command: () => waiverOf(1), code: 'NOTHING_TO_WAIVE', message: 'the line owes no penalties or billed installment fees; nothing was waived', byValidator: false },
  { name: 'one fen above what is owed', state: owingFees, at: OVERDUE_AT, command: () => waiverOf(311), code: 'AMOUNT_ABOVE_FEES', message: 'at most 310 fen of penalties and billed installment fees is owed; nothing was waived', byValidator: false },
  { name: 'a line that is not open', state: () => inStatus(owingFees(), 'CLOSED'), at: OVERDUE_AT, command: () => waiverOf(10), code: 'LINE_NOT_ACTIVE', message: 'the line is closed', byValidator: false },
];

describe('fee-waiver refusals', () => {
  it.each(refusals.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const { event } = expectRefusal(c);
    expect(event.audit?.[0]).toMatchObject({ action: 'FEE_WAIVER_REFUSED', reason: c.code });
  });

  it('covers every code the fee-waiver decider gives', () => {
    expect(new Set(refusals.map((c) => c.code))).toEqual(new Set(['INVALID_AMOUNT', 'VALIDATION_FAILED', 'NOTHING_TO_WAIVE', 'AMOUNT_ABOVE_FEES', 'LINE_NOT_ACTIVE']));
  });

  it('waives on a suspended line too', () => {
    expect(decideAt(inStatus(owingFees(), 'SUSPENDED'), waiverOf(10), OVERDUE_AT).result).toMatchObject({ ok: true });
  });
});

// ── Over random lines ────────────────────────────────────────────────────────────────────────────

type Op =
  | { kind: 'buy'; amount: number }
  | { kind: 'repay'; share: number }
  | { kind: 'convert' }
  | { kind: 'waive'; share: number; over: number };

const arbOp: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('buy' as const), amount: fc.integer({ min: 100, max: 200_000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('repay' as const), share: fc.double({ min: 0.05, max: 0.6, noNaN: true }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('convert' as const) }) },
  // A share of what is owed; now and then a little more than all of it (refused).
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('waive' as const), share: fc.double({ min: 0, max: 1, noNaN: true }), over: fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 1, max: 1_000 })) }) },
);

describe('fee waivers over random lines', () => {
  it('post entries that sum to zero and replay to the accounts, and never waive more than is owed', () => {
    const seen = { waived: 0, refused: 0, both: 0 };
    fc.assert(fc.property(
      fc.array(fc.record({ gapDays: fc.integer({ min: 0, max: 60 }), op: arbOp }), { minLength: 1, maxLength: 20 }),
      (steps) => {
        let line = opened(2_000_000);
        let day = '2027-01-11';
        const ledger = new Map<string, number>();
        const post = (events: LineEvent[]) => {
          for (const e of events) {
            const postings = e.entry?.postings ?? [];
            expect(sumPostings(postings)).toBe(0);
            for (const p of postings) ledger.set(p.accountId, (ledger.get(p.accountId) ?? 0) + p.amount);
          }
          const accounts = lineAccountBalances(line.balances);
          for (const account of LINE_ACCOUNTS) expect(ledger.get(lineAccountId(line.creditLineId, account)) ?? 0, account).toBe(accounts[account]);
          expect([...ledger.values()].reduce((s, x) => s + x, 0)).toBe(0);
        };
        let at = instantAt(day, '10:00');
        const act = (command: Parameters<typeof decideAt>[1]) => {
          const decided = decideAt(line, command, at);
          line = decided.state;
          post([decided.event]);
          return decided;
        };
        // Every line starts as `converted` (installments with a fee billed), so its debts can go unpaid
        // and charge penalties beside the fees; the random steps go on from there.
        act(purchaseOf(30_000));
        const closed = advance(line, AFTER_CLOSE, product);
        line = closed.state;
        post(closed.events);
        day = '2027-02-06';
        at = AFTER_CLOSE;
        act(conversionOf('S-2027-02-05'));
        for (const { gapDays, op } of steps) {
          day = addDays(day, gapDays);
          at = instantAt(day, '10:00');
          // Cycle closes on the way assert that each statement's movements explain its balance.
          const advanced = advance(line, at, product);
          line = advanced.state;
          post(advanced.events);
          if (op.kind === 'buy') act(purchaseOf(op.amount));
          else if (op.kind === 'repay') {
            const owed = netBalance(line.balances);
            if (owed > 0) act(repaymentOf(Math.max(1, Math.floor(owed * op.share))));
          } else if (op.kind === 'convert') {
            const last = line.balances.lastStatement;
            if (last) act(conversionOf(`S-${last.statementDate}`));
          } else {
            const owed = waivableFees(line.balances);
            const amount = Math.floor(owed.total * op.share) + op.over;
            if (amount <= 0) continue;
            const before = line.balances;
            const fees = (b: typeof before) => b.plans.flatMap((p) => p.installments.map((i) => [i.id, i.fee, i.feePaid, i.feeWaived, i.billed] as const));
            const { result, event } = act(waiverOf(amount, { approvalId: `cl_1:approval:p${k + 1}` }));
            if (amount > owed.total) {
              expect(result).toMatchObject({ ok: false, code: owed.total === 0 ? 'NOTHING_TO_WAIVE' : 'AMOUNT_ABOVE_FEES' });
              expect(line.balances).toEqual(before);
              seen.refused += 1;
              continue;
            }
            expect(result.ok).toBe(true);
            seen.waived += 1;
            const after = waivableFees(line.balances);
            // Exactly `amount`, penalties first, never below zero in any bucket, never an unbilled fee.
            expect(owed.total - after.total).toBe(amount);
            expect(owed.penalties - after.penalties).toBe(Math.min(amount, owed.penalties));
            if (owed.penalties > 0 && amount > owed.penalties) seen.both += 1;
            for (const p of line.balances.plans) for (const i of p.installments) {
              expect(installmentFeeOwed(i)).toBeGreaterThanOrEqual(0);
              if (!i.billed) expect(i.feeWaived).toBe(0);
            }
            expect(fees(line.balances).map(([id, fee, paid]) => [id, fee, paid])).toEqual(fees(before).map(([id, fee, paid]) => [id, fee, paid]));
            // The entry: each line account credited against its income, by exactly what the buckets lost.
            const postings = event.entry!.postings;
            const by = (id: string) => postings.find((p) => p.accountId === id)?.amount ?? 0;
            expect(by(platformAccountId('PENALTY_INCOME'))).toBe(owed.penalties - after.penalties);
            expect(by(platformAccountId('FEE_INCOME'))).toBe(owed.installmentFees - after.installmentFees);
            expect(postings.every((p) => p.amount !== 0)).toBe(true);
          }
        }
        // And on to a year later: every close after the waivers still balances.
        const later = advance(line, instantAt(addDays(day, 120), '10:00'), product);
        line = later.state;
        post(later.events);
      },
    ), { numRuns: 80 });
    // The runs really waived, refused, and waived from both buckets at once.
    expect(seen.waived).toBeGreaterThan(20);
    expect(seen.refused).toBeGreaterThan(6);
    expect(seen.both).toBeGreaterThan(2);
  }, 30_000);
});
