import { Router } from 'express';
import { decideApplicationUpdate } from '../../workflows/messages';
import { localDay } from '../../domain/calendar';
import { STANDARD_PRODUCT } from '../../domain/product';
import type { ApiContext } from '../context';
import { lineGateway, type Refusal } from '../gateway';
import { z } from '../openapi';
import { Problem } from '../problem';
import { findApplicationFor, findCreditLineFor, lineRecord, searchCreditLines, toCreditLine } from '../read-models';
import { commonErrors, defineRoute } from '../route';
import { creditLineSchema, creditLineStatusSchema, fenSchema, freeText, idParam, idSchema } from '../schemas';

const STAFF: ('support' | 'admin')[] = ['support', 'admin'];
const staffErrors = { ...commonErrors, 403: { description: 'Not staff', schema: commonErrors[400].schema } };

const encodeCursor = (id: string) => Buffer.from(id, 'utf8').toString('base64url');
const decodeCursor = (cursor: string) => Buffer.from(cursor, 'base64url').toString('utf8');

const NOT_IN_REVIEW: Refusal = { status: 409, code: 'APPLICATION_NOT_IN_REVIEW', title: 'Not in manual review' };

export function supportRoutes(ctx: ApiContext): Router {
  const router = Router();
  const lines = lineGateway(ctx);

  defineRoute(router, {
    method: 'get', path: '/v1/support/credit-lines', summary: 'Find credit lines', tags: ['support'], roles: STAFF,
    query: z.object({
      status: creditLineStatusSchema.optional(),
      minDaysPastDue: z.coerce.number().int().min(0).optional(),
      customerId: idSchema.optional(),
      cursor: z.string().max(200).transform((cursor, ctx) => {
        const id = decodeCursor(cursor);
        if (idSchema.safeParse(id).success) return id;
        ctx.addIssue({ code: 'custom', message: 'a cursor from a previous page' });
        return z.NEVER;
      }).optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
    responses: { 200: { description: 'Lines', schema: z.object({ items: z.array(creditLineSchema), nextCursor: z.string().nullable() }) }, ...staffErrors },
  }, async ({ query }) => {
    const now = await ctx.now();
    const rows = await searchCreditLines(ctx.db, { ...query, after: query.cursor, limit: query.limit + 1, today: localDay(now.toISOString()) });
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    const items = page.map((row) => toCreditLine(row, now)).filter((line) => line.daysPastDue >= (query.minDaysPastDue ?? 0));
    return { status: 200, body: { items, nextCursor: rows.length > query.limit && last ? encodeCursor(last.id) : null } };
  });

  defineRoute(router, {
    method: 'get', path: '/v1/support/credit-lines/:id', summary: 'A line with its underwriting decision, audit trail and messages', tags: ['support'], roles: STAFF,
    params: idParam,
    responses: {
      200: {
        description: 'The line, its underwriting decision, its audit trail (newest first), the messages it sent (SMS with the phone masked, with their delivery attempts) and the events the database refused',
        schema: creditLineSchema.extend({ underwriting: z.unknown(), audit: z.array(z.unknown()), messages: z.array(z.unknown()), rejectedEvents: z.array(z.unknown()) }),
      },
      ...staffErrors,
    },
  }, async ({ params, principal }) => {
    const line = await findCreditLineFor(ctx.db, principal, params.id);
    const { application, decision } = await findApplicationFor(ctx.db, principal, line.applicationId);
    const record = await lineRecord(ctx.db, line.id, application.phone);
    return { status: 200, body: { ...toCreditLine(line, await ctx.now()), underwriting: decision, ...record } };
  });

  defineRoute(router, {
    method: 'post', path: '/v1/support/applications/:applicationId/decision', summary: 'Decide an application in manual review', tags: ['support'], roles: STAFF,
    params: z.object({ applicationId: idSchema }),
    body: z.object({
      approve: z.boolean(),
      // Within the product's bounds; a limit above the model's needs a second person (a later issue).
      limit: fenSchema.min(STANDARD_PRODUCT.underwriting.minLimit).max(STANDARD_PRODUCT.underwriting.maxLimit).optional(),
      note: freeText().min(1),
    }).strict(),
    responses: {
      200: { description: 'Decided', schema: z.object({ status: z.enum(['APPROVED', 'DECLINED']) }) },
      ...staffErrors,
      409: { description: 'Not waiting for a manual review', schema: commonErrors[400].schema },
    },
  }, async ({ params, body, principal }) => {
    const { application } = await findApplicationFor(ctx.db, principal, params.applicationId);
    if (application.status !== 'MANUAL_REVIEW') throw new Problem(NOT_IN_REVIEW.status, NOT_IN_REVIEW.code, NOT_IN_REVIEW.title, `application ${application.id} is ${application.status}`);
    // The line refuses a decision it is not waiting for: that refusal is 409 too.
    const result = await lines.staffCommand(application.creditLineId, decideApplicationUpdate, { ...body, staffId: principal.subject }, { refused: NOT_IN_REVIEW });
    return { status: 200, body: result };
  });

  return router;
}
