/**
 * What a chaos run must leave true, checked after the faults stop and printed as a table. Each
 * check reads the system's own records (PostgreSQL, Temporal's histories and queries) against
 * what the simulated clients were told (the journal) and what the SMS gateway received.
 */
import type { Client } from '@temporalio/client';
import { and, eq, inArray } from 'drizzle-orm';
import type { Database } from '../db/client';
import { checkLedger } from '../db/ledger-check';
import { messages, rejectedLineEvents, transactions } from '../db/schema';
import { scanNamespace } from '../runtime/history-scan';
import { checkWorkflowsAgainstReadModels } from '../runtime/workflow-check';
import { lineQuery, workflowIdFor } from '../workflows/messages';
import { isDecision, type Answer, type ChaosClient } from './client';
import type { FlakySmsGateway } from './sms-gateway';
import type { MoneyKind, Workload } from './workload';

export interface InvariantResult { name: string; ok: boolean; detail: string }

/** A command or a query must be answered within this long once the faults have stopped. */
const UNJAMMED_WITHIN_MS = 2_000;

/** The transaction a money request's 201 must have made: its id field, its kinds, its signed amount. */
const MOVES: Record<MoneyKind, { idField: string; kinds: string[]; amount: (body: Record<string, unknown>, answer: Record<string, unknown>) => number | undefined }> = {
  purchase: { idField: 'purchaseId', kinds: ['PURCHASE'], amount: (b) => Number(b.amount) },
  refund: { idField: 'refundId', kinds: ['REFUND'], amount: (b) => -Number(b.amount) },
  repayment: { idField: 'repaymentId', kinds: ['REPAYMENT', 'RECOVERY'], amount: (b) => -Number(b.amount) },
  // The plan's first fee is what the transaction shows; its amount is checked by the ledger, not here.
  conversion: { idField: 'id', kinds: ['INSTALLMENT_CONVERSION'], amount: () => undefined },
};
/** Transactions only a client's request makes: each must be a 201 some client received. */
const CLIENT_KINDS = ['PURCHASE', 'REFUND', 'REPAYMENT', 'RECOVERY', 'INSTALLMENT_CONVERSION'];

export interface InvariantContext {
  db: Database;
  client: Client;
  http: ChaosClient;
  workload: Workload;
  gateway: FlakySmsGateway;
  /** Workflow ids of this run: the histories scanned. */
  historyQuery?: string;
  /** Processes that died without being told to. */
  unexpectedExits: { name: string; at: string; how: string }[];
}

/** A line answers a query and a command within 2 s (run once the faults have stopped). */
export async function checkUnjammed(ctx: InvariantContext): Promise<InvariantResult> {
  const slow: string[] = [];
  let worstMs = 0;
  for (const c of ctx.workload.customers) {
    const started = performance.now();
    const queried = await Promise.race([
      ctx.client.workflow.getHandle(workflowIdFor(c.creditLineId)).query(lineQuery).then(() => true, () => false),
      new Promise<boolean>((r) => setTimeout(() => r(false), UNJAMMED_WITHIN_MS)),
    ]);
    const queryMs = performance.now() - started;
    // A purchase above the limit: decided (declined) by the line itself, nothing moves.
    const commandStarted = performance.now();
    const answer = await ctx.http.once({
      op: 'unjammed', opNo: -1, method: 'POST', path: `/v1/credit-lines/${c.creditLineId}/purchases`, token: c.token,
      key: `unjammed-${c.creditLineId}`, body: { merchantId: 'self-operated', amount: 1_000_000_000 },
    });
    const commandMs = performance.now() - commandStarted;
    worstMs = Math.max(worstMs, queryMs, commandMs);
    const closed = c.known.status === 'CLOSED';
    if ((!queried && !closed) || queryMs > UNJAMMED_WITHIN_MS || commandMs > UNJAMMED_WITHIN_MS || answer.status !== 422) {
      slow.push(`${c.creditLineId}: query ${queried ? `${Math.round(queryMs)} ms` : 'no answer'}, command ${answer.status} ${answer.code ?? ''} in ${Math.round(commandMs)} ms`);
    }
  }
  return {
    name: 'no line jammed: a query and a command each answered within 2 s after the faults',
    ok: slow.length === 0,
    detail: slow.length === 0 ? `${ctx.workload.customers.length} lines, slowest ${Math.round(worstMs)} ms` : slow.slice(0, 5).join('; '),
  };
}

