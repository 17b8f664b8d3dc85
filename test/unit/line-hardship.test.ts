import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { installmentPrincipalOwed, netBalance } from '../../domain/balances';
import { addDays, dueDate, localDay } from '../../domain/calendar';
import { lineAccountBalances, sumPostings } from '../../domain/ledger';
import {
  advance, CURRENT_RULES, decide, payoff, validateCommand, type Command, type CreditLineState, type HardshipPlanView, type LineEvent, type RejectionCode,
} from '../../domain/line';
import { nextLadderAt } from '../../domain/line/collections';
import { nextReminderAt } from '../../domain/line/reminders';
import { payoffQuote } from '../../domain/payoff';
import { STANDARD_PRODUCT as product } from '../../domain/product';
import { billedLine, LINE_RULES, liveUntil, sh } from './overdue-line';

// Opened 2027-01-10, statement day 5: 100,000 fen billed on 2027-02-05, due 2027-03-07, never paid.
const DUE = '2027-03-07';
const LINE = 'cl_h';
const dpdAt = (dpd: number, time = '10:00') => sh(`${addDays(DUE, dpd)}T${time}`);
const STAFF = { type: 'staff', id: 'S9' } as const;
let n = 0;
const command = (c: Record<string, unknown>): Command => ({ key: `k${(n += 1)}`, requestHash: `h${n}`, ...c } as Command);
const plan = (installments: number, extra: Record<string, unknown> = {}) =>
  command({ type: 'startHardshipPlan', installments, note: 'lost job; income back in spring', approvalId: `${LINE}:approval:${n + 1}`, actor: STAFF, ...extra });
const repay = (amount: number) => command({ type: 'repayment', repaymentId: `rp_${n + 1}`, amount });
const opts = LINE_RULES;
const billed = (amount = 100_000): CreditLineState => billedLine(LINE, amount);
const live = (from: CreditLineState, until: string) => liveUntil(from, until, [(s) => nextLadderAt(s), (s) => nextReminderAt(s, product)]);



function decideAt(state: CreditLineState, c: Command, at: string) {
  const advanced = advance(state, at, product, opts);
  return { advanced: advanced.state, ...decide(advanced.state, c, at, product) };
}

const steps = (events: LineEvent[]) => events.filter((e) => e.audit?.[0]?.action === 'COLLECTION_STEP').map((e) => e.audit?.[0]?.details?.dpd);
const collectionContacts = (events: LineEvent[]) => events.flatMap((e) => e.messages ?? []).filter((m) => m.kind === 'COLLECTION');
const totalOwed = (s: CreditLineState) => Object.values(lineAccountBalances(s.balances)).reduce((a, b) => a + b, 0);

/** A line 20 days past due (DPD 15 reached: the case is open), put on a plan of `count` at DPD 20. */
function onPlan(count = 3) {
  const overdue = live(billed(), dpdAt(20, '09:00')).state;
  return { overdue, ...decideAt(overdue, plan(count), dpdAt(20)) };
}

/** A plan of two paid on each due date, and the line brought to the hour after the last. */
function payPlanOfTwo(onPlan: CreditLineState) {
  let line = onPlan;
  for (const [due, amount] of [['2027-05-05', 50_500], ['2027-06-04', 50_500]] as const) {
    line = live(line, sh(`${due}T09:00`)).state;
    const paid = decideAt(line, repay(amount), sh(`${due}T09:30`));
    expect(paid.result.ok).toBe(true);
    line = paid.state;
  }
  return advance(line, sh('2027-06-04T10:00'), product, opts);
}

