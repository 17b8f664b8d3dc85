/**
 * The one way from the API to a line's workflow. Routes parse, authorize and shape; everything that
 * reaches a workflow goes through here, and every way that can fail becomes a `Problem` in one
 * function, `lineProblem`:
 *
 * | failure                                                        | status | code                                   |
 * | -------------------------------------------------------------- | ------ | -------------------------------------- |
 * | a command not decided within its budget                        | 503    | AUTHORIZATION_PENDING / COMMAND_PENDING (Retry-After: 1) |
 * | Update failed, ApplicationFailure `UnprocessedUpdate` (resent while the budget lasts) | 503 | the pending code (Retry-After: 1) |
 * | Update failed, `COMMAND_FAILED` (broken invariant, write refused for good) | 500 | COMMAND_FAILED                  |
 * | Update failed, `VALIDATION_FAILED` (the validator)             | 400    | VALIDATION_FAILED                      |
 * | Update failed, any other UPPER_SNAKE type (the validator's code) | 404 for `*_NOT_FOUND`, else 422 | that type |
 * | Update failed, anything else (a plain Error in a validator)    | the call's `refused` (default 422) | REQUEST_REFUSED or the call's |
 * | the Update RPC timed out or was cancelled                      | 503    | the pending code (Retry-After: 1)      |
 * | WorkflowNotFoundError (no workflow for the line)               | 422    | LINE_NOT_ACTIVE                        |
 * | a command or query Temporal did not take (ServiceError, gRPC)  | 503    | the pending code / LINE_UNAVAILABLE    |
 * | a query that failed for any other reason (rejected, unregistered, past its budget) | 503 | LINE_UNAVAILABLE (Retry-After: 2) |
 * | a line's workflow that could not be started                    | 503    | TEMPORAL_UNAVAILABLE (Retry-After: 5)  |
 *
 * And a line's own answers (a command's result, a quote's refusal): `*_NOT_FOUND` is 404, any other
 * code 422 (`rejection`); the same stored result always gives the same status and body.
 */
import type { Actor } from '../domain/audit';
import { createHash, randomUUID } from 'node:crypto';
import {
  ServiceError, WorkflowExecutionAlreadyStartedError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError, type QueryDefinition, type UpdateDefinition } from '@temporalio/common';
import { validateCommand, type Command } from '../domain/line';
import { STANDARD_PRODUCT } from '../domain/product';
import { MONEY_COMMAND_OF_UPDATE, searchAttributes, updateIdFor, workflowIdFor, type CreditLineInput } from '../workflows/messages';
import type { creditLine } from '../workflows/credit-line';
import type { ApiContext } from './context';
import { Problem, problems } from './problem';
import { answeredCommand } from './read-models';
import type { RouteResult } from './route';
import { IDEMPOTENCY_KEY } from './schemas';

/** An authorization must be answered within the card networks' budget; so is every money command. */
export const DECISION_BUDGET_MS = 2000;
/** A staff command has no key to retry with: it waits longer, and past this the caller is told to look before resending. */
export const STAFF_COMMAND_BUDGET_MS = 10_000;
/** A query answers from the live line in milliseconds; past this the line is taken as unavailable. */
export const QUERY_BUDGET_MS = 5000;

export type PendingCode = 'AUTHORIZATION_PENDING' | 'COMMAND_PENDING';

/** What a money command's Update answers (the domain's `CommandResult`, by shape). */
export type CommandAnswer = { ok: true; body: unknown } | { ok: false; type: string; code: string; message: string };

/** What a money command carries besides its request: the key and the request's fingerprint. */
export interface Keyed { key: string; requestHash: string; actor?: Actor }

/** What a refusal without a code of its own answers (a validator's plain Error): 422 REQUEST_REFUSED unless the route says. */
export interface Refusal { status: number; code: string; title: string }

export interface CommandOptions {
  /** The Idempotency-Key header, as `defineRoute` parsed it. */
  idempotencyKey: string;
  /** The request's path: part of the fingerprint, so one key cannot mean two requests. */
  path: string;
  pending: PendingCode;
  /** Who sends it, for the audit trail (not part of the fingerprint: the request is what is compared). */
  actor: Actor;
}

