/**
 * How the line's money maps onto the double-entry ledger.
 *
 * Each line has five accounts whose balances are a function of `LineBalances` (debit positive):
 * revolving principal, installment principal, billed installment fees and penalties are what the
 * customer owes; the credit balance is what the line owes the customer (negative). An event's
 * journal entry is the change in those five balances, with the remainder posted to the one
 * platform account the event's kind names. So the ledger cannot drift from the balances the
 * workflow holds: the postings are derived from them, and always sum to zero.
 */
import { billedFeesOwed, installmentPrincipalOwed, statementPrincipalOwed, type LineBalances } from './balances';
import { MoneyInvariantError, type Fen } from './money';

export const LINE_ACCOUNTS = ['PRINCIPAL', 'INSTALLMENT_PRINCIPAL', 'INSTALLMENT_FEES', 'PENALTIES', 'CREDIT_BALANCE'] as const;
export type LineAccount = (typeof LINE_ACCOUNTS)[number];
export type LineAccountBalances = Record<LineAccount, Fen>;

export const PLATFORM_ACCOUNTS = ['MERCHANT_SETTLEMENT', 'CASH', 'FEE_INCOME', 'PENALTY_INCOME', 'CREDIT_LOSSES'] as const;
export type PlatformAccount = (typeof PLATFORM_ACCOUNTS)[number];

/** What happened; each kind names the platform account on the other side (none: a reclassification). */
export const ENTRY_KINDS = {
  PURCHASE: 'MERCHANT_SETTLEMENT',
  REFUND: 'MERCHANT_SETTLEMENT',
  REPAYMENT: 'CASH',
  STATEMENT: 'FEE_INCOME',
  PENALTY: 'PENALTY_INCOME',
  // Principal moves from revolving to installments; the first installment's fee is billed at once.
  INSTALLMENT_CONVERSION: 'FEE_INCOME',
  EARLY_PAYOFF: 'FEE_INCOME',
  CHARGE_OFF: 'CREDIT_LOSSES',
  // Staff forgive billed charges (domain/line/fee-waiver.ts). The decision gives its own postings, each
  // charge against the income it was booked to (penalties: PENALTY_INCOME, installment fees: FEE_INCOME);
  // FEE_INCOME is only the account a waiver of fees alone would post to.
  FEE_WAIVER: 'FEE_INCOME',
} as const satisfies Record<string, PlatformAccount | null>;
export type EntryKind = keyof typeof ENTRY_KINDS;

/** Account ids as stored: `line:<lineId>:<ACCOUNT>` and `platform:<ACCOUNT>`. */
export const lineAccountId = (lineId: string, account: LineAccount): string => `line:${lineId}:${account}`;
export const platformAccountId = (account: PlatformAccount): string => `platform:${account}`;

export interface Posting {
  accountId: string;
  /** Debit positive, credit negative; never zero. */
  amount: Fen;
}

export function lineAccountBalances(b: LineBalances): LineAccountBalances {
  let principal = b.unsettled + b.currentCycle;
  for (const s of b.statements) principal += statementPrincipalOwed(s);
  let installmentPrincipal = 0;
  for (const p of b.plans) for (const i of p.installments) installmentPrincipal += installmentPrincipalOwed(i);
  return {
    PRINCIPAL: principal,
    INSTALLMENT_PRINCIPAL: installmentPrincipal,
    INSTALLMENT_FEES: billedFeesOwed(b),
    PENALTIES: b.penalties,
    CREDIT_BALANCE: 0 - b.creditBalance, // not `-x`: -0 is a different JSON-able number from 0
  };
}

/**
 * The postings of an event that took the line from `before` to `after`. Empty when nothing moved.
 * Throws if a reclassification would create or destroy money.
 */
export function postingsFor(lineId: string, kind: EntryKind, before: LineAccountBalances, after: LineAccountBalances): Posting[] {
  const postings: Posting[] = [];
  let residual = 0;
  for (const account of LINE_ACCOUNTS) {
    const change = after[account] - before[account];
    if (change !== 0) {
      postings.push({ accountId: lineAccountId(lineId, account), amount: change });
      residual += change;
    }
  }
  const counter = ENTRY_KINDS[kind];
  if (residual !== 0) {
    if (counter === null) throw new MoneyInvariantError(`${kind} moved ${residual} fen in or out of line ${lineId}`);
    postings.push({ accountId: platformAccountId(counter), amount: -residual });
  }
  return postings;
}

export function sumPostings(postings: readonly Posting[]): Fen {
  return postings.reduce((sum, p) => sum + p.amount, 0);
}
