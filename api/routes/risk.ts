/**
 * Risk monitoring over HTTP (PRODUCT §8): the platform reports each login, the login rules are
 * evaluated on it, their hits are stored as risk events and an enforced hit suspends the customer's
 * line `RISK_LOGIN` through its workflow; staff read the alerts of every line.
 *
 * A login report is idempotent end to end, so the platform can simply retry it (after a 503 from a
 * line that could not answer, say): the login is stored once (its unique key), each hit once (its id
 * is the line's, the login's and the rule's), and suspending for a reason already held changes nothing.
 * The device, IP and city stay in `login_events`: risk events, the workflow and the logs see ids and figures.
 */
import { isIP } from 'node:net';
import { Router } from 'express';
import { STANDARD_PRODUCT } from '../../domain/product';
import { loginLookbackMs, loginRuleHits } from '../../domain/risk/login';
import { suspendUpdate } from '../../workflows/messages';
import type { ApiContext } from '../context';
import { lineGateway } from '../gateway';
import { z } from '../openapi';
import { Problem, problems } from '../problem';
import { loginsOfCustomer, openLineOfCustomer, recordLogin, recordRiskEvents, riskEventsPage, toRiskEvent, type RiskEventInput } from '../risk-records';
import { commonErrors, defineRoute } from '../route';
import { freeText, idSchema, riskEventSchema } from '../schemas';

const STAFF: ('support' | 'admin')[] = ['support', 'admin'];
const forbidden = { description: 'Not allowed for this role', schema: commonErrors[400].schema };

/** How far ahead of our clock a platform's login may be dated (clocks drift); later is a bad report. */
const CLOCK_SKEW_MS = 5 * 60_000;
/** An ISO-8601 instant with its offset (`Z` or `±hh:mm`). */
const instantSchema = z.iso.datetime({ offset: true }).openapi({ example: '2027-03-10T12:00:00+08:00' });

const loginEventBody = z.object({
  customerId: idSchema,
  deviceId: idSchema.openapi({ description: "The platform's id of the device" }),
  ip: z.string().max(100).refine((ip) => isIP(ip) !== 0, 'a valid IPv4 or IPv6 address').openapi({ description: 'An IPv4 or IPv6 address' }),
  city: freeText().min(1).max(100).openapi({ description: 'The city of the login as the platform names it: free text, at most 100 characters', maxLength: 100 }),
  success: z.boolean(),
  occurredAt: instantSchema,
}).strict();

/** The alerts' page cursor: the last event's position, opaque to the client. */
const encodeCursor = (seq: number) => Buffer.from(`risk:${seq}`, 'utf8').toString('base64url');
const cursorSchema = z.string().max(64).transform((cursor, ctx) => {
  const seq = /^risk:([1-9][0-9]{0,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'))?.[1];
  if (seq && Number.isSafeInteger(Number(seq))) return Number(seq);
  ctx.addIssue({ code: 'custom', message: 'a cursor from a previous page' });
  return z.NEVER;
});

export function riskRoutes(ctx: ApiContext): Router {
  const router = Router();
  const lines = lineGateway(ctx);
  // One product today (as the worker's); a line of another product would read its own rules here.
  const rules = STANDARD_PRODUCT.risk.rules;

  defineRoute(router, {
    method: 'post', path: '/v1/risk/login-events', summary: 'A login on the platform: evaluated by the login rules', tags: ['risk'], roles: ['admin'],
    body: loginEventBody,
    responses: {
      202: { description: "The rules' hits on the customer's open line (empty when none hit or the customer has no open line)", schema: z.object({ riskEvents: z.array(riskEventSchema) }) },
      ...commonErrors,
      403: forbidden,
      503: { description: 'The line could not answer: retry the same login (it is recorded once)', schema: commonErrors[400].schema },
    },
  }, async ({ body }) => {
    const at = Date.parse(body.occurredAt);
    if (at > (await ctx.now()).getTime() + CLOCK_SKEW_MS) throw problems.validation([{ field: 'occurredAt', message: 'must not be in the future' }]);
    const loginId = await recordLogin(ctx.db, body);
    const line = await openLineOfCustomer(ctx.db, body.customerId);
    // Without an open line there is nothing to protect: the login is kept for the next comparison.
    if (!line) return { status: 202, body: { riskEvents: [] } };

    const history = await loginsOfCustomer(ctx.db, body.customerId, { from: new Date(at - loginLookbackMs(rules)).toISOString(), to: body.occurredAt, except: loginId });
    const hits = loginRuleHits(history, body, rules);
    const events = hits.map((hit): RiskEventInput => ({
      // Scoped by the line; the same login's retry makes the same ids and stores nothing new.
      id: `${line.id}:risk:login-${loginId}-${hit.ruleId}`, creditLineId: line.id, customerId: body.customerId,
      rule: hit.ruleId, shadow: hit.shadow, figures: hit.figures, action: hit.action, occurredAt: body.occurredAt,
    }));
    const stored = await recordRiskEvents(ctx.db, events);

    // Stored first, then acted on: the alert exists even if the line cannot answer now, and the
    // platform's retry acts again (the same reason twice suspends once).
    for (const event of events) {
      if (event.action !== 'SUSPEND') continue;
      const riskEventId = event.id;
      try {
        const answer = await lines.act(line.id, suspendUpdate, { reason: 'RISK_LOGIN', riskEventId }, { type: 'rule', id: event.rule });
        // A line that stopped being open in the meantime (closed, charged off) has nothing left to suspend.
        if (!answer.ok) ctx.logger.warn({ creditLineId: line.id, riskEventId, code: answer.code }, 'the line refused a risk suspension');
      } catch (err) {
        if (!(err instanceof Problem && err.code === 'LINE_NOT_ACTIVE')) throw err;
        ctx.logger.warn({ creditLineId: line.id, riskEventId }, 'no running line to suspend for a risk event');
      }
    }
    return { status: 202, body: { riskEvents: stored.map(toRiskEvent) } };
  });

  defineRoute(router, {
    method: 'get', path: '/v1/support/risk-events', summary: "Risk alerts: every line's rule hits from a moment on, oldest first", tags: ['support'], roles: STAFF,
    query: z.object({
      since: instantSchema.optional().openapi({ description: 'Events that occurred at or after this instant (all when absent)' }),
      cursor: cursorSchema.optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
    responses: {
      200: { description: 'A page of risk events', schema: z.object({ items: z.array(riskEventSchema), nextCursor: z.string().nullable() }) },
      ...commonErrors,
      403: forbidden,
    },
  }, async ({ query }) => {
    const page = await riskEventsPage(ctx.db, query);
    return { status: 200, body: { items: page.rows.map(toRiskEvent), nextCursor: page.nextCursor === null ? null : encodeCursor(page.nextCursor) } };
  });

  return router;
}