export interface StaffCommandOptions {
  refused?: Refusal;
  budgetMs?: number;
  /** `act` only: the command's key when the caller has one (the same act sent again is decided once); else a fresh one. */
  key?: string;
}

/** One call to a line: what the failure mapping needs to know about it. */
export interface LineCall {
  kind: 'command' | 'staff' | 'query' | 'start';
  creditLineId: string;
  /** The Update's or Query's name, for logs. */
  operation: string;
  pending: PendingCode;
  refused: Refusal;
}

const REQUEST_REFUSED: Refusal = { status: 422, code: 'REQUEST_REFUSED', title: 'Request refused' };
const CODE = /^[A-Z][A-Z0-9_]*$/;

/** A line's own refusal (a command's result, a quote's answer): not found is 404, anything else 422. */
export function rejection(code: string, message: string, title = 'Request refused'): Problem {
  return new Problem(code.endsWith('_NOT_FOUND') ? 404 : 422, code, title, message);
}

/** The HTTP answer for a command's result: the same result always gives the same status and body. */
export function httpAnswer(result: CommandAnswer): RouteResult {
  if (result.ok) return { status: 201, body: result.body };
  const declined = result.type === 'purchase' && !result.code.endsWith('_NOT_FOUND');
  throw rejection(result.code, result.message, declined ? 'Purchase declined' : 'Request refused');
}

function pendingProblem(call: LineCall, why: 'budget' | 'busy'): Problem {
  const detail = call.kind === 'command'
    ? (why === 'budget'
      ? 'the credit line could not decide in time; retry with the same Idempotency-Key to get its decision'
      : 'the credit line is busy; retry with the same Idempotency-Key')
    : 'the credit line has not answered yet; the command may still be carried out, so look at the line before sending it again';
  return problems.unavailable(call.pending, detail, 1);
}

const isUnprocessed = (err: unknown): boolean =>
  err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type === 'UnprocessedUpdate';

/**
 * Every failure of a call to a line, as the problem the client gets (the table at the top of this
 * file). `undefined` for an error that is not the line's: it stays a bare, logged 500.
 */
export function lineProblem(err: unknown, call: LineCall, logger: ApiContext['logger']): Problem | undefined {
  if (err instanceof Problem) return err;
  const { creditLineId, operation } = call;
  if (call.kind === 'start') {
    logger.error({ err, creditLineId }, 'could not start the credit-line workflow');
    return problems.unavailable('TEMPORAL_UNAVAILABLE', 'the application could not be started; nothing was created, try again', 5);
  }
  if (err instanceof WorkflowNotFoundError) return new Problem(422, 'LINE_NOT_ACTIVE', 'Request refused', 'the credit line is not open');
  if (call.kind === 'query') {
    logger.warn({ err, creditLineId, operation }, 'query failed');
    return problems.unavailable('LINE_UNAVAILABLE', 'the credit line cannot answer right now; retry shortly', 2);
  }
  if (err instanceof WorkflowUpdateFailedError) {
    const cause = err.cause instanceof ApplicationFailure ? err.cause : undefined;
    // The server handed the Update back unprocessed (it reached the worker mid-task): nothing happened.
    if (cause?.type === 'UnprocessedUpdate') return pendingProblem(call, 'busy');
    // The line could not carry it out (a broken invariant, a write refused for good): nothing changed.
    if (cause?.type === 'COMMAND_FAILED') {
      logger.error({ creditLineId, operation }, 'a command failed in the credit line; nothing was changed');
      return new Problem(500, 'COMMAND_FAILED', 'Command failed', 'the credit line could not carry out this command; nothing was changed. Quote the X-Request-Id when you report it');
    }
    // Refused by the validator: the request is wrong in itself; nothing happened.
    const detail = cause?.message ?? err.message;
    if (cause?.type === 'VALIDATION_FAILED') return new Problem(400, 'VALIDATION_FAILED', 'Request refused', detail);
    if (cause?.type && CODE.test(cause.type)) return rejection(cause.type, detail);
    return new Problem(call.refused.status, call.refused.code, call.refused.title, detail);
  }
  // The RPC gave up, or Temporal did not take the call: not decided; for a money command the same key gets the one decision.
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError || err instanceof ServiceError) {
    logger.warn({ err, creditLineId, operation }, 'a command did not reach the credit line');
    return pendingProblem(call, 'busy');
  }
  return undefined;
}

