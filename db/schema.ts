import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, check, index, integer, json, jsonb, pgTable, primaryKey, real, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/** Money columns: integer fen as PostgreSQL bigint, read back as JS numbers (always safe integers here). */
const fen = (name: string) => bigint(name, { mode: 'number' });
const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'string' });

/** An application for a credit line. The phone and features stay here, never in workflow history. */
export const applications = pgTable('applications', {
  id: text('id').primaryKey(),
  creditLineId: text('credit_line_id').notNull().unique(),
  customerId: text('customer_id').notNull(),
  productId: text('product_id').notNull(),
  phone: text('phone').notNull(),
  monthlyIncome: fen('monthly_income').notNull(),
  employmentMonths: integer('employment_months').notNull(),
  age: integer('age').notNull(),
  statementDay: integer('statement_day').notNull(),
  status: text('status').notNull(),
  /** When the application stopped holding the customer's one line: declined, or its line closed. */
  endedAt: at('ended_at'),
  createdAt: at('created_at').notNull().defaultNow(),
  updatedAt: at('updated_at').notNull().defaultNow(),
}, (t) => [
  index('applications_customer_idx').on(t.customerId),
  // One line per customer that is not DECLINED or CLOSED (API.md), held by the database against races.
  uniqueIndex('applications_one_open_per_customer_idx').on(t.customerId).where(sql`${t.endedAt} IS NULL`),
  check('applications_status_chk', sql`${t.status} IN ('UNDERWRITING','MANUAL_REVIEW','APPROVED','DECLINED')`),
  check('applications_statement_day_chk', sql`${t.statementDay} BETWEEN 1 AND 28`),
  check('applications_income_chk', sql`${t.monthlyIncome} >= 0`),
]);

/** Every underwriting decision with the model version, the features used and the reason codes (PRODUCT §3). */
export const underwritingDecisions = pgTable('underwriting_decisions', {
  applicationId: text('application_id').primaryKey().references(() => applications.id),
  decision: text('decision').notNull(),
  probabilityOfDefault: real('probability_of_default').notNull(),
  limit: fen('limit'),
  modelVersion: text('model_version').notNull(),
  features: jsonb('features').notNull(),
  reasonCodes: text('reason_codes').array().notNull(),
  decidedBy: text('decided_by').notNull(),
  decidedAt: at('decided_at').notNull(),
}, (t) => [
  check('underwriting_decisions_decision_chk', sql`${t.decision} IN ('APPROVE','MANUAL_REVIEW','DECLINE')`),
]);

/**
 * The credit line's read model: what the API lists and shows. Written only by activities, in the same
 * transaction as the ledger postings; `version` is the workflow's own counter so a late, retried write
 * never overwrites a newer state.
 */
export const creditLines = pgTable('credit_lines', {
  id: text('id').primaryKey(),
  customerId: text('customer_id').notNull(),
  productId: text('product_id').notNull(),
  applicationId: text('application_id').notNull().references(() => applications.id),
  status: text('status').notNull(),
  suspensionReasons: text('suspension_reasons').array().notNull().default(sql`'{}'::text[]`),
  limit: fen('limit').notNull(),
  available: fen('available').notNull(),
  balance: fen('balance').notNull(),
  statementDay: integer('statement_day').notNull(),
  nextStatementDate: text('next_statement_date'),
  currentDue: jsonb('current_due'),
  daysPastDue: integer('days_past_due').notNull().default(0),
  /**
   * The line's state as of `version` (balances, limit, status; without the refundable purchases and
   * remembered answers): the API brings it up to the moment of a request with the domain's own
   * `advance`, so a read shows today's penalties and days past due whether or not the line has acted.
   */
  state: jsonb('state'),
  /** The line's ledger account balances (debit positive), written with the postings that changed them. */
  principal: fen('principal').notNull().default(0),
  installmentPrincipal: fen('installment_principal').notNull().default(0),
  installmentFees: fen('installment_fees').notNull().default(0),
  penalties: fen('penalties').notNull().default(0),
  creditBalance: fen('credit_balance').notNull().default(0),
  openedAt: at('opened_at'),
  closedAt: at('closed_at'),
  version: integer('version').notNull().default(0),
  updatedAt: at('updated_at').notNull().defaultNow(),
}, (t) => [
  index('credit_lines_customer_idx').on(t.customerId),
  index('credit_lines_status_idx').on(t.status, t.daysPastDue),
  check('credit_lines_limit_chk', sql`${t.limit} >= 0`),
]);

