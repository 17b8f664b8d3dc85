/*
 * The collections queue in PostgreSQL: a line's event that opens a case (DPD 15) writes it once in the
 * event's transaction, however often the activity is retried; an event that closes it closes it once;
 * staff notes on a case are append-only.
 */
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLedgerActivities } from '../../activities/ledger';
import { addCollectionNote } from '../../api/read-models';
import { checkLedger } from '../../db/ledger-check';
import { auditLog, collectionCases, collectionNotes } from '../../db/schema';
import { addDays, dueDate, instantAt } from '../../domain/calendar';
import { advance, decide, openLine, snapshotEvent, type Command, type CreditLineState, type LineEvent } from '../../domain/line';
import type { CollectionCaseChange } from '../../domain/line/events';
import { STANDARD_PRODUCT as product } from '../../domain/product';
import { freshDatabase, type TestDatabase } from '../support/database';
import { receiveApplication } from '../support/fixtures';

let database: TestDatabase;
let ledger: ReturnType<typeof createLedgerActivities>;
beforeAll(async () => {
  database = await freshDatabase();
  ledger = createLedgerActivities({ db: database.db });
});
afterAll(async () => { await database?.drop(); });

const STATEMENT_DATE = '2027-02-05';
const DUE = dueDate(STATEMENT_DATE, product);

/**
 * A line that bought on 2027-01-10 and never paid, brought to DPD 15 of its first due date: its
 * events written as the workflow writes them. Returns the state at DPD 15.
 */
async function overdueLine(): Promise<{ state: CreditLineState; at: string }> {
  const input = await receiveApplication(database.db, { monthlyIncome: 2_000_000, statementDay: 5 });
  const opened = openLine({ ...input, limit: 1_000_000, now: '2027-01-06T10:00:00+08:00', version: 2 });
  await ledger.applyLineEvents([snapshotEvent(opened, '2027-01-06T10:00:00+08:00', 'OPENED')]);
  const boughtAt = '2027-01-10T10:00:00+08:00';
  const decided = decide(opened, { key: `k-${input.creditLineId}`, requestHash: 'h', type: 'purchase', purchaseId: 'p_1', merchantId: 'self-operated', amount: 100_000 } as Command, boughtAt, product);
  const at = instantAt(addDays(DUE, 15), '10:00');
  const advanced = advance(decided.state, at, product);
  await ledger.applyLineEvents([decided.event, ...advanced.events]);
  return { state: advanced.state, at };
}

/** The event of DPD 15 as the lead's ladder will emit it: a snapshot of the line that carries the case. */
function withCase(state: CreditLineState, at: string, what: string, change: CollectionCaseChange): LineEvent {
  return { ...snapshotEvent({ ...state, version: state.version + 1 }, at, what), collectionCase: change };
}

const caseOf = async (id: string) => database.db.select().from(collectionCases).where(eq(collectionCases.id, id));

