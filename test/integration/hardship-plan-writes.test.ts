/*
 * A hardship plan's events in PostgreSQL: what the line decides (domain/line/hardship.ts, ladder-holds.ts)
 * is written by the real ledger activity, and the read models and the ledger agree with it.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLedgerActivities } from '../../activities/ledger';
import { checkLedger } from '../../db/ledger-check';
import { collectionCases, creditLines, installments, statements, transactions } from '../../db/schema';
import { addDays, instantAt } from '../../domain/calendar';
import { advance, decide, nextWakeUp, openLine, snapshotEvent, type Command, type CreditLineState, type LineEvent } from '../../domain/line';
import { nextLadderAt } from '../../domain/line/collections';
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

const RULES = { reminders: true, collections: true, penaltyThroughToday: true };
let n = 0;

describe('a hardship plan in PostgreSQL', () => {
  it('writes the re-ageing, the plan and a missed installment; read models and ledger agree', async () => {
    const input = await receiveApplication(database.db, { monthlyIncome: 2_000_000, statementDay: 5 });
    let line: CreditLineState = openLine({ ...input, limit: 1_000_000, now: '2027-01-06T10:00:00+08:00', version: 2 });
    await ledger.applyLineEvents([snapshotEvent(line, '2027-01-06T10:00:00+08:00', 'OPENED')]);
    const write = async (events: LineEvent[]) => { if (events.length > 0) await ledger.applyLineEvents(events); };
    const act = async (command: Record<string, unknown>, at: string) => {
      const advanced = advance(line, at, product, RULES);
      const decided = decide(advanced.state, { key: `k${(n += 1)}`, requestHash: `h${n}`, ...command } as Command, at, product);
      await write([...advanced.events, decided.event]);
      line = decided.state;
      return decided;
    };
    const liveUntil = async (until: string) => {
      for (let i = 0; i < 500; i++) {
        const wake = nextWakeUp(line, [(s) => nextLadderAt(s)], product);
        if (Date.parse(wake) > Date.parse(until)) return;
        const advanced = advance(line, wake, product, RULES);
        await write(advanced.events);
        line = advanced.state;
      }
    };

    await act({ type: 'purchase', purchaseId: 'p_1', merchantId: 'self-operated', amount: 100_000 }, '2027-01-10T10:00:00+08:00');
    const due = '2027-03-07';
    await liveUntil(instantAt(addDays(due, 20), '09:00'));
    expect(line.collection?.caseId).toBe(`${line.creditLineId}:case:${due}`);
    const started = await act({
      type: 'startHardshipPlan', installments: 3, note: 'lost job', approvalId: `${line.creditLineId}:approval:a1`, actor: { type: 'staff', id: 'S1' },
    }, instantAt(addDays(due, 20), '10:00'));
    expect(started.result.ok).toBe(true);
    const planId = line.hardship!.planId;

    const id = line.creditLineId;
    const [statement] = await database.db.select().from(statements).where(and(eq(statements.creditLineId, id), eq(statements.id, 'S-2027-02-05')));
    expect(statement?.status).toBe('INSTALLMENTS');
    const rows = await database.db.select().from(installments).where(and(eq(installments.creditLineId, id), eq(installments.planId, planId))).orderBy(installments.seq);
    expect(rows.map((r) => [r.seq, r.principal, r.fee, r.billed, r.dueDate])).toEqual([[1, 33_668, 0, false, '2027-05-05'], [2, 33_666, 0, false, '2027-06-04'], [3, 33_666, 0, false, '2027-07-05']]);
    const [tx] = await database.db.select().from(transactions).where(and(eq(transactions.creditLineId, id), eq(transactions.kind, 'HARDSHIP_PLAN')));
    expect(tx).toMatchObject({ id: `${id}:approval:a1:hardship-plan`, amount: 0 });
    const [read] = await database.db.select().from(creditLines).where(eq(creditLines.id, id));
    expect(read).toMatchObject({ status: 'SUSPENDED', principal: 0, installmentPrincipal: 101_000, penalties: 0 });
    expect(await database.db.select({ status: collectionCases.status, closeReason: collectionCases.closeReason }).from(collectionCases).where(eq(collectionCases.creditLineId, id)))
      .toEqual([{ status: 'CLOSED', closeReason: 'RESTRUCTURED' }]);
    expect((await checkLedger(database.db)).differences).toEqual([]);

    // The first installment missed: billed at the April close, the ladder resumes the midnight after its due date.
    await liveUntil('2027-05-06T12:00:00+08:00');
    expect(line.hardship?.status).toBe('MISSED');
    const cases = await database.db.select().from(collectionCases).where(eq(collectionCases.creditLineId, id));
    expect(cases.find((c) => c.status === 'OPEN')).toMatchObject({ id: `${id}:case:2027-05-05`, openedDpd: 1, dueDate: '2027-05-05' });
    const [billed] = await database.db.select().from(installments).where(and(eq(installments.creditLineId, id), eq(installments.planId, planId), eq(installments.seq, 1)));
    expect(billed).toMatchObject({ billed: true, principalPaid: 0 });
    const check = await checkLedger(database.db);
    expect(check.differences).toEqual([]);
    expect(check.trialBalance).toBe(0);
  });
});
