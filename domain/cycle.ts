/**
 * The billing cycle: the open cycle's movements, and the statement that closes it.
 *
 * Every transition here is pure and keeps one identity, asserted when a cycle closes:
 *
 *   closingBalance = openingBalance + purchases − refunds − repayments + fees + penalties
 *                    + installment principal billed − principal converted to installments
 *                    − penalties and fees waived by staff
 *
 * where a statement's balance is what has been billed and is unpaid (penalties, billed installment
 * fees, billed principal) minus the credit balance. Movements of the open cycle are summed in
 * `balances.cycle` as they happen, so closing a cycle needs nothing but the balances.
 */
import type { Day } from './calendar';
import { addDays, compareDays, dueDate } from './calendar';
import {
  BalanceInvariantError,
  cloneBalances,
  installmentFeeOwed,
  installmentPrincipalOwed,
  netBalance,
  statementIdOf,
  statementPrincipalOwed,
  ZERO_MOVEMENTS,
  type CycleMovements,
  type LineBalances,
} from './balances';
import { assertFen, assertNonNegativeFen, MoneyInvariantError, type Fen } from './money';
import type { Product } from './product';
import { STANDARD_PRODUCT } from './product';
import { applyCreditBalance } from './waterfall';

/** A closed cycle: its movements (what `cycle` summed), and what they leave owed. */
export interface Statement extends CycleMovements {
  periodStart: Day;
  periodEnd: Day;
  statementDate: Day;
  dueDate: Day;
  openingBalance: Fen;
  /** Revolving principal billed on this statement: what may be converted into installments. */
  newPrincipal: Fen;
  /** What the line is owed as of the statement (negative: the line owes the customer). */
  closingBalance: Fen;
  /** `max(0, closingBalance)`: to pay by the due date. */
  amountDue: Fen;
  /** Credit carried into the next cycle. */
  creditBalance: Fen;
}

function positive(amount: Fen, what: string): void {
  assertFen(amount, what);
  if (amount <= 0) throw new MoneyInvariantError(`${what} must be positive, got ${amount}`);
}

/** A purchase: principal of the open cycle. */
export function applyPurchase(balances: LineBalances, amount: Fen): LineBalances {
  positive(amount, 'purchase');
  const b = cloneBalances(balances);
  b.currentCycle += amount;
  b.cycle.purchases += amount;
  return b;
}

/**
 * A refund of a purchase made on `purchaseDay`. Not yet billed (after the last statement date): it
 * reduces the open cycle's principal; any part of it the customer already repaid becomes credit.
 * Already billed: it becomes a credit balance, applied when the next statement closes (PRODUCT §4).
 */
export function applyRefund(balances: LineBalances, amount: Fen, purchaseDay: Day): LineBalances {
  positive(amount, 'refund');
  const b = cloneBalances(balances);
  const billed = b.lastStatement !== null && compareDays(purchaseDay, b.lastStatement.statementDate) <= 0;
  const fromCurrent = billed ? 0 : Math.min(amount, b.currentCycle);
  b.currentCycle -= fromCurrent;
  b.creditBalance += amount - fromCurrent;
  b.cycle.refunds += amount;
  return b;
}

/** Sums a cycle's movements onto the opening balance. Pure arithmetic: the statement's face. */
export function buildStatement(input: {
  periodStart: Day;
  statementDate: Day;
  dueDate: Day;
  openingBalance: Fen;
  movements: CycleMovements;
  newPrincipal: Fen;
  creditBalance: Fen;
}): Statement {
  const m = input.movements;
  for (const [k, v] of Object.entries(m)) assertNonNegativeFen(v, k);
  assertFen(input.openingBalance, 'opening balance');
  const closingBalance =
    input.openingBalance +
    m.purchases -
    m.refunds -
    m.repayments +
    m.fees +
    m.penalties +
    m.installmentPrincipal -
    m.convertedPrincipal -
    (m.waived ?? 0);
  assertFen(closingBalance, 'closing balance');
  return {
    periodStart: input.periodStart,
    periodEnd: input.statementDate,
    statementDate: input.statementDate,
    dueDate: input.dueDate,
    openingBalance: input.openingBalance,
    purchases: m.purchases,
    refunds: m.refunds,
    repayments: m.repayments,
    fees: m.fees,
    penalties: m.penalties,
    installmentPrincipal: m.installmentPrincipal,
    convertedPrincipal: m.convertedPrincipal,
    ...(m.waived ? { waived: m.waived } : {}),
    newPrincipal: input.newPrincipal,
    closingBalance,
    amountDue: Math.max(0, closingBalance),
    creditBalance: input.creditBalance,
  };
}

