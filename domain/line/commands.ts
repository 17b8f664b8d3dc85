/**
 * The commands a line takes, their answers, and the line's whole state: the state every module sees
 * plus the answers it remembers, so the same idempotency key gets the same answer.
 */
import type { ConversionFeature } from './conversion';
import type { Feature } from './decider';
import type { PurchaseFeature } from './purchase';
import type { RefundFeature } from './refund';
import type { RepaymentFeature } from './repayment';
import type { LiftFeature, SuspendFeature } from './suspension';
import type { LimitFeature } from './limit';
import type { CancelClosureFeature, CloseFeature } from './closure';
import type { FeeWaiverFeature } from './fee-waiver';
import type { PauseCollectionFeature, ResumeCollectionFeature } from './collection-pause';
import type { HardshipFeature } from './hardship';
import type { WriteOffFeature } from './write-off';
import type { LineState } from './state';

/** Every feature that takes commands. A new one adds its line here and its decider in decide.ts. */
export type LineFeature =
  | PurchaseFeature
  | RefundFeature
  | RepaymentFeature
  | ConversionFeature
  | SuspendFeature
  | LiftFeature
  | LimitFeature
  | CloseFeature
  | CancelClosureFeature
  | FeeWaiverFeature
  | PauseCollectionFeature
  | ResumeCollectionFeature
  | HardshipFeature
  | WriteOffFeature;

export type Command = LineFeature['command'];

export type RejectionCode = LineFeature['code'] | 'IDEMPOTENCY_KEY_REUSED';

type Approval<F extends Feature> = F extends Feature ? { ok: true; type: F['command']['type']; body: F['body'] } : never;

/** Kept in history and in `command_results`, returned verbatim to HTTP clients: its JSON never changes. */
export type CommandResult = Approval<LineFeature> | { ok: false; type: Command['type']; code: RejectionCode; message: string };

/** A command's answer, kept so the same idempotency key gets the same answer. */
export interface RememberedCommand {
  key: string;
  requestHash: string;
  result: CommandResult;
}

/** How many answered commands the workflow keeps (the database keeps all of them). */
export const REMEMBERED_COMMANDS = 256;

/** The line as its workflow carries it across continue-as-new (plain JSON). */
export interface CreditLineState extends LineState {
  remembered: RememberedCommand[];
}
