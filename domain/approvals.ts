/**
 * Maker–checker requests (PRODUCT §10): staff actions that forgive money or override the model need a
 * second member of staff. The rules here are pure; the request's life (waiting for a checker or its
 * expiry, applying the change to the line) is the `staffApproval` workflow's.
 *
 * - A request is made by one member of staff (the maker) and decided by another (the checker): never
 *   by the maker, whatever their role.
 * - It expires `product.approvals.expiresAfterHours` after it was made, and then changes nothing.
 * - Nothing changes on the line before approval; on approval the line decides the change as any staff
 *   command (and may still refuse it: the line closed meanwhile, the fees were paid).
 * - Ids are scoped by the line and never reused: `<lineId>:approval:<n>`.
 */
import type { Actor } from './audit';
import { instantMs, type Instant } from './calendar';
import { FREE_TEXT_MAX_CHARACTERS } from './free-text';
import type { Fen } from './money';
import type { Product } from './product';

/** Every kind the `approvals` table takes (migration 0009). */
export const APPROVAL_KINDS = ['FEE_WAIVER', 'HARDSHIP_PLAN', 'LIMIT_ABOVE_MODEL', 'WRITE_OFF'] as const;
export type ApprovalKind = (typeof APPROVAL_KINDS)[number];
export const APPROVAL_STATUSES = ['PENDING', 'APPROVED', 'REJECTED', 'EXPIRED', 'FAILED'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

/** What is asked, and why (the maker's reason); amounts in fen, never personal data. */
export type ApprovalRequest =
  | { kind: 'FEE_WAIVER'; amount: Fen; reason: string }
  /** `modelLimit`: the model's limit when asked; `from`: the line's limit when asked. */
  | { kind: 'LIMIT_ABOVE_MODEL'; limit: Fen; modelLimit: Fen; from: Fen; reason: string }
  /** The overdue amount re-aged into `installments` monthly installments (domain/line/hardship.ts); `reason` is the maker's note. */
  | { kind: 'HARDSHIP_PLAN'; installments: number; reason: string }
  /** The whole debt written off as a loss before the ladder would (domain/line/write-off.ts). */
  | { kind: 'WRITE_OFF'; reason: string };

/** Who records an expiry in the audit trail. */
export const APPROVALS_SYSTEM: Actor = { type: 'system', id: 'approvals' };

/** `n`: a few lower-case letters and digits, chosen by whoever makes the request (random, or from an Idempotency-Key). */
export const APPROVAL_N = /^[a-z0-9]{1,24}$/;

export const approvalIdFor = (creditLineId: string, n: string): string => `${creditLineId}:approval:${n}`;

/** The line and `n` of an approval id, or null for anything else. */
export function parseApprovalId(approvalId: string): { creditLineId: string; n: string } | null {
  const at = approvalId.lastIndexOf(':approval:');
  if (at <= 0) return null;
  const creditLineId = approvalId.slice(0, at);
  const n = approvalId.slice(at + ':approval:'.length);
  return APPROVAL_N.test(n) ? { creditLineId, n } : null;
}

/** When a request made at `requestedAt` expires. */
export const approvalExpiresAt = (requestedAt: Instant, product: Pick<Product, 'approvals'>): Instant =>
  new Date(instantMs(requestedAt) + product.approvals.expiresAfterHours * 3_600_000).toISOString();

/**
 * The note the line records when it applies an approved request: the maker's reason, then the
 * approval and its checker, within the free-text limit (the reason is shortened, never the reference).
 */
export function appliedNote(reason: string, approvalId: string, checkerId: string): string {
  const reference = ` (approval ${approvalId}, approved by staff:${checkerId})`;
  const room = Math.max(0, FREE_TEXT_MAX_CHARACTERS - [...reference].length);
  const chars = [...reason];
  const kept = chars.length <= room ? reason : `${chars.slice(0, Math.max(0, room - 1)).join('')}…`;
  return `${kept}${reference}`;
}

/**
 * Whether a new limit needs a checker: above the model's limit (the one it gave at underwriting, or
 * at its latest review of the line), PRODUCT §10's "a limit above the model's".
 */
export const limitNeedsApproval = (limit: Fen, modelLimit: Fen): boolean => limit > modelLimit;
