/**
 * The `staffApproval` workflow's I/O (maker–checker, PRODUCT §10): its record in `approvals` with each
 * step in the audit trail, and the approved change carried to the line.
 *
 * Every write is idempotent (a retried activity writes nothing twice): the request is inserted once by
 * its id, a step moves the row only from the state before it, and each audit row is unique by the
 * approval's id and its action. The change is sent to the line as an Update from here (in SDK 1.24 a
 * workflow can signal another workflow but not send it an Update) under an Update ID made of the
 * approval's id, and as a command whose Idempotency-Key is the approval's id: a retry, in this run of
 * the line or a later one, gets the line's first answer and changes nothing twice.
 */
import { createHash } from 'node:crypto';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { and, eq, isNull } from 'drizzle-orm';
import type { Database } from '../db/client';
import { approvals, auditLog } from '../db/schema';
import { actorRef, type Actor } from '../domain/audit';
import { appliedNote, APPROVALS_SYSTEM, type ApprovalKind, type ApprovalRequest } from '../domain/approvals';
import type { CommandResult } from '../domain/line';
import { hardshipPlanUpdate, limitUpdate, updateIdFor, waiveFeesUpdate, workflowIdFor, writeOffUpdate } from '../workflows/messages';
import { withCleanErrors } from './errors';

export interface ApprovalActivityDeps {
  db: Database;
  /** A client of the worker's own Temporal connection, for the Update to the line. */
  temporal?: Client;
}

export interface ApprovalRequested {
  approvalId: string;
  creditLineId: string;
  kind: ApprovalKind;
  request: ApprovalRequest;
  makerId: string;
  requestedAt: string;
  expiresAt: string;
}

export interface ApprovalDecided {
  approvalId: string;
  creditLineId: string;
  approve: boolean;
  checkerId: string;
  note: string;
  decidedAt: string;
}

export interface ApprovalFinished {
  approvalId: string;
  creditLineId: string;
  status: 'APPROVED' | 'FAILED' | 'EXPIRED';
  at: string;
  /** The line's answer (APPROVED), or its refusal (FAILED). */
  result?: unknown;
  code?: string;
}

export interface ApplyApprovalInput {
  approvalId: string;
  creditLineId: string;
  request: ApprovalRequest;
  makerId: string;
  checkerId: string;
}

/** What the line said: its answer's body, or the code it refused with (nothing was changed then). */
export type AppliedApproval = { applied: true; result: unknown } | { applied: false; code: string; message: string };

const staff = (id: string): string => actorRef({ type: 'staff', id });

/** The figures of a request for the audit trail (its reason is the row's `reason`). */
function requestDetails(request: ApprovalRequest): Record<string, string | number> {
  switch (request.kind) {
    case 'FEE_WAIVER': return { kind: request.kind, amount: request.amount };
    case 'LIMIT_ABOVE_MODEL': return { kind: request.kind, limit: request.limit, modelLimit: request.modelLimit, from: request.from };
    case 'HARDSHIP_PLAN': return { kind: request.kind, installments: request.installments };
    case 'WRITE_OFF': return { kind: request.kind };
  }
}

/** The fingerprint of the command an approval sends: the same approval always sends the same command. */
const fingerprint = (operation: string, approvalId: string, body: unknown): string =>
  createHash('sha256').update(JSON.stringify([operation, approvalId, body])).digest('hex');

