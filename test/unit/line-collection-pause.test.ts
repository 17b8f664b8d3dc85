import { describe, expect, it } from 'vitest';
import { addDays, instantAt, localDay } from '../../domain/calendar';
import { advance, decide, payoff, validateCommand, type Command, type CreditLineState, type LineEvent, type RejectionCode } from '../../domain/line';
import { nextLadderAt } from '../../domain/line/collections';
import { STANDARD_PRODUCT as product } from '../../domain/product';
import { billedLine, LINE_RULES, liveUntil, sh } from './overdue-line';

// Opened 2027-01-10, statement day 5: 100,000 fen billed on 2027-02-05, due 2027-03-07, never paid.
const DUE = '2027-03-07';
const dpdAt = (dpd: number, time = '10:00') => sh(`${addDays(DUE, dpd)}T${time}`);
const STAFF = { type: 'staff', id: 'S7' } as const;
let n = 0;
const command = (c: Record<string, unknown>): Command => ({ key: `k${(n += 1)}`, requestHash: `h${n}`, actor: STAFF, ...c } as Command);
const pause = (until: string, reason = 'customer in hospital') => command({ type: 'pauseCollection', until, reason });
const resume = (note = 'back home') => command({ type: 'resumeCollection', note });
const opts = LINE_RULES;
const billed = (): CreditLineState => billedLine('cl_p');
const live = (from: CreditLineState, until: string) => liveUntil(from, until);



/** As the workflow does: brought up to `at` with the ladder, then the command decided there. */
function decideAt(state: CreditLineState, c: Command, at: string) {
  const advanced = advance(state, at, product, opts);
  return { advanced: advanced.state, ...decide(advanced.state, c, at, product) };
}

const steps = (events: LineEvent[]) => events.filter((e) => e.audit?.[0]?.action === 'COLLECTION_STEP').map((e) => [localDay(e.occurredAt), e.audit?.[0]?.details?.dpd]);
const contacts = (events: LineEvent[]) => events.flatMap((e) => e.messages ?? []).filter((m) => m.kind === 'COLLECTION');
const penaltyDays = (events: LineEvent[]) => events.filter((e) => e.entry?.kind === 'PENALTY').map((e) => e.transaction?.details?.through);

