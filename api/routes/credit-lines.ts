import { Router } from 'express';
import type { ApiContext } from '../context';
import { z } from '../openapi';
import { creditLinesOfCustomer, findCreditLineFor, toCreditLine } from '../read-models';
import { commonErrors, defineRoute } from '../route';
import { creditLineSchema, idParam } from '../schemas';

export function creditLineRoutes(ctx: ApiContext): Router {
  const router = Router();

  defineRoute(router, {
    method: 'get', path: '/v1/credit-lines', summary: "The caller's credit lines", tags: ['credit lines'],
    roles: ['customer'],
    responses: { 200: { description: 'Lines', schema: z.object({ items: z.array(creditLineSchema) }) }, ...commonErrors },
  }, async ({ principal }) => {
    const [rows, now] = await Promise.all([creditLinesOfCustomer(ctx.db, principal.subject), ctx.now()]);
    return { status: 200, body: { items: rows.map((row) => toCreditLine(row, now)) } };
  });

  defineRoute(router, {
    method: 'get', path: '/v1/credit-lines/:id', summary: 'One credit line', tags: ['credit lines'],
    params: idParam,
    responses: { 200: { description: 'The line', schema: creditLineSchema }, ...commonErrors },
  }, async ({ params, principal }) => {
    const [row, now] = await Promise.all([findCreditLineFor(ctx.db, principal, params.id), ctx.now()]);
    return { status: 200, body: toCreditLine(row, now) };
  });

  return router;
}
