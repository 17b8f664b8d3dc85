/**
 * The money a line carries, and what it owes: the bottom of the billing rules (the cycle, the
 * installments, the waterfall, the penalties and the payoff are built on it; it imports none of them).
 *
 * `LineBalances` is the money a line's workflow carries: plain JSON, integer fen, days as strings.
 * Every transition on it is pure (balances in, new balances out; the input is never mutated): clone
 * with `cloneBalances` before changing anything.
 */
import type { Day } from './calendar';
import { addDays } from './calendar';
import { assertNonNegativeFen, type Fen } from './money';

/** A statement's id, on the line and in the API: one statement per statement date on a line. */
export const statementIdOf = (statementDate: string): string => `S-${statementDate}`;

/** A typed outcome for requests that can be refused; refusals are data, not exceptions. */
export type Result<T, Code extends string> = ({ ok: true } & T) | { ok: false; code: Code; message: string };

export class BalanceInvariantError extends Error {
  override readonly name = 'BalanceInvariantError';
}

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

/** One installment of a schedule, as quoted and as carried in a plan. */
export interface ScheduleItem {
  seq: number;
  /** The statement that bills this installment. */
  statementDate: Day;
  dueDate: Day;
  principal: Fen;
  fee: Fen;
}

export interface Installment extends ScheduleItem {
  /** `<planId>#<seq>`. */
  id: string;
  principalPaid: Fen;
  feePaid: Fen;
  feeWaived: Fen;
  /** On a statement: owed, fee earned. */
  billed: boolean;
  overdue: boolean;
  penalty: PenaltyTrack;
  /**
   * Of its principal, the penalties and fees a hardship plan re-aged into it (line/hardship.ts): paid
   * first, and never charged a penalty (penalty.ts). Absent on every other installment.
   */
  carried?: Fen;
}

export interface InstallmentPlan {
  /** `plan:<statementDate>`: a statement converts at most once. */
  id: string;
  /** The converted statement. */
  statementDate: Day;
  convertedOn: Day;
  count: number;
  principal: Fen;
  totalFee: Fen;
  apr: number;
  /** Day of an early payoff request, null otherwise (no line pays off early yet; kept for the carried state). */
  paidOffEarlyOn: Day | null;
  installments: Installment[];
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
  /**
   * Penalties and installment fees waived by staff (line/fee-waiver.ts). Absent until a waiver in the
   * cycle (and in states carried before waivers), so it is read as `waived ?? 0`.
   */
  waived?: Fen;
}

export interface LineBalances {
  /** First day of the open cycle. */
  cycleStart: Day;
  lastStatement: { statementDate: Day; closingBalance: Fen } | null;
  /**
   * Authorized purchases not yet settled: they hold credit but are not yet principal. Every purchase
   * settles at once today, so this is 0; it stays for the states lines carry across continue-as-new.
   */
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

export const ZERO_MOVEMENTS: Readonly<CycleMovements> = {
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

// ── What is owed ─────────────────────────────────────────────────────────────────────────────

export function statementPrincipalOwed(s: StatementDebt): Fen {
  return s.billed - s.paid - s.converted;
}

export function installmentPrincipalOwed(i: Installment): Fen {
  return i.principal - i.principalPaid;
}

export function installmentFeeOwed(i: Installment): Fen {
  return i.fee - i.feePaid - i.feeWaived;
}

/** Billed principal still owed: statements and billed installments. */
export function billedPrincipalOwed(b: LineBalances): Fen {
  let total = 0;
  for (const s of b.statements) total += statementPrincipalOwed(s);
  for (const p of b.plans) for (const i of p.installments) if (i.billed) total += installmentPrincipalOwed(i);
  return total;
}

/** Fees of billed installments still owed. */
export function billedFeesOwed(b: LineBalances): Fen {
  let total = 0;
  for (const p of b.plans) for (const i of p.installments) if (i.billed) total += installmentFeeOwed(i);
  return total;
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

/** Everything a charge-off writes off: every principal (billed or not), billed fees and penalties; the balances after. */
export function writeOffAll(b: LineBalances): { balances: LineBalances; principal: Fen; fees: Fen; penalties: Fen } {
  const principal = outstandingPrincipal(b);
  const fees = billedFeesOwed(b);
  const penalties = b.penalties;
  const balances = cloneBalances(b);
  balances.statements = [];
  balances.plans = [];
  balances.currentCycle = 0;
  balances.unsettled = 0;
  balances.penalties = 0;
  return { balances, principal, fees, penalties };
}
