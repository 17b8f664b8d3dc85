/**
 * The credit line after underwriting, as a pure state machine:
 *   (state, command | time, now) → (state, result, events)
 * The workflow feeds it commands (Updates) and the passing of time, carries out the events it
 * returns (each one ledger entry plus the read models it changes, persisted in order) and sleeps
 * until `nextWakeUp`. Nothing here reads a clock or does I/O; `now` is always an input.
 *
 * Layout, each file importing only the ones above it:
 *   state.ts      statuses, the line's state as every module sees it
 *   decider.ts    what a feature module is (command, answer, refusals; validate and decide)
 *   purchase.ts, refund.ts, repayment.ts, conversion.ts, suspension.ts, limit.ts, fee-waiver.ts: one decider per feature
 *   collection-pause.ts, hardship.ts: deciders that hold the ladder (a pause, a hardship plan)
 *   closure.ts    closing (CLOSING until paid off, CLOSED), its cancellation and the settlement at the close
 *   limit-review.ts  re-scoring at statements: when to ask the model, and the new limit its answer allows
 *   commands.ts   the `Command` union, `CommandResult`, the remembered answers, `CreditLineState`
 *   events.ts     the events and their projection to read models, checked before they are taken
 *   advance.ts    opening, the passing of time (cycle close, penalties), reads as of now, wake-ups
 *   decide.ts     the dispatcher: idempotency, validation, the feature's decision, its event
 */
export { LINE_STATUSES, REFUNDABLE_DAYS, SUSPENSION_REASONS, type ClosureState, type LineState, type LineStatus, type PurchaseRecord, type SuspensionReason } from './state';
export { CURRENT_RULES, type CommandBase, type DecisionRules, type LineTransaction } from './decider';
export { REMEMBERED_COMMANDS, type Command, type CommandResult, type CreditLineState, type RejectionCode, type RememberedCommand } from './commands';
export { LineInvariantError, project, readStateOf, snapshotEvent, type LineEvent, type LineProjection, type LineReadState, type RiskEventRecord, type StatementStatus } from './events';
export { advance, nextWakeUp, openedEvent, openLine, readLineAt, WAKE_UPS, type AdvanceRules, type WakeUp } from './advance';
export { nextSmsAt, smsDue, smsSettled } from './notices';
export { nextReminderAt } from './reminders';
export { chargedOffTotal, nextLadderAt } from './collections';
export { decide, rememberedAnswer, validateCommand } from './decide';
export type { DeclineReason, PurchaseCommand } from './purchase';
export type { RefundCommand } from './refund';
export { payoff, type RepaymentCommand } from './repayment';
export { planView, quoteInstallments, type ConversionCommand, type InstallmentPlanView } from './conversion';
export { mayLift, RISK_REASONS, type LiftCommand, type LiftVia, type SuspendCommand } from './suspension';
export { setLimit, usedCredit, type LimitCommand, type LimitVia } from './limit';
export { closesWhenPaidOff, paidOff, settlement, type CancelClosureCommand, type CloseCommand, type ClosureBody, type Settlement } from './closure';
export { pauseCollection, pausedAt, resumeCollection, type CollectionPauseBody, type PauseCollectionCommand, type ResumeCollectionCommand } from './collection-pause';
export { writeOff, type WriteOffCommand } from './write-off';
export { reageOverdue, startHardshipPlan, type HardshipPlanCommand, type HardshipPlanView, type ReagedAmounts } from './hardship';
export { feeWaiverPostings, waivableFees, waiveFees, type WaiveFeesCommand, type WaivedFees } from './fee-waiver';
export { closesBetween, limitChangeFor, limitReviewDue, recordStatementCloses, reviewed, type LimitReview, type LineBehaviour, type Rescored } from './limit-review';
