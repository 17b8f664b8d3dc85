/**
 * Purchases (PRODUCT §4): only at eligible merchants, only on an ACTIVE line, within the available
 * credit. The credit is taken when the purchase is decided, before anything is awaited.
 */
import { applyPurchase } from '../cycle';
import { freeTextProblem } from '../free-text';
import { isPositiveFen, type Fen } from '../money';
import { lineFigures } from '../projection';
import { refusal, type CommandBase, type Decider } from './decider';

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

  decide(state, command, day) {
    if (state.status !== 'ACTIVE') return refusal(state.balances, command.type, 'LINE_NOT_ACTIVE', `the line is ${state.status.toLowerCase()}`);
    const figures = lineFigures(state.limit, state.balances);
    if (command.amount > figures.available) return refusal(state.balances, command.type, 'INSUFFICIENT_CREDIT', `available credit is ${figures.available} fen`);
    const balances = applyPurchase(state.balances, command.amount);
    const available = lineFigures(state.limit, balances).available;
    return {
      balances,
      purchases: [...state.purchases, { id: command.purchaseId, day, merchantId: command.merchantId, amount: command.amount, refunded: 0 }],
      result: { ok: true, type: 'purchase', body: { purchaseId: command.purchaseId, status: 'APPROVED', amount: command.amount, available } },
      transaction: { id: command.purchaseId, kind: 'PURCHASE', amount: command.amount, details: { merchantId: command.merchantId, ...(command.description ? { description: command.description } : {}) } },
    };
  },
};
