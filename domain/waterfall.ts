/**
 * The repayment waterfall (PRODUCT §5): a payment pays, in this fixed order,
 *   1. PENALTY            accrued penalties
 *   2. INSTALLMENT_FEE    fees of billed installments (oldest due date first)
 *   3. OVERDUE_PRINCIPAL  billed principal whose due date has passed (oldest due date first)
 *   4. DUE_PRINCIPAL      billed principal not yet past its due date (oldest first)
 *   5. CURRENT_CYCLE      principal of the open cycle, not yet billed
 * and anything above the total owed becomes CREDIT_BALANCE. Installments still scheduled (not yet
 * billed) are not owed, so the waterfall never pays them (the payoff quote counts them: payoff.ts).
 *
 * The bucket names are part of the HTTP API: do not rename them.
 *
 * Overdue versus due is decided by dates (`dueDate < day`), not by the `overdue` flags, so the
 * allocation is right even if `markOverdue` has not run yet. Penalties should be accrued up to the
 * payment day (penalty.ts) before a repayment is allocated.
 */
import { cloneBalances, installmentFeeOwed, installmentPrincipalOwed, statementPrincipalOwed, type Installment, type LineBalances } from './balances';
import type { Day } from './calendar';
import { compareDays } from './calendar';
import { assertFen, assertNonNegativeFen, MoneyInvariantError, type Fen } from './money';

export const WATERFALL_ORDER = [
  'PENALTY',
  'INSTALLMENT_FEE',
  'OVERDUE_PRINCIPAL',
  'DUE_PRINCIPAL',
  'CURRENT_CYCLE',
] as const;
export type OwedBucket = (typeof WATERFALL_ORDER)[number];
export type Bucket = OwedBucket | 'CREDIT_BALANCE';

export interface AllocationLine {
  bucket: Bucket;
  amount: Fen;
}

/** One place money can go, bound to the (cloned) balances it changes. */
interface Slot {
  bucket: OwedBucket;
  owed: Fen;
  pay(amount: Fen): void;
}

interface DebtRef {
  dueDate: Day;
  statementDate: Day;
  kind: 0 | 1; // statement before installment on the same due date
  tie: string;
  principal: Fen;
  payPrincipal(amount: Fen): void;
}

function byAge(a: DebtRef, b: DebtRef): number {
  return (
    compareDays(a.dueDate, b.dueDate) ||
    compareDays(a.statementDate, b.statementDate) ||
    a.kind - b.kind ||
    (a.tie < b.tie ? -1 : a.tie > b.tie ? 1 : 0)
  );
}

/** The slots of `b` on `day`, in waterfall order. `b` must be a private copy: paying mutates it. */
function slots(b: LineBalances, day: Day): Slot[] {
  const result: Slot[] = [{ bucket: 'PENALTY', owed: b.penalties, pay: (x) => (b.penalties -= x) }];
  const debts: DebtRef[] = [];
  const fees: { ref: DebtRef; inst: Installment }[] = [];
  for (const s of b.statements) {
    debts.push({
      dueDate: s.dueDate,
      statementDate: s.statementDate,
      kind: 0,
      tie: s.id,
      principal: statementPrincipalOwed(s),
      payPrincipal: (x) => (s.paid += x),
    });
  }
  for (const p of b.plans) {
    for (const i of p.installments) {
      if (!i.billed) continue;
      const ref: DebtRef = {
        dueDate: i.dueDate,
        statementDate: i.statementDate,
        kind: 1,
        tie: i.id,
        principal: installmentPrincipalOwed(i),
        payPrincipal: (x) => (i.principalPaid += x),
      };
      debts.push(ref);
      fees.push({ ref, inst: i });
    }
  }
  fees.sort((x, y) => byAge(x.ref, y.ref));
  for (const { inst } of fees) {
    const owed = installmentFeeOwed(inst);
    if (owed > 0) result.push({ bucket: 'INSTALLMENT_FEE', owed, pay: (x) => (inst.feePaid += x) });
  }
  debts.sort(byAge);
  for (const overdue of [true, false]) {
    for (const d of debts) {
      if (d.principal <= 0 || compareDays(d.dueDate, day) < 0 !== overdue) continue;
      result.push({ bucket: overdue ? 'OVERDUE_PRINCIPAL' : 'DUE_PRINCIPAL', owed: d.principal, pay: d.payPrincipal });
    }
  }
  result.push({ bucket: 'CURRENT_CYCLE', owed: b.currentCycle, pay: (x) => (b.currentCycle -= x) });
  return result;
}

/** What is owed in each bucket on `day` (every bucket present, 0 when nothing is owed). */
export function owedByBucket(balances: LineBalances, day: Day): Record<OwedBucket, Fen> {
  const owed: Record<OwedBucket, Fen> = {
    PENALTY: 0,
    INSTALLMENT_FEE: 0,
    OVERDUE_PRINCIPAL: 0,
    DUE_PRINCIPAL: 0,
    CURRENT_CYCLE: 0,
  };
  for (const s of slots(cloneBalances(balances), day)) owed[s.bucket] += s.owed;
  return owed;
}

/** Everything the waterfall can pay on `day`. */
export function totalOwed(balances: LineBalances, day: Day): Fen {
  const owed = owedByBucket(balances, day);
  return WATERFALL_ORDER.reduce((sum, k) => sum + owed[k], 0);
}

/** Pays up to `amount` through the slots of `b` (mutating it); returns the lines and what is left. */
function pour(b: LineBalances, amount: Fen, day: Day): { allocation: AllocationLine[]; rest: Fen } {
  let rest = amount;
  const byBucket = new Map<OwedBucket, Fen>(); // local only, never in state
  for (const slot of slots(b, day)) {
    if (rest === 0) break;
    const x = Math.min(rest, slot.owed);
    if (x <= 0) continue;
    slot.pay(x);
    rest -= x;
    byBucket.set(slot.bucket, (byBucket.get(slot.bucket) ?? 0) + x);
  }
  const allocation = WATERFALL_ORDER.filter((k) => byBucket.has(k)).map((bucket) => ({
    bucket,
    amount: byBucket.get(bucket) ?? 0,
  }));
  return { allocation, rest };
}

/**
 * Allocates a repayment of `amount` on `day`. The allocation lists each bucket paid, in waterfall
 * order, and sums to `amount` (the part above everything owed is a CREDIT_BALANCE line).
 */
export function allocateRepayment(
  balances: LineBalances,
  amount: Fen,
  day: Day,
): { allocation: AllocationLine[]; balances: LineBalances } {
  assertFen(amount, 'repayment');
  if (amount <= 0) throw new MoneyInvariantError(`repayment must be positive, got ${amount}`);
  const b = cloneBalances(balances);
  const { allocation, rest } = pour(b, amount, day);
  if (rest > 0) {
    b.creditBalance += rest;
    allocation.push({ bucket: 'CREDIT_BALANCE', amount: rest });
  }
  b.cycle.repayments += amount;
  assertNonNegativeFen(b.creditBalance, 'credit balance');
  return { allocation, balances: b };
}

/**
 * Uses the credit balance to pay what is owed on `day`, in waterfall order (at a statement close,
 * and at a payoff). It moves money between the line's own buckets, so it is not a repayment.
 */
export function applyCreditBalance(
  balances: LineBalances,
  day: Day,
): { allocation: AllocationLine[]; balances: LineBalances } {
  const b = cloneBalances(balances);
  if (b.creditBalance <= 0) return { allocation: [], balances: b };
  const { allocation, rest } = pour(b, b.creditBalance, day);
  b.creditBalance = rest;
  return { allocation, balances: b };
}
