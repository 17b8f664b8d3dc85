/**
 * The `staffApproval` workflow's public surface (a maker–checker request, PRODUCT §10), imported by
 * the workflow, the activities, the API and the tests: its ids, input, Update and Query.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { parseApprovalId, type ApprovalKind, type ApprovalRequest, type ApprovalStatus } from '../domain/approvals';
import { workflowIdFor } from './messages';

/** `credit-line-<lineId>/approval-<n>` for the approval `<lineId>:approval:<n>`: scoped by the line, beside it in the UI. */
export function approvalWorkflowIdFor(approvalId: string): string {
  const parsed = parseApprovalId(approvalId);
  if (!parsed) throw new Error('not an approval id');
  return `${workflowIdFor(parsed.creditLineId)}/approval-${parsed.n}`;
}

/** No personal data: staff ids, amounts in fen, the maker's reason (free text, checked at the API). */
export interface StaffApprovalInput {
  approvalId: string;
  creditLineId: string;
  kind: ApprovalKind;
  request: ApprovalRequest;
  makerId: string;
  /** The product's `approvals.expiresAfterHours` when the request was made: a request keeps its own period. */
  expiresAfterHours: number;
}

/** What the workflow's memo says (searchable by operators in the UI, no free text). */
export interface StaffApprovalMemo {
  creditLineId: string;
  lineWorkflowId: string;
  kind: ApprovalKind;
  makerId: string;
  /** A fingerprint of the request, so a retried request with the same Idempotency-Key is known for the same one. */
  requestHash: string;
}

/** A checker's decision: never the maker's (the validator refuses it before it enters history). */
export interface CheckerDecision {
  approve: boolean;
  note: string;
  checkerId: string;
}

/** How a request ended: the line's answer when applied, or the line's refusal code when it could not be. */
export interface ApprovalOutcome {
  approvalId: string;
  status: Exclude<ApprovalStatus, 'PENDING'>;
  result?: unknown;
  code?: string;
}

/** Answered once the request has ended (applied and recorded, or rejected and recorded). */
export const decideApprovalUpdate = defineUpdate<ApprovalOutcome, [CheckerDecision]>('decideApproval');

/** Where a request stands, for operators and tests. */
export interface ApprovalView { approvalId: string; status: ApprovalStatus; requestedAt: string | null; expiresAt: string | null; checkerId: string | null }
export const approvalQuery = defineQuery<ApprovalView>('approval');

/** Refusals of the checker's Update (its validator), as failure types the API maps to its codes. */
export const MAKER_CANNOT_APPROVE = 'MAKER_CANNOT_APPROVE';
export const APPROVAL_DECIDED = 'APPROVAL_DECIDED';
export const APPROVAL_EXPIRED = 'APPROVAL_EXPIRED';
