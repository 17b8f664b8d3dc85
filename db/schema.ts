import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, jsonb, pgTable, real, text, timestamp } from 'drizzle-orm/pg-core';

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
  createdAt: at('created_at').notNull().defaultNow(),
  updatedAt: at('updated_at').notNull().defaultNow(),
}, (t) => [
  index('applications_customer_idx').on(t.customerId),
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
  openedAt: at('opened_at'),
  closedAt: at('closed_at'),
  version: integer('version').notNull().default(0),
  updatedAt: at('updated_at').notNull().defaultNow(),
}, (t) => [
  index('credit_lines_customer_idx').on(t.customerId),
  index('credit_lines_status_idx').on(t.status, t.daysPastDue),
  check('credit_lines_limit_chk', sql`${t.limit} >= 0`),
]);
