/**
 * What the workflow persists: each thing that happens to a line is one event, written in one database
 * transaction (the journal entry, the customer-visible transaction, the command's answer, and the
 * read models it changes). Every event is checked before the state it leads to is taken.
 */
import type { AuditEntry } from '../audit';
import type { DecisionRecord } from '../decisions';
import type { RiskAction } from '../risk/rules';
import { statementIdOf, statementPrincipalOwed, type LineBalances } from '../balances';
import { compareDays, dueDate, localDay, type Day, type Instant } from '../calendar';
import { unstorableValue } from '../free-text';
import { lineAccountBalances, postingsFor, sumPostings, type EntryKind, type Posting } from '../ledger';
import type { Fen } from '../money';
import type { OutgoingMessage } from '../notifications';
import { daysPastDue, oldestUnpaidDueDate } from '../penalty';
import { installmentFigures, lineFigures, type InstallmentFigures, type StatementFigures } from '../projection';
import { owedByBucket, totalOwed } from '../waterfall';
import type { CommandResult, CreditLineState } from './commands';
import { movesMoney, type EventKind, type LineTransaction } from './decider';
import type { LineState, LineStatus, SuspensionReason } from './state';

export interface LineProjection {
  status: LineStatus;
  limit: Fen;
  available: Fen;
  balance: Fen;
  accounts: ReturnType<typeof lineAccountBalances>;
  suspensionReasons: SuspensionReason[];
  nextStatementDate: Day;
  currentDue: { statementId: string; amount: Fen; dueDate: Day } | null;
  daysPastDue: number;
}

export interface StatementStatus { id: string; paidAmount: Fen; status: 'OPEN' | 'PAID' | 'INSTALLMENTS' | 'OVERDUE' | 'CHARGED_OFF' }

/**
 * One thing that happened to a line, as the ledger activity writes it in one database transaction:
 * the journal entry (when money moved), the customer-visible transaction, the command's answer
 * (for idempotency), and the read models it changes.
 */
export interface LineEvent {
  /** `<lineId>:<operation>:<id>`: a retried activity posts nothing twice. */
  idempotencyKey: string;
  creditLineId: string;
  occurredAt: Instant;
  version: number;
  entry?: { kind: EntryKind; postings: Posting[]; description?: string };
  transaction?: LineTransaction;
  command?: { key: string; requestHash: string; result: CommandResult };
  line: LineProjection;
  /** The state the line is in after the event, for reads as of any later moment (see `readLineAt`). */
  state: LineReadState;
  statements?: (StatementFigures & { status: StatementStatus['status'] })[];
  statementStatuses?: StatementStatus[];
  /** Set when nothing billed is owed any more: every open statement is paid. */
  allBilledPaid?: boolean;
  installments?: InstallmentFigures[];
  /** What the line says because of this event: SMS into the outbox, in-app messages into the inbox. */
  messages?: OutgoingMessage[];
  /** Who did what, and why: written with the event, never changed. */
  audit?: AuditEntry[];
  collectionCase?: CollectionCaseChange;
  /** Monitoring rules that hit (API.md `RiskEvent`), enforced or shadow: each a staff alert. */
  riskEvents?: RiskEventRecord[];
  /** Automated decisions taken by this event (API.md `Decision`), for explanation and review. */
  decisions?: DecisionRecord[];
}

/** A rule's hit as stored: `id` is `<lineId>:risk:<version>-<n>`; the customer and the moment are the event's. */
export interface RiskEventRecord { id: string; rule: string; shadow: boolean; action: RiskAction; figures: Record<string, number | boolean> }

/**
 * Why a collections case closed: the customer paid what was overdue (CURED), the line was charged off
 * (CHARGED_OFF), or a hardship plan re-aged the debt into installments (RESTRUCTURED: brought current
 * by agreement, not paid; a cure rate must not count it).
 */
export type CaseCloseReason = 'CURED' | 'CHARGED_OFF' | 'RESTRUCTURED';

/** The collections case an event opens or closes (the human queue at DPD 15). */
export type CollectionCaseChange =
  | { action: 'OPEN'; caseId: string; openedDpd: number; dueDate: string; amounts: { overduePrincipal: number; penalties: number; fees: number; total: number } }
  | { action: 'CLOSE'; caseId: string; reason: CaseCloseReason };

/** `<lineId>:<kind>:<id>`: an event's key, scoped by its line; message ids and audit rows hang off it. */
export const eventKey = (creditLineId: string, kind: string, id: string): string => `${creditLineId}:${kind}:${id}`;

/** What a read needs of a line to show it as of any moment: all but the refundable purchases and the remembered answers. */
export type LineReadState = Omit<CreditLineState, 'purchases' | 'remembered'>;

export function readStateOf({ purchases: _p, remembered: _r, ...state }: CreditLineState): LineReadState {
  return state;
}

/** The read model of a line as it stands, with no money moved (a line just opened). */
export function snapshotEvent(state: CreditLineState, now: Instant, what: string, extra: Pick<LineEvent, 'messages' | 'audit' | 'collectionCase' | 'decisions'> = {}): LineEvent {
  return checkedEvent({
    idempotencyKey: eventKey(state.creditLineId, what, String(state.version)),
    creditLineId: state.creditLineId,
    occurredAt: now,
    version: state.version,
    line: project(state, localDay(now)),
    state: readStateOf(state),
    ...extra,
  });
}

