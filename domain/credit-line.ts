/**
 * The credit line after underwriting, as a pure state machine:
 *   (state, command | time, now) → (state, result, events)
 * The workflow feeds it commands (Updates) and the passing of time, carries out the events it
 * returns (each one ledger entry plus the read models it changes, persisted in order) and sleeps
 * until `nextWakeUp`. Nothing here reads a clock or does I/O; `now` is always an input.
 */
import { addDays, compareDays, cycleCloseInstant, dueDate, instantMs, localDay, nextStatementDate, statementDateFor, type Day, type Instant } from './calendar';
import { convertToInstallments, installmentQuote, type InstallmentPlan, type InstallmentQuote } from './installments';
import { freeTextProblem, unstorableValue } from './free-text';
import { lineAccountBalances, postingsFor, sumPostings, type EntryKind, type Posting } from './ledger';
import { isPositiveFen, type Fen } from './money';
import { payoffQuote, type PayoffQuote } from './payoff';
import { accruePenalties, daysPastDue, oldestUnpaidDueDate } from './penalty';
import type { Product } from './product';
import { installmentFigures, lineFigures, statementFigures, statementIdOf, type InstallmentFigures, type StatementFigures } from './projection';
import { applyPurchase, applyRefund, closeCycle, markOverdue, openBalances, type LineBalances, type Statement } from './statement';
import { allocateRepayment, owedByBucket, statementPrincipalOwed, totalOwed, type AllocationLine } from './waterfall';

export const LINE_STATUSES = ['ACTIVE', 'SUSPENDED', 'CLOSING', 'CLOSED', 'CHARGED_OFF'] as const;
export type LineStatus = (typeof LINE_STATUSES)[number];
export const SUSPENSION_REASONS = ['OVERDUE', 'RISK_LOGIN', 'RISK_VELOCITY', 'STAFF', 'CUSTOMER'] as const;
export type SuspensionReason = (typeof SUSPENSION_REASONS)[number];
export type DeclineReason = 'LINE_NOT_ACTIVE' | 'INSUFFICIENT_CREDIT' | 'MERCHANT_NOT_ELIGIBLE' | 'RISK_DECLINED' | 'INVALID_AMOUNT';

/** A purchase kept while it can still be refunded. */
export interface PurchaseRecord {
  id: string;
  day: Day;
  merchantId: string;
  amount: Fen;
  refunded: Fen;
}

/** A command's answer, kept so the same idempotency key gets the same answer. */
export interface RememberedCommand {
  key: string;
  requestHash: string;
  result: CommandResult;
}

export interface CreditLineState {
  creditLineId: string;
  customerId: string;
  productId: string;
  statementDay: number;
  openedOn: Day;
  status: LineStatus;
  suspensionReasons: SuspensionReason[];
  limit: Fen;
  balances: LineBalances;
  /** The statement date of the open cycle. */
  nextStatementDate: Day;
  purchases: PurchaseRecord[];
  remembered: RememberedCommand[];
  /** Grows with every event; read models never go back to an older one. */
  version: number;
}

/** How many answered commands the workflow keeps (the database keeps all of them). */
export const REMEMBERED_COMMANDS = 256;
/** Purchases older than this can no longer be refunded through the line (a dispute is a staff matter). */
export const REFUNDABLE_DAYS = 180;

// ── Commands and their answers ───────────────────────────────────────────────────────────────

interface CommandBase {
  /** The caller's Idempotency-Key, scoped to the line. */
  key: string;
  /** A hash of the request (operation, path and body): the same key with another body is refused. */
  requestHash: string;
}
export interface PurchaseCommand extends CommandBase { type: 'purchase'; purchaseId: string; merchantId: string; amount: Fen; description?: string }
export interface RefundCommand extends CommandBase { type: 'refund'; refundId: string; purchaseId: string; amount: Fen }
export interface RepaymentCommand extends CommandBase { type: 'repayment'; repaymentId: string; amount: Fen }
export interface ConversionCommand extends CommandBase { type: 'conversion'; statementId: string; count: number }
export type Command = PurchaseCommand | RefundCommand | RepaymentCommand | ConversionCommand;

