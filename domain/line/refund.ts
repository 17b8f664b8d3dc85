/**
 * Refunds (PRODUCT §4): all or part of a purchase the line still keeps (`REFUNDABLE_DAYS`), on any
 * line but a closed one. A refund restores available credit; one of a purchase already billed
 * becomes a credit on the next statement.
 */
import { applyRefund } from '../cycle';
import { isPositiveFen, type Fen } from '../money';
import { lineFigures } from '../projection';
import { refusal, type CommandBase, type Decider } from './decider';

export interface RefundCommand extends CommandBase {
  type: 'refund';
  refundId: string;
  purchaseId: string;
  amount: Fen;
}

export interface RefundFeature {
  command: RefundCommand;
  body: { refundId: string; purchaseId: string; amount: Fen; available: Fen };
  code: 'INVALID_AMOUNT' | 'LINE_CLOSED' | 'PURCHASE_NOT_FOUND' | 'REFUND_EXCEEDS_PURCHASE';
}

export const refund: Decider<RefundFeature> = {
  kind: 'REFUND',

  validate(command) {
    return isPositiveFen(command.amount) ? null : { code: 'INVALID_AMOUNT', message: 'amount must be a positive integer of fen' };
  },

  decide(state, command) {
    if (state.status === 'CLOSED') return refusal(state.balances, command.type, 'LINE_CLOSED', 'the line is closed');
    const purchase = state.purchases.find((p) => p.id === command.purchaseId);
    if (!purchase) return refusal(state.balances, command.type, 'PURCHASE_NOT_FOUND', `purchase ${command.purchaseId} is not refundable on this line`);
    if (command.amount > purchase.amount - purchase.refunded) {
      return refusal(state.balances, command.type, 'REFUND_EXCEEDS_PURCHASE', `at most ${purchase.amount - purchase.refunded} fen of this purchase can still be refunded`);
    }
    const balances = applyRefund(state.balances, command.amount, purchase.day);
    return {
      balances,
      purchases: state.purchases.map((p) => (p.id === purchase.id ? { ...p, refunded: p.refunded + command.amount } : p)),
      result: { ok: true, type: 'refund', body: { refundId: command.refundId, purchaseId: purchase.id, amount: command.amount, available: lineFigures(state.limit, balances).available } },
      transaction: { id: command.refundId, kind: 'REFUND', amount: -command.amount, details: { purchaseId: purchase.id } },
    };
  },
};
