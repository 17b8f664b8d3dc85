import { ApplicationFailure } from '@temporalio/common';
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import pino, { type Logger } from 'pino';
import type { Database } from '../db/client';
import { databaseErrorFacts, describeDatabaseError, isPermanentDatabaseError } from '../db/errors';
import { applications, auditLog, collectionCases, commandResults, creditLines, installments, journalEntries, ledgerAccounts, lineDecisions, messages, postings, rejectedLineEvents, riskEvents, statements, transactions } from '../db/schema';
import { actorRef } from '../domain/audit';
import type { LineEvent } from '../domain/line';
import { sumPostings } from '../domain/ledger';
import { WRITE_REJECTED, type WriteRejection } from '../workflows/messages';
import { cleanActivityError } from './errors';
import { activityMetrics } from './metrics';

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
    const row = { id: event.transaction.id, creditLineId: event.creditLineId, kind: event.transaction.kind, amount: event.transaction.amount, details: event.transaction.details ?? {} };
    const [added] = await tx.insert(transactions).values({ ...row, entryId, occurredAt: event.occurredAt })
      .onConflictDoNothing().returning({ id: transactions.id });
    // Already there: the same event written before (a retry), or another with the same id, which is a bug.
    if (!added) {
      const [existing] = await tx.select({ kind: transactions.kind, amount: transactions.amount, details: transactions.details }).from(transactions)
        .where(and(eq(transactions.creditLineId, row.creditLineId), eq(transactions.id, row.id)));
      if (!existing || existing.kind !== row.kind || existing.amount !== row.amount || !sameJson(existing.details, row.details)) {
        throw new ConflictingWrite('transactions', `transaction ${row.id} exists with another body`);
      }
    }
  }
  if (event.command) {
    const [added] = await tx.insert(commandResults).values({
      creditLineId: event.creditLineId, idempotencyKey: event.command.key, requestHash: event.command.requestHash, result: event.command.result,
    }).onConflictDoNothing().returning({ key: commandResults.idempotencyKey });
    if (!added) {
      const [existing] = await tx.select({ requestHash: commandResults.requestHash, result: commandResults.result }).from(commandResults)
        .where(and(eq(commandResults.creditLineId, event.creditLineId), eq(commandResults.idempotencyKey, event.command.key)));
      if (!existing || existing.requestHash !== event.command.requestHash || !sameJson(existing.result, event.command.result)) {
        throw new ConflictingWrite('command_results', `the answer to key ${event.command.key} exists and differs`);
      }
    }
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
      state: event.state,
      version: event.version,
      updatedAt: sql`now()`,
    }).where(sql`${creditLines.id} = ${event.creditLineId} AND ${creditLines.version} < ${event.version}`);
  }
  // A line closed (domain/line/closure.ts): when, on its row, and its application stops holding the
  // customer's one line, so they may apply again. Once each (a retry, a later event, changes nothing).
  if (event.line.status === 'CLOSED') {
    await tx.update(creditLines).set({ closedAt: event.occurredAt })
      .where(and(eq(creditLines.id, event.creditLineId), isNull(creditLines.closedAt)));
    await tx.update(applications).set({ endedAt: event.occurredAt, updatedAt: sql`now()` })
      .where(and(eq(applications.creditLineId, event.creditLineId), isNull(applications.endedAt)));
  }
  for (const s of event.statements ?? []) {
    const row = { ...s, creditLineId: event.creditLineId, version: event.version };
    await tx.insert(statements).values(row).onConflictDoUpdate({
      target: [statements.creditLineId, statements.id], set: row, setWhere: sql`${statements.version} < ${event.version}`,
    });
  }
  for (const s of event.statementStatuses ?? []) {
    // A PAID statement shows everything it asked for as paid (API.md), whatever paid it.
    await tx.update(statements).set({ paidAmount: s.status === 'PAID' ? sql`${statements.amountDue}` : sql`LEAST(${s.paidAmount}, ${statements.amountDue})`, status: s.status, version: event.version })
      .where(sql`${statements.creditLineId} = ${event.creditLineId} AND ${statements.id} = ${s.id} AND ${statements.version} < ${event.version}`);
  }
  if (event.allBilledPaid) {
    // Statements whose amount was all fees or installments carry no debt of their own: paid once nothing billed is owed.
    await tx.update(statements).set({ status: 'PAID', paidAmount: sql`${statements.amountDue}`, version: event.version })
      .where(and(eq(statements.creditLineId, event.creditLineId), inArray(statements.status, ['OPEN', 'OVERDUE']), sql`${statements.version} < ${event.version}`));
  }
  for (const i of event.installments ?? []) {
    const row = { ...i, creditLineId: event.creditLineId, version: event.version };
    await tx.insert(installments).values(row).onConflictDoUpdate({
      target: [installments.creditLineId, installments.planId, installments.seq], set: row, setWhere: sql`${installments.version} < ${event.version}`,
    });
  }
  // What the event says (outbox and inbox) and who did it (the audit trail), with the event or not at all.
  if (event.messages && event.messages.length > 0) {
    await tx.insert(messages).values(event.messages.map((m) => ({
      id: m.id, creditLineId: event.creditLineId, customerId: event.state.customerId, channel: m.channel, kind: m.kind, template: m.template,
      params: m.params, locale: m.locale, text: m.text, sendAt: m.sendAt, createdAt: event.occurredAt,
      // An in-app message is delivered by being stored; an SMS waits in the outbox for its delivery activity.
      status: m.channel === 'IN_APP' ? 'DELIVERED' : 'PENDING', deliveredAt: m.channel === 'IN_APP' ? event.occurredAt : null,
    }))).onConflictDoNothing();
  }
  if (event.audit && event.audit.length > 0) {
    await tx.insert(auditLog).values(event.audit.map((a) => ({
      creditLineId: event.creditLineId, eventKey: event.idempotencyKey, action: a.action, actor: actorRef(a.actor),
      reason: a.reason ?? null, details: a.details ?? {}, occurredAt: event.occurredAt,
    }))).onConflictDoNothing();
  }
  // The collections queue (DPD 15): a case opens once (a retry writes nothing) and closes once.
  const change = event.collectionCase;
  if (change?.action === 'OPEN') {
    await tx.insert(collectionCases).values({
      id: change.caseId, creditLineId: event.creditLineId, customerId: event.state.customerId, status: 'OPEN',
      openedDpd: change.openedDpd, dueDate: change.dueDate, ...change.amounts, openedAt: event.occurredAt,
    }).onConflictDoNothing({ target: collectionCases.id });
  } else if (change?.action === 'CLOSE') {
    await tx.update(collectionCases).set({ status: 'CLOSED', closedAt: event.occurredAt, closeReason: change.reason })
      .where(and(eq(collectionCases.id, change.caseId), eq(collectionCases.creditLineId, event.creditLineId), eq(collectionCases.status, 'OPEN')));
  }
  // Rule hits (staff alerts) and the automated decisions they led to: written once, with the event.
  if (event.riskEvents && event.riskEvents.length > 0) {
    await tx.insert(riskEvents).values(event.riskEvents.map((r) => ({
      id: r.id, creditLineId: event.creditLineId, customerId: event.state.customerId, rule: r.rule, shadow: r.shadow, figures: r.figures, action: r.action, occurredAt: event.occurredAt,
    }))).onConflictDoNothing();
  }
  if (event.decisions && event.decisions.length > 0) {
    await tx.insert(lineDecisions).values(event.decisions.map((d) => ({
      creditLineId: event.creditLineId, id: d.id, customerId: event.state.customerId, kind: d.kind, outcome: d.outcome, reasons: d.reasons,
      adverse: d.adverse, decidedBy: d.decidedBy, decidedAt: event.occurredAt, details: d.details,
    }))).onConflictDoNothing();
  }
  return outcome;
}