describe('a collection pause (PRODUCT §10)', () => {
  it('holds the ladder (no contact, no step) but not penalties, and the ladder resumes by itself at its end', () => {
    const overdue = live(billed(), dpdAt(2, '09:00')).state;
    expect(overdue.collection?.done).toEqual([1]);
    const until = dpdAt(10, '14:30');
    const paused = decideAt(overdue, pause(until), dpdAt(2));
    expect(paused.result).toEqual({ ok: true, type: 'pauseCollection', body: { pausedUntil: until, daysPastDue: 2, stage: 'DPD1_NOTICE' } });
    // Audited with the staff member and the reason; the reason stays out of the line's state.
    expect(paused.event.audit).toEqual([{ action: 'COLLECTION_PAUSED', actor: STAFF, reason: 'customer in hospital', details: { key: expect.any(String), until } }]);
    expect(JSON.stringify(paused.state)).not.toContain('hospital');
    expect(paused.event.entry).toBeUndefined();

    const during = live(paused.state, dpdAt(10, '14:00'));
    expect(steps(during.events)).toEqual([]); // DPD 3 and 7 held
    expect(contacts(during.events)).toEqual([]);
    expect(during.events.flatMap((e) => e.collectionCase ? [e.collectionCase] : [])).toEqual([]);
    // Penalties go on every day, and days past due go on counting.
    expect(penaltyDays(during.events)).toEqual(Array.from({ length: 8 }, (_, i) => addDays(DUE, i + 3)));
    expect(during.events.at(-1)?.line.daysPastDue).toBe(10);
    // On its last day the line wakes at the pause's end, not at the next midnight.
    expect(nextLadderAt(during.state)).toBe(until);

    const after = live(during.state, dpdAt(16, '12:00'));
    const ended = after.events[0]!;
    expect(ended.occurredAt).toBe(until);
    expect(ended.audit?.[0]).toMatchObject({ action: 'COLLECTION_PAUSE_ENDED', actor: { type: 'system', id: 'collections' }, details: { pausedUntil: until, dpd: 10 } });
    // The steps reached meanwhile are carried out at once; only the latest (DPD 7) speaks.
    expect(steps(after.events)).toEqual([[addDays(DUE, 10), 3], [addDays(DUE, 10), 7], [addDays(DUE, 15), 15]]);
    const spoken = after.events.filter((e) => (e.messages ?? []).length > 0 && e.audit?.[0]?.action === 'COLLECTION_STEP');
    expect(spoken.map((e) => e.audit?.[0]?.details?.dpd)).toEqual([7]);
    expect(after.state.collection).toMatchObject({ done: [1, 3, 7, 15], followUp: true, caseId: `cl_p:case:${DUE}` });
    expect(after.state.collection?.pausedUntil).toBeUndefined();
  });

  it('a pause over DPD 15 and DPD 90 defers the hand-over and the charge-off to its end', () => {
    const overdue = live(billed(), dpdAt(80, '09:00')).state;
    expect(overdue.collection?.done).toEqual([1, 3, 7, 15, 30]);
    const paused = decideAt(overdue, pause(dpdAt(95)), dpdAt(80)).state;
    const during = live(paused, dpdAt(94, '23:00'));
    expect(during.state.status).toBe('SUSPENDED');
    expect(during.events.some((e) => e.entry?.kind === 'CHARGE_OFF')).toBe(false);
    const after = live(during.state, dpdAt(96));
    expect(after.events.find((e) => e.entry?.kind === 'CHARGE_OFF')?.occurredAt).toBe(dpdAt(95));
    expect(after.state.status).toBe('CHARGED_OFF');
  });

  it('ended early by staff: the ladder takes the steps it held at once', () => {
    const overdue = live(billed(), dpdAt(2, '09:00')).state;
    const paused = live(decideAt(overdue, pause(dpdAt(20)), dpdAt(2)).state, dpdAt(8, '09:00')).state;
    const resumed = decideAt(paused, resume(), dpdAt(8));
    expect(resumed.result).toEqual({ ok: true, type: 'resumeCollection', body: { pausedUntil: null, daysPastDue: 8, stage: 'DPD1_NOTICE' } });
    expect(resumed.event.audit).toEqual([{ action: 'COLLECTION_RESUMED', actor: STAFF, reason: 'back home', details: { key: expect.any(String) } }]);
    // What the workflow does after this command: bring the line up to now with the ladder.
    const caught = advance(resumed.state, dpdAt(8), product, opts);
    expect(steps(caught.events)).toEqual([[addDays(DUE, 8), 3], [addDays(DUE, 8), 7]]);
    expect(contacts(caught.events).map((m) => [m.template, m.channel])).toEqual([['OVERDUE_REMINDER', 'SMS'], ['OVERDUE_REMINDER', 'IN_APP']]);
  });

  it('paying everything overdue while paused cures as always, and the pause ends with the ladder', () => {
    const overdue = live(billed(), dpdAt(2, '09:00')).state;
    const paused = decideAt(overdue, pause(dpdAt(20)), dpdAt(2)).state;
    const at = dpdAt(5);
    const caught = advance(paused, at, product, opts).state;
    const repaid = decide(caught, command({ type: 'repayment', repaymentId: 'rp', amount: payoff(caught, localDay(at)).amount, actor: undefined }), at, product);
    const cured = advance(repaid.state, at, product, opts);
    expect(cured.events.map((e) => e.audit?.[0]?.action)).toEqual(['COLLECTION_CURED']);
    expect(cured.state).toMatchObject({ status: 'ACTIVE', suspensionReasons: [] });
    expect(cured.state.collection).toBeUndefined();
    expect(nextLadderAt(cured.state)).toBeNull();
  });

  it('asking again replaces the end, bounded from now', () => {
    const overdue = live(billed(), dpdAt(2, '09:00')).state;
    const first = decideAt(overdue, pause(dpdAt(10)), dpdAt(2)).state;
    const shorter = decideAt(first, pause(dpdAt(4)), dpdAt(3));
    expect(shorter.result).toMatchObject({ ok: true, body: { pausedUntil: dpdAt(4) } });
    expect(shorter.state.collection?.pausedUntil).toBe(dpdAt(4));
  });

  // The refusals: each an answer like any other, remembered, audited, nothing else changed.
  const overdueAt2 = () => live(billed(), dpdAt(2, '09:00')).state;
  const cases: { name: string; state: () => CreditLineState; command: () => Command; at?: string; code: RejectionCode; message: string; byValidator: boolean }[] = [
    { name: 'until not an instant', state: overdueAt2, command: () => pause('2027-03-20'), code: 'VALIDATION_FAILED', message: 'until must be an ISO-8601 instant with its offset', byValidator: true },
    { name: 'until without its offset', state: overdueAt2, command: () => pause('2027-03-20T10:00:00'), code: 'VALIDATION_FAILED', message: 'until must be an ISO-8601 instant with its offset', byValidator: true },
    { name: 'no reason', state: overdueAt2, command: () => pause(dpdAt(5), '  '), code: 'VALIDATION_FAILED', message: 'reason must not be empty', byValidator: true },
    { name: 'a reason with a control character', state: overdueAt2, command: () => pause(dpdAt(5), 'a\u0000b'), code: 'VALIDATION_FAILED', message: 'reason must not contain control characters', byValidator: true },
    { name: 'until in the past', state: overdueAt2, command: () => pause(dpdAt(2, '09:30')), code: 'PAUSE_NOT_IN_FUTURE', message: 'until must be after now', byValidator: false },
    { name: 'longer than the product allows', state: overdueAt2, command: () => pause(dpdAt(32, '10:01')), code: 'PAUSE_TOO_LONG', message: 'a pause lasts at most 30 days from now', byValidator: false },
    { name: 'nothing overdue', state: () => billed(), at: sh('2027-02-10T10:00'), command: () => pause(sh('2027-02-20T10:00')), code: 'NOT_OVERDUE', message: 'nothing on the line is overdue: there is no collection to pause', byValidator: false },
    { name: 'charged off', state: () => live(billed(), dpdAt(91)).state, at: dpdAt(92), command: () => pause(dpdAt(95)), code: 'LINE_NOT_ACTIVE', message: 'the line is charged_off', byValidator: false },
    { name: 'resume with nothing paused', state: overdueAt2, command: () => resume(), code: 'NOT_PAUSED', message: 'collection is not paused on this line', byValidator: false },
    { name: 'resume without a note', state: overdueAt2, command: () => resume(''), code: 'VALIDATION_FAILED', message: 'note must not be empty', byValidator: true },
  ];
  it.each(cases)('refuses: $name ($code)', (c) => {
    const cmd = c.command();
    const { advanced, state, result, event } = decideAt(c.state(), cmd, c.at ?? dpdAt(2));
    expect(result).toEqual({ ok: false, type: cmd.type, code: c.code, message: c.message });
    expect(validateCommand(cmd, product)).toEqual(c.byValidator ? { code: c.code, message: c.message } : null);
    expect(state.collection).toEqual(advanced.collection);
    expect(state.balances).toEqual(advanced.balances);
    expect(state.remembered.at(-1)?.result).toEqual(result);
    expect(event.audit?.[0]?.action).toMatch(/^COLLECTION_(PAUSED|RESUMED)_REFUSED$/);
    expect(event.entry).toBeUndefined();
  });

  it('wakes a paused line every midnight and at the pause end, whichever is first', () => {
    const overdue = live(billed(), dpdAt(2, '09:00')).state;
    const paused = decideAt(overdue, pause(dpdAt(2, '18:00')), dpdAt(2)).state;
    expect(nextLadderAt(paused)).toBe(dpdAt(2, '18:00'));
    const longer = decideAt(overdue, pause(dpdAt(9, '18:00')), dpdAt(2)).state;
    expect(nextLadderAt(longer)).toBe(instantAt(addDays(DUE, 3), '00:00'));
  });
});
