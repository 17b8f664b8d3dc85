/**
 * The customer managing their own line (PRODUCT §10, API.md): freezing and unfreezing it (the
 * suspension reason `CUSTOMER`, which only the customer sets and lifts: domain/line/suspension.ts) and
 * lowering their own limit (never below what the line uses, never above the limit granted to them:
 * domain/line/limit.ts). The line decides and audits each with the customer as its actor.
 */
import { Router } from 'express';
import { liftUpdate, limitUpdate, suspendUpdate } from '../../workflows/messages';
import type { Principal } from '../auth';
import type { ApiContext } from '../context';
import { lineGateway, rejection } from '../gateway';
import { z } from '../openapi';
import { Problem, problemSchema } from '../problem';
import { findCreditLineFor, toCreditLine } from '../read-models';
import { commonErrors, defineRoute } from '../route';
import { creditLineSchema, fenSchema, idParam } from '../schemas';

const problem = (description: string) => ({ description, schema: problemSchema });

export function selfServiceRoutes(ctx: ApiContext): Router {
  const router = Router();
  const lines = lineGateway(ctx);
  const customer = (principal: Principal) => ({ type: 'customer' as const, id: principal.subject });
  /** The line as it answered, re-read: the line writes its read model before it answers. */
  const lineAfter = async (principal: Principal, id: string) => ({ status: 200, body: toCreditLine(await findCreditLineFor(ctx.db, principal, id), await ctx.now()) });

  defineRoute(router, {
    method: 'post', path: '/v1/credit-lines/:id/freeze', summary: 'Freeze your own line: no purchases until you unfreeze it', tags: ['credit lines'],
    roles: ['customer'],
    params: idParam,
    responses: {
      200: { description: 'The line, SUSPENDED with the reason CUSTOMER (frozen again: the same)', schema: creditLineSchema },
      ...commonErrors,
      422: problem('LINE_NOT_ACTIVE: the line is not open (closing, closed, charged off)'),
      503: problem('COMMAND_PENDING: the line has not answered yet; look at the line before sending again'),
    },
  }, async ({ params, principal }) => {
    const row = await findCreditLineFor(ctx.db, principal, params.id);
    const answer = await lines.act(row.id, suspendUpdate, { reason: 'CUSTOMER' }, customer(principal));
    if (!answer.ok) throw rejection(answer.code, answer.message);
    return lineAfter(principal, row.id);
  });

  defineRoute(router, {
    method: 'delete', path: '/v1/credit-lines/:id/freeze', summary: 'Unfreeze your own line', tags: ['credit lines'],
    roles: ['customer'],
    params: idParam,
    responses: {
      200: { description: 'The line without the reason CUSTOMER: ACTIVE unless another reason holds', schema: creditLineSchema },
      ...commonErrors,
      409: problem('NOT_SUSPENDED_FOR_REASON: the line is not frozen'),
      422: problem('LINE_NOT_ACTIVE: the line is not open'),
      503: problem('COMMAND_PENDING: the line has not answered yet; look at the line before sending again'),
    },
  }, async ({ params, principal }) => {
    const row = await findCreditLineFor(ctx.db, principal, params.id);
    const answer = await lines.act(row.id, liftUpdate, { reasons: ['CUSTOMER'], via: 'CUSTOMER' }, customer(principal));
    if (!answer.ok) {
      throw answer.code === 'NOT_SUSPENDED_FOR_REASON' ? new Problem(409, answer.code, 'Not frozen', 'the line is not frozen') : rejection(answer.code, answer.message);
    }
    return lineAfter(principal, row.id);
  });

  defineRoute(router, {
    method: 'put', path: '/v1/credit-lines/:id/limit', summary: 'Lower your own limit (or raise it back, never above the limit granted)', tags: ['credit lines'],
    roles: ['customer'],
    params: idParam,
    body: z.object({ limit: fenSchema.min(1) }).strict(),
    responses: {
      200: { description: 'The line with its new limit', schema: creditLineSchema },
      ...commonErrors,
      422: problem('LIMIT_BELOW_BALANCE (below what the line uses), LIMIT_ABOVE_GRANTED (above the limit granted), LIMIT_ABOVE_MAXIMUM, LINE_NOT_ACTIVE'),
      503: problem('COMMAND_PENDING: the line has not answered yet; look at the line before sending again'),
    },
  }, async ({ params, body, principal }) => {
    const row = await findCreditLineFor(ctx.db, principal, params.id);
    const answer = await lines.act(row.id, limitUpdate, { limit: body.limit, via: 'CUSTOMER' }, customer(principal));
    if (!answer.ok) throw rejection(answer.code, answer.message);
    return lineAfter(principal, row.id);
  });

  return router;
}
