/**
 * Maker–checker over HTTP (PRODUCT §10): staff actions that forgive money or override the model need a
 * second member of staff. A fee waiver, a hardship plan, a write-off outside the ladder, and a limit above the model's, are requests (202 with the
 * approval's id); each is a `staffApproval` workflow that a checker decides (`POST
 * /v1/support/approvals/{approvalId}`), never the maker, before it expires. A limit at or below the
 * model's needs nobody else and is set at once.
 *
 * The API starts the request's workflow itself (workflows/staff-approval.ts says why). Before it does,
 * a request the line could never take is refused here with nothing made: a line that is not open
 * (422 LINE_NOT_ACTIVE), a waiver of more than the line owes in penalties and billed fees now.
 */
import { createHash, randomBytes } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, WorkflowIdReusePolicy, WorkflowNotFoundError } from '@temporalio/common';
import { Router } from 'express';
import {
  APPROVAL_KINDS, APPROVAL_STATUSES, approvalIdFor, limitNeedsApproval, parseApprovalId, type ApprovalKind, type ApprovalRequest,
} from '../../domain/approvals';
import { advance, waivableFees, type LineReadState } from '../../domain/line';
import { STANDARD_PRODUCT } from '../../domain/product';
import {
  APPROVAL_DECIDED, APPROVAL_EXPIRED, approvalWorkflowIdFor, decideApprovalUpdate, MAKER_CANNOT_APPROVE, type StaffApprovalInput, type StaffApprovalMemo,
} from '../../workflows/approval-messages';
import { limitUpdate, workflowIdFor } from '../../workflows/messages';
import type { staffApproval } from '../../workflows/staff-approval';
import { approvalsPage, findApproval, modelLimitOf, toApproval, type ApprovalCursor, type ApprovalRow } from '../approval-records';
import type { Principal } from '../auth';
import type { ApiContext } from '../context';
import { lineGateway, lineProblem, rejection, STAFF_COMMAND_BUDGET_MS } from '../gateway';
import { z } from '../openapi';
import { Problem, problems } from '../problem';
import { findCreditLineFor, toCreditLine } from '../read-models';
import { commonErrors, defineRoute } from '../route';
import { creditLineSchema, fenSchema, freeText, idParam, IDEMPOTENCY_KEY } from '../schemas';

const STAFF: ('support' | 'admin')[] = ['support', 'admin'];
const problem = (description: string) => ({ description, schema: commonErrors[400].schema });
const staffErrors = { ...commonErrors, 403: problem('Not staff') };
const product = STANDARD_PRODUCT;

const approvalSchema = z.object({
  id: z.string().openapi({ description: '`<creditLineId>:approval:<n>`' }),
  creditLineId: z.string(),
  kind: z.enum(APPROVAL_KINDS),
  request: z.record(z.string(), z.unknown()).openapi({ description: 'What is asked (amounts in fen) and the maker’s reason' }),
  makerId: z.string(),
  status: z.enum(APPROVAL_STATUSES),
  checkerId: z.string().nullable(),
  checkerNote: z.string().nullable(),
  requestedAt: z.string(),
  expiresAt: z.string(),
  decidedAt: z.string().nullable(),
  result: z.unknown().openapi({ description: "The line's answer when applied (APPROVED), or its refusal `{ code, message }` (FAILED)" }),
}).openapi('Approval');
const requestedSchema = z.object({ approvalId: z.string() }).openapi('ApprovalRequested');

/** An approval id in a path: `<creditLineId>:approval:<n>`. */
const approvalIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,200}$/, 'an approval id').refine((id) => parseApprovalId(id) !== null, 'an approval id');