/**
 * Closes the open cycle on its statement date: the open cycle's principal becomes this statement's
 * debt (due `statementDate + offset`), installments falling due on this statement are billed, the
 * credit balance pays what it can in waterfall order, settled debts are dropped, and a new cycle
 * starts the next day.
 */
export function closeCycle(
  balances: LineBalances,
  statementDate: Day,
  product: Pick<Product, 'statement'> = STANDARD_PRODUCT,
): { balances: LineBalances; statement: Statement } {
  if (compareDays(statementDate, balances.cycleStart) < 0) {
    throw new BalanceInvariantError(`statement date ${statementDate} is before the cycle start ${balances.cycleStart}`);
  }
  const openingBalance = balances.lastStatement?.closingBalance ?? 0;
  let b = cloneBalances(balances);
  const due = dueDate(statementDate, product);
  const newPrincipal = b.currentCycle;
  if (newPrincipal > 0) {
    b.statements.push({
      id: statementIdOf(statementDate),
      statementDate,
      dueDate: due,
      billed: newPrincipal,
      paid: 0,
      converted: 0,
      planId: null,
      overdue: false,
      penalty: { through: null, segments: [] },
    });
    b.currentCycle = 0;
  }
  for (const plan of b.plans) {
    for (const i of plan.installments) {
      if (!i.billed && compareDays(i.statementDate, statementDate) <= 0) {
        i.billed = true;
        b.cycle.installmentPrincipal += installmentPrincipalOwed(i);
        b.cycle.fees += installmentFeeOwed(i);
      }
    }
  }
  b = applyCreditBalance(b, statementDate).balances;
  const statement = buildStatement({
    periodStart: b.cycleStart,
    statementDate,
    dueDate: due,
    openingBalance,
    movements: b.cycle,
    newPrincipal,
    creditBalance: b.creditBalance,
  });
  // The identity of the whole module: the movements explain the change in what is owed.
  if (statement.closingBalance !== netBalance(b)) {
    throw new BalanceInvariantError(
      `statement ${statementDate}: movements give ${statement.closingBalance}, balances give ${netBalance(b)}`,
    );
  }
  b.statements = b.statements.filter((s) => statementPrincipalOwed(s) > 0);
  b.plans = b.plans.filter((p) =>
    p.installments.some((i) => !i.billed || installmentPrincipalOwed(i) > 0 || installmentFeeOwed(i) > 0),
  );
  b.lastStatement = { statementDate, closingBalance: statement.closingBalance };
  b.cycleStart = addDays(statementDate, 1);
  b.cycle = { ...ZERO_MOVEMENTS };
  return { balances: b, statement };
}

export interface NewlyOverdue {
  debtId: string;
  dueDate: Day;
  principal: Fen;
  fee: Fen;
}

/**
 * Marks debts whose due date has passed (`dueDate < day`) with something unpaid as overdue and
 * returns the ones that just became overdue (the workflow's cue for DPD 1).
 */
export function markOverdue(balances: LineBalances, day: Day): { balances: LineBalances; newlyOverdue: NewlyOverdue[] } {
  const b = cloneBalances(balances);
  const newlyOverdue: NewlyOverdue[] = [];
  for (const s of b.statements) {
    const owed = statementPrincipalOwed(s);
    if (!s.overdue && owed > 0 && compareDays(s.dueDate, day) < 0) {
      s.overdue = true;
      newlyOverdue.push({ debtId: s.id, dueDate: s.dueDate, principal: owed, fee: 0 });
    }
  }
  for (const p of b.plans) {
    for (const i of p.installments) {
      const principal = installmentPrincipalOwed(i);
      const fee = installmentFeeOwed(i);
      if (i.billed && !i.overdue && principal + fee > 0 && compareDays(i.dueDate, day) < 0) {
        i.overdue = true;
        newlyOverdue.push({ debtId: i.id, dueDate: i.dueDate, principal, fee });
      }
    }
  }
  newlyOverdue.sort((x, y) => compareDays(x.dueDate, y.dueDate));
  return { balances: b, newlyOverdue };
}