export type RejectionCode =
  | DeclineReason
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'PURCHASE_NOT_FOUND'
  | 'REFUND_EXCEEDS_PURCHASE'
  | 'STATEMENT_NOT_FOUND'
  | 'CONVERSION_NOT_ALLOWED'
  | 'COUNT_NOT_ALLOWED'
  | 'LINE_CLOSED'
  | 'OVERPAYMENT'
  | 'VALIDATION_FAILED';

export type CommandResult =
  | { ok: true; type: 'purchase'; body: { purchaseId: string; status: 'APPROVED'; amount: Fen; available: Fen } }
  | { ok: true; type: 'refund'; body: { refundId: string; purchaseId: string; amount: Fen; available: Fen } }
  | { ok: true; type: 'repayment'; body: { repaymentId: string; amount: Fen; allocation: AllocationLine[]; balance: Fen } }
  | { ok: true; type: 'conversion'; body: InstallmentPlanView }
  | { ok: false; type: Command['type']; code: RejectionCode; message: string };

export interface InstallmentPlanView {
  planId: string;
  statementId: string;
  count: number;
  principal: Fen;
  totalFee: Fen;
  apr: number;
  convertedOn: Day;
  schedule: { seq: number; dueDate: Day; principal: Fen; fee: Fen }[];
}

// ── What the workflow persists ───────────────────────────────────────────────────────────────

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

export interface StatementStatus { id: string; paidAmount: Fen; status: 'OPEN' | 'PAID' | 'INSTALLMENTS' | 'OVERDUE' }

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
  transaction?: { id: string; kind: string; amount: Fen; details?: Record<string, unknown> };
  command?: { key: string; requestHash: string; result: CommandResult };
  line: LineProjection;
  /** The state the line is in after the event, for reads as of any later moment (see `readLineAt`). */
  state: LineReadState;
  statements?: (StatementFigures & { status: StatementStatus['status'] })[];
  statementStatuses?: StatementStatus[];
  /** Set when nothing billed is owed any more: every open statement is paid. */
  allBilledPaid?: boolean;
  installments?: InstallmentFigures[];
}

/** What a read needs of a line to show it as of any moment: all but the refundable purchases and the remembered answers. */
export type LineReadState = Omit<CreditLineState, 'purchases' | 'remembered'>;

export function readStateOf({ purchases: _p, remembered: _r, ...state }: CreditLineState): LineReadState {
  return state;
}

/**
 * The line as of `now`, from the state its last event left: cycles closed and penalties accrued up to
 * `now` exactly as the line itself will when it next acts. Reads use it (API.md: balance, currentDue
 * and daysPastDue are as of the moment of the request).
 */
export function readLineAt(state: LineReadState, now: Instant, product: Product): LineProjection {
  const advanced = advance({ ...state, purchases: [], remembered: [] }, now, product).state;
  return project(advanced, localDay(now));
}

// ── Opening and projecting ───────────────────────────────────────────────────────────────────

/** A line just approved; `version` is its first read-model version (after those underwriting wrote). */
export function openLine(input: { creditLineId: string; customerId: string; productId: string; statementDay: number; limit: Fen; now: Instant; version: number }): CreditLineState {
  const openedOn = localDay(input.now);
  return {
    creditLineId: input.creditLineId,
    customerId: input.customerId,
    productId: input.productId,
    statementDay: input.statementDay,
    openedOn,
    status: 'ACTIVE',
    suspensionReasons: [],
    limit: input.limit,
    balances: openBalances(openedOn),
    nextStatementDate: statementDateFor(openedOn, input.statementDay),
    purchases: [],
    remembered: [],
    version: input.version,
  };
}

/** The read model of a line as it stands, with no money moved (a line just opened). */
export function snapshotEvent(state: CreditLineState, now: Instant, what: string): LineEvent {
  return {
    idempotencyKey: `${state.creditLineId}:${what}:${state.version}`,
    creditLineId: state.creditLineId,
    occurredAt: now,
    version: state.version,
    line: project(state, localDay(now)),
    state: readStateOf(state),
  };
}