// ── The ledger ──────────────────────────────────────────────────────────────────────────────────
// Append-only and balanced, enforced by the database (migration 0002_ledger_guards): every journal
// entry's postings sum to zero at commit, and UPDATE, DELETE and TRUNCATE of entries and postings
// are refused. Corrections are new entries.

/** `line:<lineId>:<ACCOUNT>` per line, `platform:<ACCOUNT>` for the platform's side. */
export const ledgerAccounts = pgTable('ledger_accounts', {
  id: text('id').primaryKey(),
  creditLineId: text('credit_line_id'),
  code: text('code').notNull(),
  createdAt: at('created_at').notNull().defaultNow(),
}, (t) => [index('ledger_accounts_line_idx').on(t.creditLineId)]);

export const journalEntries = pgTable('journal_entries', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  /** A retried activity carries the same key and posts nothing the second time. */
  idempotencyKey: text('idempotency_key').notNull().unique(),
  creditLineId: text('credit_line_id').notNull(),
  kind: text('kind').notNull(),
  occurredAt: at('occurred_at').notNull(),
  description: text('description'),
  createdAt: at('created_at').notNull().defaultNow(),
}, (t) => [index('journal_entries_line_idx').on(t.creditLineId, t.id)]);

export const postings = pgTable('postings', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  entryId: bigint('entry_id', { mode: 'number' }).notNull().references(() => journalEntries.id),
  accountId: text('account_id').notNull().references(() => ledgerAccounts.id),
  /** Debit positive, credit negative. */
  amount: fen('amount').notNull(),
}, (t) => [
  index('postings_entry_idx').on(t.entryId),
  index('postings_account_idx').on(t.accountId),
  check('postings_amount_nonzero_chk', sql`${t.amount} <> 0`),
]);

// ── Read models (projections written in the same transaction as the postings) ──────────────────

/** Money movements as the customer sees them, newest first, cursor-paged. */
export const transactions = pgTable('transactions', {
  /** Unique within its line (ids are generated per line). */
  id: text('id').notNull(),
  creditLineId: text('credit_line_id').notNull(),
  entryId: bigint('entry_id', { mode: 'number' }).references(() => journalEntries.id),
  kind: text('kind').notNull(),
  /** Positive: the customer owes more; negative: less. */
  amount: fen('amount').notNull(),
  occurredAt: at('occurred_at').notNull(),
  details: jsonb('details').notNull().default({}),
  seq: bigserial('seq', { mode: 'number' }).notNull(),
}, (t) => [
  primaryKey({ columns: [t.creditLineId, t.id] }),
  uniqueIndex('transactions_line_seq_idx').on(t.creditLineId, t.seq),
]);

export const statements = pgTable('statements', {
  creditLineId: text('credit_line_id').notNull(),
  id: text('id').notNull(),
  periodStart: text('period_start').notNull(),
  periodEnd: text('period_end').notNull(),
  statementDate: text('statement_date').notNull(),
  dueDate: text('due_date').notNull(),
  openingBalance: fen('opening_balance').notNull(),
  purchases: fen('purchases').notNull(),
  refunds: fen('refunds').notNull(),
  repayments: fen('repayments').notNull(),
  fees: fen('fees').notNull(),
  penalties: fen('penalties').notNull(),
  closingBalance: fen('closing_balance').notNull(),
  amountDue: fen('amount_due').notNull(),
  paidAmount: fen('paid_amount').notNull().default(0),
  status: text('status').notNull(),
  version: integer('version').notNull().default(0),
}, (t) => [
  primaryKey({ columns: [t.creditLineId, t.id] }),
  check('statements_status_chk', sql`${t.status} IN ('OPEN','PAID','INSTALLMENTS','OVERDUE','CHARGED_OFF')`),
]);

