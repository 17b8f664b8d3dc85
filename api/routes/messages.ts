import { and, desc, eq, lt } from 'drizzle-orm';
import { Router } from 'express';
import { messages } from '../../db/schema';
import type { ApiContext } from '../context';
import { z } from '../openapi';
import { problems } from '../problem';
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
    const rows = await ctx.db.select().from(messages)
      .where(and(eq(messages.customerId, principal.subject), eq(messages.channel, 'IN_APP'), query.cursor ? lt(messages.seq, Number(query.cursor)) : undefined))
      .orderBy(desc(messages.seq)).limit(query.limit + 1);
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return { status: 200, body: { items: page.map(toMessage), nextCursor: rows.length > query.limit && last ? String(last.seq) : null } };
  });

  defineRoute(router, {
    method: 'post', path: '/v1/messages/:messageId/read', summary: 'Mark an in-app message read', tags: ['messages'], roles: ['customer'],
    params: z.object({ messageId: z.string().min(1).max(300).regex(/^[A-Za-z0-9_.:@-]+$/, 'a message id') }),
    responses: { 200: { description: 'The message, read', schema: messageSchema }, ...commonErrors },
  }, async ({ params, principal }) => {
    // The first reading counts: marking again keeps the first moment.
    const mine = and(eq(messages.id, params.messageId), eq(messages.customerId, principal.subject), eq(messages.channel, 'IN_APP'));
    const [row] = await ctx.db.select().from(messages).where(mine);
    if (!row) throw problems.notFound(`message ${params.messageId}`);
    if (row.readAt) return { status: 200, body: toMessage(row) };
    const [read] = await ctx.db.update(messages).set({ readAt: (await ctx.now()).toISOString() }).where(mine).returning();
    return { status: 200, body: toMessage(read ?? row) };
  });

  return router;
}