export function project(state: CreditLineState, day: Day): LineProjection {
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

function statementStatuses(before: LineBalances, after: LineBalances, day: Day): StatementStatus[] {
  const present = new Set(after.statements.map((s) => s.id));
  const statuses: StatementStatus[] = after.statements.map((s) => ({
    id: statementIdOf(s.statementDate),
    paidAmount: s.paid,
    status: statementPrincipalOwed(s) === 0 ? (s.converted > 0 ? 'INSTALLMENTS' : 'PAID') : compareDays(s.dueDate, day) < 0 ? 'OVERDUE' : 'OPEN',
  }));
  // Debts settled and pruned by this event end settled in the read model too.
  for (const s of before.statements) {
    if (!present.has(s.id)) statuses.push({ id: statementIdOf(s.statementDate), paidAmount: s.billed - s.converted, status: s.converted > 0 ? 'INSTALLMENTS' : 'PAID' });
  }
  return statuses;
}

/** The event for a transition of the balances from `before` to `next.balances`. */
function eventFor(
  before: CreditLineState,
  next: CreditLineState,
  now: Instant,
  kind: EntryKind,
  id: string,
  extra: Pick<LineEvent, 'transaction' | 'command' | 'statements'> = {},
): LineEvent {
  const day = localDay(now);
  const postings = postingsFor(next.creditLineId, kind, lineAccountBalances(before.balances), lineAccountBalances(next.balances));
  const line = project(next, day);
  // Only what this event changed goes to the read models: a purchase rewrites no installment rows.
  const installmentKey = (i: InstallmentFigures) => `${i.planId}#${i.seq}`;
  const unchanged = new Set(installmentFigures(before.balances).map((i) => `${installmentKey(i)}=${JSON.stringify(i)}`));
  const installments = installmentFigures(next.balances, before.balances).filter((i) => !unchanged.has(`${installmentKey(i)}=${JSON.stringify(i)}`));
  const billedDebtJustPaid = line.currentDue === null && project(before, day).currentDue !== null;
  return checkedEvent({
    idempotencyKey: `${next.creditLineId}:${kind}:${id}`,
    creditLineId: next.creditLineId,
    occurredAt: now,
    version: next.version,
    ...(postings.length > 0 ? { entry: { kind, postings } } : {}),
    ...extra,
    line,
    state: readStateOf(next),
    // Few statements are live at once, and their status also moves with the calendar: all of them.
    statementStatuses: statementStatuses(before.balances, next.balances, day),
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
function checkedEvent(event: LineEvent): LineEvent {
  const postings = event.entry?.postings ?? [];
  if (postings.length > 0 && (postings.length < 2 || postings.some((p) => !Number.isSafeInteger(p.amount) || p.amount === 0) || sumPostings(postings) !== 0)) {
    throw new LineInvariantError(`entry ${event.idempotencyKey} does not balance`);
  }
  const unstorable = unstorableValue(event);
  if (unstorable) throw new LineInvariantError(`event ${event.idempotencyKey} cannot be stored: ${unstorable}`);
  return event;
}

// ── Time ─────────────────────────────────────────────────────────────────────────────────────

/** The next moment the line must act by itself: its cycle close. */
export function nextWakeUp(state: CreditLineState): Instant {
  return cycleCloseInstant(state.nextStatementDate);
}

/**
 * Brings the line up to `now`: closes every cycle whose close has passed (penalties accrued to the
 * statement date first), then accrues penalties for every day fully elapsed. Returns the events in
 * the order they must be persisted, and the statements closed.
 */
export function advance(state: CreditLineState, now: Instant, product: Product): { state: CreditLineState; events: LineEvent[]; closed: Statement[] } {
  let current = state;
  const events: LineEvent[] = [];
  const closed: Statement[] = [];
  while (instantMs(cycleCloseInstant(current.nextStatementDate)) <= instantMs(now)) {
    const statementDate = current.nextStatementDate;
    const closeAt = cycleCloseInstant(statementDate);
    const accrued = accrue(current, statementDate, closeAt, product);
    if (accrued.event) events.push(accrued.event);
    current = accrued.state;
    const result = closeCycle(current.balances, statementDate, product);
    const balances = markOverdue(result.balances, addDays(statementDate, 1)).balances;
    const next: CreditLineState = {
      ...current,
      balances,
      nextStatementDate: nextStatementDate(statementDate, current.statementDay),
      purchases: current.purchases.filter((p) => compareDays(p.day, addDays(statementDate, -REFUNDABLE_DAYS)) > 0),
      version: current.version + 1,
    };
    const figures = statementFigures(result.statement);
    events.push(eventFor(current, next, closeAt, 'STATEMENT', statementDate, {
      statements: [{ ...figures, status: result.statement.amountDue > 0 ? 'OPEN' : 'PAID' }],
      transaction: result.statement.fees > 0
        ? { id: `${next.creditLineId}:fees:${statementDate}`, kind: 'INSTALLMENT_FEE', amount: result.statement.fees, details: { statementId: figures.id } }
        : undefined,
    }));
    closed.push(result.statement);
    current = next;
  }
  const accrued = accrue(current, addDays(localDay(now), -1), now, product);
  if (accrued.event) events.push(accrued.event);
  return { state: accrued.state, events, closed };
}

/** Penalties for every day up to and including `through`, as one event (none when nothing accrued). */
function accrue(state: CreditLineState, through: Day, now: Instant, product: Product): { state: CreditLineState; event?: LineEvent } {
  if (compareDays(through, state.openedOn) < 0) return { state };
  const result = accruePenalties(state.balances, state.openedOn, through, product);
  if (result.accrued === 0) return { state };
  const next = { ...state, balances: markOverdue(result.balances, addDays(through, 1)).balances, version: state.version + 1 };
  return {
    state: next,
    event: eventFor(state, next, now, 'PENALTY', through, {
      transaction: { id: `${state.creditLineId}:penalty:${through}`, kind: 'PENALTY', amount: result.accrued, details: { through } },
    }),
  };
}

// ── Commands ─────────────────────────────────────────────────────────────────────────────────

/**
 * Decisions that changed while lines were running: a line replaying history decided before a change
 * gets the rules of its time (the workflow passes `patched()` for each).
 */
export interface DecisionRules {
  /** A repayment above the payoff amount is refused `OVERPAYMENT` (PRODUCT §5). */
  refuseOverpayment: boolean;
  /** A purchase's description must be free text (API.md). */
  validateFreeText: boolean;
}
export const CURRENT_RULES: DecisionRules = { refuseOverpayment: true, validateFreeText: true };

/** The validation before `validateFreeText`: the same, without the description's check. */
function validateCommandV1(command: Command, product: Product): { code: RejectionCode; message: string } | null {
  return validateCommand(command.type === 'purchase' ? { ...command, description: undefined } : command, product);
}

/** What the validator refuses before anything enters history: requests wrong in themselves. */
export function validateCommand(command: Command, product: Product): { code: RejectionCode; message: string } | null {
  switch (command.type) {
    case 'purchase': {
      if (!isPositiveFen(command.amount)) return { code: 'INVALID_AMOUNT', message: 'amount must be a positive integer of fen' };
      const description = command.description === undefined ? null : freeTextProblem(command.description);
      if (description) return { code: 'VALIDATION_FAILED', message: `description ${description}` };
      // The merchant's id is not echoed: it is the caller's input and may not be storable text.
      if (!product.merchants.eligible.includes(command.merchantId)) return { code: 'MERCHANT_NOT_ELIGIBLE', message: 'this merchant does not accept this credit line' };
      return null;
    }
    case 'refund':
    case 'repayment':
      return isPositiveFen(command.amount) ? null : { code: 'INVALID_AMOUNT', message: 'amount must be a positive integer of fen' };
    case 'conversion':
      return product.installments.allowedCounts.includes(command.count) ? null : { code: 'COUNT_NOT_ALLOWED', message: `count must be one of ${product.installments.allowedCounts.join(', ')}` };
  }
}

/** The answer already given to this key, or a refusal when the key comes back with another request. */
export function rememberedAnswer(state: CreditLineState, command: Pick<Command, 'key' | 'requestHash' | 'type'>): CommandResult | null {
  const found = state.remembered.find((r) => r.key === command.key);
  if (!found) return null;
  if (found.requestHash !== command.requestHash) {
    return { ok: false, type: command.type, code: 'IDEMPOTENCY_KEY_REUSED', message: 'this Idempotency-Key was used for a different request' };
  }
  return found.result;
}

function remember(state: CreditLineState, command: Command, result: CommandResult): CreditLineState {
  const remembered = [...state.remembered, { key: command.key, requestHash: command.requestHash, result }];
  return { ...state, remembered: remembered.slice(-REMEMBERED_COMMANDS) };
}

/**
 * Decides a command at `now` (the line already advanced to `now`). Synchronous: the credit a
 * purchase takes is taken here, before anything is awaited, so concurrent purchases cannot spend
 * the same credit. Every answer, refusals included, is an event so its key is answered the same
 * way forever.
 */
export function decide(
  state: CreditLineState, command: Command, now: Instant, product: Product, rules: DecisionRules = CURRENT_RULES,
): { state: CreditLineState; result: CommandResult; event: LineEvent } {
  const day = localDay(now);
  const invalid = rules.validateFreeText ? validateCommand(command, product) : validateCommandV1(command, product);
  const outcome: { balances: LineBalances; purchases?: PurchaseRecord[]; result: CommandResult; kind: EntryKind; transaction?: LineEvent['transaction'] } = invalid
    ? { balances: state.balances, result: { ok: false, type: command.type, ...invalid }, kind: kindOf(command) }
    : decideValid(state, command, day, product, rules);
  const next = remember({
    ...state,
    balances: outcome.balances,
    purchases: outcome.purchases ?? state.purchases,
    version: state.version + 1,
  }, command, outcome.result);
  const event = eventFor(state, next, now, outcome.kind, `${command.type}:${command.key}`, {
    command: { key: command.key, requestHash: command.requestHash, result: outcome.result },
    ...(outcome.transaction ? { transaction: outcome.transaction } : {}),
  });
  return { state: next, result: outcome.result, event };
}

function kindOf(command: Command): EntryKind {
  return ({ purchase: 'PURCHASE', refund: 'REFUND', repayment: 'REPAYMENT', conversion: 'INSTALLMENT_CONVERSION' } as const)[command.type];
}

function decideValid(state: CreditLineState, command: Command, day: Day, product: Product, rules: DecisionRules) {
  const reject = (code: RejectionCode, message: string) => ({ balances: state.balances, kind: kindOf(command), result: { ok: false as const, type: command.type, code, message } });
  switch (command.type) {
    case 'purchase': {
      if (state.status !== 'ACTIVE') return reject('LINE_NOT_ACTIVE', `the line is ${state.status.toLowerCase()}`);
      const figures = lineFigures(state.limit, state.balances);
      if (command.amount > figures.available) return reject('INSUFFICIENT_CREDIT', `available credit is ${figures.available} fen`);
      const balances = applyPurchase(state.balances, command.amount);
      const available = lineFigures(state.limit, balances).available;
      return {
        balances,
        kind: 'PURCHASE' as const,
        purchases: [...state.purchases, { id: command.purchaseId, day, merchantId: command.merchantId, amount: command.amount, refunded: 0 }],
        result: { ok: true as const, type: 'purchase' as const, body: { purchaseId: command.purchaseId, status: 'APPROVED' as const, amount: command.amount, available } },
        transaction: { id: command.purchaseId, kind: 'PURCHASE', amount: command.amount, details: { merchantId: command.merchantId, ...(command.description ? { description: command.description } : {}) } },
      };
    }
    case 'refund': {
      if (state.status === 'CLOSED') return reject('LINE_CLOSED', 'the line is closed');
      const purchase = state.purchases.find((p) => p.id === command.purchaseId);
      if (!purchase) return reject('PURCHASE_NOT_FOUND', `purchase ${command.purchaseId} is not refundable on this line`);
      if (command.amount > purchase.amount - purchase.refunded) {
        return reject('REFUND_EXCEEDS_PURCHASE', `at most ${purchase.amount - purchase.refunded} fen of this purchase can still be refunded`);
      }
      const balances = applyRefund(state.balances, command.amount, purchase.day);
      return {
        balances,
        kind: 'REFUND' as const,
        purchases: state.purchases.map((p) => (p.id === purchase.id ? { ...p, refunded: p.refunded + command.amount } : p)),
        result: { ok: true as const, type: 'refund' as const, body: { refundId: command.refundId, purchaseId: purchase.id, amount: command.amount, available: lineFigures(state.limit, balances).available } },
        transaction: { id: command.refundId, kind: 'REFUND', amount: -command.amount, details: { purchaseId: purchase.id } },
      };
    }
    case 'repayment': {
      const owed = payoffQuote(state.balances, day).amount;
      if (rules.refuseOverpayment && command.amount > owed) return reject('OVERPAYMENT', `at most ${owed} fen is owed (the payoff amount); nothing was repaid`);
      const { allocation, balances } = allocateRepayment(state.balances, command.amount, day);
      return {
        balances,
        kind: 'REPAYMENT' as const,
        result: { ok: true as const, type: 'repayment' as const, body: { repaymentId: command.repaymentId, amount: command.amount, allocation, balance: lineFigures(state.limit, balances).balance } },
        transaction: { id: command.repaymentId, kind: 'REPAYMENT', amount: -command.amount, details: { allocation } },
      };
    }
    case 'conversion': {
      const debt = state.balances.statements.find((s) => statementIdOf(s.statementDate) === command.statementId);
      if (!debt) return reject('STATEMENT_NOT_FOUND', `no unpaid statement ${command.statementId} on this line`);
      const converted = convertToInstallments(state.balances, debt.statementDate, command.count, day, state.statementDay, product);
      if (!converted.ok) return reject(converted.code, converted.message);
      const plan = planView(converted.plan);
      return {
        balances: converted.balances,
        kind: 'INSTALLMENT_CONVERSION' as const,
        result: { ok: true as const, type: 'conversion' as const, body: plan },
        transaction: { id: converted.plan.id, kind: 'INSTALLMENT_CONVERSION', amount: converted.plan.installments[0]?.fee ?? 0, details: { statementId: plan.statementId, principal: plan.principal, totalFee: plan.totalFee, apr: plan.apr } },
      };
    }
  }
}

export function planView(plan: InstallmentPlan): InstallmentPlanView {
  return {
    planId: plan.id,
    statementId: statementIdOf(plan.statementDate),
    count: plan.count,
    principal: plan.principal,
    totalFee: plan.totalFee,
    apr: plan.apr,
    convertedOn: plan.convertedOn,
    schedule: plan.installments.map((i, index) => ({ seq: index + 1, dueDate: i.dueDate, principal: i.principal, fee: i.fee })),
  };
}

// ── Reads ────────────────────────────────────────────────────────────────────────────────────

/** The quote for splitting a statement on `day` (the line advanced to `day`). */
export function quoteInstallments(state: CreditLineState, statementId: string, count: number, day: Day, product: Product):
  { ok: true; quote: InstallmentQuote } | { ok: false; code: RejectionCode; message: string } {
  const debt = state.balances.statements.find((s) => statementIdOf(s.statementDate) === statementId);
  if (!debt || debt.planId !== null) return { ok: false, code: 'STATEMENT_NOT_FOUND', message: `no unpaid, unconverted statement ${statementId}` };
  if (compareDays(day, debt.dueDate) > 0) return { ok: false, code: 'CONVERSION_NOT_ALLOWED', message: 'the due date has passed' };
  const quoted = installmentQuote(statementPrincipalOwed(debt), count, day, debt.dueDate, state.statementDay, product);
  return quoted.ok ? { ok: true, quote: quoted.quote } : { ok: false, code: quoted.code, message: quoted.message };
}

export function payoff(state: CreditLineState, day: Day): PayoffQuote {
  return payoffQuote(state.balances, day);
}