/** The queue's page cursor: the last request's place (when it was requested, then its `seq`), opaque to the client. */
const encodeCursor = (after: ApprovalCursor) => Buffer.from(`approval:${after.requestedAtMs}:${after.seq}`, 'utf8').toString('base64url');
const cursorSchema = z.string().max(96).transform((cursor, ctx): ApprovalCursor => {
  const [, ms, seq] = /^approval:(0|[1-9][0-9]{0,15}):([1-9][0-9]{0,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8')) ?? [];
  const after = { requestedAtMs: Number(ms), seq: Number(seq) };
  if (ms && seq && Number.isSafeInteger(after.requestedAtMs) && after.requestedAtMs <= 8_640_000_000_000_000 && Number.isSafeInteger(after.seq)) return after;
  ctx.addIssue({ code: 'custom', message: 'a cursor from a previous page' });
  return z.NEVER;
});

/** Optional on a request: the same key from the same member of staff answers the same request, made once. */
const optionalKeyHeader = z.object({
  'idempotency-key': z.string().regex(IDEMPOTENCY_KEY, 'an Idempotency-Key of 1 to 200 printable ASCII characters').optional()
    .openapi({ description: 'Optional: a retry with the same key and body answers the same approval id and makes no second request' }),
});

const canonical = (v: unknown): unknown => (v && typeof v === 'object' && !Array.isArray(v)
  ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]))
  : v);
const sha256 = (value: unknown) => createHash('sha256').update(JSON.stringify(canonical(value))).digest();
/** `n` of an approval id: lower-case base-32, from a key (the same key, the same request) or at random. */
const base32 = (bytes: Buffer) => [...bytes].map((b) => 'abcdefghijklmnopqrstuvwxyz234567'[b % 32]).join('');

