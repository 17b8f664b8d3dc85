/**
 * Installment conversions (PRODUCT §5): a statement's unpaid principal split into installments, from
 * its statement date to its due date, once; and the quote that discloses the fee, schedule and APR.
 */
import { statementIdOf, statementPrincipalOwed, type InstallmentPlan } from '../balances';
import { compareDays, type Day } from '../calendar';
import { convertToInstallments, installmentQuote, type InstallmentErrorCode, type InstallmentQuote } from '../installments';
import type { Fen } from '../money';
import type { Product } from '../product';
import { refusal, type CommandBase, type Decider } from './decider';
import type { LineState } from './state';

export interface ConversionCommand extends CommandBase {
  type: 'conversion';
  statementId: string;
  count: number;
}

/**
 * A plan as the API shows it. It stays in the domain because it is the body of the conversion's
 * answer: kept in history, stored in `command_results` and returned verbatim to HTTP clients, so it
 * is made here, where the answer is decided, and its JSON never changes.
 */
export interface InstallmentPlanView {
  planId: string;
  statementId: string;
  count: number;
  principal: Fen;
  totalFee: Fen;
  apr: number;
  convertedOn: Day;
  schedule: { seq: number; dueDate: Day; principal: Fen; fee: Fen }[];
}

export interface ConversionFeature {
  command: ConversionCommand;
  body: InstallmentPlanView;
  code: 'STATEMENT_NOT_FOUND' | InstallmentErrorCode;
}

export const conversion: Decider<ConversionFeature> = {
  kind: 'INSTALLMENT_CONVERSION',

  validate(command, product) {
    return product.installments.allowedCounts.includes(command.count)
      ? null
      : { code: 'COUNT_NOT_ALLOWED', message: `count must be one of ${product.installments.allowedCounts.join(', ')}` };
  },

  decide(state, command, day, product) {
    const debt = state.balances.statements.find((s) => statementIdOf(s.statementDate) === command.statementId);
    if (!debt) return refusal(state.balances, command.type, 'STATEMENT_NOT_FOUND', `no unpaid statement ${command.statementId} on this line`);
    const converted = convertToInstallments(state.balances, debt.statementDate, command.count, day, state.statementDay, product);
    if (!converted.ok) return refusal(state.balances, command.type, converted.code, converted.message);
    const plan = planView(converted.plan);
    return {
      balances: converted.balances,
      result: { ok: true, type: 'conversion', body: plan },
      transaction: { id: converted.plan.id, kind: 'INSTALLMENT_CONVERSION', amount: converted.plan.installments[0]?.fee ?? 0, details: { statementId: plan.statementId, principal: plan.principal, totalFee: plan.totalFee, apr: plan.apr } },
    };
  },
};

export function planView(plan: InstallmentPlan): InstallmentPlanView {
  return {
    planId: plan.id,
    statementId: statementIdOf(plan.statementDate),
    count: plan.count,
    principal: plan.principal,
    totalFee: plan.totalFee,
    apr: plan.apr,
    convertedOn: plan.convertedOn,
    schedule: plan.installments.map((i, index) => ({ seq: index + 1, dueDate: i.dueDate, principal: i.principal, fee: i.fee })),
  };
}

/** The quote for splitting a statement on `day` (the line advanced to `day`). */
export function quoteInstallments(state: LineState, statementId: string, count: number, day: Day, product: Product):
  { ok: true; quote: InstallmentQuote } | { ok: false; code: ConversionFeature['code']; message: string } {
  const debt = state.balances.statements.find((s) => statementIdOf(s.statementDate) === statementId);
  if (!debt || debt.planId !== null) return { ok: false, code: 'STATEMENT_NOT_FOUND', message: `no unpaid, unconverted statement ${statementId}` };
  if (compareDays(day, debt.dueDate) > 0) return { ok: false, code: 'CONVERSION_NOT_ALLOWED', message: 'the due date has passed' };
  const quoted = installmentQuote(statementPrincipalOwed(debt), count, day, debt.dueDate, state.statementDay, product);
  return quoted.ok ? { ok: true, quote: quoted.quote } : { ok: false, code: quoted.code, message: quoted.message };
}
