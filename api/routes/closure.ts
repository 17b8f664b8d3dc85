/**
 * Closing a line (PRODUCT §9, API.md): the customer proves it is them (an SMS code, or a face
 * verification: api/one-time-codes.ts, purpose CLOSURE), then the line decides (domain/line/closure.ts):
 * CLOSED at once when nothing is owed, else CLOSING with the payoff quote until paid off; the customer
 * may cancel while CLOSING. Staff close on the customer's behalf, recording why and how identity was
 * checked (the line's audit row for the command).
 *
 * A retried confirm (the line answered 503) presents the same, still valid code and verifies again
 * without spending a try; the line answers a second `close` on a CLOSING line with the same CLOSING
 * answer, and once the line is CLOSED (its workflow ended) the answer is CLOSED from its read model.
 */
import { Router } from 'express';
import { STANDARD_PRODUCT } from '../../domain/product';
import { cancelClosureUpdate, closeUpdate } from '../../workflows/messages';
import { FACE_ID } from '../../activities/face-verification';
import type { Principal } from '../auth';
import type { ApiContext } from '../context';
import { lineGateway, rejection } from '../gateway';
import { oneTimeCodesOf } from '../one-time-codes';
import { z } from '../openapi';
import { Problem, problemSchema } from '../problem';
import { findCreditLineFor, toCreditLine } from '../read-models';
import { commonErrors, defineRoute } from '../route';
import { creditLineSchema, fenSchema, freeText, idParam } from '../schemas';

const DIGITS = STANDARD_PRODUCT.closure.otpDigits;
const STAFF: ('support' | 'admin')[] = ['support', 'admin'];
const problem = (description: string) => ({ description, schema: problemSchema });

const payoffSchema = z.object({
  amount: fenSchema,
  breakdown: z.array(z.object({ bucket: z.string(), amount: fenSchema })),
  waivedFees: fenSchema.openapi({ description: 'Fees of installments not yet due, waived when paid off now' }),
  creditRemaining: fenSchema,
}).openapi('PayoffQuote');
const closureSchema = z.union([
  z.object({ status: z.literal('CLOSED'), creditRefunded: fenSchema.optional().openapi({ description: 'The credit balance paid back to the customer at the close' }) }),
  z.object({ status: z.literal('CLOSING'), payoff: payoffSchema }),
]).openapi('Closure');

/** Whether the line can start a closure: open, and not already closing, closed or charged off. */
function closable(status: string): void {
  if (status === 'CLOSING') throw new Problem(409, 'CLOSURE_IN_PROGRESS', 'Closure in progress', 'the line is already closing: pay the payoff amount, or cancel the closure');
  if (status === 'CHARGED_OFF') throw rejection('LINE_CHARGED_OFF', 'the line was charged off: what it owes is still owed, so it cannot be closed; repayments are still taken');
  if (status !== 'ACTIVE' && status !== 'SUSPENDED') throw rejection('LINE_NOT_ACTIVE', `the line is ${status.toLowerCase()}`);
}

