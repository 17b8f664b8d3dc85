/**
 * What a monitoring rule's hit is (PRODUCT §8, API.md `RiskEvent`), whoever evaluates it: the line's
 * purchase decision (velocity) or the platform's login events (login.ts). A hit carries the figures
 * that crossed the threshold — never personal data — and what it asks for: an enforced rule acts,
 * a shadow rule only records.
 */
import type { Product } from '../product';

export type RiskRule = Product['risk']['rules'][number];
export type RiskAction = 'NONE' | 'DECLINE' | 'SUSPEND';

export interface RuleHit {
  ruleId: string;
  kind: RiskRule['kind'];
  shadow: boolean;
  action: RiskAction;
  figures: Record<string, number | boolean>;
}

export const rulesOfKind = <K extends RiskRule['kind']>(rules: readonly RiskRule[], kind: K): Extract<RiskRule, { kind: K }>[] =>
  rules.filter((r): r is Extract<RiskRule, { kind: K }> => r.kind === kind);