export const installments = pgTable('installments', {
  creditLineId: text('credit_line_id').notNull(),
  planId: text('plan_id').notNull(),
  seq: integer('seq').notNull(),
  statementId: text('statement_id').notNull(),
  dueDate: text('due_date').notNull(),
  principal: fen('principal').notNull(),
  fee: fen('fee').notNull(),
  principalPaid: fen('principal_paid').notNull().default(0),
  feePaid: fen('fee_paid').notNull().default(0),
  feeWaived: fen('fee_waived').notNull().default(0),
  billed: boolean('billed').notNull().default(false),
  apr: real('apr').notNull(),
  convertedOn: text('converted_on').notNull(),
  version: integer('version').notNull().default(0),
}, (t) => [primaryKey({ columns: [t.creditLineId, t.planId, t.seq] })]);

/**
 * Every answered money command by its Idempotency-Key (scoped per line), written in the same
 * transaction as its ledger entry: the API answers a repeated key from here, for ever.
 */
export const commandResults = pgTable('command_results', {
  creditLineId: text('credit_line_id').notNull(),
  idempotencyKey: text('idempotency_key').notNull(),
  requestHash: text('request_hash').notNull(),
  // json, not jsonb: the answer is given again byte for byte (jsonb would reorder its keys).
  result: json('result').notNull(),
  createdAt: at('created_at').notNull().defaultNow(),
}, (t) => [primaryKey({ columns: [t.creditLineId, t.idempotencyKey] })]);

/**
 * Line events the database refused for good (a data or integrity error, or a broken invariant): the
 * workflow dropped them and rolled back. No payload is kept (it may hold the very bytes refused, or
 * personal data): the line, the event's key and kind, and why.
 */
export const rejectedLineEvents = pgTable('rejected_line_events', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  creditLineId: text('credit_line_id').notNull(),
  eventKey: text('event_key').notNull(),
  kind: text('kind'),
  sqlstate: text('sqlstate'),
  constraintName: text('constraint_name'),
  reason: text('reason').notNull(),
  rejectedAt: at('rejected_at').notNull().defaultNow(),
}, (t) => [index('rejected_line_events_line_idx').on(t.creditLineId, t.id)]);

/** Fixed-window request counters shared by every API replica: per subject (customer or staff) and route group. */
export const rateLimits = pgTable('rate_limits', {
  key: text('key').primaryKey(),
  hits: integer('hits').notNull(),
  resetAt: at('reset_at').notNull(),
}, (t) => [index('rate_limits_reset_idx').on(t.resetAt)]);

// ── Notifications (PRODUCT §6, §11) ────────────────────────────────────────────────────────────

/**
 * Every message a line sends, written in the same transaction as the event that caused it: the
 * outbox for SMS (`status` PENDING until delivered), the inbox for in-app messages. No phone here:
 * the delivery activity reads it by the line's application at the last moment.
 */
export const messages = pgTable('messages', {
  /** `<event key>:<template>:<channel>`, scoped by the line. */
  id: text('id').primaryKey(),
  creditLineId: text('credit_line_id').notNull(),
  customerId: text('customer_id').notNull(),
  channel: text('channel').notNull(),
  kind: text('kind').notNull(),
  template: text('template').notNull(),
  params: jsonb('params').notNull(),
  locale: text('locale').notNull(),
  text: text('text').notNull(),
  /** When it may go (never inside quiet hours for an SMS the line sends on its own). */
  sendAt: at('send_at').notNull(),
  status: text('status').notNull(),
  attempts: integer('attempts').notNull().default(0),
  deliveredAt: at('delivered_at'),
  readAt: at('read_at'),
  createdAt: at('created_at').notNull(),
  /** Insertion order: the inbox is paged newest first by it. */
  seq: bigserial('seq', { mode: 'number' }).notNull(),
}, (t) => [
  index('messages_customer_inbox_idx').on(t.customerId, t.channel, t.seq),
  index('messages_line_idx').on(t.creditLineId, t.createdAt),
  check('messages_channel_chk', sql`${t.channel} IN ('SMS','IN_APP')`),
  check('messages_status_chk', sql`${t.status} IN ('PENDING','DELIVERED','FAILED')`),
]);

