/**
 * Repayments (PRODUCT §5): allocated by the waterfall, accepted in every state of an open line, never
 * above what is owed (the payoff amount).
 */
import type { Day } from '../calendar';
import { isPositiveFen, type Fen } from '../money';
import { payoffQuote, type PayoffQuote } from '../payoff';
import { lineFigures } from '../projection';
import { allocateRepayment, type AllocationLine } from '../waterfall';
import { platformAccountId } from '../ledger';
import { chargedOffTotal } from './collections';
import { refusal, type CommandBase, type Decider } from './decider';
import type { ChargedOff, LineState } from './state';

export interface RepaymentCommand extends CommandBase {
  type: 'repayment';
  repaymentId: string;
  amount: Fen;
}

export interface RepaymentFeature {
  command: RepaymentCommand;
  body: { repaymentId: string; amount: Fen; allocation: AllocationLine[]; balance: Fen };
  code: 'INVALID_AMOUNT' | 'OVERPAYMENT';
}

export const repayment: Decider<RepaymentFeature> = {
  kind: 'REPAYMENT',

  validate(command) {
    return isPositiveFen(command.amount) ? null : { code: 'INVALID_AMOUNT', message: 'amount must be a positive integer of fen' };
  },

  decide(state, command, day, _product, rules) {
    if (state.chargedOff) return recovery(state, command, state.chargedOff);
    const owed = payoffQuote(state.balances, day).amount;
    if (rules.refuseOverpayment && command.amount > owed) {
      return refusal(state.balances, command.type, 'OVERPAYMENT', `at most ${owed} fen is owed (the payoff amount); nothing was repaid`);
    }
    const { allocation, balances } = allocateRepayment(state.balances, command.amount, day);
    return {
      balances,
      result: { ok: true, type: 'repayment', body: { repaymentId: command.repaymentId, amount: command.amount, allocation, balance: lineFigures(state.limit, balances).balance } },
      transaction: { id: command.repaymentId, kind: 'REPAYMENT', amount: -command.amount, details: { allocation } },
    };
  },
};

/**
 * A repayment on a charged-off line is a recovery: nothing is owed on the line's accounts any more
 * (it was written off), so the cash is posted against credit losses, up to what was written off.
 */
function recovery(state: LineState, command: RepaymentCommand, chargedOff: ChargedOff) {
  const remaining = chargedOffTotal(chargedOff) - chargedOff.recovered;
  if (command.amount > remaining) {
    return refusal(state.balances, command.type, 'OVERPAYMENT', `at most ${remaining} fen remains of what was charged off; nothing was repaid`);
  }
  return {
    balances: state.balances,
    result: { ok: true as const, type: 'repayment' as const, body: { repaymentId: command.repaymentId, amount: command.amount, allocation: [], balance: lineFigures(state.limit, state.balances).balance } },
    transaction: { id: command.repaymentId, kind: 'RECOVERY', amount: -command.amount, details: { chargedOffRemaining: remaining - command.amount } },
    changes: { chargedOff: { ...chargedOff, recovered: chargedOff.recovered + command.amount } },
    entry: {
      kind: 'REPAYMENT' as const,
      description: 'recovery after charge-off',
      postings: [{ accountId: platformAccountId('CASH'), amount: command.amount }, { accountId: platformAccountId('CREDIT_LOSSES'), amount: -command.amount }],
    },
  };
}

/** The payoff quote of the line on `day` (the line advanced to `day`): the most a repayment may be. */
export function payoff(state: LineState, day: Day): PayoffQuote {
  return payoffQuote(state.balances, day);
}
