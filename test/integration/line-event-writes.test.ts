import { ApplicationFailure } from '@temporalio/common';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLedgerActivities } from '../../activities/ledger';
import { checkLedger } from '../../db/ledger-check';
import { commandResults, creditLines, rejectedLineEvents, statements, transactions } from '../../db/schema';
import { advance, decide, openLine, snapshotEvent, type Command, type CreditLineState, type LineEvent } from '../../domain/line';
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

/** A line opened as the workflow opens it, its first read model written. */
async function opened(): Promise<CreditLineState> {
  const input = await receiveApplication(database.db, { monthlyIncome: 2_000_000, statementDay: 5 });
  const state = openLine({ ...input, limit: 1_000_000, now: '2027-01-06T10:00:00+08:00', version: 2 });
  await ledger.applyLineEvents([snapshotEvent(state, '2027-01-06T10:00:00+08:00', 'OPENED')]);
  return state;
}

let n = 0;
function act(state: CreditLineState, at: string, command: Record<string, unknown>): { state: CreditLineState; events: LineEvent[] } {
  const advanced = advance(state, at, product);
  const decided = decide(advanced.state, { key: `k${(n += 1)}`, requestHash: `h${n}`, ...command } as Command, at, product);
  return { state: decided.state, events: [...advanced.events, decided.event] };
}

describe('line events in PostgreSQL', () => {
  it('keeps both customers\' conversions on the same statement day (ids are scoped by line)', async () => {
    const lines: CreditLineState[] = [];
    for (const line of [await opened(), await opened()]) {
      const bought = act(line, '2027-01-10T10:00:00+08:00', { type: 'purchase', purchaseId: 'p_same', merchantId: 'self-operated', amount: 300_000 });
      const converted = act(bought.state, '2027-02-06T10:00:00+08:00', { type: 'conversion', statementId: 'S-2027-02-05', count: 3 });
      await ledger.applyLineEvents([...bought.events, ...converted.events]);
      lines.push(converted.state);
    }
    for (const line of lines) {
      const rows = await database.db.select().from(transactions).where(eq(transactions.creditLineId, line.creditLineId));
      expect(rows.map((r) => r.kind).sort()).toEqual(['INSTALLMENT_CONVERSION', 'PURCHASE']);
      expect(rows.find((r) => r.kind === 'PURCHASE')?.id).toBe('p_same');
    }
    expect((await checkLedger(database.db)).ok).toBe(true);
  });

  it('refuses for good another body under an id already written, writing nothing of the batch', async () => {
    const line = await opened();
    const first = act(line, '2027-01-10T10:00:00+08:00', { type: 'purchase', purchaseId: 'p_1', merchantId: 'self-operated', amount: 1_000 });
    await ledger.applyLineEvents(first.events);
    // A bug that reuses the purchase id for another purchase: the second write must not be skipped silently.
    const second = act(first.state, '2027-01-10T11:00:00+08:00', { type: 'purchase', purchaseId: 'p_1', merchantId: 'self-operated', amount: 2_000 });
    const third = act(second.state, '2027-01-10T12:00:00+08:00', { type: 'purchase', purchaseId: 'p_3', merchantId: 'self-operated', amount: 3_000 });
    const refused = await ledger.applyLineEvents([...second.events, ...third.events]).then(() => undefined, (e: unknown) => e);
    expect(refused).toBeInstanceOf(ApplicationFailure);
    expect(refused).toMatchObject({ type: 'LINE_EVENT_REJECTED', nonRetryable: true, details: [{ index: 0, sqlstate: '23505' }] });
    const rows = await database.db.select().from(transactions).where(eq(transactions.creditLineId, line.creditLineId));
    expect(rows.map((r) => [r.id, r.amount])).toEqual([['p_1', 1_000]]);
    const [row] = await database.db.select().from(creditLines).where(eq(creditLines.id, line.creditLineId));
    expect(row?.balance).toBe(1_000);
    expect(await database.db.select().from(rejectedLineEvents).where(eq(rejectedLineEvents.creditLineId, line.creditLineId))).toHaveLength(1);
    // A retry of the same events (as the workflow's replay would send) is still idempotent.
    await ledger.applyLineEvents(first.events);
    expect((await checkLedger(database.db)).ok).toBe(true);
  });

  it('keeps a command\'s answer byte for byte, so a repeated key gets the very body the first call got', async () => {
    const line = await opened();
    const bought = act(line, '2027-01-10T10:00:00+08:00', { type: 'purchase', purchaseId: 'p_bytes', merchantId: 'self-operated', amount: 1_234 });
    await ledger.applyLineEvents(bought.events);
    const answered = bought.events.at(-1)!.command!;
    const [row] = await database.db.select().from(commandResults)
      .where(and(eq(commandResults.creditLineId, line.creditLineId), eq(commandResults.idempotencyKey, answered.key)));
    expect(JSON.stringify(row?.result)).toBe(JSON.stringify(answered.result));
  });

  it('shows a PAID statement with everything it asked for paid', async () => {
    const line = await opened();
    const bought = act(line, '2027-01-10T10:00:00+08:00', { type: 'purchase', purchaseId: 'p_1', merchantId: 'self-operated', amount: 53_833 });
    const part = act(bought.state, '2027-02-10T10:00:00+08:00', { type: 'repayment', repaymentId: 'rp_1', amount: 20_000 });
    const rest = act(part.state, '2027-02-11T10:00:00+08:00', { type: 'repayment', repaymentId: 'rp_2', amount: 33_833 });
    await ledger.applyLineEvents([...bought.events, ...part.events]);
    const [open] = await database.db.select().from(statements).where(and(eq(statements.creditLineId, line.creditLineId), eq(statements.id, 'S-2027-02-05')));
    expect(open).toMatchObject({ status: 'OPEN', amountDue: 53_833, paidAmount: 20_000 });
    await ledger.applyLineEvents(rest.events);
    const [paid] = await database.db.select().from(statements).where(and(eq(statements.creditLineId, line.creditLineId), eq(statements.id, 'S-2027-02-05')));
    expect(paid).toMatchObject({ status: 'PAID', amountDue: 53_833, paidAmount: 53_833 });
  });

  it('shows a statement of installments alone PAID with its amount paid once nothing billed is owed', async () => {
    const line = await opened();
    const bought = act(line, '2027-01-10T10:00:00+08:00', { type: 'purchase', purchaseId: 'p_1', merchantId: 'self-operated', amount: 300_000 });
    const converted = act(bought.state, '2027-02-06T10:00:00+08:00', { type: 'conversion', statementId: 'S-2027-02-05', count: 3 });
    // The next statement bills the first two installments (2 × (100,000 + 1,500 fee)) and nothing else; then they are paid.
    const repaid = act(converted.state, '2027-03-06T10:00:00+08:00', { type: 'repayment', repaymentId: 'rp_1', amount: 203_000 });
    await ledger.applyLineEvents([...bought.events, ...converted.events, ...repaid.events]);
    const [second] = await database.db.select().from(statements).where(and(eq(statements.creditLineId, line.creditLineId), eq(statements.id, 'S-2027-03-05')));
    expect(second).toMatchObject({ status: 'PAID', amountDue: 203_000, paidAmount: 203_000 });
  });
});