export type LineGateway = ReturnType<typeof lineGateway>;

/** The gateway over one API context; every route module makes its own (it holds no state). */
export function lineGateway(ctx: ApiContext) {
  const handle = (creditLineId: string) => ctx.temporal.workflow.getHandle(workflowIdFor(creditLineId));
  const fail = (err: unknown, call: LineCall): never => { throw lineProblem(err, call, ctx.logger) ?? err; };

  /**
   * Sends an Update (again when the server hands it back unprocessed) until it is decided or the
   * budget runs out; past the budget the caller gets 503 and the decision still happens once.
   */
  async function decideWithin<R>(call: LineCall, budgetMs: number, send: () => Promise<R>): Promise<R> {
    const deadline = Date.now() + budgetMs;
    for (;;) {
      const decision = send();
      let timer: NodeJS.Timeout | undefined;
      const budget = new Promise<'pending'>((resolve) => { timer = setTimeout(() => resolve('pending'), Math.max(0, deadline - Date.now())); });
      try {
        const result = await Promise.race([decision, budget]);
        if (result === 'pending') {
          decision.catch((err: unknown) => ctx.logger.warn({ err, creditLineId: call.creditLineId, operation: call.operation }, 'a command answered after its budget failed'));
          throw pendingProblem(call, 'budget');
        }
        return result as R;
      } catch (err) {
        if (isUnprocessed(err) && Date.now() < deadline) continue;
        return fail(err, call);
      } finally {
        clearTimeout(timer);
      }
    }
  }

  return {
    /**
     * A money command with Idempotency-Key semantics (API.md): a key already answered is answered
     * from the database; otherwise the line decides within the 2-second budget, under an Update ID
     * made of the key and the request, so a retry joins the one decision.
     */
    async command<Req extends object, R extends CommandAnswer>(
      creditLineId: string, update: UpdateDefinition<R, [Req & Keyed]>, request: Req, options: CommandOptions,
    ): Promise<RouteResult> {
      const key = options.idempotencyKey;
      // defineRoute has checked the header already; this guards a caller that did not declare it.
      if (!IDEMPOTENCY_KEY.test(key)) {
        throw problems.validation([{ field: 'Idempotency-Key', message: 'an Idempotency-Key header of 1 to 200 printable ASCII characters is required' }]);
      }
      const requestHash = fingerprint(update.name, options.path, request);
      const answered = await answeredCommand(ctx.db, creditLineId, key);
      if (answered) {
        if (answered.requestHash !== requestHash) throw new Problem(422, 'IDEMPOTENCY_KEY_REUSED', 'Idempotency-Key reused', 'this Idempotency-Key was used for a different request');
        return httpAnswer(answered.result as CommandAnswer);
      }
      const call: LineCall = { kind: 'command', creditLineId, operation: update.name, pending: options.pending, refused: REQUEST_REFUSED };
      const updateId = updateIdFor(update.name, key, requestHash);
      const args: [Req & Keyed] = [{ ...request, key, requestHash, actor: options.actor }];
      try {
        return httpAnswer(await decideWithin(call, DECISION_BUDGET_MS, () => handle(creditLineId).executeUpdate(update, { args, updateId })));
      } catch (err) {
        // A line whose run has ended (closed) has no validator to ask: a request wrong in itself is
        // refused as that validator refused it while the line was open, so one key keeps one answer
        // (the chaos run found a retry answered LINE_NOT_ACTIVE after MERCHANT_NOT_ELIGIBLE).
        const type = MONEY_COMMAND_OF_UPDATE[update.name];
        const invalid = err instanceof Problem && err.code === 'LINE_NOT_ACTIVE' && type
          ? validateCommand({ type, purchaseId: '', refundId: '', repaymentId: '', ...args[0] } as unknown as Command, STANDARD_PRODUCT)
          : null;
        if (invalid) throw invalid.code === 'VALIDATION_FAILED' ? new Problem(400, 'VALIDATION_FAILED', 'Request refused', invalid.message) : rejection(invalid.code, invalid.message);
        throw err;
      }
    },

    /**
     * A line command without an Idempotency-Key header (suspending, lifting, a rule's action): the
     * gateway makes the key, so the line decides it once and remembers the answer like any command.
     * Answers the line's result (a refusal is the caller's to map); fails like a staff command.
     */
    async act<A extends Keyed, R extends CommandAnswer>(
      creditLineId: string, update: UpdateDefinition<R, [A]>, request: Omit<A, keyof Keyed>, actor: Actor, options: StaffCommandOptions = {},
    ): Promise<R> {
      const key = options.key ?? `auto:${randomUUID()}`;
      const args = [{ ...request, key, requestHash: fingerprint(update.name, creditLineId, request), actor } as A] as [A];
      const call: LineCall = { kind: 'staff', creditLineId, operation: update.name, pending: 'COMMAND_PENDING', refused: options.refused ?? REQUEST_REFUSED };
      return decideWithin(call, options.budgetMs ?? STAFF_COMMAND_BUDGET_MS, () => handle(creditLineId).executeUpdate(update, { args, updateId: updateIdFor(update.name, key, args[0].requestHash) }));
    },

    /**
     * A staff member's Update (no Idempotency-Key): one Update ID per call, sent again only when the
     * server hands it back unprocessed. Refusals without a code of their own answer `refused`.
     */
    async staffCommand<Ret, Arg>(creditLineId: string, update: UpdateDefinition<Ret, [Arg]>, arg: Arg, options: StaffCommandOptions = {}): Promise<Ret> {
      const call: LineCall = { kind: 'staff', creditLineId, operation: update.name, pending: 'COMMAND_PENDING', refused: options.refused ?? REQUEST_REFUSED };
      const updateId = `${update.name}:${randomUUID()}`;
      const args: [Arg] = [arg];
      return decideWithin(call, options.budgetMs ?? STAFF_COMMAND_BUDGET_MS, () => handle(creditLineId).executeUpdate(update, { args, updateId }));
    },

    /** A read from the live line; a line whose worker is away answers 503, not a guess. */
    async query<Ret, Args extends unknown[]>(creditLineId: string, query: QueryDefinition<Ret, Args>, ...args: Args): Promise<Ret> {
      try {
        return await ctx.temporal.withDeadline(Date.now() + QUERY_BUDGET_MS, () => handle(creditLineId).query(query, ...args));
      } catch (err) {
        return fail(err, { kind: 'query', creditLineId, operation: query.name, pending: 'COMMAND_PENDING', refused: REQUEST_REFUSED });
      }
    },

    /** Starts a new line's workflow; started already (a retry) is started. Failing, nothing runs: 503. */
    async start(input: CreditLineInput): Promise<void> {
      try {
        await ctx.temporal.workflow.start<typeof creditLine>('creditLine', {
          workflowId: workflowIdFor(input.creditLineId),
          taskQueue: ctx.taskQueue,
          args: [input],
          typedSearchAttributes: [
            { key: searchAttributes.status, value: 'UNDERWRITING' },
            { key: searchAttributes.customerId, value: input.customerId },
          ],
        });
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) return;
        fail(err, { kind: 'start', creditLineId: input.creditLineId, operation: 'start', pending: 'COMMAND_PENDING', refused: REQUEST_REFUSED });
      }
    },
  };
}

/** The request as a stable fingerprint: operation, path and body with keys in order. */
function fingerprint(operation: string, path: string, body: unknown): string {
  const canonical = (v: unknown): unknown => (v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]))
    : v);
  return createHash('sha256').update(JSON.stringify([operation, path, canonical(body)])).digest('hex');
}
