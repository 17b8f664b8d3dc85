import { describe, expect, it } from 'vitest';
import { addDays, instantAt, localDay, localTime } from '../../domain/calendar';
import { advance, decide, payoff, type Command, type CreditLineState, type LineEvent } from '../../domain/line';
import { nextLadderAt } from '../../domain/line/collections';
import { sumPostings } from '../../domain/ledger';
import { inQuietHours } from '../../domain/notifications';
import { STANDARD_PRODUCT as product } from '../../domain/product';
import { billedLine, LINE_RULES, liveUntil, sh } from './overdue-line';

// Opened 2027-01-10, statement day 5: 100,000 fen billed on 2027-02-05, due 2027-03-07, never paid.
const DUE = '2027-03-07';
let n = 0;
const command = (c: Record<string, unknown>): Command => ({ key: `k${(n += 1)}`, requestHash: `h${n}`, ...c } as Command);
const opts = LINE_RULES;
const billed = (): CreditLineState => billedLine('cl_c');
const live = (from: CreditLineState, until: string) => liveUntil(from, until);



const collectionSms = (events: LineEvent[]) => events.flatMap((e) => e.messages ?? []).filter((m) => m.channel === 'SMS' && m.kind === 'COLLECTION');

describe('the overdue ladder (PRODUCT §7)', () => {
  it('walks a line from the missed due date to charge-off at DPD 90, each step on its day', () => {
    const { state, events } = live(billed(), sh('2027-06-10T12:00'));
    const steps = events.filter((e) => e.audit?.[0]?.action === 'COLLECTION_STEP' || e.audit?.[0]?.action === 'CHARGED_OFF');
    expect(steps.map((e) => [localDay(e.occurredAt), e.audit?.[0]?.details?.dpd])).toEqual([
      [addDays(DUE, 1), 1], [addDays(DUE, 3), 3], [addDays(DUE, 7), 7], [addDays(DUE, 15), 15], [addDays(DUE, 30), 30], [addDays(DUE, 90), 90],
    ]);
    // DPD 1: suspended OVERDUE; SMS + in-app notice.
    const dpd1 = steps[0]!;
    expect(dpd1.line).toMatchObject({ status: 'SUSPENDED', suspensionReasons: ['OVERDUE'], available: 0 });
    // An automated suspension: explained to the customer like any other (it lifts itself on cure).
    expect(dpd1.decisions).toEqual([expect.objectContaining({ kind: 'SUSPENSION', reasons: ['OVERDUE'], adverse: true, decidedBy: 'rule:collections-dpd1' })]);
    expect(dpd1.messages?.map((m) => [m.template, m.channel])).toEqual([['OVERDUE_NOTICE', 'SMS'], ['OVERDUE_NOTICE', 'IN_APP']]);
    // DPD 3: SMS only; DPD 7: SMS + in-app and flagged; DPD 15: the case; DPD 30: final notice.
    expect(steps[1]!.messages?.map((m) => m.channel)).toEqual(['SMS']);
    expect(steps[2]!.messages?.map((m) => m.channel)).toEqual(['SMS', 'IN_APP']);
    expect(steps[2]!.state.collection?.followUp).toBe(true);
    expect(steps[3]!.collectionCase).toMatchObject({ action: 'OPEN', caseId: `cl_c:case:${DUE}`, openedDpd: 15, dueDate: DUE });
    expect(steps[3]!.collectionCase?.action === 'OPEN' && steps[3]!.collectionCase.amounts.overduePrincipal).toBe(100_000);
    expect(steps[4]!.messages?.map((m) => m.template)).toEqual(['FINAL_NOTICE', 'FINAL_NOTICE']);
    // DPD 90: written off against credit losses, balanced; the line CHARGED_OFF, the case closed.
    const off = steps[5]!;
    expect(off.entry?.kind).toBe('CHARGE_OFF');
    expect(sumPostings(off.entry!.postings)).toBe(0);
    const losses = off.entry!.postings.find((p) => p.accountId === 'platform:CREDIT_LOSSES')!.amount;
    expect(state.chargedOff).toMatchObject({ principal: 100_000, fees: 0, recovered: 0 });
    // A loss is a debit to credit losses (an expense), the receivables credited.
    expect(losses).toBe(100_000 + state.chargedOff!.penalties);
    expect(state.chargedOff!.penalties).toBeGreaterThan(0);
    expect(off.collectionCase).toEqual({ action: 'CLOSE', caseId: `cl_c:case:${DUE}`, reason: 'CHARGED_OFF' });
    expect(off.statementStatuses?.every((s) => s.status === 'CHARGED_OFF')).toBe(true);
    expect(off.allBilledPaid).toBeUndefined();
    expect(state.status).toBe('CHARGED_OFF');
    expect(payoff(state, '2027-06-10').amount).toBe(0);
    // Nothing accrues and nothing is billed once charged off.
    expect(events.filter((e) => Date.parse(e.occurredAt) > Date.parse(off.occurredAt))).toEqual([]);
  });

  it('accrues the penalty every day past due, and never sends an SMS in quiet hours or two on one day', () => {
    const { events } = live(billed(), sh(`${addDays(DUE, 40)}T12:00`));
    const penaltyDays = events.filter((e) => e.entry?.kind === 'PENALTY').map((e) => e.transaction?.details?.through);
    // Each day's penalty from its first moment: DPD 1 to DPD 40.
    expect(penaltyDays).toEqual(Array.from({ length: 40 }, (_, i) => addDays(DUE, i + 1)));
    const sms = events.flatMap((e) => e.messages ?? []).filter((m) => m.channel === 'SMS' && Date.parse(m.sendAt) > Date.parse(sh(`${DUE}T23:59`)));
    for (const m of sms) expect(inQuietHours(m.sendAt, product.sms.quietHours)).toBe(false);
    const days = sms.map((m) => localDay(m.sendAt));
    expect(new Set(days).size).toBe(days.length);
    expect(collectionSms(events).map((m) => localTime(m.sendAt))).toEqual(['08:00', '08:00', '08:00', '08:00']);
  });

  it('cures at DPD 10: the ladder stops, the line is ACTIVE again, and no collection message follows', () => {
    const overdue = live(billed(), sh(`${addDays(DUE, 10)}T09:00`));
    expect(overdue.state).toMatchObject({ status: 'SUSPENDED', suspensionReasons: ['OVERDUE'] });
    const at = sh(`${addDays(DUE, 10)}T10:00`);
    const caughtUp = advance(overdue.state, at, product, opts).state;
    const repaid = decide(caughtUp, command({ type: 'repayment', repaymentId: 'rp_cure', amount: payoff(caughtUp, localDay(at)).amount }), at, product);
    const cured = advance(repaid.state, at, product, opts);
    expect(cured.events.map((e) => e.audit?.[0]?.action)).toEqual(['COLLECTION_CURED']);
    expect(cured.state).toMatchObject({ status: 'ACTIVE', suspensionReasons: [] });
    expect(cured.state.collection).toBeUndefined();
    const after = live(cured.state, sh(`${addDays(DUE, 60)}T12:00`));
    expect(collectionSms(after.events)).toEqual([]);
    expect(after.events.some((e) => e.audit?.[0]?.action === 'COLLECTION_STEP')).toBe(false);
  });

  it('takes repayments after charge-off as recoveries: cash against credit losses, up to what was written off', () => {
    const { state } = live(billed(), sh('2027-06-10T12:00'));
    const written = state.chargedOff!.principal + state.chargedOff!.fees + state.chargedOff!.penalties;
    const recovered = decide(state, command({ type: 'repayment', repaymentId: 'rp_r', amount: 30_000 }), sh('2027-06-11T10:00'), product);
    expect(recovered.result).toMatchObject({ ok: true });
    expect(recovered.event.entry?.postings).toEqual([{ accountId: 'platform:CASH', amount: 30_000 }, { accountId: 'platform:CREDIT_LOSSES', amount: -30_000 }]);
    expect(recovered.event.transaction).toMatchObject({ kind: 'RECOVERY', amount: -30_000 });
    expect(recovered.state.chargedOff?.recovered).toBe(30_000);
    const tooMuch = decide(recovered.state, command({ type: 'repayment', repaymentId: 'rp_x', amount: written - 30_000 + 1 }), sh('2027-06-11T11:00'), product);
    expect(tooMuch.result).toMatchObject({ ok: false, code: 'OVERPAYMENT' });
  });

  it('speaks once for several steps reached at once (an outage), carrying out every step\'s effect', () => {
    const late = advance(billed(), sh(`${addDays(DUE, 16)}T22:30`), product, opts);
    const steps = late.events.filter((e) => e.audit?.[0]?.action === 'COLLECTION_STEP');
    expect(steps.map((e) => e.audit?.[0]?.details?.dpd)).toEqual([1, 3, 7, 15]);
    expect(steps.flatMap((e) => e.messages ?? [])).toEqual([]); // DPD 15 itself says nothing; earlier notices are stale
    expect(late.state).toMatchObject({ status: 'SUSPENDED', suspensionReasons: ['OVERDUE'] });
    expect(late.state.collection).toMatchObject({ followUp: true, caseId: `cl_c:case:${DUE}`, stage: 'DPD15_COLLECTIONS' });
  });

  it('wakes a line that is not overdue only for its due dates, and an overdue one every midnight', () => {
    const line = billed();
    expect(nextLadderAt(line)).toBe(instantAt(addDays(DUE, 1), '00:00'));
    const paid = decide(line, command({ type: 'repayment', repaymentId: 'rp', amount: 100_000 }), sh('2027-02-10T10:00'), product).state;
    expect(nextLadderAt(paid)).toBeNull();
    const overdue = advance(line, sh(`${addDays(DUE, 2)}T09:00`), product, opts).state;
    expect(nextLadderAt(overdue)).toBe(instantAt(addDays(DUE, 3), '00:00'));
  });
});
