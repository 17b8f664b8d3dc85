/**
 * Purchases (PRODUCT §4): only at eligible merchants, only on an ACTIVE line, within the available
 * credit. The credit is taken when the purchase is decided, before anything is awaited.
 */
import { applyPurchase } from '../cycle';
import { freeTextProblem } from '../free-text';
import { isPositiveFen, type Fen } from '../money';
import { lineFigures } from '../projection';
import { rememberSmallPurchase, velocityHits } from '../risk/velocity';
import { refusal, type CommandBase, type Decider, type Decision } from './decider';
import { NO_RISK_RECORD } from './state';
import { withReasons } from './suspension';

/** PRODUCT §4's decline reasons (`RISK_DECLINED` is the risk rules' to give). */
export type DeclineReason = 'LINE_NOT_ACTIVE' | 'INSUFFICIENT_CREDIT' | 'MERCHANT_NOT_ELIGIBLE' | 'RISK_DECLINED' | 'INVALID_AMOUNT';

export interface PurchaseCommand extends CommandBase {
  type: 'purchase';
  purchaseId: string;
  merchantId: string;
  amount: Fen;
  description?: string;
}

export interface PurchaseFeature {
  command: PurchaseCommand;
  body: { purchaseId: string; status: 'APPROVED'; amount: Fen; available: Fen };
  code: DeclineReason | 'VALIDATION_FAILED';
}

export const purchase: Decider<PurchaseFeature> = {
  kind: 'PURCHASE',

  validate(command, product, rules) {
    if (!isPositiveFen(command.amount)) return { code: 'INVALID_AMOUNT', message: 'amount must be a positive integer of fen' };
    // Lines replaying history from before `validateFreeText` did not look at the description.
    const description = !rules.validateFreeText || command.description === undefined ? null : freeTextProblem(command.description);
    if (description) return { code: 'VALIDATION_FAILED', message: `description ${description}` };
    // The merchant's id is not echoed: it is the caller's input and may not be storable text.
    if (!product.merchants.eligible.includes(command.merchantId)) return { code: 'MERCHANT_NOT_ELIGIBLE', message: 'this merchant does not accept this credit line' };
    return null;
  },

  decide(state, command, day, product, rules, now) {
    if (state.status !== 'ACTIVE') return refusal(state.balances, command.type, 'LINE_NOT_ACTIVE', `the line is ${state.status.toLowerCase()}`);
    const figures = lineFigures(state.limit, state.balances);
    if (command.amount > figures.available) return refusal(state.balances, command.type, 'INSUFFICIENT_CREDIT', `available credit is ${figures.available} fen`);
    // Velocity (PRODUCT §8), from the line's own record: the purchase that crosses an enforced rule is
    // declined and the line suspended; shadow rules beside it only record their hits.
    const risk = state.risk ?? NO_RISK_RECORD;
    const hits = rules.riskRules ? velocityHits(risk.smallPurchases, command.amount, now, product.risk.rules) : [];
    const enforced = hits.find((h) => !h.shadow);
    if (enforced) {
      const suspended = withReasons(state, [...state.suspensionReasons, 'RISK_VELOCITY']);
      const by = `rule:${enforced.ruleId}`;
      const decisions: NonNullable<Decision<PurchaseFeature>['decisions']> = [
        { kind: 'PURCHASE_DECLINE', outcome: 'DECLINED', reasons: ['RISK_VELOCITY'], adverse: true, decidedBy: by, details: { amount: command.amount, purchaseId: command.purchaseId }, riskRule: enforced.ruleId },
        { kind: 'SUSPENSION', outcome: 'SUSPENDED', reasons: ['RISK_VELOCITY'], adverse: true, decidedBy: by, details: { suspensionReason: 'RISK_VELOCITY' }, riskRule: enforced.ruleId },
      ];
      return {
        ...refusal(state.balances, command.type, 'RISK_DECLINED', 'declined by risk monitoring: too many small purchases in a short time; the line is suspended until you verify it is you'),
        changes: { status: suspended.status, suspensionReasons: suspended.suspensionReasons },
        riskHits: hits.map((h) => (h.shadow ? h : { ...h, action: 'SUSPEND' as const })),
        decisions,
      };
    }
    const balances = applyPurchase(state.balances, command.amount);
    const available = lineFigures(state.limit, balances).available;
    return {
      ...(rules.riskRules ? { changes: { risk: { ...risk, smallPurchases: rememberSmallPurchase(risk.smallPurchases, command.amount, now, product.risk.rules) } } } : {}),
      ...(hits.length > 0 ? { riskHits: hits } : {}),
      balances,
      purchases: [...state.purchases, { id: command.purchaseId, day, merchantId: command.merchantId, amount: command.amount, refunded: 0 }],
      result: { ok: true, type: 'purchase', body: { purchaseId: command.purchaseId, status: 'APPROVED', amount: command.amount, available } },
      transaction: { id: command.purchaseId, kind: 'PURCHASE', amount: command.amount, details: { merchantId: command.merchantId, ...(command.description ? { description: command.description } : {}) } },
    };
  },
};
