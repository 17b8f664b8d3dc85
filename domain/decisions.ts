/**
 * Automated decisions on a line (API.md `Decision`; PIPL Art. 24): what was decided, why (reason
 * codes, described for customers in reasons.ts), by whom (`model:<version>`, `rule:<id>`,
 * `staff:<id>`), and whether it hurts the customer — only an adverse decision can be put to a human
 * review, and what reversing it does is decided here too.
 */
export const DECISION_KINDS = ['UNDERWRITING', 'SUSPENSION', 'LIMIT_CHANGE', 'PURCHASE_DECLINE'] as const;
export type DecisionKind = (typeof DECISION_KINDS)[number];

export interface DecisionRecord {
  /** Scoped by the line: `d-<version>-<n>` for the line's own, `uw-<n>` for underwriting. */
  id: string;
  kind: DecisionKind;
  /** DECLINED, SUSPENDED, RAISED, LOWERED, APPROVED, MANUAL_REVIEW. */
  outcome: string;
  /** Reason codes, worst first. */
  reasons: string[];
  adverse: boolean;
  decidedBy: string;
  /** The figures behind it (limits before and after, the risk event, the purchase): never personal data. */
  details: Record<string, string | number | boolean | null>;
}

export const REVIEW_OUTCOMES = ['UPHELD', 'REVERSED'] as const;
export type ReviewOutcome = (typeof REVIEW_OUTCOMES)[number];

/**
 * What reversing a decision on review does (API.md): a suspension is lifted, a limit cut restored,
 * a declined application goes to manual review; a risk decline of a purchase is only acknowledged
 * (the purchase was not made; the customer may buy again) — its suspension is a decision of its own.
 */
export type Reversal =
  | { kind: 'LIFT'; reason: string }
  | { kind: 'RESTORE_LIMIT'; limit: number }
  | { kind: 'MANUAL_REVIEW' }
  | { kind: 'NONE' };

export function reversalOf(decision: Pick<DecisionRecord, 'kind' | 'outcome' | 'reasons' | 'details'>): Reversal {
  switch (decision.kind) {
    case 'SUSPENSION': return { kind: 'LIFT', reason: String(decision.details.suspensionReason ?? decision.reasons[0]) };
    case 'LIMIT_CHANGE': return decision.outcome === 'LOWERED' && typeof decision.details.from === 'number' ? { kind: 'RESTORE_LIMIT', limit: decision.details.from } : { kind: 'NONE' };
    case 'UNDERWRITING': return decision.outcome === 'DECLINED' ? { kind: 'MANUAL_REVIEW' } : { kind: 'NONE' };
    case 'PURCHASE_DECLINE': return { kind: 'NONE' };
  }
}
