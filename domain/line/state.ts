/**
 * The credit line after underwriting, as every module of the line sees it: its statuses, its money,
 * the purchases it can still refund. The answers it remembers for idempotency are added on top by
 * the commands (commands.ts), so a feature module imports this file and nothing of the line above it.
 */
import type { LineBalances } from '../balances';
import type { Day, Instant } from '../calendar';
import type { Fen } from '../money';
import type { PendingSms } from '../notifications';

/** Every status of an open line, in one list (the API's schema and the ledger check derive theirs from it). */
export const LINE_STATUSES = ['ACTIVE', 'SUSPENDED', 'CLOSING', 'CLOSED', 'CHARGED_OFF'] as const;
export type LineStatus = (typeof LINE_STATUSES)[number];
export const SUSPENSION_REASONS = ['OVERDUE', 'RISK_LOGIN', 'RISK_VELOCITY', 'STAFF', 'CUSTOMER'] as const;
export type SuspensionReason = (typeof SUSPENSION_REASONS)[number];

/** Purchases older than this can no longer be refunded through the line (a dispute is a staff matter). */
export const REFUNDABLE_DAYS = 180;

/** A purchase kept while it can still be refunded. */
export interface PurchaseRecord {
  id: string;
  day: Day;
  merchantId: string;
  amount: Fen;
  refunded: Fen;
}

/**
 * The line's state but for its remembered answers (see `CreditLineState`). The carried JSON keeps the
 * key order `openLine` gives it: creditLineId … purchases, remembered, version.
 */
export interface LineState {
  creditLineId: string;
  customerId: string;
  productId: string;
  statementDay: number;
  openedOn: Day;
  status: LineStatus;
  suspensionReasons: SuspensionReason[];
  limit: Fen;
  balances: LineBalances;
  /** The statement date of the open cycle. */
  nextStatementDate: Day;
  purchases: PurchaseRecord[];
  /** Grows with every event; read models never go back to an older one. */
  version: number;
  /** SMS written to the outbox and not yet delivered (absent in states carried before notifications). */
  pendingSms?: PendingSms[];
  /** Reminder slots sent (`<due date>/<days before>`), for due dates not yet past. */
  remindersSent?: string[];
  /** The overdue ladder, while something is overdue (collections.ts). */
  collection?: CollectionState;
  /** What a charge-off wrote off, and what was recovered since. */
  chargedOff?: ChargedOff;
  /** What the risk rules and the statement re-scoring keep of the line's behaviour (absent before them). */
  risk?: LineRisk;
  /**
   * The limit granted (underwriting, the model, staff) while the customer has lowered their own below
   * it (limit.ts): the customer may go back up to it, never above. Absent when the customer has not.
   */
  grantedLimit?: Fen;
  /** A closure under way (the line CLOSING, closure.ts); absent otherwise. */
  closure?: ClosureState;
  /** When the line closed (CLOSED). */
  closedAt?: Instant;
  /** A hardship plan while it runs (PRODUCT §10; hardship.ts); absent otherwise. */
  hardship?: HardshipState;
}

/**
 * A hardship plan (hardship.ts): the overdue amount re-aged into a plan of monthly installments in
 * `balances.plans`; the ladder paused while it is kept, resumed where it stopped when it is not.
 */
export interface HardshipState {
  /** The plan in `balances.plans` (`hardship:<day it started>`). */
  planId: string;
  startedOn: Day;
  /** KEPT while nothing is past due; MISSED once a due date was missed and the ladder resumed (a cure keeps it again). */
  status: 'KEPT' | 'MISSED';
  /** The ladder as it stood when it paused (the plan's start, or a cure while on the plan): a missed due date resumes it. */
  paused: CollectionState | null;
  /** Whether the plan put the STAFF hold on the line: lifted when the plan is paid in full. */
  staffHold: boolean;
}

/** A closure verified and waiting for the balance to reach zero (PRODUCT §9; closure.ts). */
export interface ClosureState {
  /** When it was verified, and who asked (`customer:<id>`, or `staff:<id>` on the customer's behalf). */
  requestedAt: Instant;
  requestedBy: string;
  /** What the line was before: a cancel returns to it (its suspension reasons as they stand by then). */
  previous: { status: LineStatus; suspensionReasons: SuspensionReason[] };
}

/** The line's own record for the risk rules (PRODUCT §8). */
export interface LineRisk {
  /** Approved purchases small enough for a velocity rule, within its longest window. */
  smallPurchases: Instant[];
  /** Statements closed in a row with nothing past due (reset by a missed due date). */
  onTimeCycles: number;
  /** Due dates missed since the line opened. */
  missedCycles: number;
  /** Statements closed since the limit was last reviewed. */
  cyclesSinceReview: number;
}

export const NO_RISK_RECORD: LineRisk = { smallPurchases: [], onTimeCycles: 0, missedCycles: 0, cyclesSinceReview: 0 };

/** The overdue ladder while something is overdue (PRODUCT §7; the rules are in collections.ts). */
export interface CollectionState {
  /** The oldest unpaid due date: days past due count from the day after it. */
  dueDate: Day;
  /** Days past due of the steps carried out. */
  done: number[];
  /** The stage of the last step carried out (what operators filter on). */
  stage: string | null;
  /** The open collections case, once DPD 15 handed the line to people. */
  caseId: string | null;
  /** Flagged for staff follow-up (DPD 7). */
  followUp: boolean;
  /** Days (Shanghai) already holding an SMS to this overdue customer (one a day). */
  smsDays: Day[];
  /** The last day the ladder looked at the line: it wakes again the next midnight. */
  through: Day;
  /** A collection pause (collection-pause.ts): the ladder holds until then (no contact, no step); penalties do not stop. */
  pausedUntil?: Instant;
}

/** What a charge-off wrote off, and what has been recovered since. */
export interface ChargedOff { on: Day; principal: Fen; fees: Fen; penalties: Fen; recovered: Fen }

