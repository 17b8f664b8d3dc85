/**
 * Which Update is which line command: every command the line takes is registered here, each handled
 * by the shell's `handle` (decided synchronously by the domain, persisted in order) after the shell's
 * `validator` (a request wrong in itself is refused before it enters history). New Updates need no
 * `patched()`: no history from before them ever received one.
 */
import { setHandler, uuid4 } from '@temporalio/workflow';
import type { Command, CommandResult } from '../domain/line';
import {
  cancelClosureUpdate, closeUpdate, conversionUpdate, hardshipPlanUpdate, liftUpdate, limitUpdate, pauseCollectionUpdate, purchaseUpdate, refundUpdate,
  repaymentUpdate, resumeCollectionUpdate, suspendUpdate, waiveFeesUpdate, writeOffUpdate, type LimitRequest,
} from './messages';

export function registerLineCommands(handle: (command: Command) => Promise<CommandResult>, validator: (command: Command) => void): void {
  // Money: the ids of what is made are the workflow's (deterministic uuid4), never the caller's.
  setHandler(purchaseUpdate, (r) => handle({ type: 'purchase', purchaseId: `p_${uuid4()}`, ...r }), { validator: (r) => validator({ type: 'purchase', purchaseId: '', ...r }) });
  setHandler(refundUpdate, (r) => handle({ type: 'refund', refundId: `r_${uuid4()}`, ...r }), { validator: (r) => validator({ type: 'refund', refundId: '', ...r }) });
  setHandler(repaymentUpdate, (r) => handle({ type: 'repayment', repaymentId: `rp_${uuid4()}`, ...r }), { validator: (r) => validator({ type: 'repayment', repaymentId: '', ...r }) });
  setHandler(conversionUpdate, (r) => handle({ type: 'conversion', ...r }), { validator: (r) => validator({ type: 'conversion', ...r }) });
  // Suspending and lifting (risk rules, staff, the customer's code or freeze, a review).
  setHandler(suspendUpdate, (r) => handle({ type: 'suspend', ...r }), { validator: (r) => validator({ type: 'suspend', ...r }) });
  setHandler(liftUpdate, (r) => handle({ type: 'lift', ...r }), { validator: (r) => validator({ type: 'lift', ...r }) });
  // Sent by an approved maker–checker request (workflows/staff-approval.ts).
  setHandler(waiveFeesUpdate, (r) => handle({ type: 'waiveFees', ...r }), { validator: (r) => validator({ type: 'waiveFees', ...r }) });
  // Closing and cancelling (domain/line/closure.ts).
  setHandler(closeUpdate, (r) => handle({ type: 'close', ...r }), { validator: (r) => validator({ type: 'close', ...r }) });
  setHandler(cancelClosureUpdate, (r) => handle({ type: 'cancelClosure', ...r }), { validator: (r) => validator({ type: 'cancelClosure', ...r }) });
  // Collection pauses and hardship plans (domain/line/collection-pause.ts, hardship.ts).
  setHandler(pauseCollectionUpdate, (r) => handle({ type: 'pauseCollection', ...r }), { validator: (r) => validator({ type: 'pauseCollection', ...r }) });
  setHandler(resumeCollectionUpdate, (r) => handle({ type: 'resumeCollection', ...r }), { validator: (r) => validator({ type: 'resumeCollection', ...r }) });
  setHandler(hardshipPlanUpdate, (r) => handle({ type: 'startHardshipPlan', ...r }), { validator: (r) => validator({ type: 'startHardshipPlan', ...r }) });
  // A write-off outside the ladder (domain/line/write-off.ts), sent by an approved maker–checker request.
  setHandler(writeOffUpdate, (r) => handle({ type: 'writeOff', ...r }), { validator: (r) => validator({ type: 'writeOff', ...r }) });
  // A person's limit: never `MODEL` (that is the line's own review at a statement).
  const personal = (r: LimitRequest): Command => ({ type: 'setLimit', ...r, via: r.via === 'MODEL' ? 'STAFF' : r.via });
  setHandler(limitUpdate, (r) => handle(personal(r)), { validator: (r) => validator(personal(r)) });
}
