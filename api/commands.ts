import { createHash } from 'node:crypto';
import type { Request } from 'express';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError, type UpdateDefinition } from '@temporalio/common';
import { and, eq } from 'drizzle-orm';
import { commandResults } from '../db/schema';
import type { CommandResult, RejectionCode } from '../domain/credit-line';
import { updateIdFor, workflowIdFor } from '../workflows/messages';
import type { ApiContext } from './context';
import { z } from './openapi';
import { Problem, problems } from './problem';
import type { RouteResult } from './route';

/** An authorization must be answered within the card networks' budget; so is every money command. */
export const DECISION_BUDGET_MS = 2000;

/** 1–200 printable ASCII characters: a key is stored and echoed, so it must be plain text. */
const IDEMPOTENCY_KEY = /^[\x20-\x7e]{1,200}$/;

export const idempotencyKeyHeader = z.object({
  'idempotency-key': z.string().regex(IDEMPOTENCY_KEY).openapi({ description: 'Required on every POST that moves money (1–200 printable ASCII characters); same key + same body = same answer, money moved once' }),
});

const NOT_FOUND_CODES: readonly RejectionCode[] = ['PURCHASE_NOT_FOUND', 'STATEMENT_NOT_FOUND'];

/** The HTTP answer for a command's result: the same result always gives the same status and body. */
export function httpAnswer(result: CommandResult): RouteResult {
  if (result.ok) return { status: 201, body: result.body };
  const status = NOT_FOUND_CODES.includes(result.code) ? 404 : 422;
  throw new Problem(status, result.code, result.type === 'purchase' && status === 422 ? 'Purchase declined' : 'Request refused', result.message);
}

/** The request as a stable fingerprint: operation, path and body with keys in order. */
function fingerprint(operation: string, req: Request, body: unknown): string {
  const canonical = (v: unknown): unknown => (v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]))
    : v);
  return createHash('sha256').update(JSON.stringify([operation, req.baseUrl + req.path, canonical(body)])).digest('hex');
}

/**
 * Runs a money command with Idempotency-Key semantics (API.md): a key already answered is answered
 * from the database; otherwise the line's workflow decides, within the 2-second budget. Past it the
 * caller gets 503 with Retry-After, the decision still happens once, and the retry gets it.
 */
export async function runCommand<Req extends object>(
  ctx: ApiContext,
  req: Request,
  creditLineId: string,
  update: UpdateDefinition<CommandResult, [Req & { key: string; requestHash: string }]>,
  request: Req,
  pendingCode: 'AUTHORIZATION_PENDING' | 'COMMAND_PENDING',
): Promise<RouteResult> {
  const key = req.header('idempotency-key');
  if (!key || !IDEMPOTENCY_KEY.test(key)) {
    throw problems.validation([{ field: 'Idempotency-Key', message: 'an Idempotency-Key header of 1 to 200 printable ASCII characters is required' }]);
  }
  const requestHash = fingerprint(update.name, req, request);
  const [answered] = await ctx.db.select().from(commandResults)
    .where(and(eq(commandResults.creditLineId, creditLineId), eq(commandResults.idempotencyKey, key)));
  if (answered) {
    if (answered.requestHash !== requestHash) throw new Problem(422, 'IDEMPOTENCY_KEY_REUSED', 'Idempotency-Key reused', 'this Idempotency-Key was used for a different request');
    return httpAnswer(answered.result as CommandResult);
  }
  const handle = ctx.temporal.workflow.getHandle(workflowIdFor(creditLineId));
  const deadline = Date.now() + DECISION_BUDGET_MS;
  for (;;) {
    const decision = handle.executeUpdate(update, { args: [{ ...request, key, requestHash }], updateId: updateIdFor(update.name, key, requestHash) });
    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<'pending'>((resolve) => { timer = setTimeout(() => resolve('pending'), Math.max(0, deadline - Date.now())); });
    try {
      const result = await Promise.race([decision, budget]);
      if (result === 'pending') {
        decision.catch((err: unknown) => ctx.logger.warn({ err, creditLineId }, 'a command answered after its budget failed'));
        throw problems.unavailable(pendingCode, 'the credit line could not decide in time; retry with the same Idempotency-Key to get its decision', 1);
      }
      return httpAnswer(result as CommandResult);
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) {
        const cause = err.cause instanceof ApplicationFailure ? err.cause : undefined;
        // The server hands an Update back unprocessed when it reached the worker in the middle of a
        // workflow task: nothing happened, so it is sent again while the budget lasts.
        if (cause?.type === 'UnprocessedUpdate' && Date.now() < deadline) continue;
        if (cause?.type === 'UnprocessedUpdate') throw problems.unavailable(pendingCode, 'the credit line is busy; retry with the same Idempotency-Key', 1);
        // The line could not carry it out (a broken invariant, a write refused for good): nothing changed.
        if (cause?.type === 'COMMAND_FAILED') {
          ctx.logger.error({ creditLineId, operation: update.name }, 'a command failed in the credit line; nothing was changed');
          throw new Problem(500, 'COMMAND_FAILED', 'Command failed', 'the credit line could not carry out this command; nothing was changed. Quote the X-Request-Id when you report it');
        }
        // Refused by the validator: the request is wrong in itself; nothing happened.
        const code = cause?.type && /^[A-Z_]+$/.test(cause.type) ? cause.type : 'REQUEST_REFUSED';
        throw new Problem(code === 'VALIDATION_FAILED' ? 400 : 422, code, 'Request refused', cause?.message ?? err.message);
      }
      if (err instanceof WorkflowNotFoundError) throw new Problem(422, 'LINE_NOT_ACTIVE', 'Request refused', 'the credit line is not open');
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }
}
