/**
 * The credit-line workflow's public surface, defined once and imported by the workflow, the worker,
 * the API and the tests: its input, search attribute keys, queries, updates and signals.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineUpdate } from '@temporalio/workflow';

export const workflowIdFor = (creditLineId: string): string => `credit-line-${creditLineId}`;

/** No personal data here: the phone, income and age stay in PostgreSQL, read by activities by id. */
export interface CreditLineInput {
  creditLineId: string;
  applicationId: string;
  customerId: string;
  productId: string;
  statementDay: number;
}

export type CreditLineStatus = 'UNDERWRITING' | 'ACTIVE' | 'SUSPENDED' | 'CLOSING' | 'CLOSED' | 'DECLINED' | 'CHARGED_OFF';

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
