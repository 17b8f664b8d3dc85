import { Router } from 'express';
import { compareDays, isDay, localDay } from '../../domain/calendar';
import type { ApiContext } from '../context';
import { z } from '../openapi';
import { Problem, problems } from '../problem';
import { addCollectionNote, collectionQueue } from '../read-models';
import { commonErrors, defineRoute } from '../route';
import { fenSchema, freeText, seqCursor } from '../schemas';

const STAFF: ('support' | 'admin')[] = ['support', 'admin'];
const staffErrors = { ...commonErrors, 403: { description: 'Not staff', schema: commonErrors[400].schema } };

/** `<creditLineId>:case:<dueDate>`: longer than the 100 characters `idSchema` allows, same alphabet. */
const caseIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,199}$/, 'a case id of 1 to 200 letters, digits and _ . : @ -');
const daySchema = z.string().refine(isDay, 'a date YYYY-MM-DD').openapi({ example: '2027-03-01' });

const noteSchema = z.object({
  type: z.literal('NOTE'), id: z.string(), kind: z.enum(['CONTACT', 'PROMISE_TO_PAY']), note: z.string(), staffId: z.string(),
  promisedAmount: fenSchema.nullable(), promisedDate: z.string().nullable(), at: z.string(),
}).openapi('CollectionNote');

const contactSchema = z.union([
  noteSchema,
  z.object({
    type: z.literal('MESSAGE'), id: z.string(), channel: z.enum(['SMS', 'IN_APP']), kind: z.string(), template: z.string(),
    text: z.string().nullable().openapi({ description: 'As the customer read it; null for a one-time code' }),
    status: z.string(), sendAt: z.string(), deliveredAt: z.string().nullable(), at: z.string(),
  }),
]);

const collectionCaseSchema = z.object({
  caseId: z.string(), creditLineId: z.string(), customerId: z.string(), status: z.enum(['OPEN', 'CLOSED']),
  openedAt: z.string(), openedDpd: z.number().int(),
  dueDate: z.string().openapi({ description: 'The oldest unpaid due date when the case opened' }),
  daysPastDue: z.number().int().openapi({ description: 'As of the request: today (Asia/Shanghai) − dueDate' }),
  amounts: z.object({ overduePrincipal: fenSchema, penalties: fenSchema, fees: fenSchema, total: fenSchema }),
  contacts: z.array(contactSchema).openapi({ description: "The line's SMS and in-app messages (newest 20, no phone) and the case's notes, newest first" }),
  statements: z.array(z.object({ id: z.string(), statementDate: z.string(), dueDate: z.string(), amountDue: fenSchema, paidAmount: fenSchema, status: z.string() })),
}).openapi('CollectionCase');

const noteBody = z.object({
  kind: z.enum(['CONTACT', 'PROMISE_TO_PAY']),
  note: freeText().min(1),
  promisedAmount: fenSchema.positive().optional(),
  promisedDate: daySchema.optional(),
}).strict().superRefine((body, ctx) => {
  const promise = body.kind === 'PROMISE_TO_PAY';
  for (const field of ['promisedAmount', 'promisedDate'] as const) {
    if (promise && body[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: 'required for a promise to pay' });
    if (!promise && body[field] !== undefined) ctx.addIssue({ code: 'custom', path: [field], message: 'only with a promise to pay' });
  }
});

/** The collections queue (PRODUCT §7): open cases for staff, and the contacts and promises they record. */
export function collectionRoutes(ctx: ApiContext): Router {
  const router = Router();

  defineRoute(router, {
    method: 'get', path: '/v1/support/collections', summary: 'The collections queue: open cases (DPD ≥ 15), oldest first', tags: ['support'], roles: STAFF,
    query: z.object({ cursor: seqCursor.optional(), limit: z.coerce.number().int().min(1).max(100).default(20) }),
    responses: { 200: { description: 'A page of open cases', schema: z.object({ items: z.array(collectionCaseSchema), nextCursor: z.string().nullable() }) }, ...staffErrors },
  }, async ({ query }) => {
    const today = localDay((await ctx.now()).toISOString());
    const page = await collectionQueue(ctx.db, { ...query, today });
    return { status: 200, body: page };
  });

  defineRoute(router, {
    method: 'post', path: '/v1/support/collections/:caseId/notes', summary: 'Record a contact or a promise to pay on a case', tags: ['support'], roles: STAFF,
    params: z.object({ caseId: caseIdSchema }),
    body: noteBody,
    responses: {
      201: { description: 'The note, recorded with its audit row', schema: noteSchema.extend({ caseId: z.string() }) },
      ...staffErrors,
      409: { description: 'The case is closed (`CASE_CLOSED`)', schema: commonErrors[400].schema },
    },
  }, async ({ params, body, principal }) => {
    const now = await ctx.now();
    if (body.promisedDate !== undefined && compareDays(body.promisedDate, localDay(now.toISOString())) < 0) {
      throw problems.validation([{ field: 'promisedDate', message: 'must not be before today' }]);
    }
    const result = await addCollectionNote(ctx.db, { ...body, caseId: params.caseId, staffId: principal.subject, now });
    if (result.outcome === 'NOT_FOUND') throw problems.notFound(`collection case ${params.caseId}`);
    if (result.outcome === 'CLOSED') throw new Problem(409, 'CASE_CLOSED', 'The case is closed', `case ${params.caseId} closed (${result.case.closeReason ?? 'no reason'})`);
    return { status: 201, body: { caseId: params.caseId, ...result.note } };
  });

  return router;
}