/** Every delivery attempt of an SMS and its result, as the provider answered it. */
export const messageAttempts = pgTable('message_attempts', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  messageId: text('message_id').notNull().references(() => messages.id),
  provider: text('provider').notNull(),
  attemptedAt: at('attempted_at').notNull().defaultNow(),
  result: text('result').notNull(),
  /** The provider's status code or the kind of error; never the phone or the text. */
  detail: text('detail'),
}, (t) => [
  index('message_attempts_message_idx').on(t.messageId, t.id),
  check('message_attempts_result_chk', sql`${t.result} IN ('DELIVERED','FAILED','DEFERRED')`),
]);

// ── The audit trail (PRODUCT §12): append-only like the ledger (migration 0005's triggers) ─────────

export const auditLog = pgTable('audit_log', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  creditLineId: text('credit_line_id').notNull(),
  /** The event (or decision) it records: one row per event and action, written once. */
  eventKey: text('event_key').notNull(),
  action: text('action').notNull(),
  /** `customer:<id>`, `staff:<id>`, `platform:<id>`, `system:<rule>` or `model:<version>`. */
  actor: text('actor').notNull(),
  reason: text('reason'),
  details: jsonb('details').notNull().default({}),
  occurredAt: at('occurred_at').notNull(),
  recordedAt: at('recorded_at').notNull().defaultNow(),
}, (t) => [
  uniqueIndex('audit_log_event_action_idx').on(t.eventKey, t.action),
  index('audit_log_line_idx').on(t.creditLineId, t.id),
]);

// ── Collections (PRODUCT §7): the human queue at DPD 15 ──────────────────────────────────────────

/**
 * A collections case, opened by the line's event at DPD 15 and closed on cure or charge-off, in the
 * event's transaction. `due_date` is the oldest unpaid due date when it opened (DPD = today − due_date).
 */
export const collectionCases = pgTable('collection_cases', {
  /** `<creditLineId>:case:<dueDate>`, scoped by the line. */
  id: text('id').primaryKey(),
  creditLineId: text('credit_line_id').notNull(),
  customerId: text('customer_id').notNull(),
  status: text('status').notNull(),
  openedDpd: integer('opened_dpd').notNull(),
  dueDate: text('due_date').notNull(),
  overduePrincipal: fen('overdue_principal').notNull(),
  penalties: fen('penalties').notNull(),
  fees: fen('fees').notNull(),
  total: fen('total').notNull(),
  openedAt: at('opened_at').notNull(),
  closedAt: at('closed_at'),
  closeReason: text('close_reason'),
  /** Insertion order: the queue is paged oldest first by (due_date, seq). */
  seq: bigserial('seq', { mode: 'number' }).notNull(),
}, (t) => [
  index('collection_cases_queue_idx').on(t.status, t.dueDate, t.seq),
  index('collection_cases_line_idx').on(t.creditLineId),
  check('collection_cases_status_chk', sql`${t.status} IN ('OPEN','CLOSED')`),
  check('collection_cases_close_reason_chk', sql`${t.closeReason} IS NULL OR ${t.closeReason} IN ('CURED','CHARGED_OFF','RESTRUCTURED')`),
]);

