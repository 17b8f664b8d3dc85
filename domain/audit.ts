/**
 * Who did what to a line (PRODUCT §12). Every command carries its actor; staff give a reason. The
 * trail is written with the event, in the same transaction, and never changed.
 */
export type Actor =
  | { type: 'customer'; id: string }
  | { type: 'staff'; id: string }
  | { type: 'platform'; id: string }
  /** The line itself, acting on a rule (`cycle-close`, `penalty`, a risk rule) or the scoring model. */
  | { type: 'system'; id: string }
  | { type: 'model'; id: string }
  /** A risk-monitoring rule acting on its hit (`rule:<id>`, PRODUCT §8). */
  | { type: 'rule'; id: string };

export interface AuditEntry {
  /** What happened, in the domain's words: PURCHASE_APPROVED, PURCHASE_DECLINED, STATEMENT_CLOSED, … */
  action: string;
  actor: Actor;
  /** Why: a staff member's reason, a decline's code, a rule's name. */
  reason?: string;
  /** The figures that matter to a reader (amounts, ids); never personal data. */
  details?: Record<string, string | number | boolean | null>;
}

/** `customer:C1`, `staff:S1`, `system:cycle-close`, `model:scorecard-v1`: how an actor is written down. */
export const actorRef = (actor: Actor): string => `${actor.type}:${actor.id}`;
