/**
 * A maker–checker request (PRODUCT §10; README "Child workflows: when and why"): one workflow per
 * request, `credit-line-<lineId>/approval-<n>`, for a staff action that forgives money or overrides the
 * model. It records the request, waits for a checker's `decideApproval` Update or its expiry timer,
 * and, approved, applies the change to the line with one Update, then records how it ended.
 *
 * Started by the API, not by the line (README allows either): the line's history and state stay
 * untouched until a request is approved (nothing changes before approval, not even a counter), no
 * running line needs a patch for it, and a request that expires or is rejected never reaches the line.
 * The workflow's memo names the line's workflow (`lineWorkflowId`), and its id sits beside the line's
 * in the UI. The line re-decides the change when it arrives (a line closed meanwhile refuses it), so
 * the API's check that the line is open only spares a checker a request that could never apply.
 *
 * The Update that applies the change is sent from an activity (SDK 1.24: a workflow can signal another
 * workflow but not send it an Update), under an Update ID and an Idempotency-Key made of the approval's
 * id: a retry applies it once.
 */
import { allHandlersFinished, ApplicationFailure, condition, patched, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { approvalExpiresAt, type ApprovalStatus } from '../domain/approvals';
import { instantMs } from '../domain/calendar';
import { freeTextProblem, storableTextProblem } from '../domain/free-text';
import {
  APPROVAL_DECIDED, APPROVAL_EXPIRED, approvalQuery, decideApprovalUpdate, MAKER_CANNOT_APPROVE,
  type ApprovalOutcome, type CheckerDecision, type StaffApprovalInput,
} from './approval-messages';
import { nowIso } from './clock';

// Recording is a database write: retried until it lands.
const { recordApprovalRequested, recordApprovalDecided, recordApprovalFinished } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

// Applying waits for the line's answer; it is retried (idempotent by the approval's id) until the line
// answers, since giving up could leave a change applied and recorded as not.
const { applyApproval } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes', nonRetryableErrorTypes: ['NO_TEMPORAL_CLIENT'] },
});

const refuse = (type: string, message: string): never => { throw ApplicationFailure.create({ type, message, nonRetryable: true }); };

export async function staffApproval(input: StaffApprovalInput): Promise<ApprovalOutcome> {
  // Requested when the API started the request, not when a worker first ran it: the queue is oldest
  // first, and two requests made one after the other may run in either order (patch `requested-at-start`).
  const requestedAt = patched('requested-at-start') ? workflowInfo().startTime.toISOString() : nowIso();
  const expiresAt = approvalExpiresAt(requestedAt, { approvals: { expiresAfterHours: input.expiresAfterHours } });
  let status: ApprovalStatus = 'PENDING';
  let decision: CheckerDecision | null = null;
  let outcome: ApprovalOutcome | null = null;
  let expired = false;

  setHandler(approvalQuery, () => ({ approvalId: input.approvalId, status, requestedAt, expiresAt, checkerId: decision?.checkerId ?? null }));

  setHandler(decideApprovalUpdate, async (d) => {
    // Two checkers at once: the first decides; the validator refuses the second when it comes after.
    if (decision) refuse(APPROVAL_DECIDED, 'another member of staff decided this request first');
    decision = d;
    await condition(() => outcome !== null);
    return outcome!;
  }, {
    // Refused here, nothing enters history: the maker as checker, a request already decided or expired, bad input.
    validator: (d) => {
      if (typeof d.checkerId !== 'string' || d.checkerId.length === 0 || storableTextProblem(d.checkerId)) refuse('VALIDATION_FAILED', 'a checker is a member of staff');
      if (d.checkerId === input.makerId) refuse(MAKER_CANNOT_APPROVE, 'the member of staff who made a request cannot approve or reject it');
      if (typeof d.approve !== 'boolean') refuse('VALIDATION_FAILED', 'approve must be true or false');
      const note = typeof d.note === 'string' ? freeTextProblem(d.note) : 'must be text';
      if (note) refuse('VALIDATION_FAILED', `note ${note}`);
      if (expired) refuse(APPROVAL_EXPIRED, `the request expired at ${expiresAt}; nothing was changed`);
      if (decision) refuse(APPROVAL_DECIDED, 'the request was already decided');
    },
  });

  const finish = async (ended: ApprovalOutcome): Promise<ApprovalOutcome> => {
    status = ended.status;
    outcome = ended;
    // The checker's Update is answered before the workflow ends.
    await condition(allHandlersFinished);
    return ended;
  };

  await recordApprovalRequested({
    approvalId: input.approvalId, creditLineId: input.creditLineId, kind: input.kind, request: input.request, makerId: input.makerId, requestedAt, expiresAt,
  });

  const decided = await condition(() => decision !== null, Math.max(1, instantMs(expiresAt) - Date.now()));
  // Set by the Update handler (a closure the compiler cannot see through).
  const checker = decision as CheckerDecision | null;
  if (!decided || !checker) {
    expired = true;
    await recordApprovalFinished({ approvalId: input.approvalId, creditLineId: input.creditLineId, status: 'EXPIRED', at: nowIso() });
    return finish({ approvalId: input.approvalId, status: 'EXPIRED' });
  }

  await recordApprovalDecided({ approvalId: input.approvalId, creditLineId: input.creditLineId, approve: checker.approve, checkerId: checker.checkerId, note: checker.note, decidedAt: nowIso() });
  if (!checker.approve) return finish({ approvalId: input.approvalId, status: 'REJECTED' });

  const applied = await applyApproval({ approvalId: input.approvalId, creditLineId: input.creditLineId, request: input.request, makerId: input.makerId, checkerId: checker.checkerId });
  if (applied.applied) {
    await recordApprovalFinished({ approvalId: input.approvalId, creditLineId: input.creditLineId, status: 'APPROVED', at: nowIso(), result: applied.result });
    return finish({ approvalId: input.approvalId, status: 'APPROVED', result: applied.result });
  }
  const refusal = { code: applied.code, message: applied.message };
  await recordApprovalFinished({ approvalId: input.approvalId, creditLineId: input.creditLineId, status: 'FAILED', at: nowIso(), result: refusal, code: applied.code });
  return finish({ approvalId: input.approvalId, status: 'FAILED', result: refusal, code: applied.code });
}
