/**
 * Repayments (PRODUCT §5): allocated by the waterfall, accepted in every state of an open line, never
 * above what is owed (the payoff amount).
 */
import type { Day } from '../calendar';
import { isPositiveFen, type Fen } from '../money';
import { payoffQuote, type PayoffQuote } from '../payoff';
import { lineFigures } from '../projection';
import { allocateRepayment, type AllocationLine } from '../waterfall';
import { refusal, type CommandBase, type Decider } from './decider';
import type { LineState } from './state';

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

/** The payoff quote of the line on `day` (the line advanced to `day`): the most a repayment may be. */
export function payoff(state: LineState, day: Day): PayoffQuote {
  return payoffQuote(state.balances, day);
}
