/**
 * The credit line's balances and the billing cycle.
 *
 * `LineBalances` is the money a line's workflow carries: plain JSON, integer fen, days as strings.
 * Every transition here is pure (balances in, new balances out; the input is never mutated) and
 * keeps one identity, asserted when a cycle closes:
 *
 *   closingBalance = openingBalance + purchases − refunds − repayments + fees + penalties
 *                    + installment principal billed − principal converted to installments
 *
 * where a statement's balance is what has been billed and is unpaid (penalties, billed installment
 * fees, billed principal) minus the credit balance. Movements of the open cycle are summed in
 * `balances.cycle` as they happen, so closing a cycle needs nothing but the balances.
 */
import type { Day } from './calendar';
import { addDays, compareDays, dueDate } from './calendar';
import type { InstallmentPlan } from './installments';
import { assertFen, assertNonNegativeFen, MoneyInvariantError, type Fen } from './money';
import type { Product } from './product';
import { STANDARD_PRODUCT } from './product';
import {
  applyCreditBalance,
  billedFeesOwed,
  billedPrincipalOwed,
  installmentFeeOwed,
  installmentPrincipalOwed,
  statementPrincipalOwed,
} from './waterfall';

/** A statement's id, on the line and in the API: one statement per statement date on a line. */
export const statementIdOf = (statementDate: string): string => `S-${statementDate}`;

/** A typed outcome for requests that can be refused; refusals are data, not exceptions. */
export type Result<T, Code extends string> = ({ ok: true } & T) | { ok: false; code: Code; message: string };

/** Run-length record of the penalty charged on one overdue principal, day by day (for the annual cap). */
export interface PenaltySegment {
  /** First day charged. */
  from: Day;
  /** Consecutive days charged, each `perDay`. */
  days: number;
  perDay: Fen;
}

export interface PenaltyTrack {
  /** Last day a penalty was accrued for (so accrual never charges a day twice), null before the first. */
  through: Day | null;
  /** Charges of the last 365 days, oldest first. */
  segments: PenaltySegment[];
}

/** The revolving principal billed on one statement, while any of it is owed. */
export interface StatementDebt {
  /** `statementIdOf(statementDate)`: the same id the API shows. */
  id: string;
  statementDate: Day;
  dueDate: Day;
  /** Principal billed on the statement. */
  billed: Fen;
  /** Repaid so far (by repayments or by the credit balance). */
  paid: Fen;
  /** Moved into an installment plan. */
  converted: Fen;
  planId: string | null;
  /** Set by `markOverdue` once the due date passed with principal unpaid (information; buckets use dates). */
  overdue: boolean;
  penalty: PenaltyTrack;
}

/** Sums of the open cycle's movements, reset when it closes. */
export interface CycleMovements {
  purchases: Fen;
  refunds: Fen;
  repayments: Fen;
  /** Installment fees billed. */
  fees: Fen;
  penalties: Fen;
  /** Installment principal billed (falling due). */
  installmentPrincipal: Fen;
  /** Statement principal moved into installment plans. */
  convertedPrincipal: Fen;
}

export interface LineBalances {
  /** First day of the open cycle. */
  cycleStart: Day;
  lastStatement: { statementDate: Day; closingBalance: Fen } | null;
  /** Authorized purchases not yet settled: they hold credit but are not yet principal. */
  unsettled: Fen;
  /** Principal of the open cycle, not yet billed. */
  currentCycle: Fen;
  /** Billed revolving principal per statement, oldest first. */
  statements: StatementDebt[];
  /** Installment plans with every installment, billed or scheduled. */
  plans: InstallmentPlan[];
  /** Accrued and unpaid penalties. */
  penalties: Fen;
  /** The customer's money held by the line (overpayments, refunds of billed purchases). */
  creditBalance: Fen;
  cycle: CycleMovements;
}

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

export class BalanceInvariantError extends Error {
  override readonly name = 'BalanceInvariantError';
}

const ZERO_MOVEMENTS: CycleMovements = {
  purchases: 0,
  refunds: 0,
  repayments: 0,
  fees: 0,
  penalties: 0,
  installmentPrincipal: 0,
  convertedPrincipal: 0,
};

/** The balances of a line opened on `openedOn`: nothing owed, the first cycle starts that day. */
export function openBalances(openedOn: Day): LineBalances {
  addDays(openedOn, 0); // validates the day
  return {
    cycleStart: openedOn,
    lastStatement: null,
    unsettled: 0,
    currentCycle: 0,
    statements: [],
    plans: [],
    penalties: 0,
    creditBalance: 0,
    cycle: { ...ZERO_MOVEMENTS },
  };
}

/** A deep copy (balances are plain JSON, so a JSON round trip is exact). */
export function cloneBalances(balances: LineBalances): LineBalances {
  return JSON.parse(JSON.stringify(balances)) as LineBalances;
}

function positive(amount: Fen, what: string): void {
  assertFen(amount, what);
  if (amount <= 0) throw new MoneyInvariantError(`${what} must be positive, got ${amount}`);
}

/** A settled purchase: principal of the open cycle. */
export function applyPurchase(balances: LineBalances, amount: Fen): LineBalances {
  positive(amount, 'purchase');
  const b = cloneBalances(balances);
  b.currentCycle += amount;
  b.cycle.purchases += amount;
  return b;
}

/** An authorization that will settle later: holds available credit, not yet principal. */
export function applyAuthorization(balances: LineBalances, amount: Fen): LineBalances {
  positive(amount, 'authorization');
  const b = cloneBalances(balances);
  b.unsettled += amount;
  return b;
}

/** An earlier authorization settles: the hold becomes a purchase. */
export function settleAuthorization(balances: LineBalances, amount: Fen): LineBalances {
  positive(amount, 'settlement');
  if (amount > balances.unsettled) throw new BalanceInvariantError('settling more than is authorized');
  const b = applyPurchase(balances, amount);
  b.unsettled -= amount;
  return b;
}

/** An authorization lapses or is cancelled: the hold is released. */
export function releaseAuthorization(balances: LineBalances, amount: Fen): LineBalances {
  positive(amount, 'release');
  if (amount > balances.unsettled) throw new BalanceInvariantError('releasing more than is authorized');
  const b = cloneBalances(balances);
  b.unsettled -= amount;
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

/** All principal owed: open cycle, billed statements, and installments billed or still scheduled. */
export function outstandingPrincipal(balances: LineBalances): Fen {
  let total = balances.currentCycle;
  for (const s of balances.statements) total += statementPrincipalOwed(s);
  for (const p of balances.plans) for (const i of p.installments) total += installmentPrincipalOwed(i);
  assertNonNegativeFen(total, 'outstanding principal');
  return total;
}

/**
 * `available = limit − outstanding principal − authorized-but-unsettled` (PRODUCT §2), never below 0.
 * The credit balance is netted against the principal it will pay, so a refund of a billed purchase
 * restores available credit at once (PRODUCT §4), though the credit is applied at the next statement.
 */
export function available(limit: Fen, balances: LineBalances): Fen {
  assertNonNegativeFen(limit, 'limit');
  const netPrincipal = Math.max(0, outstandingPrincipal(balances) - balances.creditBalance);
  return Math.max(0, limit - netPrincipal - balances.unsettled);
}

/** Billed and unpaid (penalties, installment fees, principal) plus the open cycle, minus credit. */
export function netBalance(balances: LineBalances): Fen {
  return (
    balances.penalties +
    billedFeesOwed(balances) +
    billedPrincipalOwed(balances) +
    balances.currentCycle -
    balances.creditBalance
  );
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
    m.convertedPrincipal;
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
