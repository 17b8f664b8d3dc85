/**
 * Explanations and human review of automated decisions (PRODUCT §8; PIPL Art. 24): the customer sees
 * every decision on their line with reasons they can read and who decided, and asks for a review of
 * an adverse one; staff work the queue and uphold or reverse — reversing carries the decision back
 * (a suspension lifted, a limit restored, a declined application put to manual review).
 */
import { Router, type Request } from 'express';
import { actorRef, type Actor } from '../../domain/audit';
import { DECISION_KINDS, reversalOf } from '../../domain/decisions';
import type { Locale } from '../../domain/notifications/templates';
import { describe } from '../../domain/reasons';
import { reopenApplication } from '../../db/applications';
import { liftUpdate, limitUpdate } from '../../workflows/messages';
import type { ApiContext } from '../context';
import { decisionsOfLine, findDecision, findReview, requestReview, resolveReview, reviewsPage, type DecisionRow, type ReviewRow } from '../decision-records';
import { lineGateway, rejection } from '../gateway';
import { z } from '../openapi';
import { Problem } from '../problem';
import { findApplicationFor, findCreditLineFor } from '../read-models';
import type { Principal } from '../auth';
import { commonErrors, defineRoute } from '../route';
import { freeText, idParam, idSchema, seqCursor } from '../schemas';

const STAFF: ('support' | 'admin')[] = ['support', 'admin'];
const problem = { description: 'Refused', schema: commonErrors[400].schema };
/** `<creditLineId>:review:<decisionId>`: longer than an ordinary id, same alphabet. */
const reviewIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,220}$/, 'a review id');

const reasonSchema = z.object({ code: z.string(), description: z.string(), descriptions: z.object({ 'zh-CN': z.string(), en: z.string() }) });
const reviewSchema = z.object({
  id: z.string(), status: z.enum(['REQUESTED', 'UPHELD', 'REVERSED']), requestedAt: z.string(), resolvedAt: z.string().nullable(), note: z.string().nullable(),
}).openapi('DecisionReview');
const decisionSchema = z.object({
  id: z.string(), creditLineId: z.string(), kind: z.enum(DECISION_KINDS), outcome: z.string(), adverse: z.boolean(),
  reasons: z.array(reasonSchema), decidedAt: z.string(),
  decidedBy: z.string().openapi({ description: 'model:<version>, rule:<id> or staff:<id>' }),
  details: z.record(z.string(), z.unknown()), review: reviewSchema.nullable(),
}).openapi('Decision');
const queueItemSchema = reviewSchema.extend({ creditLineId: z.string(), customerId: z.string(), resolvedBy: z.string().nullable(), decision: decisionSchema.omit({ review: true }) });

const iso = (t: string | null) => (t ? new Date(t).toISOString() : null);
/** The customer's language: English when asked for, Chinese otherwise (the product's default). */
const localeOf = (req: Request): Locale => (req.acceptsLanguages('zh-CN', 'zh', 'en') === 'en' ? 'en' : 'zh-CN');

const toReview = (r: ReviewRow) => ({ id: r.id, status: r.status as 'REQUESTED' | 'UPHELD' | 'REVERSED', requestedAt: iso(r.requestedAt)!, resolvedAt: iso(r.resolvedAt), note: r.note });
const toDecision = (d: DecisionRow, locale: Locale) => ({
  id: d.id, creditLineId: d.creditLineId, kind: d.kind as (typeof DECISION_KINDS)[number], outcome: d.outcome, adverse: d.adverse,
  reasons: d.reasons.map((code) => describe(code, locale)), decidedAt: iso(d.decidedAt)!, decidedBy: d.decidedBy, details: d.details as Record<string, unknown>,
});

