import { Router } from 'express';
import { decideApplicationUpdate, liftUpdate, suspendUpdate } from '../../workflows/messages';
import { SUSPENSION_REASONS } from '../../domain/line';
import { localDay } from '../../domain/calendar';
import { STANDARD_PRODUCT } from '../../domain/product';
import type { Principal } from '../auth';
import type { ApiContext } from '../context';
import { lineGateway, rejection, type Refusal } from '../gateway';
import { z } from '../openapi';
import { Problem } from '../problem';
import { findApplicationFor, findCreditLineFor, lineRecord, searchCreditLines, toCreditLine } from '../read-models';
import { commonErrors, defineRoute } from '../route';
import { creditLineSchema, creditLineStatusSchema, fenSchema, freeText, idParam, idSchema, riskEventSchema } from '../schemas';

const STAFF: ('support' | 'admin')[] = ['support', 'admin'];
const staffErrors = { ...commonErrors, 403: { description: 'Not staff', schema: commonErrors[400].schema } };

const encodeCursor = (id: string) => Buffer.from(id, 'utf8').toString('base64url');
const decodeCursor = (cursor: string) => Buffer.from(cursor, 'base64url').toString('utf8');

const NOT_IN_REVIEW: Refusal = { status: 409, code: 'APPLICATION_NOT_IN_REVIEW', title: 'Not in manual review' };

/** Suspension refusals about the line's reasons are a conflict with its state (409), not bad input; the rest as the line said. */
const SUSPENSION_CONFLICTS = ['NOT_SUSPENDED_FOR_REASON', 'REASON_NOT_LIFTABLE'];
const suspensionRefused = (answer: { code: string; message: string }): Problem => (SUSPENSION_CONFLICTS.includes(answer.code)
  ? new Problem(409, answer.code, 'Suspension conflict', answer.message)
  : rejection(answer.code, answer.message));

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
        description: 'The line, its underwriting decision, its audit trail (newest first), the messages it sent (SMS with the phone masked, with their delivery attempts), the events the database refused and its risk events (the last 100, newest first)',
        schema: creditLineSchema.extend({ underwriting: z.unknown(), audit: z.array(z.unknown()), messages: z.array(z.unknown()), rejectedEvents: z.array(z.unknown()), riskEvents: z.array(riskEventSchema), cases: z.array(z.unknown()), pendingApprovals: z.array(z.unknown()) }),
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

  // ── Staff suspension (PRODUCT §2, §8): the line decides and audits (the actor and the note travel with the command) ──

  const suspensionErrors = {
    ...staffErrors,
    409: { description: 'The line is not suspended for that reason (`NOT_SUSPENDED_FOR_REASON`), or staff cannot lift it (`REASON_NOT_LIFTABLE`)', schema: commonErrors[400].schema },
    422: { description: 'The line is not open (`LINE_NOT_ACTIVE`)', schema: commonErrors[400].schema },
    503: { description: 'The line has not answered yet (`COMMAND_PENDING`): look at the line before sending again', schema: commonErrors[400].schema },
  };

  /** The line as it answered, re-read: the line writes its read model before it answers. */
  const lineAfter = async (principal: Principal, id: string) => ({ status: 200, body: toCreditLine(await findCreditLineFor(ctx.db, principal, id), await ctx.now()) });

  /** A line that is not open yet (or never will be) has no suspension to change; its workflow takes no such command. */
  const requireOpened = (line: Awaited<ReturnType<typeof findCreditLineFor>>) => {
    if (line.status === 'UNDERWRITING' || line.status === 'DECLINED') throw rejection('LINE_NOT_ACTIVE', `the line is ${line.status.toLowerCase()}`);
  };

  defineRoute(router, {
    method: 'post', path: '/v1/support/credit-lines/:id/suspension', summary: 'Suspend a line (staff)', tags: ['support'], roles: STAFF,
    params: idParam,
    body: z.object({
      reason: z.enum(['STAFF', 'RISK_LOGIN', 'RISK_VELOCITY']).default('STAFF').openapi({ description: 'The suspension reason (STAFF unless a risk finding is recorded by hand)' }),
      note: freeText().min(1),
    }).strict(),
    responses: { 200: { description: 'The line, suspended', schema: creditLineSchema }, ...suspensionErrors },
  }, async ({ params, body, principal }) => {
    const line = await findCreditLineFor(ctx.db, principal, params.id);
    requireOpened(line);
    const answer = await lines.act(line.id, suspendUpdate, { reason: body.reason, note: body.note }, { type: 'staff', id: principal.subject });
    if (!answer.ok) throw suspensionRefused(answer);
    return lineAfter(principal, line.id);
  });

  defineRoute(router, {
    method: 'delete', path: '/v1/support/credit-lines/:id/suspension', summary: 'Lift one suspension reason after review (staff)', tags: ['support'], roles: STAFF,
    params: idParam,
    query: z.object({ reason: z.enum(SUSPENSION_REASONS) }),
    body: z.object({ note: freeText().min(1) }).strict(),
    responses: { 200: { description: 'The line, ACTIVE again when no other reason is held', schema: creditLineSchema }, ...suspensionErrors },
  }, async ({ params, query, body, principal }) => {
    const line = await findCreditLineFor(ctx.db, principal, params.id);
    requireOpened(line);
    const answer = await lines.act(line.id, liftUpdate, { reasons: [query.reason], via: 'STAFF', note: body.note }, { type: 'staff', id: principal.subject });
    if (!answer.ok) throw suspensionRefused(answer);
    return lineAfter(principal, line.id);
  });

  return router;
}
