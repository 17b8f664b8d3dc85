import fc from 'fast-check';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLedgerActivities } from '../../activities/ledger';
import type { LineEvent } from '../../domain/line';
import { checkLedger } from '../../db/ledger-check';
import { creditLines, journalEntries, postings } from '../../db/schema';
import { addDays, compareDays, nextStatementDate, statementDateFor } from '../../domain/calendar';
import { convertToInstallments } from '../../domain/installments';
import { lineAccountBalances, postingsFor, type EntryKind } from '../../domain/ledger';
import { accruePenalties } from '../../domain/penalty';
import { STANDARD_PRODUCT } from '../../domain/product';
import { installmentFigures, lineFigures, statementFigures } from '../../domain/projection';
import { available, openBalances, type LineBalances } from '../../domain/balances';
import { applyPurchase, applyRefund, closeCycle, markOverdue } from '../../domain/cycle';
import { allocateRepayment } from '../../domain/waterfall';
import { freshDatabase, type TestDatabase } from '../support/database';
import { receiveApplication } from '../support/fixtures';

let database: TestDatabase;
let ledger: ReturnType<typeof createLedgerActivities>;
beforeAll(async () => {
  database = await freshDatabase();
  ledger = createLedgerActivities({ db: database.db });
});
afterAll(async () => { await database?.drop(); });

/** Posts one domain transition of a line through the real ledger activity, as the workflow does. */
async function post(lineId: string, key: string, kind: EntryKind, before: LineBalances, after: LineBalances, limit: number, version: number, day: string, statement?: ReturnType<typeof closeCycle>['statement']) {
  const figures = lineFigures(limit, after);
  const entryPostings = postingsFor(lineId, kind, lineAccountBalances(before), figures.accounts);
  const event: LineEvent = {
    idempotencyKey: key, creditLineId: lineId, occurredAt: `${day}T10:00:00+08:00`, version,
    ...(entryPostings.length > 0 ? { entry: { kind, postings: entryPostings } } : {}),
    transaction: { id: key, kind, amount: figures.balance - lineFigures(limit, before).balance },
    line: {
      status: 'ACTIVE', limit, available: figures.available, balance: figures.balance, accounts: figures.accounts,
      suspensionReasons: [], nextStatementDate: day, currentDue: null, daysPastDue: 0,
    },
    state: {
      creditLineId: lineId, customerId: 'ledger-test', productId: STANDARD_PRODUCT.id, statementDay: 3, openedOn: day, status: 'ACTIVE',
      suspensionReasons: [], limit, balances: after, nextStatementDate: day, version,
    },
    installments: installmentFigures(after, before),
    ...(statement ? { statements: [{ ...statementFigures(statement), status: 'OPEN' }] } : {}),
  };
  return { event, result: await ledger.applyLineEvents([event]) };
}

async function openLine(limit: number) {
  const input = await receiveApplication(database.db, { monthlyIncome: 2_000_000 });
  await database.db.update(creditLines).set({ status: 'ACTIVE', limit, available: limit }).where(eq(creditLines.id, input.creditLineId));
  return input.creditLineId;
}

