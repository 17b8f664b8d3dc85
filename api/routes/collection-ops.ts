import { Router } from 'express';
import { instantMs } from '../../domain/calendar';
import { STANDARD_PRODUCT } from '../../domain/product';
import { pauseCollectionUpdate, resumeCollectionUpdate } from '../../workflows/messages';
import type { ApiContext } from '../context';
import { lineGateway, rejection } from '../gateway';
import { z } from '../openapi';
import { Problem, problems } from '../problem';
import { findCreditLineFor } from '../read-models';
import { commonErrors, defineRoute } from '../route';
import { freeText, idParam } from '../schemas';

const STAFF: ('support' | 'admin')[] = ['support', 'admin'];
const DAY_MS = 86_400_000;

const instantSchema = z.string().refine((value) => {
  try {
    instantMs(value);
    return true;
  } catch {
    return false;
  }
}, 'an ISO-8601 instant with its offset, such as 2027-03-20T18:00:00+08:00').openapi({ example: '2027-03-20T18:00:00+08:00' });

const collectionPauseSchema = z.object({
  creditLineId: z.string(),
  pausedUntil: z.string().nullable().openapi({ description: 'When the pause ends (UTC); null once it has ended' }),
  daysPastDue: z.number().int(),
  stage: z.string().nullable().openapi({ description: "The ladder's stage: its last step carried out" }),
}).openapi('CollectionPause');

const errors = {
  ...commonErrors,
  403: { description: 'Not staff', schema: commonErrors[400].schema },
  409: { description: 'Nothing is overdue on the line (`NOT_OVERDUE`), or collection is not paused (`NOT_PAUSED`)', schema: commonErrors[400].schema },
  422: { description: 'The line is not open (`LINE_NOT_ACTIVE`), or the line refused the end (`PAUSE_NOT_IN_FUTURE`, `PAUSE_TOO_LONG`)', schema: commonErrors[400].schema },
  503: { description: 'The line has not answered yet (`COMMAND_PENDING`): look at the line before sending again', schema: commonErrors[400].schema },
};

/** Refusals about the line's collection state are a conflict with it (409); the rest as the line said. */
const CONFLICTS = ['NOT_OVERDUE', 'NOT_PAUSED'];
const refused = (answer: { code: string; message: string }): Problem => (CONFLICTS.includes(answer.code)
  ? new Problem(409, answer.code, 'Collection conflict', answer.message)
  : rejection(answer.code, answer.message));

/**
 * Collection pauses (PRODUCT §10, domain/line/collection-pause.ts): staff pause the ladder of an
 * overdue line for a bounded time with a reason, or end the pause early. Direct (no checker): a pause
 * forgives nothing. The line decides and audits (the staff member and the reason travel with the command).
 */
export function collectionOpsRoutes(ctx: ApiContext): Router {
  const router = Router();
  const lines = lineGateway(ctx);

  /** A line not open yet (or never to be) has no ladder; its workflow takes no such command. */
  const opened = async (principal: Parameters<typeof findCreditLineFor>[1], id: string) => {
    const line = await findCreditLineFor(ctx.db, principal, id);
    if (line.status === 'UNDERWRITING' || line.status === 'DECLINED') throw rejection('LINE_NOT_ACTIVE', `the line is ${line.status.toLowerCase()}`);
    return line;
  };

  defineRoute(router, {
    method: 'post', path: '/v1/support/credit-lines/:id/collection-pause', summary: 'Pause collection on an overdue line for a bounded time (staff)', tags: ['support'], roles: STAFF,
    params: idParam,
    body: z.object({
      until: instantSchema.openapi({ description: `When collection resumes by itself: after now, at most ${STANDARD_PRODUCT.collections.maxPauseDays} days from now. Asking again replaces it` }),
      reason: freeText().min(1).openapi({ description: 'Why (a dispute, a hospital stay): audited with the staff member' }),
    }).strict(),
    responses: { 200: { description: 'Paused: no collection contact and no ladder step until then; penalties go on', schema: collectionPauseSchema }, ...errors },
  }, async ({ params, body, principal }) => {
    const line = await opened(principal, params.id);
    // Wrong in itself at this moment: refused with the field named, before the line is asked.
    const now = (await ctx.now()).getTime();
    const until = instantMs(body.until);
    if (until <= now) throw problems.validation([{ field: 'until', message: 'must be after now' }]);
    if (until > now + STANDARD_PRODUCT.collections.maxPauseDays * DAY_MS) throw problems.validation([{ field: 'until', message: `must be at most ${STANDARD_PRODUCT.collections.maxPauseDays} days from now` }]);
    const answer = await lines.act(line.id, pauseCollectionUpdate, { until: body.until, reason: body.reason }, { type: 'staff', id: principal.subject });
    if (!answer.ok) throw refused(answer);
    return { status: 200, body: { creditLineId: line.id, ...(answer.body as object) } };
  });

  defineRoute(router, {
    method: 'delete', path: '/v1/support/credit-lines/:id/collection-pause', summary: 'End a collection pause early (staff)', tags: ['support'], roles: STAFF,
    params: idParam,
    body: z.object({ note: freeText().min(1) }).strict(),
    responses: { 200: { description: 'The pause ended: the ladder takes the steps it held at once', schema: collectionPauseSchema }, ...errors },
  }, async ({ params, body, principal }) => {
    const line = await opened(principal, params.id);
    const answer = await lines.act(line.id, resumeCollectionUpdate, { note: body.note }, { type: 'staff', id: principal.subject });
    if (!answer.ok) throw refused(answer);
    return { status: 200, body: { creditLineId: line.id, ...(answer.body as object) } };
  });

  return router;
}
