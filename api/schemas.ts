import { z } from './openapi';

/** Shared response shapes (API.md), one definition each. */
export const fenSchema = z.number().int().openapi({ description: 'Money in integer fen (12345 = 123.45 yuan)', example: 12345 });

export const creditLineStatusSchema = z.enum(['UNDERWRITING', 'ACTIVE', 'SUSPENDED', 'CLOSING', 'CLOSED', 'DECLINED', 'CHARGED_OFF']);

export const creditLineSchema = z.object({
  id: z.string(),
  customerId: z.string(),
  productId: z.string(),
  status: creditLineStatusSchema,
  suspensionReasons: z.array(z.enum(['OVERDUE', 'RISK_LOGIN', 'RISK_VELOCITY', 'STAFF', 'CUSTOMER'])),
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
