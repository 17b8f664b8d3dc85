import { Router } from 'express';
import { messages } from '../../db/schema';
import type { ApiContext } from '../context';
import { z } from '../openapi';
import { problems } from '../problem';
import { inboxPage, markMessageRead } from '../read-models';
import { commonErrors, defineRoute } from '../route';
import { seqCursor } from '../schemas';

export const messageSchema = z.object({
  id: z.string(), creditLineId: z.string(), template: z.string(), text: z.string(), channel: z.literal('IN_APP'),
  createdAt: z.string(), readAt: z.string().nullable(),
}).openapi('Message');

type MessageRow = typeof messages.$inferSelect;
const toMessage = (m: MessageRow) => ({
  id: m.id, creditLineId: m.creditLineId, template: m.template, text: m.text, channel: 'IN_APP' as const,
  createdAt: new Date(m.createdAt).toISOString(), readAt: m.readAt ? new Date(m.readAt).toISOString() : null,
});

/** The customer's in-app inbox (API.md `Message`): written by the line with the event that caused each message. */
export function messageRoutes(ctx: ApiContext): Router {
  const router = Router();

  defineRoute(router, {
    method: 'get', path: '/v1/messages', summary: "The caller's in-app messages, newest first", tags: ['messages'], roles: ['customer'],
    query: z.object({ cursor: seqCursor.optional(), limit: z.coerce.number().int().min(1).max(100).default(20) }),
    responses: { 200: { description: 'A page', schema: z.object({ items: z.array(messageSchema), nextCursor: z.string().nullable() }) }, ...commonErrors },
  }, async ({ query, principal }) => {
    const page = await inboxPage(ctx.db, principal.subject, query);
    return { status: 200, body: { items: page.rows.map(toMessage), nextCursor: page.nextCursor } };
  });

  defineRoute(router, {
    method: 'post', path: '/v1/messages/:messageId/read', summary: 'Mark an in-app message read', tags: ['messages'], roles: ['customer'],
    params: z.object({ messageId: z.string().min(1).max(300).regex(/^[A-Za-z0-9_.:@-]+$/, 'a message id') }),
    responses: { 200: { description: 'The message, read', schema: messageSchema }, ...commonErrors },
  }, async ({ params, principal }) => {
    const read = await markMessageRead(ctx.db, principal.subject, params.messageId, await ctx.now());
    if (!read) throw problems.notFound(`message ${params.messageId}`);
    return { status: 200, body: toMessage(read) };
  });

  return router;
}