/** What staff recorded on a case: a contact or a promise to pay. Append-only (migration 0007's trigger). */
export const collectionNotes = pgTable('collection_notes', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  caseId: text('case_id').notNull().references(() => collectionCases.id),
  creditLineId: text('credit_line_id').notNull(),
  staffId: text('staff_id').notNull(),
  kind: text('kind').notNull(),
  note: text('note').notNull(),
  promisedAmount: fen('promised_amount'),
  promisedDate: text('promised_date'),
  createdAt: at('created_at').notNull().defaultNow(),
}, (t) => [
  index('collection_notes_case_idx').on(t.caseId, t.id),
  check('collection_notes_kind_chk', sql`${t.kind} IN ('CONTACT','PROMISE_TO_PAY')`),
  check('collection_notes_promise_chk', sql`${t.kind} <> 'PROMISE_TO_PAY' OR (${t.promisedAmount} > 0 AND ${t.promisedDate} IS NOT NULL)`),
]);

// ── Risk (PRODUCT §8): logins, rule hits, automated decisions and their human reviews ────────────

/** Logins reported by the platform: the abnormal-login rule compares a login with the last 90 days. */
export const loginEvents = pgTable('login_events', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  customerId: text('customer_id').notNull(),
  deviceId: text('device_id').notNull(),
  ip: text('ip').notNull(),
  city: text('city').notNull(),
  success: boolean('success').notNull(),
  occurredAt: at('occurred_at').notNull(),
  receivedAt: at('received_at').notNull().defaultNow(),
}, (t) => [
  index('login_events_customer_idx').on(t.customerId, t.occurredAt),
  // The platform retrying one report records it once.
  uniqueIndex('login_events_once_idx').on(t.customerId, t.deviceId, t.occurredAt, t.success),
]);

/** Every rule hit (API.md `RiskEvent`), enforced or shadow, with the figures that crossed the threshold. */
export const riskEvents = pgTable('risk_events', {
  /** Scoped by the line: `<creditLineId>:risk:<n>`. */
  id: text('id').primaryKey(),
  creditLineId: text('credit_line_id').notNull(),
  customerId: text('customer_id').notNull(),
  rule: text('rule').notNull(),
  shadow: boolean('shadow').notNull(),
  figures: jsonb('figures').notNull(),
  action: text('action').notNull(),
  occurredAt: at('occurred_at').notNull(),
  /** Insertion order: staff alerts are read `since` a moment, oldest first. */
  seq: bigserial('seq', { mode: 'number' }).notNull(),
}, (t) => [
  index('risk_events_since_idx').on(t.occurredAt, t.seq),
  index('risk_events_line_idx').on(t.creditLineId, t.seq),
  check('risk_events_action_chk', sql`${t.action} IN ('NONE','DECLINE','SUSPEND')`),
  check('risk_events_shadow_chk', sql`NOT ${t.shadow} OR ${t.action} = 'NONE'`),
]);

/**
 * Automated decisions on a line (API.md `Decision`, PIPL Art. 24): underwriting, suspensions, limit
 * changes, risk declines of purchases, with the reasons and who decided (`model:<v>`, `rule:<id>`, `staff:<id>`).
 */
export const lineDecisions = pgTable('line_decisions', {
  creditLineId: text('credit_line_id').notNull(),
  /** Scoped by the line: `uw-<n>` for underwriting, `d-<version>-<n>` for the line's own. */
  id: text('id').notNull(),
  customerId: text('customer_id').notNull(),
  kind: text('kind').notNull(),
  outcome: text('outcome').notNull(),
  /** Reason codes, worst first (descriptions come from the domain's catalogue). */
  reasons: text('reasons').array().notNull(),
  /** Whether it hurts the customer (a decline, a suspension, a limit cut): only those can be reviewed. */
  adverse: boolean('adverse').notNull(),
  decidedBy: text('decided_by').notNull(),
  decidedAt: at('decided_at').notNull(),
  /** The figures behind it (limits before and after, the risk event, the purchase): never personal data. */
  details: jsonb('details').notNull().default({}),
  seq: bigserial('seq', { mode: 'number' }).notNull(),
}, (t) => [
  primaryKey({ columns: [t.creditLineId, t.id] }),
  index('line_decisions_line_idx').on(t.creditLineId, t.seq),
  check('line_decisions_kind_chk', sql`${t.kind} IN ('UNDERWRITING','SUSPENSION','LIMIT_CHANGE','PURCHASE_DECLINE')`),
]);

