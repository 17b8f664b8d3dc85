import { LINE_STATUSES, SUSPENSION_REASONS } from '../domain/credit-line';
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

export const idParam = z.object({ id: z.string().min(1).max(100) });
