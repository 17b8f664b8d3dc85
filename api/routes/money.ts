import { Router, type Request } from 'express';
import { WATERFALL_ORDER } from '../../domain/waterfall';
import { conversionUpdate, purchaseUpdate, refundUpdate, repaymentUpdate } from '../../workflows/messages';
import { actorOf, principalOf } from '../auth';
import type { ApiContext } from '../context';
import { lineGateway, type PendingCode } from '../gateway';
import { z } from '../openapi';
import { findCreditLineFor } from '../read-models';
import { commonErrors, defineRoute } from '../route';
import { fenSchema, freeText, idempotencyKeyHeader, idParam, idSchema } from '../schemas';

const refused = { description: 'Declined or refused; `code` says why (for purchases: the decline reason)', schema: commonErrors[400].schema };
const pending = { description: 'Not decided within 2 seconds; retry with the same Idempotency-Key (Retry-After)', schema: commonErrors[400].schema };
const allocationSchema = z.array(z.object({ bucket: z.enum([...WATERFALL_ORDER, 'CREDIT_BALANCE']), amount: fenSchema }));
export const installmentPlanSchema = z.object({
  planId: z.string(), statementId: z.string(), count: z.number().int(), principal: fenSchema, totalFee: fenSchema,
  apr: z.number().openapi({ description: 'Annualized rate in percent, two decimals (IRR of the schedule from the conversion day)' }),
  convertedOn: z.string(),
  schedule: z.array(z.object({ seq: z.number().int(), dueDate: z.string(), principal: fenSchema, fee: fenSchema })),
}).openapi('InstallmentPlan');

/** Commands that move money: every one carries an Idempotency-Key and is decided by the line's workflow. */
export function moneyRoutes(ctx: ApiContext): Router {
  const router = Router();
  const actors: ('customer' | 'admin')[] = ['customer', 'admin'];
  const lines = lineGateway(ctx);
  /** The command's key and fingerprint from the request, as the gateway wants them. */
  const keyed = (req: Request, headers: { 'idempotency-key': string }, pending: PendingCode = 'COMMAND_PENDING') =>
    ({ idempotencyKey: headers['idempotency-key'], path: req.baseUrl + req.path, pending, actor: actorOf(principalOf(req)) });

  defineRoute(router, {
    method: 'post', path: '/v1/credit-lines/:id/purchases', summary: 'Authorize a purchase', tags: ['money'], roles: actors,
    params: idParam, headers: idempotencyKeyHeader,
    body: z.object({ merchantId: idSchema, amount: fenSchema.positive(), description: freeText().optional() }).strict(),
    responses: {
      201: { description: 'Approved', schema: z.object({ purchaseId: z.string(), status: z.literal('APPROVED'), amount: fenSchema, available: fenSchema }) },
      ...commonErrors, 422: refused, 503: pending,
    },
  }, async ({ params, body, headers, principal, req }) => {
    const line = await findCreditLineFor(ctx.db, principal, params.id);
    return lines.command(line.id, purchaseUpdate, { merchantId: body.merchantId, amount: body.amount, ...(body.description ? { description: body.description } : {}) }, keyed(req, headers, 'AUTHORIZATION_PENDING'));
  });

  defineRoute(router, {
    method: 'post', path: '/v1/credit-lines/:id/purchases/:purchaseId/refunds', summary: 'Refund all or part of a purchase', tags: ['money'], roles: actors,
    params: idParam.extend({ purchaseId: idSchema }), headers: idempotencyKeyHeader,
    body: z.object({ amount: fenSchema.positive() }).strict(),
    responses: {
      201: { description: 'Refunded', schema: z.object({ refundId: z.string(), purchaseId: z.string(), amount: fenSchema, available: fenSchema }) },
      ...commonErrors, 422: refused, 503: pending,
    },
  }, async ({ params, body, headers, principal, req }) => {
    const line = await findCreditLineFor(ctx.db, principal, params.id);
    return lines.command(line.id, refundUpdate, { purchaseId: params.purchaseId, amount: body.amount }, keyed(req, headers));
  });

  defineRoute(router, {
    method: 'post', path: '/v1/credit-lines/:id/repayments', summary: 'Repay', tags: ['money'], roles: actors,
    params: idParam, headers: idempotencyKeyHeader,
    body: z.object({ amount: fenSchema.positive() }).strict(),
    responses: {
      201: { description: 'Allocated by the repayment waterfall', schema: z.object({ repaymentId: z.string(), amount: fenSchema, allocation: allocationSchema, balance: fenSchema }) },
      ...commonErrors, 422: refused, 503: pending,
    },
  }, async ({ params, body, headers, principal, req }) => {
    const line = await findCreditLineFor(ctx.db, principal, params.id);
    return lines.command(line.id, repaymentUpdate, { amount: body.amount }, keyed(req, headers));
  });

  defineRoute(router, {
    method: 'post', path: '/v1/credit-lines/:id/statements/:statementId/installments', summary: 'Split a statement into installments', tags: ['money'], roles: actors,
    params: idParam.extend({ statementId: idSchema }), headers: idempotencyKeyHeader,
    body: z.object({ count: z.number().int().positive() }).strict(),
    responses: { 201: { description: 'The plan', schema: installmentPlanSchema }, ...commonErrors, 422: refused, 503: pending },
  }, async ({ params, body, headers, principal, req }) => {
    const line = await findCreditLineFor(ctx.db, principal, params.id);
    return lines.command(line.id, conversionUpdate, { statementId: params.statementId, count: body.count }, keyed(req, headers));
  });

  return router;
}