describe('the ledger in PostgreSQL', () => {
  it('refuses UPDATE, DELETE and TRUNCATE of postings and journal entries', async () => {
    const lineId = await openLine(100_000);
    const before = openBalances('2027-01-03');
    await post(lineId, `${lineId}:purchase:1`, 'PURCHASE', before, applyPurchase(before, 12_345), 100_000, 1, '2027-01-03');
    const appendOnly = { cause: { code: '42501' } };
    await expect(database.db.execute(sql`UPDATE postings SET amount = amount + 1`)).rejects.toMatchObject(appendOnly);
    await expect(database.db.execute(sql`DELETE FROM postings`)).rejects.toMatchObject(appendOnly);
    await expect(database.db.execute(sql`TRUNCATE postings CASCADE`)).rejects.toMatchObject(appendOnly);
    await expect(database.db.execute(sql`UPDATE journal_entries SET kind = 'REFUND'`)).rejects.toMatchObject(appendOnly);
    await expect(database.db.execute(sql`DELETE FROM journal_entries`)).rejects.toMatchObject(appendOnly);
    const rows = await database.db.select().from(postings);
    expect(rows.map((p) => p.amount).sort((a, b) => a - b)).toEqual([-12_345, 12_345]);
  });

  it('refuses an entry that does not balance, at commit, whoever writes it', async () => {
    const attempt = database.db.transaction(async (tx) => {
      const [entry] = await tx.insert(journalEntries).values({ idempotencyKey: 'unbalanced', creditLineId: 'x', kind: 'PURCHASE', occurredAt: '2027-01-01T00:00:00Z' }).returning();
      await tx.insert(postings).values([
        { entryId: entry!.id, accountId: 'platform:CASH', amount: 100 },
        { entryId: entry!.id, accountId: 'platform:FEE_INCOME', amount: -99 },
      ]);
    });
    await expect(attempt).rejects.toMatchObject({ cause: { code: '23514' } });
    const lonely = database.db.transaction(async (tx) => {
      await tx.insert(journalEntries).values({ idempotencyKey: 'no-postings', creditLineId: 'x', kind: 'PURCHASE', occurredAt: '2027-01-01T00:00:00Z' });
    });
    await expect(lonely).rejects.toMatchObject({ cause: { code: '23514' } });
    const [count] = (await database.db.execute<{ n: string }>(sql`SELECT COUNT(*) AS n FROM journal_entries WHERE idempotency_key IN ('unbalanced', 'no-postings')`)).rows;
    expect(Number(count?.n)).toBe(0);
  });

  it('posts a retried event once', async () => {
    const lineId = await openLine(100_000);
    const before = openBalances('2027-01-03');
    const first = await post(lineId, `${lineId}:purchase:p1`, 'PURCHASE', before, applyPurchase(before, 5_000), 100_000, 1, '2027-01-03');
    expect(first.result).toEqual({ entries: 1, duplicates: 0 });
    const entriesBefore = (await checkLedger(database.db)).entries;
    const again = await ledger.applyLineEvents([first.event]);
    expect(again).toEqual({ entries: 0, duplicates: 1 });
    const check = await checkLedger(database.db);
    expect(check.entries).toBe(entriesBefore);
    expect(check.ok).toBe(true);
  });

  it('writes what is missing when a replay batches committed and new events together', async () => {
    // The worker crashed after batch [A] committed; on replay A arrives batched with a new B.
    const lineId = await openLine(100_000);
    const start = openBalances('2027-01-03');
    const afterA = applyPurchase(start, 1_000);
    const a = await post(lineId, `${lineId}:purchase:a`, 'PURCHASE', start, afterA, 100_000, 1, '2027-01-03');
    const afterB = applyPurchase(afterA, 2_000);
    const b = { ...a.event, idempotencyKey: `${lineId}:purchase:b`, version: 2,
      entry: { kind: 'PURCHASE' as const, postings: postingsFor(lineId, 'PURCHASE', lineAccountBalances(afterA), lineAccountBalances(afterB)) },
      transaction: { id: `${lineId}:purchase:b`, kind: 'PURCHASE', amount: 2_000 },
      line: { ...a.event.line, ...lineFigures(100_000, afterB) } };
    expect(await ledger.applyLineEvents([a.event, b])).toEqual({ entries: 1, duplicates: 1 });
    const [line] = await database.db.select().from(creditLines).where(eq(creditLines.id, lineId));
    expect(line).toMatchObject({ principal: 3_000, version: 2 });
    expect((await checkLedger(database.db)).ok).toBe(true);
  });

  it('names the line and the difference when a read model disagrees with the ledger', async () => {
    const lineId = await openLine(100_000);
    const before = openBalances('2027-01-03');
    await post(lineId, `${lineId}:purchase:p1`, 'PURCHASE', before, applyPurchase(before, 7_000), 100_000, 1, '2027-01-03');
    await database.db.update(creditLines).set({ principal: sql`${creditLines.principal} + 1` }).where(eq(creditLines.id, lineId));
    const check = await checkLedger(database.db);
    expect(check.ok).toBe(false);
    expect(check.differences).toEqual([{ creditLineId: lineId, account: 'PRINCIPAL', ledger: 7_000, readModel: 7_001, difference: -1 }]);
    await database.db.update(creditLines).set({ principal: sql`${creditLines.principal} - 1` }).where(eq(creditLines.id, lineId));
    expect((await checkLedger(database.db)).ok).toBe(true);
  });

  it('stays balanced and equal to the read models over random lines, with retries', async () => {
    type Op = { kind: 'purchase'; amount: number } | { kind: 'refund'; share: number } | { kind: 'repay'; amount: number } | { kind: 'convert' } | { kind: 'retry' };
    const arbOp: fc.Arbitrary<Op> = fc.oneof(
      { weight: 4, arbitrary: fc.record({ kind: fc.constant('purchase' as const), amount: fc.integer({ min: 1, max: 300_000 }) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('refund' as const), share: fc.double({ min: 0.05, max: 1, noNaN: true }) }) },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('repay' as const), amount: fc.integer({ min: 1, max: 500_000 }) }) },
      { weight: 1, arbitrary: fc.constant({ kind: 'convert' as const }) },
      { weight: 1, arbitrary: fc.constant({ kind: 'retry' as const }) },
    );
    const totals = { entries: 0, kinds: new Set<string>(), retries: 0 };
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 1, max: 28 }),
      fc.array(fc.record({ gap: fc.integer({ min: 0, max: 20 }), op: arbOp }), { minLength: 5, maxLength: 30 }),
      async (statementDay, steps) => {
        const limit = 1_000_000;
        const lineId = await openLine(limit);
        const start = '2027-03-10';
        let day = start;
        let b = openBalances(day);
        let nextClose = statementDateFor(day, statementDay);
        let version = 1;
        let n = 0;
        let unbilled = 0;
        const posted: LineEvent[] = [];
        const apply = async (kind: EntryKind, after: LineBalances, statement?: ReturnType<typeof closeCycle>['statement']) => {
          const { event, result } = await post(lineId, `${lineId}:${kind}:${++n}`, kind, b, after, limit, ++version, day, statement);
          if (result.entries > 0) { totals.entries++; totals.kinds.add(kind); }
          posted.push(event);
          b = after;
        };
        for (const { gap, op } of steps) {
          const target = addDays(day, gap);
          while (compareDays(nextClose, target) < 0) {
            day = nextClose;
            await apply('PENALTY', accruePenalties(b, start, day).balances);
            const closed = closeCycle(b, day);
            await apply('STATEMENT', markOverdue(closed.balances, addDays(day, 1)).balances, closed.statement);
            unbilled = 0;
            nextClose = nextStatementDate(nextClose, statementDay);
          }
          day = target;
          await apply('PENALTY', accruePenalties(b, start, day).balances);
          if (op.kind === 'purchase' && op.amount <= available(limit, b)) {
            unbilled += op.amount;
            await apply('PURCHASE', applyPurchase(b, op.amount));
          } else if (op.kind === 'refund' && Math.floor(unbilled * op.share) > 0) {
            const amount = Math.floor(unbilled * op.share);
            unbilled -= amount;
            await apply('REFUND', applyRefund(b, amount, day));
          } else if (op.kind === 'repay') {
            await apply('REPAYMENT', allocateRepayment(b, op.amount, day).balances);
          } else if (op.kind === 'convert' && b.lastStatement) {
            const r = convertToInstallments(b, b.lastStatement.statementDate, 3, day, statementDay);
            if (r.ok) await apply('INSTALLMENT_CONVERSION', r.balances);
          } else if (op.kind === 'retry' && posted.length > 0) {
            // An activity retried after its first attempt committed: nothing may change.
            const replay = posted[Math.floor(posted.length / 2)]!;
            const r = await ledger.applyLineEvents([replay]);
            if (replay.entry) expect(r).toEqual({ entries: 0, duplicates: 1 });
            totals.retries++;
          }
        }
        const [line] = await database.db.select().from(creditLines).where(eq(creditLines.id, lineId));
        const accounts = lineAccountBalances(b);
        expect({ PRINCIPAL: line?.principal, INSTALLMENT_PRINCIPAL: line?.installmentPrincipal, INSTALLMENT_FEES: line?.installmentFees, PENALTIES: line?.penalties, CREDIT_BALANCE: line?.creditBalance }).toEqual(accounts);
        const check = await checkLedger(database.db);
        expect(check.differences).toEqual([]);
        expect(check.trialBalance).toBe(0);
        expect(check.ok).toBe(true);
      },
    ), { numRuns: 25 });
    // The runs really moved money of every kind (a property over nothing proves nothing).
    expect(totals.entries).toBeGreaterThan(100);
    expect([...totals.kinds].sort()).toEqual(expect.arrayContaining(['PURCHASE', 'REFUND', 'REPAYMENT', 'STATEMENT', 'INSTALLMENT_CONVERSION', 'PENALTY'].sort()));
    expect(totals.retries).toBeGreaterThan(5);
  });
});