/** A customer's request for a human review of an automated decision, and how staff resolved it. */
export const decisionReviews = pgTable('decision_reviews', {
  /** `<creditLineId>:review:<decisionId>`: one review per decision. */
  id: text('id').primaryKey(),
  creditLineId: text('credit_line_id').notNull(),
  decisionId: text('decision_id').notNull(),
  customerId: text('customer_id').notNull(),
  status: text('status').notNull(),
  requestedAt: at('requested_at').notNull(),
  resolvedAt: at('resolved_at'),
  resolvedBy: text('resolved_by'),
  note: text('note'),
  seq: bigserial('seq', { mode: 'number' }).notNull(),
}, (t) => [
  uniqueIndex('decision_reviews_decision_idx').on(t.creditLineId, t.decisionId),
  index('decision_reviews_queue_idx').on(t.status, t.seq),
  check('decision_reviews_status_chk', sql`${t.status} IN ('REQUESTED','UPHELD','REVERSED')`),
]);

/**
 * One-time codes (API.md): only a keyed hash is kept, with the expiry and the tries left; one live
 * code per line and purpose (asking again replaces it). Never in workflow history or logs.
 */
export const oneTimeCodes = pgTable('one_time_codes', {
  creditLineId: text('credit_line_id').notNull(),
  /** `REINSTATEMENT` (lifting a risk suspension) or `CLOSURE`. */
  purpose: text('purpose').notNull(),
  codeHash: text('code_hash').notNull(),
  channel: text('channel').notNull().default('sms'),
  sentAt: at('sent_at').notNull(),
  expiresAt: at('expires_at').notNull(),
  attemptsLeft: integer('attempts_left').notNull(),
  verifiedAt: at('verified_at'),
}, (t) => [
  primaryKey({ columns: [t.creditLineId, t.purpose] }),
  check('one_time_codes_purpose_chk', sql`${t.purpose} IN ('REINSTATEMENT','CLOSURE')`),
  check('one_time_codes_attempts_chk', sql`${t.attemptsLeft} >= 0`),
]);

// ── Maker–checker (PRODUCT §10): staff requests that forgive money or override the model ──────────

/**
 * A staff request a second person must approve (a fee waiver, a hardship plan, a limit above the
 * model's, a write-off outside the ladder): written by the request's child workflow
 * (`credit-line-<lineId>/approval-<n>`) at each step; nothing changes on the line before approval.
 */
export const approvals = pgTable('approvals', {
  /** `<creditLineId>:approval:<n>`, scoped by the line (the child workflow's id says the same). */
  id: text('id').primaryKey(),
  creditLineId: text('credit_line_id').notNull(),
  kind: text('kind').notNull(),
  /** What is asked (amounts in fen, the plan, the limit) and why; never personal data. */
  request: jsonb('request').notNull(),
  makerId: text('maker_id').notNull(),
  status: text('status').notNull(),
  checkerId: text('checker_id'),
  checkerNote: text('checker_note'),
  requestedAt: at('requested_at').notNull(),
  expiresAt: at('expires_at').notNull(),
  decidedAt: at('decided_at'),
  /** The line's answer when applied (or why it could not be). */
  result: jsonb('result'),
  seq: bigserial('seq', { mode: 'number' }).notNull(),
}, (t) => [
  // The queue is read oldest first: by when requested, then by when written.
  index('approvals_queue_idx').on(t.status, t.requestedAt, t.seq),
  index('approvals_line_idx').on(t.creditLineId, t.requestedAt, t.seq),
  check('approvals_kind_chk', sql`${t.kind} IN ('FEE_WAIVER','HARDSHIP_PLAN','LIMIT_ABOVE_MODEL','WRITE_OFF')`),
  check('approvals_status_chk', sql`${t.status} IN ('PENDING','APPROVED','REJECTED','EXPIRED','FAILED')`),
  check('approvals_checker_chk', sql`${t.checkerId} IS NULL OR ${t.checkerId} <> ${t.makerId}`),
]);
