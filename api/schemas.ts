import { LINE_STATUSES, SUSPENSION_REASONS } from '../domain/line';
import { FREE_TEXT_MAX_CHARACTERS, freeTextProblem } from '../domain/free-text';
import { z } from './openapi';

/** Shared response shapes (API.md), one definition each. */
export const fenSchema = z.number().int().openapi({ description: 'Money in integer fen (12345 = 123.45 yuan)', example: 12345 });

/** Before approval, then the open line's own statuses (one list, in the domain). */
export const creditLineStatusSchema = z.enum(['UNDERWRITING', 'DECLINED', ...LINE_STATUSES]);

export const creditLineSchema = z.object({
  id: z.string(),
  customerId: z.string(),
  productId: z.string(),
  status: creditLineStatusSchema,
  suspensionReasons: z.array(z.enum(SUSPENSION_REASONS)),
  limit: fenSchema,
  available: fenSchema,
  balance: fenSchema,
  statementDay: z.number().int().min(1).max(28),
  nextStatementDate: z.string().nullable(),
  currentDue: z.object({ statementId: z.string(), amount: fenSchema, dueDate: z.string() }).nullable(),
  daysPastDue: z.number().int(),
  openedAt: z.string().nullable(),
  closedAt: z.string().nullable(),
}).openapi('CreditLine');

/**
 * An id in a path or query: the ids Revolve makes (`cl_…`, `app_…`, `p_…`, `S-2027-01-03`) and the
 * platform's own (customers, merchants) are short and printable; anything else cannot name anything.
 */
export const idSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,99}$/, 'an id of 1 to 100 letters, digits and _ . : @ -');
export const idParam = z.object({ id: idSchema });

/** Free text (API.md): at most 500 characters of well-formed Unicode without control characters. */
export const freeText = () => z.string().superRefine((text, ctx) => {
  const problem = freeTextProblem(text);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
}).openapi({ description: `At most ${FREE_TEXT_MAX_CHARACTERS} characters of well-formed Unicode, no control characters`, maxLength: FREE_TEXT_MAX_CHARACTERS });

/** A page cursor that is a position in a sequence: a positive safe integer, as digits. */
export const seqCursor = z.string().refine((c) => /^[1-9][0-9]{0,15}$/.test(c) && Number.isSafeInteger(Number(c)), 'a cursor from a previous page');

/** 1–200 printable ASCII characters: a key is stored and echoed, so it must be plain text. */
export const IDEMPOTENCY_KEY = /^[\x20-\x7e]{1,200}$/;
const IDEMPOTENCY_KEY_MESSAGE = 'an Idempotency-Key header of 1 to 200 printable ASCII characters is required';

/** The header every POST that moves money carries (API.md); Node gives header names in lower case. */
export const idempotencyKeyHeader = z.object({
  'idempotency-key': z.string({ error: IDEMPOTENCY_KEY_MESSAGE }).regex(IDEMPOTENCY_KEY, IDEMPOTENCY_KEY_MESSAGE)
    .openapi({ description: 'Required on every POST that moves money (1–200 printable ASCII characters); same key + same body = same answer, money moved once' }),
});

/** A risk rule's hit (API.md `RiskEvent`): the figures that crossed the threshold, never personal data. */
export const riskEventSchema = z.object({
  id: z.string(),
  creditLineId: z.string(),
  customerId: z.string(),
  rule: z.string().openapi({ description: "The rule's id in the product configuration" }),
  shadow: z.boolean().openapi({ description: 'A rule in shadow mode records its hit and acts on nothing (action NONE)' }),
  figures: z.record(z.string(), z.unknown()).openapi({ description: 'The numbers that crossed the threshold' }),
  action: z.enum(['NONE', 'DECLINE', 'SUSPEND']),
  occurredAt: z.string(),
}).openapi('RiskEvent');
