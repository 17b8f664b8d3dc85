import { and, desc, eq, gte, lt, lte, sql } from 'drizzle-orm';
import { Router } from 'express';
import { installments, statements, transactions } from '../../db/schema';
import { installmentQuoteQuery, payoffQuery, workflowIdFor } from '../../workflows/messages';
import type { ApiContext } from '../context';
import { z } from '../openapi';
import { Problem, problems } from '../problem';
import { findCreditLineFor } from '../read-models';
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

type StatementRow = typeof statements.$inferSelect;
const toStatement = ({ creditLineId: _l, version: _v, ...s }: StatementRow) => s;
type TransactionRow = typeof transactions.$inferSelect;
const toTransaction = (t: TransactionRow) => ({ id: t.id, kind: t.kind, amount: t.amount, occurredAt: new Date(t.occurredAt).toISOString(), details: t.details as Record<string, unknown> });

export function statementRoutes(ctx: ApiContext): Router {
  const router = Router();

  /** Details by query (the live line); a line whose worker is away answers 503, not a guess. */
  const queryLine = async <T>(creditLineId: string, run: (h: ReturnType<ApiContext['temporal']['workflow']['getHandle']>) => Promise<T>): Promise<T> => {
    try {
      return await run(ctx.temporal.workflow.getHandle(workflowIdFor(creditLineId)));
    } catch (err) {
      ctx.logger.warn({ err, creditLineId }, 'query failed');
      throw problems.unavailable('LINE_UNAVAILABLE', 'the credit line cannot answer right now; retry shortly', 2);
    }
  };

  defineRoute(router, {
    method: 'get', path: '/v1/credit-lines/:id/statements', summary: 'Statements, newest first', tags: ['statements'],
    params: idParam,
    responses: { 200: { description: 'Statements', schema: z.object({ items: z.array(statementSchema) }) }, ...commonErrors },
  }, async ({ params, principal }) => {
    const line = await findCreditLineFor(ctx.db, principal, params.id);
    const rows = await ctx.db.select().from(statements).where(eq(statements.creditLineId, line.id)).orderBy(desc(statements.statementDate));
    return { status: 200, body: { items: rows.map(toStatement) } };
  });

  defineRoute(router, {
    method: 'get', path: '/v1/credit-lines/:id/statements/:statementId', summary: 'One statement with its lines', tags: ['statements'],
    params: idParam.extend({ statementId: idSchema }),
    responses: { 200: { description: 'The statement', schema: statementSchema }, ...commonErrors },
  }, async ({ params, principal }) => {
    const line = await findCreditLineFor(ctx.db, principal, params.id);
    const [row] = await ctx.db.select().from(statements).where(and(eq(statements.creditLineId, line.id), eq(statements.id, params.statementId)));
    if (!row) throw problems.notFound(`statement ${params.statementId}`);
    // The cycle's movements: from the start of periodStart to the end of periodEnd, Shanghai time.
    const lines = await ctx.db.select().from(transactions).where(and(
      eq(transactions.creditLineId, line.id),
      gte(transactions.occurredAt, `${row.periodStart}T00:00:00+08:00`),
      lt(transactions.occurredAt, sql`(${row.periodEnd}::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'`),
    )).orderBy(transactions.seq);
    const plan = await ctx.db.select().from(installments).where(and(eq(installments.creditLineId, line.id), eq(installments.statementId, row.id))).orderBy(installments.seq);
    return {
      status: 200,
      body: {
        ...toStatement(row),
        lines: lines.map(toTransaction),
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
    const answer = await queryLine(line.id, (h) => h.query(installmentQuoteQuery, { statementId: params.statementId, count: query.count, at }));
    if (!answer.ok) throw new Problem(answer.code === 'STATEMENT_NOT_FOUND' ? 404 : 422, answer.code, 'Cannot quote', answer.message);
    return { status: 200, body: answer.quote };
  });

  defineRoute(router, {
    method: 'get', path: '/v1/credit-lines/:id/transactions', summary: 'Money movements, newest first', tags: ['statements'],
    params: idParam,
    query: z.object({ cursor: seqCursor.optional(), limit: z.coerce.number().int().min(1).max(100).default(20) }),
    responses: { 200: { description: 'A page', schema: z.object({ items: z.array(transactionSchema), nextCursor: z.string().nullable() }) }, ...commonErrors },
  }, async ({ params, query, principal }) => {
    const line = await findCreditLineFor(ctx.db, principal, params.id);
    const rows = await ctx.db.select().from(transactions)
      .where(and(eq(transactions.creditLineId, line.id), query.cursor ? lte(transactions.seq, Number(query.cursor) - 1) : undefined))
      .orderBy(desc(transactions.seq)).limit(query.limit + 1);
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return { status: 200, body: { items: page.map(toTransaction), nextCursor: rows.length > query.limit && last ? String(last.seq) : null } };
  });

  defineRoute(router, {
    method: 'get', path: '/v1/credit-lines/:id/payoff-quote', summary: 'Everything needed to pay off today', tags: ['statements'],
    params: idParam,
    responses: { 200: { description: 'The quote', schema: z.object({ amount: fenSchema, breakdown: z.array(z.object({ bucket: z.string(), amount: fenSchema })), waivedFees: fenSchema }) }, ...commonErrors },
  }, async ({ params, principal }) => {
    const line = await findCreditLineFor(ctx.db, principal, params.id);
    const at = (await ctx.now()).toISOString();
    const quote = await queryLine(line.id, (h) => h.query(payoffQuery, { at }));
    if (!quote) throw new Problem(422, 'LINE_NOT_ACTIVE', 'No payoff', 'the line is not open');
    return { status: 200, body: { amount: quote.amount, breakdown: quote.breakdown, waivedFees: quote.waivedFees } };
  });

  return router;
}
