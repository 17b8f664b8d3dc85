/**
 * The credit-line workflow's public surface, defined once and imported by the workflow, the worker,
 * the API and the tests: its input, search attribute keys, queries, updates and signals.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Command, CommandResult, CreditLineState, LineStatus, RejectionCode } from '../domain/line';
import type { InstallmentQuote } from '../domain/installments';
import type { PayoffQuote } from '../domain/payoff';


export const workflowIdFor = (creditLineId: string): string => `credit-line-${creditLineId}`;

/** No personal data here: the phone, income and age stay in PostgreSQL, read by activities by id. */
export interface CreditLineInput {
  creditLineId: string;
  /** Carried across continue-as-new once the line is open (plain JSON, money in fen). */
  carried?: CreditLineState;
  applicationId: string;
  customerId: string;
  productId: string;
  statementDay: number;
  /**
   * A declined application reopened for manual review by a reversed decision: the model scores it
   * again and staff decide, whatever the score; read-model versions go on from `version`.
   */
  reopened?: { version: number };
}

/** The line's status as operators see it: before approval, then the open line's own (domain) status. */
export type CreditLineStatus = 'UNDERWRITING' | 'DECLINED' | LineStatus;

export const searchAttributes = {
  status: defineSearchAttributeKey('CreditLineStatus', SearchAttributeType.KEYWORD),
  customerId: defineSearchAttributeKey('CustomerId', SearchAttributeType.KEYWORD),
  daysPastDue: defineSearchAttributeKey('DaysPastDue', SearchAttributeType.INT),
  suspensionReasons: defineSearchAttributeKey('SuspensionReasons', SearchAttributeType.KEYWORD_LIST),
  collectionStage: defineSearchAttributeKey('CollectionStage', SearchAttributeType.KEYWORD),
  nextStatementDate: defineSearchAttributeKey('NextStatementDate', SearchAttributeType.DATETIME),
} as const;

/** What operators and tests can read of a live line. */
export interface CreditLineView {
  creditLineId: string;
  customerId: string;
  status: CreditLineStatus;
  limit: number | null;
  /** Version of the read model last written; grows with every state change. */
  version: number;
}

export const stateQuery = defineQuery<CreditLineView>('state');

/** A staff member's decision on an application in manual review. */
export interface ManualReviewDecision {
  approve: boolean;
  /** Fen; defaults to the model's limit. */
  limit?: number;
  note: string;
  staffId: string;
}
export const decideApplicationUpdate = defineUpdate<{ status: 'APPROVED' | 'DECLINED' }, [ManualReviewDecision]>('decideApplication');

// ── After approval: money commands (Updates) and reads (Queries) ─────────────────────────────


/** What the API sends: the command without the ids the workflow makes itself. */
export type PurchaseRequest = Omit<Extract<Command, { type: 'purchase' }>, 'type' | 'purchaseId'>;
export type RefundRequest = Omit<Extract<Command, { type: 'refund' }>, 'type' | 'refundId'>;
export type RepaymentRequest = Omit<Extract<Command, { type: 'repayment' }>, 'type' | 'repaymentId'>;
export type ConversionRequest = Omit<Extract<Command, { type: 'conversion' }>, 'type'>;

export const purchaseUpdate = defineUpdate<CommandResult, [PurchaseRequest]>('purchase');
export const refundUpdate = defineUpdate<CommandResult, [RefundRequest]>('refund');
export const repaymentUpdate = defineUpdate<CommandResult, [RepaymentRequest]>('repayment');
export const conversionUpdate = defineUpdate<CommandResult, [ConversionRequest]>('convertToInstallments');
/** The command each money Update carries (the API checks a request against the line's validator with it). */
export const MONEY_COMMAND_OF_UPDATE: Readonly<Record<string, 'purchase' | 'refund' | 'repayment' | 'conversion'>> = {
  [purchaseUpdate.name]: 'purchase', [refundUpdate.name]: 'refund', [repaymentUpdate.name]: 'repayment', [conversionUpdate.name]: 'conversion',
};