export async function checkInvariants(ctx: InvariantContext, unjammed: InvariantResult): Promise<InvariantResult[]> {
  const results: InvariantResult[] = [];
  const journal = ctx.http.journal;
  const requests = [...ctx.workload.moneyRequests.values()];

  const books = await checkLedger(ctx.db);
  results.push({
    name: 'trial balance 0, every line\'s ledger = its read model',
    ok: books.ok,
    detail: `${books.entries} entries, ${books.postings} postings, trial balance ${books.trialBalance} fen, ${books.unbalancedEntries.length} unbalanced entries, ${books.differences.length} differences${books.differences.length ? `: ${JSON.stringify(books.differences.slice(0, 3))}` : ''}`,
  });

  const workflows = await checkWorkflowsAgainstReadModels(ctx.db, ctx.client);
  results.push({
    name: 'every open line\'s workflow state = its read model',
    ok: workflows.differences.length === 0 && workflows.unreachable.length === 0,
    detail: `${workflows.lines} open lines queried, ${workflows.differences.length} differences, ${workflows.unreachable.length} did not answer`,
  });

  // One decision per key: every decision given for it the same, byte for byte.
  const decisionsOf = (key: string, kind: MoneyKind): Answer[] => journal.answersFor(key).filter((a) => a.op === kind && isDecision(a.status));
  const split: string[] = [];
  const undecided: string[] = [];
  let pendingKeys = 0;
  let pendingResolved = 0;
  let retried = 0;
  for (const r of requests) {
    const decisions = decisionsOf(r.key, r.kind);
    const all = journal.answersFor(r.key).filter((a) => a.op === r.kind);
    if (all.length > 1) retried += 1;
    if (decisions.length === 0) undecided.push(r.key);
    const distinct = new Set(decisions.map((d) => `${d.status} ${JSON.stringify(d.body)}`));
    if (distinct.size > 1) split.push(`${r.key}: ${[...distinct].slice(0, 2).join(' | ')}`);
    if (all.some((a) => a.status === 503 && a.code?.endsWith('_PENDING'))) {
      pendingKeys += 1;
      if (decisions.length > 0 && distinct.size === 1) pendingResolved += 1;
    }
  }
  results.push({
    name: 'every money request decided once: all answers to one Idempotency-Key the same',
    ok: split.length === 0 && undecided.length === 0,
    detail: `${requests.length} keys, ${retried} sent more than once, ${split.length} answered differently, ${undecided.length} never decided${split.length ? `: ${split.slice(0, 2).join('; ')}` : ''}${undecided.length ? `: ${undecided.slice(0, 5).join(', ')}` : ''}`,
  });
  results.push({
    name: 'every 503 …_PENDING resolved by a retry with the same key into one decision',
    ok: pendingResolved === pendingKeys,
    detail: `${pendingKeys} keys answered 503 …_PENDING at least once, ${pendingResolved} resolved into one decision`,
  });

  // Every 201 in the ledger exactly once, with its amount; nothing moved that no client was told of.
  const approved = new Map<string, { kind: MoneyKind; amount: number | undefined }>();
  let refusals = 0;
  for (const r of requests) {
    const decision = decisionsOf(r.key, r.kind)[0];
    if (!decision) continue;
    if (decision.status === 201) {
      const id = (decision.body as Record<string, unknown> | undefined)?.[MOVES[r.kind].idField];
      approved.set(`${r.creditLineId}|${String(id)}`, { kind: r.kind, amount: MOVES[r.kind].amount(r.body, decision.body as Record<string, unknown>) });
    } else {
      refusals += 1;
    }
  }
  const lineIds = ctx.workload.customers.map((c) => c.creditLineId);
  const moved = lineIds.length === 0 ? [] : await ctx.db.select({ creditLineId: transactions.creditLineId, id: transactions.id, kind: transactions.kind, amount: transactions.amount, entryId: transactions.entryId })
    .from(transactions).where(and(inArray(transactions.creditLineId, lineIds), inArray(transactions.kind, CLIENT_KINDS)));
  const seen = new Set<string>();
  const unexplained: string[] = [];
  const wrong: string[] = [];
  for (const t of moved) {
    const ref = `${t.creditLineId}|${t.id}`;
    seen.add(ref);
    const told = approved.get(ref);
    if (!told) { unexplained.push(`${t.kind} ${ref} ${t.amount}`); continue; }
    if (!MOVES[told.kind].kinds.includes(t.kind) || (told.amount !== undefined && told.amount !== t.amount) || t.entryId === null) wrong.push(`${ref}: told ${told.kind} ${told.amount}, ledger ${t.kind} ${t.amount}`);
  }
  const missing = [...approved.keys()].filter((ref) => !seen.has(ref));
  results.push({
    name: 'every 201 a client received is in the ledger exactly once, with its amount',
    ok: missing.length === 0 && wrong.length === 0,
    detail: `${approved.size} answered 201, ${missing.length} missing from the ledger, ${wrong.length} recorded otherwise${missing.length ? `: ${missing.slice(0, 3).join(', ')}` : ''}${wrong.length ? `: ${wrong.slice(0, 3).join('; ')}` : ''}`,
  });
  const reusedWrong = ctx.workload.reusedKeys.filter((r) => r.answer.status >= 200 && r.answer.status < 300);
  results.push({
    name: 'every refusal moved nothing; no key charged twice; nothing moved that no client was told',
    ok: unexplained.length === 0 && reusedWrong.length === 0,
    detail: `${refusals} refused, ${ctx.workload.reusedKeys.length} keys re-used with another body (${ctx.workload.reusedKeys.filter((r) => r.answer.code === 'IDEMPOTENCY_KEY_REUSED').length} IDEMPOTENCY_KEY_REUSED, ${reusedWrong.length} accepted), ${moved.length} client transactions in the ledger, ${unexplained.length} without a 201${unexplained.length ? `: ${unexplained.slice(0, 3).join(', ')}` : ''}`,
  });

  // The SMS gateway saw each message once per messageId as far as Revolve is concerned.
  const receipts = ctx.gateway.receipts();
  const rows = receipts.size === 0 ? [] : await ctx.db.select({ id: messages.id, channel: messages.channel, status: messages.status }).from(messages).where(inArray(messages.id, [...receipts.keys()]));
  const rowById = new Map(rows.map((r) => [r.id, r]));
  const lineDelivered = await ctx.db.select({ id: messages.id }).from(messages).where(and(eq(messages.channel, 'SMS'), eq(messages.status, 'DELIVERED'), inArray(messages.creditLineId, lineIds.length ? lineIds : ['-'])));
  const neverReceived = lineDelivered.filter((m) => !receipts.has(m.id));
  const unrecorded = [...receipts.keys()].filter((id) => !rowById.has(id));
  const notDelivered = [...receipts.values()].filter((r) => rowById.get(r.messageId)?.status !== 'DELIVERED' && !r.messageId.includes(':otp:'));
  const otpFailedButReceived = [...receipts.values()].filter((r) => r.messageId.includes(':otp:') && rowById.get(r.messageId)?.status === 'FAILED').length;
  const twice = [...receipts.values()].filter((r) => r.arrivals > 1).length;
  results.push({
    name: 'no SMS counted twice: one messageId, one message; every message received is recorded',
    ok: unrecorded.length === 0 && notDelivered.length === 0 && neverReceived.length === 0,
    detail: `${receipts.size} messages received (${twice} arrived more than once), ${lineDelivered.length} recorded delivered, ${unrecorded.length} received but unknown, ${notDelivered.length} received but not marked delivered, ${neverReceived.length} marked delivered but never received; ${otpFailedButReceived} one-time-code SMS reached the gateway after the API gave up on them (recorded FAILED, the customer asked again)`,
  });

  results.push(unjammed);
  results.push({
    name: 'no worker or API died on its own',
    ok: ctx.unexpectedExits.length === 0,
    detail: ctx.unexpectedExits.length === 0 ? 'none' : ctx.unexpectedExits.map((e) => `${e.name} at ${e.at}: ${e.how}`).join('; '),
  });

  const rejected = lineIds.length === 0 ? [] : await ctx.db.select().from(rejectedLineEvents).where(inArray(rejectedLineEvents.creditLineId, lineIds));
  results.push({
    name: 'no line event refused by the database', ok: rejected.length === 0,
    detail: `${rejected.length} refused${rejected.length ? `: ${rejected.slice(0, 3).map((r) => `${r.creditLineId} event ${r.eventKey} (${r.kind}) at ${r.rejectedAt}: ${r.reason}`).join('; ')}` : ''}`,
  });

  const scan = await scanNamespace(ctx.client, { personal: ctx.workload.personalData(), ...(ctx.historyQuery ? { query: ctx.historyQuery } : {}) });
  results.push({
    name: 'no workflow task failed',
    ok: scan.workflowTaskFailures.length === 0,
    detail: `${scan.workflows} runs, ${scan.events} events (${scan.timedOut.workflowTasks} workflow tasks timed out on a vanished worker and were retried), ${scan.workflowTaskFailures.length} WorkflowTaskFailed${scan.workflowTaskFailures.length ? `: ${scan.workflowTaskFailures.slice(0, 3).map((f) => `${f.workflowId} ${f.cause} ${f.message.slice(0, 120)}`).join('; ')}` : ''}`,
  });
  results.push({
    name: 'no personal datum (phone, device, address, code) in any history',
    ok: scan.personalData.length === 0,
    detail: `${ctx.workload.personalData().length} data looked for in ${scan.workflows} runs, ${scan.personalData.length} found${scan.personalData.length ? `: ${scan.personalData.slice(0, 3).map((p) => `${p.workflowId} ${p.datum}`).join('; ')}` : ''}`,
  });

  return results;
}

/** The table, in markdown. */
export function invariantTable(results: InvariantResult[]): string {
  const rows = results.map((r) => `| ${r.ok ? 'holds' : '**BROKEN**'} | ${r.name} | ${r.detail.replace(/\|/g, '\\|')} |`);
  return ['| | invariant | figures |', '| --- | --- | --- |', ...rows].join('\n');
}
