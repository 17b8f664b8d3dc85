/**
 * What the read models show of a line's balances: the same numbers the ledger holds, derived in one
 * place so the workflow, the ledger check and the tests agree on them.
 */
import { available, statementIdOf, type LineBalances } from './balances';
import type { Statement } from './cycle';
import { lineAccountBalances, type LineAccountBalances } from './ledger';
import type { Fen } from './money';

export interface LineFigures {
  accounts: LineAccountBalances;
  /** Everything the customer owes, billed or not (negative: in credit). */
  balance: Fen;
  available: Fen;
}

export function lineFigures(limit: Fen, b: LineBalances): LineFigures {
  const accounts = lineAccountBalances(b);
  return {
    accounts,
    balance: accounts.PRINCIPAL + accounts.INSTALLMENT_PRINCIPAL + accounts.INSTALLMENT_FEES + accounts.PENALTIES + accounts.CREDIT_BALANCE,
    available: available(limit, b),
  };
}

export interface InstallmentFigures {
  planId: string;
  seq: number;
  statementId: string;
  dueDate: string;
  principal: Fen;
  fee: Fen;
  principalPaid: Fen;
  feePaid: Fen;
  feeWaived: Fen;
  billed: boolean;
  apr: number;
  convertedOn: string;
}

/**
 * Every installment's figures after an event. A cycle close prunes plans it finds settled (paid in
 * full, possibly by the credit balance in that same close), so plans present `before` and gone
 * `after` are reported once more, settled, and their read model rows end paid.
 */
export function installmentFigures(after: LineBalances, before?: LineBalances): InstallmentFigures[] {
  const present = new Set(after.plans.map((p) => p.id));
  const settled = (before?.plans ?? []).filter((p) => !present.has(p.id)).map((plan) => ({
    ...plan,
    installments: plan.installments.map((i) => ({ ...i, billed: true, principalPaid: i.principal, feePaid: i.fee - i.feeWaived })),
  }));
  return [...after.plans, ...settled].flatMap((plan) => plan.installments.map((i, index) => ({
    planId: plan.id,
    seq: index + 1,
    statementId: statementIdOf(plan.statementDate),
    dueDate: i.dueDate,
    principal: i.principal,
    fee: i.fee,
    principalPaid: i.principalPaid,
    feePaid: i.feePaid,
    feeWaived: i.feeWaived,
    billed: i.billed,
    apr: plan.apr,
    convertedOn: plan.convertedOn,
  })));
}

/** A closed statement as the read model keeps it: the statement's own figures under the API's id. */
export type StatementFigures = { id: string } & Pick<Statement,
  'periodStart' | 'periodEnd' | 'statementDate' | 'dueDate' | 'openingBalance' | 'purchases' | 'refunds' | 'repayments' | 'fees' | 'penalties' | 'closingBalance' | 'amountDue'>;

export function statementFigures(s: Statement): StatementFigures {
  return {
    id: statementIdOf(s.statementDate),
    periodStart: s.periodStart,
    periodEnd: s.periodEnd,
    statementDate: s.statementDate,
    dueDate: s.dueDate,
    openingBalance: s.openingBalance,
    purchases: s.purchases,
    refunds: s.refunds,
    repayments: s.repayments,
    fees: s.fees,
    penalties: s.penalties,
    closingBalance: s.closingBalance,
    amountDue: s.amountDue,
  };
}