describe('a hardship plan (PRODUCT §10)', () => {
  it('re-ages the overdue amount into installments without a fee, lifts OVERDUE, holds purchases and pauses the ladder', () => {
    const { overdue, advanced, state, result, event } = onPlan(3);
    expect(overdue.collection).toMatchObject({ done: [1, 3, 7, 15], caseId: `${LINE}:case:${DUE}` });
    // 20 days of 0.05% on 100,000 fen, today's included.
    expect(advanced.balances.penalties).toBe(1_000);
    const body = (result as { body: HardshipPlanView }).body;
    expect(result.ok).toBe(true);
    expect(body).toEqual({
      planId: `hardship:${addDays(DUE, 20)}`, startedOn: addDays(DUE, 20), count: 3, total: 101_000,
      reaged: { principal: 100_000, installmentFees: 0, penalties: 1_000 },
      schedule: [
        { seq: 1, statementDate: '2027-04-05', dueDate: '2027-05-05', amount: 33_668 },
        { seq: 2, statementDate: '2027-05-05', dueDate: '2027-06-04', amount: 33_666 },
        { seq: 3, statementDate: '2027-06-05', dueDate: '2027-07-05', amount: 33_666 },
      ],
      status: 'SUSPENDED', suspensionReasons: ['STAFF'],
    });
    // Nothing overdue any more; the plan holds the line (STAFF), and the ladder is kept where it stopped.
    expect(state).toMatchObject({ status: 'SUSPENDED', suspensionReasons: ['STAFF'] });
    expect(state.collection).toBeUndefined();
    expect(state.hardship).toEqual({ planId: body.planId, startedOn: body.startedOn, status: 'KEPT', staffHold: true, paused: { ...overdue.collection, through: addDays(DUE, 20) } });
    expect(event.line).toMatchObject({ daysPastDue: 0, available: 0, balance: 101_000, currentDue: null });
    expect(payoff(state, addDays(DUE, 20)).amount).toBe(payoff(advanced, addDays(DUE, 20)).amount);
    // The money: moved between the line's own accounts, balanced, no platform account, nothing forgiven.
    expect(event.entry?.kind).toBe('INSTALLMENT_CONVERSION');
    expect(event.entry?.postings).toEqual([
      { accountId: `line:${LINE}:PRINCIPAL`, amount: -100_000 },
      { accountId: `line:${LINE}:INSTALLMENT_PRINCIPAL`, amount: 101_000 },
      { accountId: `line:${LINE}:PENALTIES`, amount: -1_000 },
    ]);
    expect(event.transaction).toMatchObject({ kind: 'HARDSHIP_PLAN', amount: 0, details: { planId: body.planId, total: 101_000, penalties: 1_000 } });
    // The read models follow: the statement reads INSTALLMENTS, three plan rows, no fee, the case closed.
    expect(event.statementStatuses).toEqual([{ id: 'S-2027-02-05', paidAmount: 0, status: 'INSTALLMENTS' }]);
    expect(event.installments?.map((i) => [i.planId, i.seq, i.dueDate, i.principal, i.fee, i.billed, i.apr])).toEqual([
      [body.planId, 1, '2027-05-05', 33_668, 0, false, 0], [body.planId, 2, '2027-06-04', 33_666, 0, false, 0], [body.planId, 3, '2027-07-05', 33_666, 0, false, 0],
    ]);
    // Brought current by agreement, not paid: the case closes RESTRUCTURED, never counted as a cure.
    expect(event.collectionCase).toEqual({ action: 'CLOSE', caseId: `${LINE}:case:${DUE}`, reason: 'RESTRUCTURED' });
    // A run from before patch `hardship-case-and-hold` decides as it did then (CURED).
    expect(decide(advanced, plan(3), dpdAt(20), product, { ...CURRENT_RULES, restructuredCases: false }).event.collectionCase)
      .toEqual({ action: 'CLOSE', caseId: `${LINE}:case:${DUE}`, reason: 'CURED' });
    // Audited with the staff member, the approval and the note; told to the customer; the hold is a reviewable decision.
    expect(event.audit).toEqual([{
      action: 'HARDSHIP_PLAN_STARTED', actor: STAFF, reason: 'lost job; income back in spring',
      details: { key: expect.any(String), installments: 3, approvalId: expect.stringMatching(/^cl_h:approval:/), transactionId: expect.any(String) },
    }]);
    expect(event.messages?.map((m) => [m.template, m.channel])).toEqual([['HARDSHIP_PLAN_STARTED', 'SMS'], ['HARDSHIP_PLAN_STARTED', 'IN_APP']]);
    expect(event.messages?.[0]?.params).toEqual({ total: 101_000, count: 3, firstAmount: 33_668, firstDueDate: '2027-05-05' });
    expect(event.decisions).toEqual([expect.objectContaining({ kind: 'SUSPENSION', reasons: ['STAFF'], adverse: true, decidedBy: 'staff:S9', details: { suspensionReason: 'STAFF', hardshipPlanId: body.planId } })]);
    // No purchase while on the plan.
    const bought = decide(state, command({ type: 'purchase', purchaseId: 'p_2', merchantId: 'self-operated', amount: 1_000 }), dpdAt(20, '11:00'), product);
    expect(bought.result).toMatchObject({ ok: false, code: 'LINE_NOT_ACTIVE' });
  });

  it('while kept: no step, no collection contact, no penalty; each installment is billed and reminded like any', () => {
    const { state } = onPlan(3);
    // Pay the first installment on its due date; live until just before the second falls due.
    const beforeFirst = live(state, sh('2027-05-05T09:00'));
    const first = decideAt(beforeFirst.state, repay(33_668), sh('2027-05-05T09:00'));
    expect(first.result).toMatchObject({ ok: true, body: { allocation: [{ bucket: 'DUE_PRINCIPAL', amount: 33_668 }] } });
    const kept = live(first.state, sh('2027-06-04T23:00'));
    const events = [...beforeFirst.events, ...kept.events];
    expect(steps(events)).toEqual([]);
    expect(collectionContacts(events)).toEqual([]);
    expect(events.filter((e) => e.entry?.kind === 'PENALTY')).toEqual([]);
    expect(events.flatMap((e) => e.messages ?? []).filter((m) => m.template === 'PAYMENT_REMINDER' && m.channel === 'SMS').map((m) => m.params.dueDate))
      // Paid at 09:00 on its due date: that day's 10:00 reminder is not sent.
      .toEqual(['2027-05-05', '2027-05-05', '2027-06-04', '2027-06-04', '2027-06-04']);
    expect(kept.state.hardship?.status).toBe('KEPT');
    expect(kept.state.collection).toBeUndefined();
  });

  it('a missed installment resumes the ladder where it stopped: OVERDUE back, the case again, the next step DPD 30', () => {
    const { state } = onPlan(3);
    const missed = live(state, sh('2027-05-06T12:00'));
    const resumed = missed.events.find((e) => e.audit?.[0]?.action === 'HARDSHIP_PLAN_MISSED')!;
    expect(resumed.occurredAt).toBe(sh('2027-05-06T00:00'));
    expect(resumed.audit?.[0]?.details).toMatchObject({ dueDate: '2027-05-05', dpd: 1, resumedAtStage: 'DPD15_COLLECTIONS' });
    expect(resumed.line).toMatchObject({ status: 'SUSPENDED', suspensionReasons: ['OVERDUE', 'STAFF'], daysPastDue: 1 });
    expect(resumed.messages?.map((m) => [m.template, m.channel])).toEqual([['OVERDUE_NOTICE', 'SMS'], ['OVERDUE_NOTICE', 'IN_APP']]);
    expect(resumed.decisions).toEqual([expect.objectContaining({ kind: 'SUSPENSION', reasons: ['OVERDUE'], decidedBy: 'rule:hardship-plan-missed' })]);
    expect(resumed.collectionCase).toMatchObject({ action: 'OPEN', caseId: `${LINE}:case:2027-05-05`, openedDpd: 1, dueDate: '2027-05-05' });
    expect(missed.state.collection).toMatchObject({ dueDate: '2027-05-05', done: [1, 3, 7, 15], stage: 'DPD15_COLLECTIONS', followUp: true, caseId: `${LINE}:case:2027-05-05` });
    expect(missed.state.hardship).toMatchObject({ status: 'MISSED', paused: null });
    // Steps already taken are not taken again; the next one is DPD 30 of the missed date.
    const later = live(missed.state, sh('2027-06-10T12:00'));
    expect(steps(later.events)).toEqual([30]);
    expect(later.events.find((e) => e.audit?.[0]?.action === 'COLLECTION_STEP')?.occurredAt).toBe(sh('2027-06-04T00:00'));
    // Penalties: only on the principal it re-aged, never on the 1,000 fen of penalties it carries (0.05% of 32,668 = 16).
    const firstPenalty = missed.events.find((e) => e.entry?.kind === 'PENALTY');
    expect(firstPenalty?.transaction?.amount).toBe(16);
  });

  it('a plan missed and never paid is charged off at DPD 90 of the missed date, the plan written off with the rest', () => {
    const { state } = onPlan(3);
    const { state: off, events } = live(state, sh('2027-08-10T12:00'));
    const chargeOff = events.find((e) => e.entry?.kind === 'CHARGE_OFF')!;
    expect(chargeOff.occurredAt).toBe(sh(`${addDays('2027-05-05', 90)}T00:00`));
    expect(sumPostings(chargeOff.entry!.postings)).toBe(0);
    expect(off.status).toBe('CHARGED_OFF');
    expect(off.hardship).toBeUndefined();
    expect(off.balances.plans).toEqual([]);
    // Everything was written off: the plan's principal (the penalties it carried included) and the penalties since.
    expect(off.chargedOff!.principal).toBe(101_000);
  });

  it('paying the missed installment keeps the plan, and a later miss resumes the ladder where it stood', () => {
    const { state } = onPlan(3);
    const missed = live(state, sh('2027-05-08T09:00')).state;
    const at = sh('2027-05-08T10:00');
    const caught = advance(missed, at, product, opts).state;
    const paid = decide(caught, repay(33_668 + caught.balances.penalties), at, product);
    const cured = advance(paid.state, at, product, opts);
    expect(cured.events.map((e) => e.audit?.[0]?.action)).toEqual(['COLLECTION_CURED']);
    expect(cured.state).toMatchObject({ status: 'SUSPENDED', suspensionReasons: ['STAFF'], hardship: { status: 'KEPT' } });
    expect(cured.state.hardship?.paused?.done).toEqual([1, 3, 7, 15]);
    const again = live(cured.state, sh('2027-06-05T12:00'));
    expect(again.events.find((e) => e.audit?.[0]?.action === 'HARDSHIP_PLAN_MISSED')?.audit?.[0]?.details).toMatchObject({ dueDate: '2027-06-04', dpd: 1 });
  });

  it('a staff suspension during the plan makes the hold the staff member\'s: paid in full, the plan ends and the line stays SUSPENDED', () => {
    const { state } = onPlan(2);
    const held = decideAt(state, command({ type: 'suspend', reason: 'STAFF', note: 'fraud report under review', actor: STAFF }), sh('2027-04-20T10:00'));
    expect(held.result).toMatchObject({ ok: true, body: { status: 'SUSPENDED', suspensionReasons: ['STAFF'] } });
    expect(held.state.hardship?.staffHold).toBe(false);
    // A run from before patch `hardship-case-and-hold` leaves the hold the plan's (and the plan's end lifted it).
    expect(decide(held.advanced, command({ type: 'suspend', reason: 'STAFF', note: 'fraud report under review', actor: STAFF }), sh('2027-04-20T10:00'), product, { ...CURRENT_RULES, staffKeepsOwnHold: false }).state.hardship?.staffHold).toBe(true);
    const ended = payPlanOfTwo(held.state);
    expect(ended.events.find((e) => e.audit?.[0]?.action === 'HARDSHIP_PLAN_COMPLETED')?.audit?.[0]?.details).toEqual({ planId: state.hardship?.planId, staffHoldLifted: false });
    expect(ended.state).toMatchObject({ status: 'SUSPENDED', suspensionReasons: ['STAFF'] });
    expect(ended.state.hardship).toBeUndefined();
  });

  it('paid in full, the plan ends: the STAFF hold it placed lifts, the line is ACTIVE', () => {
    const { state } = onPlan(2);
    const ended = payPlanOfTwo(state);
    const completed = ended.events.find((e) => e.audit?.[0]?.action === 'HARDSHIP_PLAN_COMPLETED');
    expect(completed?.audit?.[0]?.details).toEqual({ planId: state.hardship?.planId, staffHoldLifted: true });
    expect(completed?.messages?.map((m) => [m.template, m.channel])).toEqual([['HARDSHIP_PLAN_COMPLETED', 'IN_APP']]);
    expect(ended.state).toMatchObject({ status: 'ACTIVE', suspensionReasons: [] });
    expect(ended.state.hardship).toBeUndefined();
    expect(payoff(ended.state, '2027-06-04').amount).toBe(0);
    const bought = decide(ended.state, command({ type: 'purchase', purchaseId: 'p_3', merchantId: 'self-operated', amount: 1_000 }), sh('2027-06-04T11:00'), product);
    expect(bought.result.ok).toBe(true);
  });

  it('paying the payoff amount at once ends the plan too (the credit pays the installments as they are billed)', () => {
    const { state } = onPlan(12);
    const at = dpdAt(21);
    const caught = advance(state, at, product, opts).state;
    const paid = decide(caught, repay(payoff(caught, localDay(at)).amount), at, product);
    const ended = advance(paid.state, at, product, opts);
    expect(ended.events.map((e) => e.audit?.[0]?.action)).toEqual(['HARDSHIP_PLAN_COMPLETED']);
    expect(ended.state).toMatchObject({ status: 'ACTIVE', suspensionReasons: [] });
    // A year on, every installment has been paid from the credit and nothing more was charged.
    const year = live(ended.state, sh('2028-05-10T12:00'));
    expect(year.events.filter((e) => e.entry?.kind === 'PENALTY')).toEqual([]);
    expect(year.state.balances.plans).toEqual([]);
    expect(year.state.balances.creditBalance).toBe(0);
  });

  it('re-ages a missed conversion installment, its fee with it; a staff hold already there stays staff\'s', () => {
    // Converted into 3 installments before its due date; the first installment (principal and fee) missed.
    const line = billed(90_000);
    const converted = decide(line, command({ type: 'conversion', statementId: 'S-2027-02-05', count: 3 }), sh('2027-02-10T10:00'), product).state;
    const staffHeld = decide(converted, command({ type: 'suspend', reason: 'STAFF', note: 'checking a dispute', actor: STAFF }), sh('2027-02-10T11:00'), product).state;
    const overdue = live(staffHeld, dpdAt(5, '09:00')).state;
    const before = advance(overdue, dpdAt(5), product, opts).state;
    const { state, result, event } = decide(before, plan(4), dpdAt(5), product);
    expect(result).toMatchObject({ ok: true, body: { reaged: { principal: 30_000, installmentFees: 450, penalties: 75 }, total: 30_525, suspensionReasons: ['STAFF'] } });
    const old = state.balances.plans.find((p) => p.id === 'plan:2027-02-05')!;
    expect(old.installments[0]).toMatchObject({ principalPaid: 30_000, feePaid: 450 });
    expect(event.entry?.postings).toEqual([
      { accountId: `line:${LINE}:INSTALLMENT_PRINCIPAL`, amount: 525 },
      { accountId: `line:${LINE}:INSTALLMENT_FEES`, amount: -450 },
      { accountId: `line:${LINE}:PENALTIES`, amount: -75 },
    ]);
    // STAFF was held already: the plan placed no hold (no decision), and will lift none.
    expect(event.decisions).toBeUndefined();
    expect(state.hardship?.staffHold).toBe(false);
    // The plan's first installment carries the penalties and fees re-aged.
    expect(state.balances.plans.at(-1)?.installments.map((i) => [i.principal, i.carried])).toEqual([[7_632, 525], [7_631, undefined], [7_631, undefined], [7_631, undefined]]);
  });

  const overdueAt5 = () => advance(live(billed(), dpdAt(5, '09:00')).state, dpdAt(5), product, opts).state;
  const refusals: { name: string; state: () => CreditLineState; command: () => Command; code: RejectionCode; message: string; byValidator: boolean }[] = [
    { name: 'one installment', state: overdueAt5, command: () => plan(1), code: 'VALIDATION_FAILED', message: 'installments must be a whole number from 2 to 12', byValidator: true },
    { name: 'thirteen installments', state: overdueAt5, command: () => plan(13), code: 'VALIDATION_FAILED', message: 'installments must be a whole number from 2 to 12', byValidator: true },
    { name: 'a fraction', state: overdueAt5, command: () => plan(2.5), code: 'VALIDATION_FAILED', message: 'installments must be a whole number from 2 to 12', byValidator: true },
    { name: 'no note', state: overdueAt5, command: () => plan(3, { note: '' }), code: 'VALIDATION_FAILED', message: 'note must not be empty', byValidator: true },
    { name: 'no approval', state: overdueAt5, command: () => plan(3, { approvalId: '' }), code: 'VALIDATION_FAILED', message: 'a hardship plan names the approval that allowed it', byValidator: true },
    { name: "another line's approval", state: overdueAt5, command: () => plan(3, { approvalId: 'cl_other:approval:1' }), code: 'VALIDATION_FAILED', message: 'the approval is not one of this line', byValidator: false },
    { name: 'nothing overdue', state: () => billed(), command: () => plan(3), code: 'NOT_OVERDUE', message: 'nothing on the line is past its due date; nothing was re-aged', byValidator: false },
    { name: 'a plan already running', state: () => decide(overdueAt5(), plan(3), dpdAt(5), product).state, command: () => plan(6), code: 'HARDSHIP_PLAN_EXISTS', message: `the line is on hardship plan hardship:${addDays(DUE, 5)}; one plan at a time`, byValidator: false },
    { name: 'charged off', state: () => live(billed(), dpdAt(91)).state, command: () => plan(3), code: 'LINE_NOT_ACTIVE', message: 'the line is charged_off', byValidator: false },
  ];
  it.each(refusals)('refuses: $name ($code), changing nothing', (c) => {
    const cmd = c.command();
    const start = c.state();
    const at = start.status === 'CHARGED_OFF' ? dpdAt(92) : start.collection || start.hardship ? dpdAt(5, '11:00') : sh('2027-02-10T10:00');
    const { state, result, event } = decide(start, cmd, at, product);
    expect(result).toEqual({ ok: false, type: 'startHardshipPlan', code: c.code, message: c.message });
    expect(validateCommand(cmd, product)).toEqual(c.byValidator ? { code: c.code, message: c.message } : null);
    expect(state.balances).toEqual(start.balances);
    expect(state.collection).toEqual(start.collection);
    expect(state.hardship).toEqual(start.hardship);
    expect(state.suspensionReasons).toEqual(start.suspensionReasons);
    expect(event.entry).toBeUndefined();
    expect(event.audit?.[0]?.action).toBe('HARDSHIP_PLAN_STARTED_REFUSED');
  });
});