export function approvalRoutes(ctx: ApiContext): Router {
  const router = Router();
  const lines = lineGateway(ctx);

  /** The line, if it is open now (ACTIVE or SUSPENDED): nothing is asked of a line that is not. */
  async function openLine(principal: Principal, id: string) {
    const row = await findCreditLineFor(ctx.db, principal, id);
    const now = await ctx.now();
    const line = toCreditLine(row, now);
    if (line.status !== 'ACTIVE' && line.status !== 'SUSPENDED') throw rejection('LINE_NOT_ACTIVE', `the line is ${line.status.toLowerCase()}; nothing was requested`);
    return { row, line, now };
  }

  /**
   * Starts the request's workflow: `credit-line-<lineId>/approval-<n>`, never reused (REJECT_DUPLICATE).
   * With an Idempotency-Key, `n` comes from the key, and a retry finds the request already made.
   */
  async function request(creditLineId: string, kind: ApprovalKind, body: ApprovalRequest, makerId: string, key: string | undefined): Promise<string> {
    const requestHash = sha256([kind, creditLineId, makerId, body]).toString('hex');
    for (let attempt = 0; attempt < 3; attempt++) {
      const n = base32(key ? sha256([creditLineId, makerId, key]).subarray(0, 16) : randomBytes(16));
      const approvalId = approvalIdFor(creditLineId, n);
      const workflowId = approvalWorkflowIdFor(approvalId);
      const input: StaffApprovalInput = { approvalId, creditLineId, kind, request: body, makerId, expiresAfterHours: product.approvals.expiresAfterHours };
      const memo: StaffApprovalMemo = { creditLineId, lineWorkflowId: workflowIdFor(creditLineId), kind, makerId, requestHash };
      try {
        await ctx.temporal.workflow.start<typeof staffApproval>('staffApproval', {
          workflowId, taskQueue: ctx.taskQueue, args: [input], memo: { ...memo }, workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        });
        return approvalId;
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) {
          ctx.logger.error({ err, creditLineId }, 'could not start a maker–checker request');
          throw problems.unavailable('TEMPORAL_UNAVAILABLE', 'the request could not be made; nothing was requested, try again', 5);
        }
        if (!key) continue; // a random id taken already: draw another
        const made = await ctx.temporal.workflow.getHandle(workflowId).describe();
        if ((made.memo as Partial<StaffApprovalMemo> | undefined)?.requestHash === requestHash) return approvalId;
        throw new Problem(422, 'IDEMPOTENCY_KEY_REUSED', 'Idempotency-Key reused', 'this Idempotency-Key was used for a different request');
      }
    }
    throw problems.unavailable('TEMPORAL_UNAVAILABLE', 'the request could not be made; nothing was requested, try again', 1);
  }

  defineRoute(router, {
    method: 'post', path: '/v1/support/credit-lines/:id/fee-waivers', summary: 'Ask to waive penalties and billed installment fees (needs a checker)', tags: ['support'], roles: STAFF,
    params: idParam,
    headers: optionalKeyHeader,
    body: z.object({
      amount: fenSchema.min(1).max(Number.MAX_SAFE_INTEGER).openapi({ description: 'Fen to waive: penalties first, then billed installment fees, oldest first' }),
      reason: freeText().min(1),
    }).strict(),
    responses: {
      202: { description: 'Requested: waiting for a checker (nothing is waived before approval)', schema: requestedSchema },
      ...staffErrors,
      422: problem('The line is not open (`LINE_NOT_ACTIVE`), owes no penalties or billed fees (`NOTHING_TO_WAIVE`), or less than the amount (`AMOUNT_ABOVE_FEES`); nothing was requested'),
      503: problem('Temporal could not be reached (`TEMPORAL_UNAVAILABLE`); nothing was requested'),
    },
  }, async ({ params, headers, body, principal }) => {
    const { row, now } = await openLine(principal, params.id);
    // What the line owes now (penalties accrued to today included), as it will itself when it decides.
    const state = row.state as LineReadState | null;
    if (state && row.productId === product.id) {
      const balances = advance({ ...state, purchases: [], remembered: [] }, now.toISOString(), product, { penaltyThroughToday: true }).state.balances;
      const owed = waivableFees(balances);
      if (owed.total === 0) throw rejection('NOTHING_TO_WAIVE', 'the line owes no penalties or billed installment fees; nothing was requested');
      if (body.amount > owed.total) throw rejection('AMOUNT_ABOVE_FEES', `at most ${owed.total} fen of penalties and billed installment fees is owed; nothing was requested`);
    }
    const approvalId = await request(row.id, 'FEE_WAIVER', { kind: 'FEE_WAIVER', amount: body.amount, reason: body.reason }, principal.subject, headers['idempotency-key']);
    return { status: 202, body: { approvalId } };
  });

  defineRoute(router, {
    method: 'post', path: '/v1/support/credit-lines/:id/hardship-plan', summary: 'Ask to re-age the overdue amount into monthly installments (needs a checker)', tags: ['support'], roles: STAFF,
    params: idParam,
    headers: optionalKeyHeader,
    body: z.object({
      installments: z.number().int().min(product.hardship.minInstallments).max(product.hardship.maxInstallments)
        .openapi({ description: `Monthly installments, ${product.hardship.minInstallments} to ${product.hardship.maxInstallments}` }),
      note: freeText().min(1),
    }).strict(),
    responses: {
      202: { description: 'Requested: waiting for a checker (nothing changes before approval); on approval the ladder pauses while the plan is kept', schema: requestedSchema },
      ...staffErrors,
      422: problem('The line is not open (`LINE_NOT_ACTIVE`) or owes nothing overdue (`NOT_OVERDUE`); nothing was requested'),
      503: problem('Temporal could not be reached (`TEMPORAL_UNAVAILABLE`); nothing was requested'),
    },
  }, async ({ params, headers, body, principal }) => {
    const { row, line } = await openLine(principal, params.id);
    if (line.daysPastDue === 0) throw rejection('NOT_OVERDUE', 'the line has nothing overdue to re-age; nothing was requested');
    const approvalId = await request(row.id, 'HARDSHIP_PLAN', { kind: 'HARDSHIP_PLAN', installments: body.installments, reason: body.note }, principal.subject, headers['idempotency-key']);
    return { status: 202, body: { approvalId } };
  });

  defineRoute(router, {
    method: 'post', path: '/v1/support/credit-lines/:id/write-off', summary: 'Ask to write the whole debt off as a loss, outside the overdue ladder (needs a checker)', tags: ['support'], roles: STAFF,
    params: idParam,
    headers: optionalKeyHeader,
    body: z.object({ reason: freeText().min(1) }).strict(),
    responses: {
      202: { description: 'Requested: waiting for a checker (nothing changes before approval); on approval the line is CHARGED_OFF and later repayments are recoveries', schema: requestedSchema },
      ...staffErrors,
      422: problem('The line is not open (`LINE_NOT_ACTIVE`) or owes nothing (`NOTHING_TO_WRITE_OFF`); nothing was requested'),
      503: problem('Temporal could not be reached (`TEMPORAL_UNAVAILABLE`); nothing was requested'),
    },
  }, async ({ params, headers, body, principal }) => {
    const { row, line } = await openLine(principal, params.id);
    if (line.balance <= 0) throw rejection('NOTHING_TO_WRITE_OFF', 'the line owes nothing to write off; nothing was requested');
    const approvalId = await request(row.id, 'WRITE_OFF', { kind: 'WRITE_OFF', reason: body.reason }, principal.subject, headers['idempotency-key']);
    return { status: 202, body: { approvalId } };
  });

  defineRoute(router, {
    method: 'put', path: '/v1/support/credit-lines/:id/limit', summary: "Set a line's limit: at once up to the model's limit, above it with a checker", tags: ['support'], roles: STAFF,
    params: idParam,
    headers: optionalKeyHeader,
    body: z.object({
      limit: fenSchema.min(product.underwriting.minLimit).max(product.underwriting.maxLimit).openapi({ description: "Within the product's bounds" }),
      reason: freeText().min(1),
    }).strict(),
    responses: {
      200: { description: "At or below the model's limit: set (the line decides and audits it)", schema: creditLineSchema },
      202: { description: "Above the model's limit: requested, waiting for a checker (nothing changes before approval)", schema: requestedSchema },
      ...staffErrors,
      422: problem('The line is not open (`LINE_NOT_ACTIVE`), or already uses more than the limit (`LIMIT_BELOW_BALANCE`)'),
      503: problem('The line has not answered yet (`COMMAND_PENDING`: look before sending again), or Temporal could not be reached'),
    },
  }, async ({ params, headers, body, principal }) => {
    const { row, line } = await openLine(principal, params.id);
    const modelLimit = await modelLimitOf(ctx.db, row);
    if (modelLimit === null || limitNeedsApproval(body.limit, modelLimit)) {
      const approvalId = await request(row.id, 'LIMIT_ABOVE_MODEL', { kind: 'LIMIT_ABOVE_MODEL', limit: body.limit, modelLimit: modelLimit ?? 0, from: line.limit, reason: body.reason }, principal.subject, headers['idempotency-key']);
      return { status: 202, body: { approvalId } };
    }
    const answer = await lines.act(row.id, limitUpdate, { limit: body.limit, via: 'STAFF', note: body.reason }, { type: 'staff', id: principal.subject });
    if (!answer.ok) throw rejection(answer.code, answer.message);
    return { status: 200, body: toCreditLine(await findCreditLineFor(ctx.db, principal, row.id), await ctx.now()) };
  });

  defineRoute(router, {
    method: 'get', path: '/v1/support/approvals', summary: 'Maker–checker requests, oldest first', tags: ['support'], roles: STAFF,
    query: z.object({
      status: z.enum(APPROVAL_STATUSES).optional(),
      creditLineId: idParam.shape.id.optional(),
      cursor: cursorSchema.optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
    responses: { 200: { description: 'A page of requests', schema: z.object({ items: z.array(approvalSchema), nextCursor: z.string().nullable() }) }, ...staffErrors },
  }, async ({ query }) => {
    const page = await approvalsPage(ctx.db, query);
    return { status: 200, body: { items: page.rows.map(toApproval), nextCursor: page.nextCursor === null ? null : encodeCursor(page.nextCursor) } };
  });

  defineRoute(router, {
    method: 'post', path: '/v1/support/approvals/:approvalId', summary: 'Approve or reject a request (never by its maker)', tags: ['support'], roles: STAFF,
    params: z.object({ approvalId: approvalIdSchema }),
    body: z.object({ approve: z.boolean(), note: freeText().min(1) }).strict(),
    responses: {
      200: { description: 'Decided: APPROVED (applied to the line, its answer in `result`), REJECTED, or FAILED (the line refused it, its code in `result`)', schema: approvalSchema },
      ...commonErrors,
      403: problem('Not staff, or the maker of the request (`MAKER_CANNOT_APPROVE`): nothing was recorded'),
      404: problem('No such request (`APPROVAL_NOT_FOUND`)'),
      409: problem('Already decided (`APPROVAL_DECIDED`) or expired (`APPROVAL_EXPIRED`): nothing was changed'),
      503: problem('Not answered in time (`COMMAND_PENDING`): the decision may still be carried out; look at the request before sending again'),
    },
  }, async ({ params, body, principal }) => {
    const approvalId = params.approvalId;
    const checkerId = principal.subject;
    const makerCannot = () => new Problem(403, MAKER_CANNOT_APPROVE, 'Maker cannot approve', 'the member of staff who made a request cannot approve or reject it; nothing was recorded');
    const settled = (row: ApprovalRow) => new Problem(409, row.status === 'EXPIRED' ? APPROVAL_EXPIRED : APPROVAL_DECIDED, 'Already decided', `the request is ${row.status.toLowerCase()}; nothing was changed`);
    const known = await findApproval(ctx.db, approvalId);
    if (known) {
      if (known.makerId === checkerId) throw makerCannot();
      // Someone else decided it (or it ended): nothing to do. The same checker's retry joins their own decision.
      const mine = known.checkerId === checkerId && (known.status === 'REJECTED') === !body.approve;
      if (known.status !== 'PENDING' && mine) return { status: 200, body: toApproval(known) };
      if (known.status !== 'PENDING' || (known.checkerId !== null && !mine)) throw settled(known);
    }
    const handle = ctx.temporal.workflow.getHandle(approvalWorkflowIdFor(approvalId));
    const updateId = `decideApproval:${body.approve ? 'approve' : 'reject'}:${checkerId}`;
    const decision = handle.executeUpdate(decideApprovalUpdate, { args: [{ approve: body.approve, note: body.note, checkerId }], updateId });
    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<'pending'>((resolve) => { timer = setTimeout(() => resolve('pending'), STAFF_COMMAND_BUDGET_MS); });
    try {
      const answered = await Promise.race([decision, budget]);
      if (answered === 'pending') {
        decision.catch((err: unknown) => ctx.logger.warn({ err, approvalId }, 'a checker’s decision answered after its budget failed'));
        throw problems.unavailable('COMMAND_PENDING', 'the request has not answered yet; the decision may still be carried out, so look at the request before sending it again', 1);
      }
    } catch (err) {
      if (err instanceof Problem) throw err;
      const cause = err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure ? err.cause : undefined;
      if (cause?.type === MAKER_CANNOT_APPROVE) throw makerCannot();
      if (cause?.type === APPROVAL_DECIDED || cause?.type === APPROVAL_EXPIRED) throw new Problem(409, cause.type, 'Already decided', `${cause.message}; nothing was changed`);
      if (err instanceof WorkflowNotFoundError) {
        // A request that ended before it was recorded, or none at all.
        const ended = await findApproval(ctx.db, approvalId);
        if (ended) throw settled(ended);
        throw new Problem(404, 'APPROVAL_NOT_FOUND', 'Not found', `approval ${approvalId} was not found`);
      }
      throw lineProblem(err, { kind: 'staff', creditLineId: parseApprovalId(approvalId)!.creditLineId, operation: decideApprovalUpdate.name, pending: 'COMMAND_PENDING', refused: { status: 422, code: 'REQUEST_REFUSED', title: 'Request refused' } }, ctx.logger) ?? err;
    } finally {
      clearTimeout(timer);
    }
    // The workflow records the outcome before it answers.
    const decided = await findApproval(ctx.db, approvalId);
    if (!decided) throw new Problem(404, 'APPROVAL_NOT_FOUND', 'Not found', `approval ${approvalId} was not found`);
    return { status: 200, body: toApproval(decided) };
  });

  return router;
}