export function decisionRoutes(ctx: ApiContext): Router {
  const router = Router();
  const lines = lineGateway(ctx);

  defineRoute(router, {
    method: 'get', path: '/v1/credit-lines/:id/decisions', summary: 'Automated decisions on the line, with their reasons', tags: ['decisions'], roles: ['customer', 'support', 'admin'],
    params: idParam,
    responses: { 200: { description: 'Newest first', schema: z.object({ items: z.array(decisionSchema) }) }, ...commonErrors },
  }, async ({ params, principal, req }) => {
    const line = await findCreditLineFor(ctx.db, principal, params.id);
    const locale = localeOf(req);
    const rows = await decisionsOfLine(ctx.db, line.id);
    return { status: 200, body: { items: rows.map(({ decision, review }) => ({ ...toDecision(decision, locale), review: review ? toReview(review) : null })) } };
  });

  defineRoute(router, {
    method: 'post', path: '/v1/credit-lines/:id/decisions/:decisionId/review', summary: 'Ask for a human review of an adverse automated decision', tags: ['decisions'], roles: ['customer'],
    params: idParam.extend({ decisionId: idSchema }),
    responses: { 202: { description: 'In the staff queue (asked again: the same review)', schema: reviewSchema }, ...commonErrors, 409: problem },
  }, async ({ params, principal }) => {
    const line = await findCreditLineFor(ctx.db, principal, params.id);
    const decision = await findDecision(ctx.db, line.id, params.decisionId);
    if (!decision) throw new Problem(404, 'DECISION_NOT_FOUND', 'Not found', `decision ${params.decisionId} was not found`);
    if (!decision.adverse) throw new Problem(409, 'DECISION_NOT_REVIEWABLE', 'Not reviewable', 'only a decision against you can be put to a human review');
    const review = await requestReview(ctx.db, decision, actorRef({ type: 'customer', id: principal.subject }), (await ctx.now()).toISOString());
    return { status: 202, body: toReview(review) };
  });

  defineRoute(router, {
    method: 'get', path: '/v1/support/reviews', summary: "Customers' requests for a human review", tags: ['support'], roles: STAFF,
    query: z.object({ status: z.enum(['REQUESTED', 'UPHELD', 'REVERSED']).optional(), cursor: seqCursor.optional(), limit: z.coerce.number().int().min(1).max(200).default(50) }),
    responses: { 200: { description: 'Oldest first', schema: z.object({ items: z.array(queueItemSchema), nextCursor: z.string().nullable() }) }, ...commonErrors },
  }, async ({ query, req }) => {
    const page = await reviewsPage(ctx.db, { limit: query.limit, ...(query.status ? { status: query.status } : {}), ...(query.cursor ? { cursor: Number(query.cursor) } : {}) });
    const locale = localeOf(req);
    return {
      status: 200,
      body: {
        items: page.rows.map(({ review, decision }) => ({ ...toReview(review), creditLineId: review.creditLineId, customerId: review.customerId, resolvedBy: review.resolvedBy, decision: toDecision(decision, locale) })),
        nextCursor: page.nextCursor === null ? null : String(page.nextCursor),
      },
    };
  });

  defineRoute(router, {
    method: 'post', path: '/v1/support/reviews/:reviewId', summary: 'Resolve a review: uphold, or reverse (carried back to the line)', tags: ['support'], roles: STAFF,
    params: z.object({ reviewId: reviewIdSchema }),
    body: z.object({ outcome: z.enum(['UPHELD', 'REVERSED']), note: freeText().min(1) }).strict(),
    responses: { 200: { description: 'Resolved', schema: reviewSchema }, ...commonErrors, 409: problem },
  }, async ({ params, body, principal }) => {
    const found = await findReview(ctx.db, params.reviewId);
    if (!found) throw new Problem(404, 'REVIEW_NOT_FOUND', 'Not found', `review ${params.reviewId} was not found`);
    if (found.review.status !== 'REQUESTED') throw new Problem(409, 'REVIEW_RESOLVED', 'Already resolved', `the review was ${found.review.status.toLowerCase()}`);
    const staff: Actor = { type: 'staff', id: principal.subject };
    // The reversal first: if the line cannot take it, the review stays open and nothing is recorded.
    if (body.outcome === 'REVERSED') await reverse(found.decision, staff, body.note, principal);
    const resolved = await resolveReview(ctx.db, found.review, body.outcome, actorRef(staff), body.note, (await ctx.now()).toISOString());
    if (!resolved) throw new Problem(409, 'REVIEW_RESOLVED', 'Already resolved', 'another member of staff resolved it first');
    return { status: 200, body: toReview(resolved) };
  });

  /** Carries a reversed decision back: lifting or restoring is idempotent, so a retried resolution is harmless. */
  async function reverse(decision: DecisionRow, staff: Actor, note: string, principal: Principal): Promise<void> {
    const reversal = reversalOf({ kind: decision.kind as (typeof DECISION_KINDS)[number], outcome: decision.outcome, reasons: decision.reasons, details: decision.details as Record<string, string | number | boolean | null> });
    const conflict = (code: string, message: string) => new Problem(409, code, 'Cannot be reversed', message);
    if (reversal.kind === 'LIFT') {
      const answer = await lines.act(decision.creditLineId, liftUpdate, { reasons: [reversal.reason as 'STAFF'], via: 'REVIEW', note }, staff);
      // Already lifted (by the customer's code, say): the reversal has nothing left to do.
      if (!answer.ok && answer.code !== 'NOT_SUSPENDED_FOR_REASON') {
        throw answer.code === 'REASON_NOT_LIFTABLE' || answer.code === 'LINE_NOT_ACTIVE' ? conflict(answer.code, answer.message) : rejection(answer.code, answer.message);
      }
    } else if (reversal.kind === 'RESTORE_LIMIT') {
      const answer = await lines.act(decision.creditLineId, limitUpdate, { limit: reversal.limit, via: 'REVIEW', note }, staff);
      if (!answer.ok) throw answer.code === 'LINE_NOT_ACTIVE' ? conflict(answer.code, answer.message) : rejection(answer.code, answer.message);
    } else if (reversal.kind === 'MANUAL_REVIEW') {
      await reopenForReview(decision.creditLineId, principal);
    }
  }

  /** A declined application back in manual review: the application holds the customer's line again, and its workflow runs anew. */
  async function reopenForReview(creditLineId: string, principal: Principal): Promise<void> {
    const line = await findCreditLineFor(ctx.db, principal, creditLineId);
    const reopened = await reopenApplication(ctx.db, line.applicationId);
    if (!reopened.reopened) {
      if (reopened.status === 'MANUAL_REVIEW' || reopened.status === 'UNDERWRITING') return; // reopened already (a retry)
      if (reopened.existing) throw new Problem(409, 'APPLICATION_EXISTS', 'Application exists', 'the customer has another open application; this one cannot be reopened', { ...reopened.existing });
      throw new Problem(409, 'APPLICATION_NOT_DECLINED', 'Cannot be reversed', `the application is ${reopened.status?.toLowerCase() ?? 'gone'}`);
    }
    const { application } = await findApplicationFor(ctx.db, principal, line.applicationId);
    await lines.start({
      creditLineId: line.id, applicationId: application.id, customerId: application.customerId, productId: application.productId,
      statementDay: application.statementDay, reopened: { version: reopened.version },
    });
  }

  return router;
}
