import { ApplicationFailure } from '@temporalio/common';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { commandResults, creditLines, installments, journalEntries, ledgerAccounts, postings, statements, transactions } from '../db/schema';
import type { LineEvent } from '../domain/credit-line';
import { sumPostings } from '../domain/ledger';

export interface LineEventsResult {
  /** Journal entries written. */
  entries: number;
  /** Journal entries already there (an earlier attempt wrote them): not written again. */
  duplicates: number;
}

type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];

/**
 * One event: its journal entry and postings, transaction, command answer and read models. Each is
 * idempotent on its own: an entry already there (an earlier attempt, perhaps batched differently on
 * replay) keeps its postings and is not written again; the rest is insert-if-absent or version-guarded.
 */
async function writeEvent(tx: Tx, event: LineEvent, isLatest: boolean): Promise<'written' | 'duplicate' | 'no-entry'> {
  let entryId: number | null = null;
  let outcome: 'written' | 'duplicate' | 'no-entry' = 'no-entry';
  const entry = event.entry && event.entry.postings.length > 0 ? event.entry : undefined;
  const [inserted] = entry
    ? await tx.insert(journalEntries).values({
      idempotencyKey: event.idempotencyKey, creditLineId: event.creditLineId, kind: entry.kind,
      occurredAt: event.occurredAt, description: entry.description ?? null,
    }).onConflictDoNothing({ target: journalEntries.idempotencyKey }).returning({ id: journalEntries.id })
    : [];
  if (entry) outcome = inserted ? 'written' : 'duplicate';
  if (entry && inserted) {
    entryId = inserted.id;
    const lineAccountIds = entry.postings.map((p) => p.accountId).filter((id) => id.startsWith('line:'));
    if (lineAccountIds.length > 0) {
      await tx.insert(ledgerAccounts)
        .values(lineAccountIds.map((id) => ({ id, creditLineId: event.creditLineId, code: id.slice(id.lastIndexOf(':') + 1) })))
        .onConflictDoNothing();
    }
    await tx.insert(postings).values(entry.postings.map((p) => ({ entryId: inserted.id, accountId: p.accountId, amount: p.amount })));
  }
  if (event.transaction) {
    await tx.insert(transactions).values({
      id: event.transaction.id, creditLineId: event.creditLineId, entryId, kind: event.transaction.kind,
      amount: event.transaction.amount, occurredAt: event.occurredAt, details: event.transaction.details ?? {},
    }).onConflictDoNothing();
  }
  if (event.command) {
    await tx.insert(commandResults).values({
      creditLineId: event.creditLineId, idempotencyKey: event.command.key, requestHash: event.command.requestHash, result: event.command.result,
    }).onConflictDoNothing();
  }
  // The line's row shows the newest state: in a batch only the last event's projection is written.
  if (isLatest) {
    const { accounts, ...line } = event.line;
    await tx.update(creditLines).set({
      ...line,
      principal: accounts.PRINCIPAL,
      installmentPrincipal: accounts.INSTALLMENT_PRINCIPAL,
      installmentFees: accounts.INSTALLMENT_FEES,
      penalties: accounts.PENALTIES,
      creditBalance: accounts.CREDIT_BALANCE,
      version: event.version,
      updatedAt: sql`now()`,
    }).where(sql`${creditLines.id} = ${event.creditLineId} AND ${creditLines.version} < ${event.version}`);
  }
  for (const s of event.statements ?? []) {
    const row = { ...s, creditLineId: event.creditLineId, version: event.version };
    await tx.insert(statements).values(row).onConflictDoUpdate({
      target: [statements.creditLineId, statements.id], set: row, setWhere: sql`${statements.version} < ${event.version}`,
    });
  }
  for (const s of event.statementStatuses ?? []) {
    await tx.update(statements).set({ paidAmount: s.paidAmount, status: s.status, version: event.version })
      .where(sql`${statements.creditLineId} = ${event.creditLineId} AND ${statements.id} = ${s.id} AND ${statements.version} < ${event.version}`);
  }
  if (event.allBilledPaid) {
    // Statements whose amount was all fees or installments carry no debt of their own: paid once nothing billed is owed.
    await tx.update(statements).set({ status: 'PAID', version: event.version })
      .where(and(eq(statements.creditLineId, event.creditLineId), inArray(statements.status, ['OPEN', 'OVERDUE']), sql`${statements.version} < ${event.version}`));
  }
  for (const i of event.installments ?? []) {
    const row = { ...i, creditLineId: event.creditLineId, version: event.version };
    await tx.insert(installments).values(row).onConflictDoUpdate({
      target: [installments.creditLineId, installments.planId, installments.seq], set: row, setWhere: sql`${installments.version} < ${event.version}`,
    });
  }
  return outcome;
}

export function createLedgerActivities({ db }: { db: Database }) {
  return {
    /**
     * Writes a line's events, in order, in one database transaction: the ledger entries with the read
     * models they change. The workflow hands over every event queued while its previous write ran, so
     * a burst of commands costs one round trip.
     */
    async applyLineEvents(events: LineEvent[]): Promise<LineEventsResult> {
      for (const event of events) {
        // Checked here so a bad entry fails without retry; the database would refuse it anyway.
        const p = event.entry?.postings;
        if (p && (p.length < 2 || sumPostings(p) !== 0 || p.some((x) => !Number.isSafeInteger(x.amount) || x.amount === 0))) {
          throw ApplicationFailure.nonRetryable(`entry ${event.idempotencyKey} does not balance`, 'UNBALANCED_ENTRY');
        }
      }
      return db.transaction(async (tx) => {
        const result: LineEventsResult = { entries: 0, duplicates: 0 };
        for (const [index, event] of events.entries()) {
          const outcome = await writeEvent(tx, event, index === events.length - 1);
          if (outcome === 'written') result.entries += 1;
          if (outcome === 'duplicate') result.duplicates += 1;
        }
        return result;
      });
    },
  };
}
