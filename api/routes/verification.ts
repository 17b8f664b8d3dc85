/**
 * The customer lifts a risk suspension with a fresh SMS code (PRODUCT §8, API.md): ask for a code,
 * then confirm it; the line lifts its risk reasons (domain/line/suspension.ts decides who may lift what).
 *
 * After the code verified, the lift goes to the line. A confirm retried after a 503 (the line had not
 * answered in time) presents the same, still valid code: it verifies again without spending a try,
 * and the line is asked again. If the line has no risk reason left by then (the first lift went
 * through, or staff lifted it meanwhile) its refusal NOT_SUSPENDED_FOR_REASON means the customer's
 * aim already holds: the answer is 200 with the line as it is. The code stays usable (for this only)
 * until it expires, so a confirm whose answer was lost can be repeated.
 */
import { Router } from 'express';
import { STANDARD_PRODUCT } from '../../domain/product';
import { RISK_REASONS } from '../../domain/line/suspension';
import { liftUpdate } from '../../workflows/messages';
import type { ApiContext } from '../context';
import { lineGateway, rejection } from '../gateway';
import { oneTimeCodesOf } from '../one-time-codes';
import { z } from '../openapi';
import { Problem, problemSchema } from '../problem';
import { findCreditLineFor, toCreditLine } from '../read-models';
import { commonErrors, defineRoute } from '../route';
import { creditLineSchema, idParam } from '../schemas';

const DIGITS = STANDARD_PRODUCT.closure.otpDigits;

const problem = (description: string) => ({ description, schema: problemSchema });

export function verificationRoutes(ctx: ApiContext): Router {
  const router = Router();
  const lines = lineGateway(ctx);
  const codes = oneTimeCodesOf(ctx);

  defineRoute(router, {
    method: 'post', path: '/v1/credit-lines/:id/verification', summary: 'Ask for a fresh SMS code to lift a risk suspension', tags: ['credit lines'],
    roles: ['customer'],
    params: idParam,
    responses: {
      202: {
        description: `A ${DIGITS}-digit code was sent by SMS to the phone of the application; valid until \`expiresAt\``,
        schema: z.object({ status: z.literal('VERIFICATION_PENDING'), expiresAt: z.string() }),
      },
      ...commonErrors,
      409: problem('NOT_SUSPENDED_FOR_RISK: the line is not suspended for a risk reason'),
      429: problem('CODE_RESEND_TOO_SOON: a code was sent less than a minute ago (Retry-After: seconds left)'),
      503: problem('SMS_UNAVAILABLE: the SMS could not be sent; no code is held, ask again (Retry-After)'),
    },
  }, async ({ params, principal }) => {
    const row = await findCreditLineFor(ctx.db, principal, params.id);
    const line = toCreditLine(row, await ctx.now());
    if (!line.suspensionReasons.some((r) => RISK_REASONS.includes(r))) {
      throw new Problem(409, 'NOT_SUSPENDED_FOR_RISK', 'Not suspended for risk', 'the line is not suspended for a risk reason: there is nothing a code can lift');
    }
    const { expiresAt } = await codes.issue({ creditLineId: row.id, customerId: row.customerId, purpose: 'REINSTATEMENT', channel: 'sms' });
    return { status: 202, body: { status: 'VERIFICATION_PENDING', expiresAt } };
  });

  defineRoute(router, {
    method: 'post', path: '/v1/credit-lines/:id/verification/confirm', summary: 'Submit the SMS code: the line lifts its risk suspension', tags: ['credit lines'],
    roles: ['customer'],
    params: idParam,
    body: z.object({ code: z.string().regex(new RegExp(`^[0-9]{${DIGITS}}$`), `exactly ${DIGITS} digits`).openapi({ example: '123456' }) }).strict(),
    responses: {
      200: { description: 'Verified: the line without its risk reasons', schema: creditLineSchema },
      ...commonErrors,
      409: problem('VERIFICATION_NOT_STARTED: no code was asked for'),
      422: {
        description: 'VERIFICATION_FAILED (with `attemptsLeft`), VERIFICATION_EXPIRED, VERIFICATION_LOCKED (a new code must be asked for), or the line\'s refusal',
        schema: problemSchema.extend({ attemptsLeft: z.number().int().min(0).optional() }),
      },
      503: problem('COMMAND_PENDING: the line has not answered yet; the same code may be submitted again while valid'),
    },
  }, async ({ params, body, principal }) => {
    const row = await findCreditLineFor(ctx.db, principal, params.id);
    const { codeId } = await codes.verify({ creditLineId: row.id, purpose: 'REINSTATEMENT', code: body.code });
    // One code, one lift: its key is the code's, so a retried confirm is answered as the first was,
    // and the same code presented again cannot lift a suspension raised after it was used.
    const answer = await lines.act(row.id, liftUpdate, { reasons: [...RISK_REASONS], via: 'VERIFICATION' }, { type: 'customer', id: principal.subject }, { key: `verification:${codeId}` });
    // Nothing left to lift (a retried confirm, or staff were quicker): what the customer asked for holds.
    if (!answer.ok && answer.code !== 'NOT_SUSPENDED_FOR_REASON') throw rejection(answer.code, answer.message);
    const lifted = await findCreditLineFor(ctx.db, principal, row.id);
    return { status: 200, body: toCreditLine(lifted, await ctx.now()) };
  });

  return router;
}