/** Suspending and lifting (domain/line/suspension.ts): a rule's hit, staff, the customer's verified code, a review. */
export type SuspendRequest = Omit<Extract<Command, { type: 'suspend' }>, 'type'>;
export type LiftRequest = Omit<Extract<Command, { type: 'lift' }>, 'type'>;
export const suspendUpdate = defineUpdate<CommandResult, [SuspendRequest]>('suspend');
export const liftUpdate = defineUpdate<CommandResult, [LiftRequest]>('liftSuspension');
/** A new limit set by a person (staff, a review's reversal); the model's own changes are the line's. */
export type LimitRequest = Omit<Extract<Command, { type: 'setLimit' }>, 'type' | 'model'>;
export const limitUpdate = defineUpdate<CommandResult, [LimitRequest]>('setLimit');
/** Closing (domain/line/closure.ts): the customer once verified (in the API), or staff on their behalf; and cancelling while CLOSING. */
export type CloseRequest = Omit<Extract<Command, { type: 'close' }>, 'type'>;
export type CancelClosureRequest = Omit<Extract<Command, { type: 'cancelClosure' }>, 'type'>;
export const closeUpdate = defineUpdate<CommandResult, [CloseRequest]>('close');
export const cancelClosureUpdate = defineUpdate<CommandResult, [CancelClosureRequest]>('cancelClosure');
/** Waiving penalties and billed installment fees (domain/line/fee-waiver.ts): sent only by an approved maker–checker request. */
export type WaiveFeesRequest = Omit<Extract<Command, { type: 'waiveFees' }>, 'type'>;
export const waiveFeesUpdate = defineUpdate<CommandResult, [WaiveFeesRequest]>('waiveFees');

/** Collection pauses (domain/line/collection-pause.ts): staff pause the ladder for a bounded time, with a reason, or end the pause early. */
export type PauseCollectionRequest = Omit<Extract<Command, { type: 'pauseCollection' }>, 'type'>;
export type ResumeCollectionRequest = Omit<Extract<Command, { type: 'resumeCollection' }>, 'type'>;
export const pauseCollectionUpdate = defineUpdate<CommandResult, [PauseCollectionRequest]>('pauseCollection');
export const resumeCollectionUpdate = defineUpdate<CommandResult, [ResumeCollectionRequest]>('resumeCollection');
/** A hardship plan (domain/line/hardship.ts): sent only by an approved maker–checker request, naming it (`approvalId`). */
export type HardshipPlanRequest = Omit<Extract<Command, { type: 'startHardshipPlan' }>, 'type'>;
export const hardshipPlanUpdate = defineUpdate<CommandResult, [HardshipPlanRequest]>('startHardshipPlan');
/** A write-off outside the ladder (domain/line/write-off.ts): sent only by an approved maker–checker request, naming it. */
export type WriteOffRequest = Omit<Extract<Command, { type: 'writeOff' }>, 'type'>;
export const writeOffUpdate = defineUpdate<CommandResult, [WriteOffRequest]>('writeOff');

/** The whole live state of an approved line (null while underwriting or declined). */
export const lineQuery = defineQuery<CreditLineState | null>('line');
export type QuoteAnswer = { ok: true; quote: InstallmentQuote } | { ok: false; code: RejectionCode; message: string };
/**
 * `at` is the caller's clock (ISO instant): a quote is for a moment, and a workflow's own clock only
 * moves with its tasks, so a query brings the line up to `at` (cycle closes, penalties) and answers.
 */
export const installmentQuoteQuery = defineQuery<QuoteAnswer, [{ statementId: string; count: number; at: string }]>('installmentQuote');
export const payoffQuery = defineQuery<PayoffQuote | null, [{ at: string }]>('payoffQuote');

/** The Update ID for a command: the same key and request always map to one Update, another request to another. */
export const updateIdFor = (operation: string, key: string, requestHash: string): string => `${operation}:${requestHash.slice(0, 16)}:${key}`;

/** The ledger activity's failure type for a write the database refused for good; details: a `WriteRejection`. */
export const WRITE_REJECTED = 'LINE_EVENT_REJECTED';
/** Which event of the batch was refused (its index), and why, without the data. */
export interface WriteRejection { index: number; sqlstate?: string; constraint?: string; reason: string }
