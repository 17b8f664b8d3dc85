/**
 * Velocity (PRODUCT §8): a burst of small purchases is how a stolen account is emptied. The purchase
 * that makes `count` purchases of at most `maxAmount` within `windowMinutes` is declined and the line
 * suspended `RISK_VELOCITY`. Decided inside the purchase decision from the line's own record of its
 * recent small purchases: no I/O on the purchase path.
 */
import { instantMs, type Instant } from '../calendar';
import type { Fen } from '../money';
import { rulesOfKind, type RiskRule, type RuleHit } from './rules';

/** The hits of the velocity rules for a purchase of `amount` at `now`, given the small purchases approved before it. */
export function velocityHits(recentSmall: readonly Instant[], amount: Fen, now: Instant, rules: readonly RiskRule[]): RuleHit[] {
  const at = instantMs(now);
  const hits: RuleHit[] = [];
  for (const rule of rulesOfKind(rules, 'VELOCITY')) {
    if (amount > rule.maxAmount) continue;
    const from = at - rule.windowMinutes * 60_000;
    // Strictly inside the window: a purchase exactly `windowMinutes` ago has left it.
    const purchases = recentSmall.filter((t) => { const ms = instantMs(t); return ms > from && ms <= at; }).length + 1;
    if (purchases < rule.count) continue;
    const shadow = rule.mode === 'shadow';
    hits.push({
      ruleId: rule.id, kind: rule.kind, shadow, action: shadow ? 'NONE' : 'DECLINE',
      figures: { purchases, threshold: rule.count, maxAmount: rule.maxAmount, windowMinutes: rule.windowMinutes, amount },
    });
  }
  return hits;
}

/**
 * The small purchases worth remembering after one approved at `now`: only those any velocity rule
 * could still count (at most its largest amount, within its longest window).
 */
export function rememberSmallPurchase(recentSmall: readonly Instant[], amount: Fen, now: Instant, rules: readonly RiskRule[]): Instant[] {
  const velocity = rulesOfKind(rules, 'VELOCITY');
  if (velocity.length === 0) return [];
  const longest = Math.max(...velocity.map((r) => r.windowMinutes)) * 60_000;
  const kept = recentSmall.filter((t) => instantMs(t) > instantMs(now) - longest);
  return amount <= Math.max(...velocity.map((r) => r.maxAmount)) ? [...kept, now] : kept;
}