describe('collection cases written with the line event', () => {
  it('opens a case once, however often the write is retried, and closes it once', async () => {
    const { state, at } = await overdueLine();
    const caseId = `${state.creditLineId}:case:${DUE}`;
    const amounts = { overduePrincipal: 100_000, penalties: 750, fees: 0, total: 100_750 };
    const open = withCase(state, at, 'COLLECTION_CASE_OPENED', { action: 'OPEN', caseId, openedDpd: 15, dueDate: DUE, amounts });

    await ledger.applyLineEvents([open]);
    await ledger.applyLineEvents([open]);
    // A retry batched with other events, or an event under the same case id with other figures, opens nothing new.
    await ledger.applyLineEvents([{ ...open, collectionCase: { action: 'OPEN', caseId, openedDpd: 16, dueDate: DUE, amounts: { ...amounts, penalties: 800, total: 100_800 } } }]);
    const rows = await caseOf(caseId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      creditLineId: state.creditLineId, customerId: state.customerId, status: 'OPEN', openedDpd: 15, dueDate: DUE,
      overduePrincipal: 100_000, penalties: 750, fees: 0, total: 100_750, closedAt: null, closeReason: null,
    });
    expect(new Date(rows[0]!.openedAt).toISOString()).toBe(new Date(at).toISOString());

    const curedAt = instantAt(addDays(DUE, 20), '11:00');
    const close = withCase({ ...state, version: state.version + 1 }, curedAt, 'COLLECTION_CASE_CLOSED', { action: 'CLOSE', caseId, reason: 'CURED' });
    await ledger.applyLineEvents([close]);
    // Retried, or closed again for another reason later: the first close stands.
    await ledger.applyLineEvents([close]);
    await ledger.applyLineEvents([{ ...close, occurredAt: instantAt(addDays(DUE, 90), '00:00'), collectionCase: { action: 'CLOSE', caseId, reason: 'CHARGED_OFF' } }]);
    const [closed] = await caseOf(caseId);
    expect(closed).toMatchObject({ status: 'CLOSED', closeReason: 'CURED' });
    expect(new Date(closed!.closedAt!).toISOString()).toBe(new Date(curedAt).toISOString());
    // Reopening an id already closed does not resurrect it.
    await ledger.applyLineEvents([open]);
    expect((await caseOf(caseId))[0]).toMatchObject({ status: 'CLOSED' });
    expect((await checkLedger(database.db)).ok).toBe(true);
  });

  it('closes only the case named on its own line', async () => {
    const a = await overdueLine();
    const b = await overdueLine();
    const caseA = `${a.state.creditLineId}:case:${DUE}`;
    const amounts = { overduePrincipal: 1, penalties: 0, fees: 0, total: 1 };
    await ledger.applyLineEvents([withCase(a.state, a.at, 'COLLECTION_CASE_OPENED', { action: 'OPEN', caseId: caseA, openedDpd: 15, dueDate: DUE, amounts })]);
    // Line b's event naming line a's case (a bug) changes nothing.
    await ledger.applyLineEvents([withCase(b.state, b.at, 'COLLECTION_CASE_CLOSED', { action: 'CLOSE', caseId: caseA, reason: 'CURED' })]);
    expect((await caseOf(caseA))[0]).toMatchObject({ status: 'OPEN' });
  });

  it('keeps staff notes append-only, each with its audit row', async () => {
    const { state, at } = await overdueLine();
    const caseId = `${state.creditLineId}:case:${DUE}`;
    await ledger.applyLineEvents([withCase(state, at, 'COLLECTION_CASE_OPENED', { action: 'OPEN', caseId, openedDpd: 15, dueDate: DUE, amounts: { overduePrincipal: 100_000, penalties: 750, fees: 0, total: 100_750 } })]);
    const added = await addCollectionNote(database.db, { caseId, staffId: 'S1', kind: 'PROMISE_TO_PAY', note: '答应月底还款', promisedAmount: 50_000, promisedDate: addDays(DUE, 25), now: new Date(at) });
    expect(added).toMatchObject({ outcome: 'ADDED', note: { kind: 'PROMISE_TO_PAY', promisedAmount: 50_000, staffId: 'S1' } });
    const [audit] = await database.db.select().from(auditLog).where(eq(auditLog.action, 'COLLECTION_NOTE'));
    expect(audit).toMatchObject({ creditLineId: state.creditLineId, actor: 'staff:S1', reason: 'PROMISE_TO_PAY', details: { caseId, promisedAmount: 50_000, promisedDate: addDays(DUE, 25) } });
    expect(audit!.eventKey).toBe(`${caseId}:note:${added.outcome === 'ADDED' ? added.note.id : ''}`);

    const appendOnly = { cause: { code: '42501' } };
    await expect(database.db.execute(sql`UPDATE collection_notes SET note = 'edited'`)).rejects.toMatchObject(appendOnly);
    await expect(database.db.execute(sql`DELETE FROM collection_notes`)).rejects.toMatchObject(appendOnly);
    await expect(database.db.execute(sql`TRUNCATE collection_notes`)).rejects.toMatchObject(appendOnly);
    // A promise to pay without its promise is refused by the database too.
    await expect(database.db.insert(collectionNotes).values({ caseId, creditLineId: state.creditLineId, staffId: 'S1', kind: 'PROMISE_TO_PAY', note: 'x' }))
      .rejects.toMatchObject({ cause: { code: '23514' } });
    const notes = await database.db.select().from(collectionNotes).where(eq(collectionNotes.caseId, caseId));
    expect(notes.map((n) => n.note)).toEqual(['答应月底还款']);

    expect(await addCollectionNote(database.db, { caseId: `${caseId}x`, staffId: 'S1', kind: 'CONTACT', note: 'n', now: new Date(at) })).toEqual({ outcome: 'NOT_FOUND' });
  });
});