/** Another body under a key that must be unique: retrying would meet it again. */
class ConflictingWrite extends Error {
  override readonly name = 'ConflictingWrite';
  constructor(readonly table: string, message: string) { super(message); }
}

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
const canonical = (v: unknown): unknown => (Array.isArray(v) ? v.map(canonical) : v && typeof v === 'object'
  ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]))
  : v);

/** Why a write can never succeed, or null when retrying may help (a lost connection, a timeout). */
function permanentRefusal(err: unknown, index: number): WriteRejection | null {
  if (err instanceof ConflictingWrite) return { index, sqlstate: '23505', constraint: `${err.table}_pkey`, reason: err.message };
  if (err instanceof ApplicationFailure && err.nonRetryable) return { index, reason: err.message };
  if (isPermanentDatabaseError(err)) {
    const facts = databaseErrorFacts(err);
    return { index, sqlstate: facts.sqlstate, constraint: facts.constraint, reason: describeDatabaseError(err) };
  }
  return null;
}

export function createLedgerActivities({ db, logger = pino({ level: 'error' }) }: { db: Database; logger?: Logger }) {
  /** A refusal is loud: an error log, a metric, and a row an operator can find (no payload). */
  const recordRefusal = async (event: LineEvent, refusal: WriteRejection) => {
    logger.error({ creditLineId: event.creditLineId, event: event.idempotencyKey, sqlstate: refusal.sqlstate, constraint: refusal.constraint, reason: refusal.reason }, 'line event refused by the database');
    activityMetrics.lineEventsRejected.inc({ kind: event.entry?.kind ?? 'NONE', sqlstate: refusal.sqlstate ?? 'none' });
    await db.insert(rejectedLineEvents).values({
      creditLineId: event.creditLineId, eventKey: event.idempotencyKey, kind: event.entry?.kind ?? null,
      sqlstate: refusal.sqlstate ?? null, constraintName: refusal.constraint ?? null, reason: refusal.reason,
    }).catch((err: unknown) => logger.error({ err, creditLineId: event.creditLineId }, 'could not record a refused line event'));
  };

  return {
    /**
     * Writes a line's events, in order, in one database transaction: the ledger entries with the read
     * models they change. The workflow hands over every event queued while its previous write ran, so
     * a burst of commands costs one round trip. A write the database refuses for good is rolled back
     * whole and answered non-retryable (`LINE_EVENT_REJECTED`, with the refused event's index): the
     * workflow drops that event and those after it and goes back to its state before them.
     */
    async applyLineEvents(events: LineEvent[]): Promise<LineEventsResult> {
      let index = 0;
      try {
        for (const [i, event] of events.entries()) {
          // Checked here too so a bad entry fails without retry; the database would refuse it anyway.
          const p = event.entry?.postings;
          if (p && (p.length < 2 || sumPostings(p) !== 0 || p.some((x) => !Number.isSafeInteger(x.amount) || x.amount === 0))) {
            index = i;
            throw ApplicationFailure.nonRetryable(`entry ${event.idempotencyKey} does not balance`, 'UNBALANCED_ENTRY');
          }
        }
        return await db.transaction(async (tx) => {
          const result: LineEventsResult = { entries: 0, duplicates: 0 };
          for (const [i, event] of events.entries()) {
            index = i;
            const outcome = await writeEvent(tx, event, i === events.length - 1);
            if (outcome === 'written') result.entries += 1;
            if (outcome === 'duplicate') result.duplicates += 1;
          }
          // A refusal at commit (the deferred balance check) names the batch's last event.
          index = events.length - 1;
          return result;
        });
      } catch (err) {
        const refusal = permanentRefusal(err, index);
        const event = events[index];
        if (!refusal || !event) throw cleanActivityError(err);
        await recordRefusal(event, refusal);
        throw ApplicationFailure.create({ type: WRITE_REJECTED, message: `line event ${event.idempotencyKey} refused: ${refusal.reason}`, nonRetryable: true, details: [refusal] });
      }
    },
  };
}