export function closureRoutes(ctx: ApiContext): Router {
  const router = Router();
  const lines = lineGateway(ctx);
  const codes = oneTimeCodesOf(ctx);

  const lineNow = async (principal: Principal, id: string) => toCreditLine(await findCreditLineFor(ctx.db, principal, id), await ctx.now());

  defineRoute(router, {
    method: 'post', path: '/v1/credit-lines/:id/closure', summary: 'Start closing the line: a code by SMS, or a face verification session', tags: ['credit lines'],
    roles: ['customer'],
    params: idParam,
    body: z.object({ channel: z.enum(['sms', 'face']).default('sms') }).strict(),
    responses: {
      202: {
        description: `Verification pending until \`expiresAt\`: a ${DIGITS}-digit code was sent by SMS to the phone of the application, or (channel \`face\`) a face verification session was started (\`sessionId\`, and the provider's \`url\` when it gives one)`,
        schema: z.object({ status: z.literal('VERIFICATION_PENDING'), expiresAt: z.string(), channel: z.literal('face').optional(), sessionId: z.string().optional(), url: z.string().optional() }),
      },
      ...commonErrors,
      409: problem('CLOSURE_IN_PROGRESS: the line is already closing'),
      422: problem('LINE_NOT_ACTIVE (not open, or closed), LINE_CHARGED_OFF, CHANNEL_UNAVAILABLE'),
      429: problem('CODE_RESEND_TOO_SOON: a code was sent less than a minute ago (Retry-After: seconds left)'),
      503: problem('SMS_UNAVAILABLE or FACE_VERIFICATION_UNAVAILABLE: nothing is held, ask again (Retry-After)'),
    },
  }, async ({ params, body, principal }) => {
    const row = await findCreditLineFor(ctx.db, principal, params.id);
    closable(toCreditLine(row, await ctx.now()).status);
    const issued = await codes.issue({ creditLineId: row.id, customerId: row.customerId, purpose: 'CLOSURE', channel: body.channel });
    return {
      status: 202,
      body: body.channel === 'face'
        ? { status: 'VERIFICATION_PENDING', expiresAt: issued.expiresAt, channel: 'face', sessionId: issued.sessionId, ...(issued.url ? { url: issued.url } : {}) }
        : { status: 'VERIFICATION_PENDING', expiresAt: issued.expiresAt },
    };
  });

  defineRoute(router, {
    method: 'post', path: '/v1/credit-lines/:id/closure/verification', summary: 'Prove it is you: the line closes, or is CLOSING until paid off', tags: ['credit lines'],
    roles: ['customer'],
    params: idParam,
    body: z.object({
      code: z.string().regex(new RegExp(`^[0-9]{${DIGITS}}$`), `exactly ${DIGITS} digits`).optional().openapi({ example: '123456', description: 'The SMS code (channel sms)' }),
      sessionId: z.string().regex(FACE_ID, 'the session id the closure answered').optional().openapi({ description: 'The face verification session (channel face)' }),
      resultToken: z.string().regex(FACE_ID, 'the token the face verification gave the app').optional().openapi({ description: "The provider's result token for the session (channel face)" }),
    }).strict().superRefine((b, issues) => {
      const face = b.sessionId !== undefined || b.resultToken !== undefined;
      if (b.code === undefined && !face) issues.addIssue({ code: 'custom', path: ['code'], message: `the ${DIGITS}-digit code, or a face verification's sessionId and resultToken` });
      if (b.code !== undefined && face) issues.addIssue({ code: 'custom', path: ['code'], message: 'a code or a face verification, not both' });
      if (face && b.sessionId === undefined) issues.addIssue({ code: 'custom', path: ['sessionId'], message: 'required with resultToken' });
      if (face && b.resultToken === undefined) issues.addIssue({ code: 'custom', path: ['resultToken'], message: 'required with sessionId' });
    }),
    responses: {
      200: { description: '`CLOSED` (nothing was owed; a credit balance is paid back: `creditRefunded`), or `CLOSING` with the payoff quote (the line closes by itself once it is paid)', schema: closureSchema },
      ...commonErrors,
      409: problem('VERIFICATION_NOT_STARTED: no code was asked for'),
      422: {
        description: 'VERIFICATION_FAILED (with `attemptsLeft`), VERIFICATION_EXPIRED, VERIFICATION_LOCKED (a new code must be asked for), or the line\'s refusal (LINE_CHARGED_OFF, LINE_NOT_ACTIVE)',
        schema: problemSchema.extend({ attemptsLeft: z.number().int().min(0).optional() }),
      },
      503: problem('COMMAND_PENDING: the line has not answered yet; the same code may be submitted again while valid. FACE_VERIFICATION_UNAVAILABLE: no try was spent'),
    },
  }, async ({ params, body, principal }) => {
    const row = await findCreditLineFor(ctx.db, principal, params.id);
    const proof = body.code !== undefined ? { code: body.code } : { face: { sessionId: body.sessionId!, resultToken: body.resultToken! } };
    await codes.verify({ creditLineId: row.id, purpose: 'CLOSURE', ...proof });
    const closed = { status: 200, body: { status: 'CLOSED' } };
    // Verified again after the line closed (a retried confirm): what the customer asked for holds.
    if ((await lineNow(principal, row.id)).status === 'CLOSED') return closed;
    try {
      const answer = await lines.act(row.id, closeUpdate, {}, { type: 'customer', id: principal.subject });
      if (!answer.ok) throw rejection(answer.code, answer.message);
      return { status: 200, body: answer.body };
    } catch (err) {
      // Its workflow ended between the read and the command: closed meanwhile.
      if (err instanceof Problem && err.code === 'LINE_NOT_ACTIVE' && (await lineNow(principal, row.id)).status === 'CLOSED') return closed;
      throw err;
    }
  });

  defineRoute(router, {
    method: 'delete', path: '/v1/credit-lines/:id/closure', summary: 'Cancel a closure not yet CLOSED: the line is back as it was', tags: ['credit lines'],
    roles: ['customer'],
    params: idParam,
    responses: {
      200: { description: 'The line, back to its status before the closure (its suspension reasons as they stand now)', schema: creditLineSchema },
      ...commonErrors,
      409: problem('NOT_CLOSING: there is no closure to cancel'),
      422: problem('LINE_NOT_ACTIVE: the line is closed (or not open)'),
    },
  }, async ({ params, principal }) => {
    const row = await findCreditLineFor(ctx.db, principal, params.id);
    const line = toCreditLine(row, await ctx.now());
    if (line.status === 'CLOSED') throw rejection('LINE_NOT_ACTIVE', 'the line is closed');
    const answer = await lines.act(row.id, cancelClosureUpdate, {}, { type: 'customer', id: principal.subject });
    if (!answer.ok) throw answer.code === 'NOT_CLOSING' ? new Problem(409, 'NOT_CLOSING', 'Not closing', answer.message) : rejection(answer.code, answer.message);
    return { status: 200, body: await lineNow(principal, row.id) };
  });

  defineRoute(router, {
    method: 'post', path: '/v1/support/credit-lines/:id/closure', summary: "Close a line on the customer's behalf (staff)", tags: ['support'],
    roles: STAFF,
    params: idParam,
    body: z.object({
      reason: freeText().min(1).openapi({ description: 'Why the line is closed (the customer asked by phone, ...)' }),
      identityCheck: freeText().min(1).openapi({ description: "How the customer's identity was checked (the method, not the data: \"video call, ID card shown\")" }),
    }).strict(),
    responses: {
      202: { description: 'CLOSED at once (nothing owed), or CLOSING with the payoff quote; audited with the agent, the reason and the identity check', schema: closureSchema },
      ...commonErrors,
      403: problem('Not staff'),
      409: problem('CLOSURE_IN_PROGRESS: the line is already closing'),
      422: problem('LINE_NOT_ACTIVE (not open, or closed), LINE_CHARGED_OFF'),
      503: problem('COMMAND_PENDING: the line has not answered yet; look at the line before sending again'),
    },
  }, async ({ params, body, principal }) => {
    const row = await findCreditLineFor(ctx.db, principal, params.id);
    closable(toCreditLine(row, await ctx.now()).status);
    const answer = await lines.act(row.id, closeUpdate, { note: body.reason, identityCheck: body.identityCheck }, { type: 'staff', id: principal.subject });
    if (!answer.ok) throw rejection(answer.code, answer.message);
    return { status: 202, body: answer.body };
  });

  return router;
}