export function project(state: LineState, day: Day): LineProjection {
  const figures = lineFigures(state.limit, state.balances);
  const owed = owedByBucket(state.balances, day);
  const billedOwed = totalOwed(state.balances, day) - owed.CURRENT_CYCLE;
  const oldest = oldestUnpaidDueDate(state.balances, day);
  const last = state.balances.lastStatement;
  return {
    status: state.status,
    limit: state.limit,
    available: state.status === 'ACTIVE' ? figures.available : 0,
    balance: figures.balance,
    accounts: figures.accounts,
    suspensionReasons: state.suspensionReasons,
    nextStatementDate: state.nextStatementDate,
    currentDue: billedOwed > 0 && last ? { statementId: statementIdOf(last.statementDate), amount: billedOwed, dueDate: oldest ?? dueDate(last.statementDate) } : null,
    daysPastDue: daysPastDue(oldest, day),
  };
}

function statementStatuses(before: LineBalances, after: LineBalances, day: Day, chargedOff = false): StatementStatus[] {
  const present = new Set(after.statements.map((s) => s.id));
  const statuses: StatementStatus[] = after.statements.map((s) => ({
    id: statementIdOf(s.statementDate),
    paidAmount: s.paid,
    status: statementPrincipalOwed(s) === 0 ? (s.converted > 0 ? 'INSTALLMENTS' : 'PAID') : compareDays(s.dueDate, day) < 0 ? 'OVERDUE' : 'OPEN',
  }));
  // Debts settled and pruned by this event end settled in the read model too.
  for (const s of before.statements) {
    if (present.has(s.id)) continue;
    statuses.push(chargedOff
      ? { id: statementIdOf(s.statementDate), paidAmount: s.paid, status: 'CHARGED_OFF' }
      : { id: statementIdOf(s.statementDate), paidAmount: s.billed - s.converted, status: s.converted > 0 ? 'INSTALLMENTS' : 'PAID' });
  }
  return statuses;
}

/** The event for a transition of the balances from `before` to `next.balances`. */
export function eventFor(
  before: CreditLineState,
  next: CreditLineState,
  now: Instant,
  kind: EventKind,
  id: string,
  extra: Pick<LineEvent, 'transaction' | 'command' | 'statements' | 'messages' | 'audit' | 'entry' | 'collectionCase' | 'riskEvents' | 'decisions'> = {},
): LineEvent {
  const day = localDay(now);
  const postings = movesMoney(kind) ? postingsFor(next.creditLineId, kind, lineAccountBalances(before.balances), lineAccountBalances(next.balances)) : [];
  const line = project(next, day);
  // Only what this event changed goes to the read models: a purchase rewrites no installment rows.
  const installmentKey = (i: InstallmentFigures) => `${i.planId}#${i.seq}`;
  const unchanged = new Set(installmentFigures(before.balances).map((i) => `${installmentKey(i)}=${JSON.stringify(i)}`));
  const installments = installmentFigures(next.balances, before.balances).filter((i) => !unchanged.has(`${installmentKey(i)}=${JSON.stringify(i)}`));
  // Written off is not paid: a charge-off marks what it wrote off CHARGED_OFF, never PAID.
  const chargedOff = kind === 'CHARGE_OFF';
  const billedDebtJustPaid = !chargedOff && line.currentDue === null && project(before, day).currentDue !== null;
  return checkedEvent({
    idempotencyKey: eventKey(next.creditLineId, kind, id),
    creditLineId: next.creditLineId,
    occurredAt: now,
    version: next.version,
    ...(extra.entry ? {} : postings.length > 0 && movesMoney(kind) ? { entry: { kind, postings } } : {}),
    ...extra,
    line,
    state: readStateOf(next),
    // Few statements are live at once, and their status also moves with the calendar: all of them.
    statementStatuses: statementStatuses(before.balances, next.balances, day, chargedOff),
    ...(billedDebtJustPaid ? { allBilledPaid: true } : {}),
    ...(installments.length > 0 ? { installments } : {}),
  });
}

/** A broken invariant of the line: a bug, never a decision. Nothing was changed when it is thrown. */
export class LineInvariantError extends Error {
  override readonly name = 'LineInvariantError';
}

/**
 * Every event is checked before the state it leads to is taken: balanced postings of safe integers,
 * and nothing PostgreSQL would refuse. An event that could never be written is never decided, so no
 * write can fail for ever and jam the line behind it.
 */
export function checkedEvent(event: LineEvent): LineEvent {
  const postings = event.entry?.postings ?? [];
  if (postings.length > 0 && (postings.length < 2 || postings.some((p) => !Number.isSafeInteger(p.amount) || p.amount === 0) || sumPostings(postings) !== 0)) {
    throw new LineInvariantError(`entry ${event.idempotencyKey} does not balance`);
  }
  const unstorable = unstorableValue(event);
  if (unstorable) throw new LineInvariantError(`event ${event.idempotencyKey} cannot be stored: ${unstorable}`);
  return event;
}
