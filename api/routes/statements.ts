import { Router } from 'express';
import { installmentQuoteQuery, payoffQuery } from '../../workflows/messages';
import type { ApiContext } from '../context';
import { lineGateway, rejection } from '../gateway';
import { z } from '../openapi';
import { problems } from '../problem';
import { findCreditLineFor, statementsOf, statementWithLines, transactionsPage, type StatementRow, type TransactionRow } from '../read-models';
import { commonErrors, defineRoute } from '../route';
import { fenSchema, idParam, idSchema, seqCursor } from '../schemas';

const statementSchema = z.object({
  id: z.string(), periodStart: z.string(), periodEnd: z.string(), statementDate: z.string(), dueDate: z.string(),
  openingBalance: fenSchema, purchases: fenSchema, refunds: fenSchema, repayments: fenSchema, fees: fenSchema, penalties: fenSchema,
  closingBalance: fenSchema, amountDue: fenSchema, paidAmount: fenSchema,
  status: z.enum(['OPEN', 'PAID', 'INSTALLMENTS', 'OVERDUE', 'CHARGED_OFF']),
  lines: z.array(z.unknown()).optional(),
  installments: z.array(z.unknown()).optional(),
}).openapi('Statement');

const transactionSchema = z.object({ id: z.string(), kind: z.string(), amount: fenSchema, occurredAt: z.string(), details: z.record(z.string(), z.unknown()) }).openapi('Transaction');

const toStatement = ({ creditLineId: _l, version: _v, ...s }: StatementRow) => s;
const toTransaction = (t: TransactionRow) => ({ id: t.id, kind: t.kind, amount: t.amount, occurredAt: new Date(t.occurredAt).toISOString(), details: t.details as Record<string, unknown> });

export function statementRoutes(ctx: ApiContext): Router {
  const router = Router();
  const lines = lineGateway(ctx);

  defineRoute(router, {
    method: 'get', path: '/v1/credit-lines/:id/statements', summary: 'Statements, newest first', tags: ['statements'],
    params: idParam,
    responses: { 200: { description: 'Statements', schema: z.object({ items: z.array(statementSchema) }) }, ...commonErrors },
  }, async ({ params, principal }) => {
    const line = await findCreditLineFor(ctx.db, principal, params.id);
    return { status: 200, body: { items: (await statementsOf(ctx.db, line.id)).map(toStatement) } };
  });

  defineRoute(router, {
    method: 'get', path: '/v1/credit-lines/:id/statements/:statementId', summary: 'One statement with its lines', tags: ['statements'],
    params: idParam.extend({ statementId: idSchema }),
    responses: { 200: { description: 'The statement', schema: statementSchema }, ...commonErrors },
  }, async ({ params, principal }) => {
    const line = await findCreditLineFor(ctx.db, principal, params.id);
    const found = await statementWithLines(ctx.db, line.id, params.statementId);
    if (!found) throw problems.notFound(`statement ${params.statementId}`);
    const { statement, plan } = found;
    return {
      status: 200,
      body: {
        ...toStatement(statement),
        lines: found.lines.map(toTransaction),
        ...(plan.length > 0 ? { installments: plan.map(({ creditLineId: _l, version: _v, ...i }) => i) } : {}),
      },
    };
  });

  defineRoute(router, {
    method: 'get', path: '/v1/credit-lines/:id/statements/:statementId/installment-quote', summary: 'Fee, schedule and APR for splitting a statement', tags: ['statements'],
    params: idParam.extend({ statementId: idSchema }),
    query: z.object({ count: z.coerce.number().int().positive().default(3) }),
    responses: {
      200: { description: 'The quote', schema: z.object({ count: z.number().int(), principal: fenSchema, totalFee: fenSchema, apr: z.number(), schedule: z.array(z.object({ dueDate: z.string(), principal: fenSchema, fee: fenSchema })) }) },
      ...commonErrors, 422: { description: 'Cannot be split', schema: commonErrors[400].schema },
    },
  }, async ({ params, query, principal }) => {
    const line = await findCreditLineFor(ctx.db, principal, params.id);
    const at = (await ctx.now()).toISOString();
    const answer = await lines.query(line.id, installmentQuoteQuery, { statementId: params.statementId, count: query.count, at });
    if (!answer.ok) throw rejection(answer.code, answer.message, 'Cannot quote');
    return { status: 200, body: answer.quote };
  });

  defineRoute(router, {
    method: 'get', path: '/v1/credit-lines/:id/transactions', summary: 'Money movements, newest first', tags: ['statements'],
    params: idParam,
    query: z.object({ cursor: seqCursor.optional(), limit: z.coerce.number().int().min(1).max(100).default(20) }),
    responses: { 200: { description: 'A page', schema: z.object({ items: z.array(transactionSchema), nextCursor: z.string().nullable() }) }, ...commonErrors },
  }, async ({ params, query, principal }) => {
    const line = await findCreditLineFor(ctx.db, principal, params.id);
    const page = await transactionsPage(ctx.db, line.id, query);
    return { status: 200, body: { items: page.rows.map(toTransaction), nextCursor: page.nextCursor } };
  });

  defineRoute(router, {
    method: 'get', path: '/v1/credit-lines/:id/payoff-quote', summary: 'Everything needed to pay off today', tags: ['statements'],
    params: idParam,
    responses: { 200: { description: 'The quote', schema: z.object({ amount: fenSchema, breakdown: z.array(z.object({ bucket: z.string(), amount: fenSchema })), waivedFees: fenSchema }) }, ...commonErrors },
  }, async ({ params, principal }) => {
    const line = await findCreditLineFor(ctx.db, principal, params.id);
    const at = (await ctx.now()).toISOString();
    const quote = await lines.query(line.id, payoffQuery, { at });
    if (!quote) throw rejection('LINE_NOT_ACTIVE', 'the line is not open', 'No payoff');
    return { status: 200, body: { amount: quote.amount, breakdown: quote.breakdown, waivedFees: quote.waivedFees } };
  });

  return router;
}