describe('the money of a hardship plan (property)', () => {
  it('the installments sum to the amount re-aged, postings balance on the line alone, and every statement after still balances', () => {
    fc.assert(fc.property(
      fc.integer({ min: 100, max: 900_000 }), fc.integer({ min: 1, max: 80 }), fc.integer({ min: 2, max: 12 }), fc.boolean(), fc.integer({ min: 0, max: 50_000 }),
      (amount, dpd, count, convert, second) => {
        let line = billed(amount);
        if (convert) line = decide(line, command({ type: 'conversion', statementId: 'S-2027-02-05', count: 3 }), sh('2027-02-10T10:00'), product).state;
        // A second purchase, billed on the next statement (due later, so not overdue when the plan starts early).
        if (second > 0) line = decide(line, command({ type: 'purchase', purchaseId: 'p_2', merchantId: 'self-operated', amount: second }), sh('2027-02-20T10:00'), product).state;
        const at = dpdAt(dpd);
        const before = advance(live(line, dpdAt(dpd, '09:00')).state, at, product, opts).state;
        const decided = decide(before, plan(count), at, product);
        if (!decided.result.ok) return false;
        const view = decided.result.body as HardshipPlanView;
        const hardshipPlan = decided.state.balances.plans.find((p) => p.id === view.planId)!;
        // The installments sum to the amount re-aged, which is what was overdue (principal, fees, penalties).
        expect(hardshipPlan.installments.reduce((s, i) => s + i.principal, 0)).toBe(view.total);
        expect(view.total).toBe(view.reaged.principal + view.reaged.installmentFees + view.reaged.penalties);
        expect(view.reaged.penalties).toBe(before.balances.penalties);
        expect(hardshipPlan.installments.reduce((s, i) => s + (i.carried ?? 0), 0)).toBe(view.reaged.installmentFees + view.reaged.penalties);
        for (const i of hardshipPlan.installments) expect(i.fee).toBe(0);
        // Balanced, on the line's own accounts only; what is owed is conserved (nothing forgiven, nothing added).
        const postings = decided.event.entry?.postings ?? [];
        expect(sumPostings(postings)).toBe(0);
        expect(postings.every((p) => p.accountId.startsWith(`line:${LINE}:`))).toBe(true);
        expect(totalOwed(decided.state)).toBe(totalOwed(before));
        expect(payoffQuote(decided.state.balances, localDay(at)).amount).toBe(payoffQuote(before.balances, localDay(at)).amount);
        expect(decided.event.line.daysPastDue).toBe(0);
        // The statement identity holds at every close after (closeCycle asserts it), paid or missed.
        const afterwards = live(decided.state, sh(`${addDays(dueDate(hardshipPlan.installments.at(-1)!.statementDate), 3)}T12:00`));
        for (const e of afterwards.events) if (e.entry) expect(sumPostings(e.entry.postings)).toBe(0);
        expect(netBalance(afterwards.state.balances)).toBeGreaterThanOrEqual(0);
        return true;
      },
    ), { numRuns: 25 });
  }, 30_000);

  it('the plan paid as billed leaves nothing owed on it', () => {
    fc.assert(fc.property(fc.integer({ min: 1_000, max: 1_000_000 }), fc.integer({ min: 2, max: 12 }), (amount, count) => {
      let line = decide(advance(live(billed(amount), dpdAt(10, '09:00')).state, dpdAt(10), product, opts).state, plan(count), dpdAt(10), product).state;
      const planId = line.hardship!.planId;
      for (let k = 0; k < count; k++) {
        const due = line.balances.plans.find((p) => p.id === planId)!.installments[k]!.dueDate;
        line = advance(live(line, sh(`${due}T09:00`)).state, sh(`${due}T09:00`), product, opts).state;
        const owed = installmentPrincipalOwed(line.balances.plans.find((p) => p.id === planId)!.installments[k]!);
        line = decide(line, repay(owed), sh(`${due}T09:00`), product).state;
      }
      const ended = advance(line, sh(`${line.balances.plans.find((p) => p.id === planId)?.installments.at(-1)?.dueDate ?? '2029-01-01'}T10:00`), product, opts).state;
      expect(ended.hardship).toBeUndefined();
      expect(ended.status).toBe('ACTIVE');
      expect(payoff(ended, localDay(sh('2029-01-01T10:00'))).amount).toBe(0);
    }), { numRuns: 15 });
  }, 30_000);
});
