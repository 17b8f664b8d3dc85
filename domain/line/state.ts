/**
 * The credit line after underwriting, as every module of the line sees it: its statuses, its money,
 * the purchases it can still refund. The answers it remembers for idempotency are added on top by
 * the commands (commands.ts), so a feature module imports this file and nothing of the line above it.
 */
import type { LineBalances } from '../balances';
import type { Day } from '../calendar';
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
}