export function createApprovalActivities({ db, temporal }: ApprovalActivityDeps) {
  return {
    /** The request, PENDING, and its APPROVAL_REQUESTED row by the maker. */
    async recordApprovalRequested(input: ApprovalRequested): Promise<void> {
      await withCleanErrors(() => db.transaction(async (tx) => {
        await tx.insert(approvals).values({
          id: input.approvalId, creditLineId: input.creditLineId, kind: input.kind, request: input.request, makerId: input.makerId,
          status: 'PENDING', requestedAt: input.requestedAt, expiresAt: input.expiresAt,
        }).onConflictDoNothing({ target: approvals.id });
        await tx.insert(auditLog).values({
          creditLineId: input.creditLineId, eventKey: input.approvalId, action: 'APPROVAL_REQUESTED', actor: staff(input.makerId), reason: input.request.reason,
          details: { approvalId: input.approvalId, ...requestDetails(input.request), expiresAt: input.expiresAt }, occurredAt: input.requestedAt,
        }).onConflictDoNothing();
      }));
    },

    /** The checker's decision with their note: REJECTED ends the request; an approval stays PENDING until the line answers. */
    async recordApprovalDecided(input: ApprovalDecided): Promise<void> {
      await withCleanErrors(() => db.transaction(async (tx) => {
        await tx.update(approvals).set({
          checkerId: input.checkerId, checkerNote: input.note, decidedAt: input.decidedAt, ...(input.approve ? {} : { status: 'REJECTED' }),
        }).where(and(eq(approvals.id, input.approvalId), eq(approvals.status, 'PENDING'), isNull(approvals.checkerId)));
        await tx.insert(auditLog).values({
          creditLineId: input.creditLineId, eventKey: input.approvalId, action: input.approve ? 'APPROVAL_APPROVED' : 'APPROVAL_REJECTED',
          actor: staff(input.checkerId), reason: input.note, details: { approvalId: input.approvalId }, occurredAt: input.decidedAt,
        }).onConflictDoNothing();
      }));
    },

    /**
     * How the request ended: APPROVED with the line's answer, FAILED with the line's refusal (audited by
     * `system:approvals` with its code), or EXPIRED (audited likewise; nothing was applied).
     */
    async recordApprovalFinished(input: ApprovalFinished): Promise<void> {
      await withCleanErrors(() => db.transaction(async (tx) => {
        await tx.update(approvals).set({
          status: input.status, ...(input.result !== undefined ? { result: input.result } : {}), ...(input.status === 'EXPIRED' ? { decidedAt: input.at } : {}),
        }).where(and(eq(approvals.id, input.approvalId), eq(approvals.status, 'PENDING')));
        if (input.status === 'APPROVED') return; // the line's own audit row says what it applied
        const actor: Actor = APPROVALS_SYSTEM;
        await tx.insert(auditLog).values({
          creditLineId: input.creditLineId, eventKey: input.approvalId, action: input.status === 'EXPIRED' ? 'APPROVAL_EXPIRED' : 'APPROVAL_FAILED',
          actor: actorRef(actor), reason: input.code ?? null, details: { approvalId: input.approvalId }, occurredAt: input.at,
        }).onConflictDoNothing();
      }));
    },

    /**
     * Sends the approved change to the line and answers what the line said. A line that refuses it (closed
     * meanwhile, the fees paid) or is gone answers `applied: false` with the code; anything that may
     * pass on a retry (Temporal unreachable, the Update handed back unprocessed) is thrown and retried.
     */
    async applyApproval(input: ApplyApprovalInput): Promise<AppliedApproval> {
      if (!temporal) throw ApplicationFailure.nonRetryable('this worker has no Temporal client to apply approvals with', 'NO_TEMPORAL_CLIENT');
      const line = temporal.workflow.getHandle(workflowIdFor(input.creditLineId));
      const actor: Actor = { type: 'staff', id: input.makerId };
      const note = appliedNote(input.request.reason, input.approvalId, input.checkerId);
      const key = input.approvalId;
      let answer: CommandResult;
      try {
        // One line command per kind of request; a new kind adds its case (the compiler asks for it).
        const asked = input.request;
        switch (asked.kind) {
          case 'FEE_WAIVER': {
            const request = { amount: asked.amount, approvalId: input.approvalId, note };
            const requestHash = fingerprint(waiveFeesUpdate.name, key, request);
            answer = await line.executeUpdate(waiveFeesUpdate, { args: [{ ...request, key, requestHash, actor }], updateId: updateIdFor(waiveFeesUpdate.name, key, requestHash) });
            break;
          }
          case 'LIMIT_ABOVE_MODEL': {
            const request = { limit: asked.limit, via: 'STAFF' as const, note };
            const requestHash = fingerprint(limitUpdate.name, key, request);
            answer = await line.executeUpdate(limitUpdate, { args: [{ ...request, key, requestHash, actor }], updateId: updateIdFor(limitUpdate.name, key, requestHash) });
            break;
          }
          case 'HARDSHIP_PLAN': {
            const request = { installments: asked.installments, note, approvalId: input.approvalId };
            const requestHash = fingerprint(hardshipPlanUpdate.name, key, request);
            answer = await line.executeUpdate(hardshipPlanUpdate, { args: [{ ...request, key, requestHash, actor }], updateId: updateIdFor(hardshipPlanUpdate.name, key, requestHash) });
            break;
          }
          case 'WRITE_OFF': {
            const request = { note, approvalId: input.approvalId };
            const requestHash = fingerprint(writeOffUpdate.name, key, request);
            answer = await line.executeUpdate(writeOffUpdate, { args: [{ ...request, key, requestHash, actor }], updateId: updateIdFor(writeOffUpdate.name, key, requestHash) });
            break;
          }
          default: {
            const unknown: never = asked;
            throw ApplicationFailure.nonRetryable(`no line command for ${(unknown as { kind: string }).kind}`, 'UNKNOWN_APPROVAL_KIND');
          }
        }
      } catch (err) {
        // The line's workflow has ended (closed, declined): nothing to apply to.
        if (err instanceof WorkflowNotFoundError) return { applied: false, code: 'LINE_NOT_ACTIVE', message: 'the credit line is not open' };
        if (err instanceof WorkflowUpdateFailedError) {
          const cause = err.cause instanceof ApplicationFailure ? err.cause : undefined;
          // Handed back unprocessed: nothing happened, send it again.
          if (cause?.type === 'UnprocessedUpdate') throw ApplicationFailure.retryable('the line handed the Update back unprocessed', 'UPDATE_UNPROCESSED');
          // The validator's refusal, or the line could not carry it out: nothing was changed.
          return { applied: false, code: cause?.type && /^[A-Z][A-Z0-9_]*$/.test(cause.type) ? cause.type : 'REQUEST_REFUSED', message: cause?.message ?? err.message };
        }
        throw err;
      }
      return answer.ok ? { applied: true, result: answer.body } : { applied: false, code: answer.code, message: answer.message };
    },
  };
}
