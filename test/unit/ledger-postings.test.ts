/*
 * The ledger mapping (domain/ledger.ts) and the read-model figures (domain/projection.ts): the
 * postings of every kind of event, and what the read models show of the balances.
 *
 * A line's five accounts are a function of its balances; an event's postings are the change of
 * those accounts plus one platform posting for the remainder. Worked examples first (every number
 * computed by hand in the comments, line opened with statement day 5 unless said otherwise), then
 * properties over random lines: the postings of every event balance, and replaying them rebuilds
 * the accounts the balances give.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, compareDays, fromDayNumber, nextStatementDate, statementDateFor, toDayNumber } from '../../domain/calendar';
import { convertToInstallments } from '../../domain/installments';
import {
  ENTRY_KINDS,
  LINE_ACCOUNTS,
  lineAccountBalances,
  lineAccountId,
  PLATFORM_ACCOUNTS,
  platformAccountId,
  postingsFor,
  sumPostings,
  type EntryKind,
  type LineAccountBalances,
  type Posting,
} from '../../domain/ledger';
import { applyRate } from '../../domain/money';
import { accruePenalties } from '../../domain/penalty';
import { installmentFigures, lineFigures } from '../../domain/projection';
import {
  available,
  cloneBalances,
  installmentFeeOwed,
  installmentPrincipalOwed,
  netBalance,
  openBalances,
  outstandingPrincipal,
  statementIdOf,
  type InstallmentPlan,
  type LineBalances,
} from '../../domain/balances';
import { applyPurchase, applyRefund, closeCycle, markOverdue } from '../../domain/cycle';
import { allocateRepayment } from '../../domain/waterfall';

const L = 'L';
const line = (account: (typeof LINE_ACCOUNTS)[number], amount: number): Posting => ({ accountId: lineAccountId(L, account), amount });
const platform = (account: (typeof PLATFORM_ACCOUNTS)[number], amount: number): Posting => ({ accountId: platformAccountId(account), amount });

/** The postings of `kind` for the transition `before → after` of line L. */
const post = (kind: EntryKind, before: LineBalances, after: LineBalances): Posting[] =>
  postingsFor(L, kind, lineAccountBalances(before), lineAccountBalances(after));

function mustConvert(b: LineBalances, statementDate: string, day: string, statementDay = 5): { balances: LineBalances; plan: InstallmentPlan } {
  const r = convertToInstallments(b, statementDate, 3, day, statementDay);
  if (!r.ok) throw new Error(r.message);
  return { balances: r.balances, plan: r.plan };
}

/**
 * The balances an early payoff of plan `planId` leaves (PRODUCT §5): every installment billed, the
 * fees of those not yet billed waived. No command pays a plan off early yet, but the ledger and the
 * read models handle waived fees, so these tests build that state by hand.
 */
function accelerate(b: LineBalances, planId: string, day: string): { balances: LineBalances; waivedFees: number } {
  const next = cloneBalances(b);
  const plan = next.plans.find((p) => p.id === planId);
  if (!plan) throw new Error(`no installment plan ${planId}`);
  let waivedFees = 0;
  for (const i of plan.installments) {
    if (i.billed) continue;
    const waived = installmentFeeOwed(i);
    i.feeWaived += waived;
    waivedFees += waived;
    next.cycle.installmentPrincipal += installmentPrincipalOwed(i);
    i.billed = true;
  }
  plan.paidOffEarlyOn = day;
  return { balances: next, waivedFees };
}

function mustPayOff(b: LineBalances, planId: string, day: string): LineBalances {
  return accelerate(b, planId, day).balances;
}

const ZERO_ACCOUNTS: LineAccountBalances = { PRINCIPAL: 0, INSTALLMENT_PRINCIPAL: 0, INSTALLMENT_FEES: 0, PENALTIES: 0, CREDIT_BALANCE: 0 };

describe('worked examples', () => {
  it('a fresh line has five zero accounts, and its credit balance is +0, not −0', () => {
    const accounts = lineAccountBalances(openBalances('2027-01-01'));
    expect(accounts).toEqual(ZERO_ACCOUNTS);
    expect(Object.is(accounts.CREDIT_BALANCE, 0)).toBe(true);
    expect(JSON.stringify(accounts)).toBe('{"PRINCIPAL":0,"INSTALLMENT_PRINCIPAL":0,"INSTALLMENT_FEES":0,"PENALTIES":0,"CREDIT_BALANCE":0}');
    expect(lineFigures(100_000, openBalances('2027-01-01'))).toEqual({ accounts: ZERO_ACCOUNTS, balance: 0, available: 100_000 });
  });

  it('a purchase of 12 345 fen posts principal against the merchant settlement account', () => {
    // Fresh line, limit 100 000: PRINCIPAL 0 → 12 345; the other side is MERCHANT_SETTLEMENT −12 345.
    const before = openBalances('2027-01-01');
    const after = applyPurchase(before, 12_345);
    expect(post('PURCHASE', before, after)).toEqual([line('PRINCIPAL', 12_345), platform('MERCHANT_SETTLEMENT', -12_345)]);
    expect(lineAccountBalances(after)).toEqual({ ...ZERO_ACCOUNTS, PRINCIPAL: 12_345 });
    // balance = 12 345; available = 100 000 − 12 345 = 87 655.
    expect(lineFigures(100_000, after)).toEqual({ accounts: { ...ZERO_ACCOUNTS, PRINCIPAL: 12_345 }, balance: 12_345, available: 87_655 });
  });

  it('a refund of an unbilled purchase reverses it, and the line is back to zero', () => {
    // 01-02 purchase 12 345, 01-03 refund of all of it (not billed: no statement yet).
    const opened = openBalances('2027-01-01');
    const bought = applyPurchase(opened, 12_345);
    const refunded = applyRefund(bought, 12_345, '2027-01-02');
    const purchase = post('PURCHASE', opened, bought);
    const refund = post('REFUND', bought, refunded);
    expect(refund).toEqual([line('PRINCIPAL', -12_345), platform('MERCHANT_SETTLEMENT', 12_345)]);
    expect(refund).toEqual(purchase.map((p) => ({ ...p, amount: -p.amount })));
    expect(lineAccountBalances(refunded)).toEqual(ZERO_ACCOUNTS);
    expect(Object.is(lineAccountBalances(refunded).CREDIT_BALANCE, 0)).toBe(true);
  });

  it('a refund of an unbilled purchase already partly repaid: the repaid part becomes credit', () => {
    // Purchase 10 000; repay 7 000 (CURRENT_CYCLE: principal 3 000 left); refund 5 000 of it, unbilled:
    // 3 000 off the open cycle's principal, the 2 000 the customer already paid becomes credit.
    // Postings: PRINCIPAL −3 000, CREDIT_BALANCE −2 000, MERCHANT_SETTLEMENT +5 000.
    let b = applyPurchase(openBalances('2027-01-01'), 10_000);
    const repaid = allocateRepayment(b, 7_000, '2027-01-02').balances;
    expect(post('REPAYMENT', b, repaid)).toEqual([line('PRINCIPAL', -7_000), platform('CASH', 7_000)]);
    b = repaid;
    const refunded = applyRefund(b, 5_000, '2027-01-01');
    expect(post('REFUND', b, refunded)).toEqual([line('PRINCIPAL', -3_000), line('CREDIT_BALANCE', -2_000), platform('MERCHANT_SETTLEMENT', 5_000)]);
    expect(lineAccountBalances(refunded)).toEqual({ ...ZERO_ACCOUNTS, CREDIT_BALANCE: -2_000 });
    // In credit: the balance is negative, available is the whole limit (never above it).
    expect(lineFigures(50_000, refunded)).toMatchObject({ balance: -2_000, available: 50_000 });
  });

  describe('a repayment over penalty + installment fee + overdue principal + open cycle, with an overpayment', () => {
    /*
     * Line opened 2026-12-01, statement day 5, limit 200 000.
     *   12-02 purchase 60 000
     *   12-05 statement: S 2026-12-05 billed 60 000, due 2027-01-04
     *   12-10 convert it into 3: 20 000 × 3, fee 0.5% × 60 000 = 300 per installment.
     *         #1 billed now (due 01-04), #2 on the 01-05 statement (due 02-04), #3 on 02-05 (due 03-07).
     *   12-20 purchase 40 000
     *   01-05 statement: S 2027-01-05 billed 40 000 (due 02-04); #2 billed, fee 300.
     *   01-10 purchase 15 000 (open cycle)
     *   02-05 (before that day's close) penalties at 0.05%/day, half-up, on each overdue principal:
     *         #1 20 000 → 10/day, due 01-04: days 01-05..02-05 = 27 + 5 = 32 days → 320
     *         #2 20 000 → 10/day, due 02-04: 02-05 → 10
     *         S 2027-01-05 40 000 → 20/day, due 02-04: 02-05 → 20
     *         penalties 350.
     *   Accounts then: PRINCIPAL 40 000 + 15 000 = 55 000, INSTALLMENT_PRINCIPAL 60 000 (#3 unbilled
     *   included), INSTALLMENT_FEES 300 + 300 = 600, PENALTIES 350, CREDIT_BALANCE 0.
     *   02-05 repayment 100 000: PENALTY 350, INSTALLMENT_FEE 600, OVERDUE_PRINCIPAL 20 000 + 20 000 + 40 000
     *         = 80 000, DUE_PRINCIPAL none (#3 is not billed), CURRENT_CYCLE 15 000; owed 95 950, so
     *         CREDIT_BALANCE 4 050.
     *   Postings: PRINCIPAL −55 000, INSTALLMENT_PRINCIPAL −40 000, INSTALLMENT_FEES −600, PENALTIES −350,
     *         CREDIT_BALANCE −4 050, CASH +100 000.
     */
    let b = openBalances('2026-12-01');
    b = applyPurchase(b, 60_000);
    b = closeCycle(b, '2026-12-05').balances;
    b = mustConvert(b, '2026-12-05', '2026-12-10').balances;
    b = applyPurchase(b, 40_000);
    b = closeCycle(b, '2027-01-05').balances;
    b = applyPurchase(b, 15_000);
    b = markOverdue(b, '2027-02-05').balances;
    const accrual = accruePenalties(b, '2026-12-01', '2027-02-05');
    const before = accrual.balances;
    const repayment = allocateRepayment(before, 100_000, '2027-02-05');
    const after = repayment.balances;

    it('the penalty accrual posts 350 against penalty income', () => {
      expect(accrual.accrued).toBe(350);
      expect(post('PENALTY', b, before)).toEqual([line('PENALTIES', 350), platform('PENALTY_INCOME', -350)]);
    });

    it('the balances before and the allocation are the ones computed by hand', () => {
      expect(lineAccountBalances(before)).toEqual({ PRINCIPAL: 55_000, INSTALLMENT_PRINCIPAL: 60_000, INSTALLMENT_FEES: 600, PENALTIES: 350, CREDIT_BALANCE: 0 });
      expect(repayment.allocation).toEqual([
        { bucket: 'PENALTY', amount: 350 },
        { bucket: 'INSTALLMENT_FEE', amount: 600 },
        { bucket: 'OVERDUE_PRINCIPAL', amount: 80_000 },
        { bucket: 'CURRENT_CYCLE', amount: 15_000 },
        { bucket: 'CREDIT_BALANCE', amount: 4_050 },
      ]);
      // balance 55 000 + 60 000 + 600 + 350 = 115 950; principal 115 000, so available 200 000 − 115 000 = 85 000.
      expect(lineFigures(200_000, before)).toMatchObject({ balance: 115_950, available: 85_000 });
    });

    it('posts each line account’s change and CASH for the whole payment', () => {
      const postings = post('REPAYMENT', before, after);
      expect(postings).toEqual([
        line('PRINCIPAL', -55_000),
        line('INSTALLMENT_PRINCIPAL', -40_000),
        line('INSTALLMENT_FEES', -600),
        line('PENALTIES', -350),
        line('CREDIT_BALANCE', -4_050),
        platform('CASH', 100_000),
      ]);
      expect(sumPostings(postings)).toBe(0);
    });

    it('leaves the unbilled installment and a credit, which is negative', () => {
      const accounts = lineAccountBalances(after);
      expect(accounts).toEqual({ PRINCIPAL: 0, INSTALLMENT_PRINCIPAL: 20_000, INSTALLMENT_FEES: 0, PENALTIES: 0, CREDIT_BALANCE: -4_050 });
      expect(accounts.CREDIT_BALANCE).toBeLessThan(0);
      // balance 20 000 − 4 050 = 15 950; available 200 000 − (20 000 − 4 050) = 184 050.
      expect(lineFigures(200_000, after)).toEqual({ accounts, balance: 15_950, available: 184_050 });
    });
  });

  it('an installment conversion moves principal and bills the first fee (0.5%, half-up) against fee income', () => {
    /*
     * 01-02 purchase 12 345; 01-05 statement bills 12 345; 01-06 repayment 45 → owed 12 300.
     * 01-10 convert 12 300 into 3: 4 100 × 3; fee 0.5% × 12 300 = 61.5, half-up → 62 (not 61) a month.
     * Postings: PRINCIPAL −12 300, INSTALLMENT_PRINCIPAL +12 300, INSTALLMENT_FEES +62, FEE_INCOME −62.
     */
    let b = applyPurchase(openBalances('2027-01-01'), 12_345);
    b = closeCycle(b, '2027-01-05').balances;
    const repaid = allocateRepayment(b, 45, '2027-01-06').balances;
    expect(post('REPAYMENT', b, repaid)).toEqual([line('PRINCIPAL', -45), platform('CASH', 45)]);
    const { balances: converted, plan } = mustConvert(repaid, '2027-01-05', '2027-01-10');
    expect(plan.principal).toBe(12_300);
    expect(plan.installments.map((i) => [i.principal, i.fee, i.billed])).toEqual([[4_100, 62, true], [4_100, 62, false], [4_100, 62, false]]);
    expect(applyRate(12_300, '0.005')).toBe(62);
    expect(post('INSTALLMENT_CONVERSION', repaid, converted)).toEqual([
      line('PRINCIPAL', -12_300),
      line('INSTALLMENT_PRINCIPAL', 12_300),
      line('INSTALLMENT_FEES', 62),
      platform('FEE_INCOME', -62),
    ]);
    expect(lineAccountBalances(converted)).toEqual({ ...ZERO_ACCOUNTS, INSTALLMENT_PRINCIPAL: 12_300, INSTALLMENT_FEES: 62 });
  });

  it('a statement close that only bills the open cycle posts nothing', () => {
    // Principal of the open cycle becomes a statement's principal: both are PRINCIPAL.
    const b = applyPurchase(openBalances('2027-01-01'), 8_000);
    const closed = closeCycle(b, '2027-01-05').balances;
    expect(post('STATEMENT', b, closed)).toEqual([]);
  });

  it('a statement close where the credit pays billed principal posts line accounts only', () => {
    /*
     * 01-02 purchase 10 000; 01-05 statement bills it (due 02-04); 01-10 purchase 3 000;
     * 01-20 repayment 10 000 (DUE_PRINCIPAL, the statement is paid); 01-25 refund 4 000 of the 01-02
     * purchase, billed already → CREDIT_BALANCE −4 000 against MERCHANT_SETTLEMENT +4 000.
     * 02-05 close: the open 3 000 is billed, and the 4 000 credit pays it; 1 000 credit is left.
     * Postings: PRINCIPAL −3 000, CREDIT_BALANCE +3 000. No platform account: no money came or went.
     */
    let b = applyPurchase(openBalances('2027-01-01'), 10_000);
    b = closeCycle(b, '2027-01-05').balances;
    b = applyPurchase(b, 3_000);
    b = allocateRepayment(b, 10_000, '2027-01-20').balances;
    const refunded = applyRefund(b, 4_000, '2027-01-02');
    expect(post('REFUND', b, refunded)).toEqual([line('CREDIT_BALANCE', -4_000), platform('MERCHANT_SETTLEMENT', 4_000)]);
    const closed = closeCycle(refunded, '2027-02-05');
    expect(post('STATEMENT', refunded, closed.balances)).toEqual([line('PRINCIPAL', -3_000), line('CREDIT_BALANCE', 3_000)]);
    expect(lineAccountBalances(closed.balances)).toEqual({ ...ZERO_ACCOUNTS, CREDIT_BALANCE: -1_000 });
    expect(closed.statement.closingBalance).toBe(-1_000);
  });

  it('a statement close where the credit pays an installment billed at that close: the only platform posting is the fee billed', () => {
    /*
     * 01-02 purchase 30 000; 01-05 statement bills it (due 02-04).
     * 01-06 convert into 3: 10 000 × 3, fee 150 each; #1 billed (due 02-04), #2 on 02-05 (due 03-07).
     * 01-10 repayment 10 150: fee 150, then #1's 10 000 (DUE_PRINCIPAL).
     * 01-12 purchase 5 000; 01-20 refund 8 000 of the 01-02 purchase (billed) → credit 8 000.
     * Accounts: PRINCIPAL 5 000, INSTALLMENT_PRINCIPAL 20 000, INSTALLMENT_FEES 0, CREDIT_BALANCE −8 000.
     * 02-05 close: 5 000 billed (due 03-07); #2 billed, fee 150. The credit pays in waterfall order:
     *   fee 150; then DUE_PRINCIPAL by age, statement before installment on the same due date:
     *   statement 5 000, #2 2 850. Credit 8 000 − 150 − 5 000 − 2 850 = 0.
     * Accounts: PRINCIPAL 0, INSTALLMENT_PRINCIPAL 7 150 + 10 000 = 17 150, INSTALLMENT_FEES 0, CREDIT_BALANCE +0.
     * Postings: PRINCIPAL −5 000, INSTALLMENT_PRINCIPAL −2 850, CREDIT_BALANCE +8 000, FEE_INCOME −150
     * (the fee billed and paid at once nets to no INSTALLMENT_FEES posting).
     */
    let b = applyPurchase(openBalances('2027-01-01'), 30_000);
    b = closeCycle(b, '2027-01-05').balances;
    b = mustConvert(b, '2027-01-05', '2027-01-06').balances;
    b = allocateRepayment(b, 10_150, '2027-01-10').balances;
    b = applyPurchase(b, 5_000);
    b = applyRefund(b, 8_000, '2027-01-02');
    expect(lineAccountBalances(b)).toEqual({ PRINCIPAL: 5_000, INSTALLMENT_PRINCIPAL: 20_000, INSTALLMENT_FEES: 0, PENALTIES: 0, CREDIT_BALANCE: -8_000 });
    const closed = closeCycle(b, '2027-02-05');
    const postings = post('STATEMENT', b, closed.balances);
    expect(postings).toEqual([
      line('PRINCIPAL', -5_000),
      line('INSTALLMENT_PRINCIPAL', -2_850),
      line('CREDIT_BALANCE', 8_000),
      platform('FEE_INCOME', -150),
    ]);
    // The statement shows 300 of fees: 150 from the 01-06 conversion (posted then) and 150 billed by this close.
    expect(closed.statement.fees).toBe(300);
    expect(closed.statement.fees - b.cycle.fees).toBe(150);
    const accounts = lineAccountBalances(closed.balances);
    expect(accounts).toEqual({ PRINCIPAL: 0, INSTALLMENT_PRINCIPAL: 17_150, INSTALLMENT_FEES: 0, PENALTIES: 0, CREDIT_BALANCE: 0 });
    expect(Object.is(accounts.CREDIT_BALANCE, 0)).toBe(true);
    expect(JSON.stringify(accounts.CREDIT_BALANCE)).toBe('0');
  });
});

describe('postingsFor', () => {
  const kinds = Object.keys(ENTRY_KINDS) as EntryKind[];

  it('returns no postings when nothing moved, for every kind', () => {
    const b = lineAccountBalances(mustConvert(closeCycle(applyPurchase(openBalances('2027-01-01'), 9_000), '2027-01-05').balances, '2027-01-05', '2027-01-06').balances);
    for (const kind of kinds) {
      expect(postingsFor(L, kind, b, { ...b }), kind).toEqual([]);
      expect(postingsFor(L, kind, ZERO_ACCOUNTS, ZERO_ACCOUNTS), kind).toEqual([]);
    }
  });

  it('every kind names a platform account (no kind is a pure reclassification any more)', () => {
    // The MoneyInvariantError branch of postingsFor needs a kind whose counter account is null; there is none.
    expect([...kinds].sort()).toEqual(['CHARGE_OFF', 'EARLY_PAYOFF', 'FEE_WAIVER', 'INSTALLMENT_CONVERSION', 'PENALTY', 'PURCHASE', 'REFUND', 'REPAYMENT', 'STATEMENT'].sort());
    for (const kind of kinds) {
      expect(ENTRY_KINDS[kind], kind).not.toBeNull();
      expect(PLATFORM_ACCOUNTS, kind).toContain(ENTRY_KINDS[kind]);
    }
  });

  it('posts the residual to the kind’s platform account, with the opposite sign', () => {
    for (const kind of kinds) {
      const after = { ...ZERO_ACCOUNTS, PRINCIPAL: 100, CREDIT_BALANCE: -30 };
      expect(postingsFor('X-1', kind, ZERO_ACCOUNTS, after), kind).toEqual([
        { accountId: 'line:X-1:PRINCIPAL', amount: 100 },
        { accountId: 'line:X-1:CREDIT_BALANCE', amount: -30 },
        { accountId: `platform:${ENTRY_KINDS[kind]}`, amount: -70 },
      ]);
    }
  });

  it('a pure move between line accounts posts no platform account', () => {
    const before = { ...ZERO_ACCOUNTS, PRINCIPAL: 500 };
    const after = { ...ZERO_ACCOUNTS, INSTALLMENT_PRINCIPAL: 500 };
    expect(postingsFor(L, 'INSTALLMENT_CONVERSION', before, after)).toEqual([line('PRINCIPAL', -500), line('INSTALLMENT_PRINCIPAL', 500)]);
  });
});

describe('installmentFigures', () => {
  /*
   * Line opened 2027-01-01, statement day 5.
   *   01-02 purchase 30 000; 01-05 statement bills it (due 02-04).
   *   01-06 convert → plan:2027-01-05 (P1): 10 000 × 3, fee 150 each; #1 billed.
   *   01-07 purchase 60 000.
   *   01-20 repayment 10 150: P1#1 fee 150 and principal 10 000 (DUE_PRINCIPAL, before the open cycle).
   *   02-05 statement bills the 60 000 (due 03-07) and P1#2 (fee 150).
   *   02-06 convert → plan:2027-02-05 (P2): 20 000 × 3, fee 300 each; #1 billed.
   *   02-06 early payoff of P1: #3 billed now, its unearned fee 150 waived.
   *   02-10 refund 60 000 of the 01-07 purchase, 02-11 refund 5 000 of the 01-02 one: both billed → credit 65 000.
   *   03-05 statement bills P2#2 (fee 300). The credit pays every fee (150 + 300 + 300 = 750) and every
   *         billed principal (P1#2 10 000, P1#3 10 000, P2#1 20 000, P2#2 20 000 = 60 000); 4 250 is left.
   *         P1 is settled and pruned; P2 stays (#3 unbilled).
   */
  let b = applyPurchase(openBalances('2027-01-01'), 30_000);
  b = closeCycle(b, '2027-01-05').balances;
  b = mustConvert(b, '2027-01-05', '2027-01-06').balances;
  b = applyPurchase(b, 60_000);
  b = allocateRepayment(b, 10_150, '2027-01-20').balances;
  b = closeCycle(b, '2027-02-05').balances;
  b = mustConvert(b, '2027-02-05', '2027-02-06').balances;
  b = mustPayOff(b, 'plan:2027-01-05', '2027-02-06');
  b = applyRefund(b, 60_000, '2027-01-07');
  const before = applyRefund(b, 5_000, '2027-01-02');
  const closed = closeCycle(before, '2027-03-05');
  const after = closed.balances;

  it('the close settles P1 from the credit and prunes it, keeps P2', () => {
    expect(before.plans.map((p) => p.id)).toEqual(['plan:2027-01-05', 'plan:2027-02-05']);
    expect(after.plans.map((p) => p.id)).toEqual(['plan:2027-02-05']);
    expect(after.creditBalance).toBe(4_250);
    // The ledger sees it too: P1's 20 000 and P2's 40 000 billed principal paid, fees 300 billed then paid.
    expect(post('STATEMENT', before, after)).toEqual([
      line('INSTALLMENT_PRINCIPAL', -60_000),
      line('INSTALLMENT_FEES', -450),
      line('CREDIT_BALANCE', 60_750),
      platform('FEE_INCOME', -300),
    ]);
  });

  it('reports a pruned plan once more, paid in full, its waived fee not paid; plans after the event as they are', () => {
    const figures = installmentFigures(after, before);
    const p2 = after.plans[0];
    expect(p2?.id).toBe('plan:2027-02-05');
    const p1 = before.plans.find((p) => p.id === 'plan:2027-01-05');
    if (!p1 || !p2) throw new Error('plans missing');
    const common = (plan: InstallmentPlan) => ({ planId: plan.id, statementId: statementIdOf(plan.statementDate), apr: plan.apr, convertedOn: plan.convertedOn });
    expect(figures).toEqual([
      // P2 as it is after the close.
      { ...common(p2), seq: 1, dueDate: '2027-03-07', principal: 20_000, fee: 300, principalPaid: 20_000, feePaid: 300, feeWaived: 0, billed: true },
      { ...common(p2), seq: 2, dueDate: '2027-04-04', principal: 20_000, fee: 300, principalPaid: 20_000, feePaid: 300, feeWaived: 0, billed: true },
      { ...common(p2), seq: 3, dueDate: '2027-05-05', principal: 20_000, fee: 300, principalPaid: 0, feePaid: 0, feeWaived: 0, billed: false },
      // P1 once more: principalPaid = principal, feePaid = fee − feeWaived, billed.
      { ...common(p1), seq: 1, dueDate: '2027-02-04', principal: 10_000, fee: 150, principalPaid: 10_000, feePaid: 150, feeWaived: 0, billed: true },
      { ...common(p1), seq: 2, dueDate: '2027-03-07', principal: 10_000, fee: 150, principalPaid: 10_000, feePaid: 150, feeWaived: 0, billed: true },
      { ...common(p1), seq: 3, dueDate: '2027-04-04', principal: 10_000, fee: 150, principalPaid: 10_000, feePaid: 0, feeWaived: 150, billed: true },
    ]);
    expect(figures.filter((f) => f.planId === 'plan:2027-01-05')).toHaveLength(3);
    expect(figures.map((f) => f.statementId)).toEqual(['S-2027-02-05', 'S-2027-02-05', 'S-2027-02-05', 'S-2027-01-05', 'S-2027-01-05', 'S-2027-01-05']);
    expect(p1.convertedOn).toBe('2027-01-06');
    expect(p2.convertedOn).toBe('2027-02-06');
    // In `before`, P1#2 and #3 were still unpaid: the figures are the settlement, not the old state.
    expect(p1.installments.map((i) => installmentPrincipalOwed(i))).toEqual([0, 10_000, 10_000]);
  });

  it('without `before`, or with a plan still present, only the plans of `after` appear, seq from 1', () => {
    expect(installmentFigures(after).map((f) => [f.planId, f.seq])).toEqual([['plan:2027-02-05', 1], ['plan:2027-02-05', 2], ['plan:2027-02-05', 3]]);
    expect(installmentFigures(before, before)).toEqual(installmentFigures(before));
    expect(installmentFigures(before).map((f) => [f.planId, f.seq])).toEqual([
      ['plan:2027-01-05', 1], ['plan:2027-01-05', 2], ['plan:2027-01-05', 3],
      ['plan:2027-02-05', 1], ['plan:2027-02-05', 2], ['plan:2027-02-05', 3],
    ]);
    expect(installmentFigures(openBalances('2027-01-01'), openBalances('2027-01-01'))).toEqual([]);
  });

  it('a newly converted plan appears as it is: first installment billed, nothing paid', () => {
    const opened = closeCycle(applyPurchase(openBalances('2027-01-01'), 12_301), '2027-01-05').balances;
    const { balances, plan } = mustConvert(opened, '2027-01-05', '2027-01-05');
    const figures = installmentFigures(balances, opened);
    // 12 301 = 4 101 + 4 100 + 4 100 (odd fen first); fee 61.505 → 62.
    expect(figures.map((f) => [f.seq, f.principal, f.fee, f.principalPaid, f.feePaid, f.billed])).toEqual([
      [1, 4_101, 62, 0, 0, true],
      [2, 4_100, 62, 0, 0, false],
      [3, 4_100, 62, 0, 0, false],
    ]);
    expect(figures.every((f) => f.planId === plan.id && f.statementId === 'S-2027-01-05' && f.convertedOn === '2027-01-05' && f.apr === plan.apr)).toBe(true);
  });
});

/* ---------------------------------------------------------------- properties over random lines */

type Op =
  | { kind: 'purchase'; amount: number }
  | { kind: 'refund'; share: number; billed: boolean }
  | { kind: 'repay'; amount: number }
  | { kind: 'convert'; payOff: boolean }
  | { kind: 'payoff'; pick: number };

const arbOp: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('purchase' as const), amount: fc.integer({ min: 1, max: 500_000 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('refund' as const), share: fc.double({ min: 0.01, max: 1, noNaN: true }), billed: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('repay' as const), amount: fc.integer({ min: 1, max: 300_000 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('convert' as const), payOff: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('payoff' as const), pick: fc.nat({ max: 5 }) }) },
);

const arbLine = fc.record({
  start: fc.integer({ min: toDayNumber('2026-01-01'), max: toDayNumber('2030-12-31') }).map(fromDayNumber),
  statementDay: fc.integer({ min: 1, max: 28 }),
  limit: fc.integer({ min: 5, max: 500 }).map((x) => x * 10_000),
  steps: fc.array(fc.record({ gap: fc.integer({ min: 0, max: 25 }), op: arbOp }), { minLength: 1, maxLength: 40 }),
});

type Line = typeof arbLine extends fc.Arbitrary<infer T> ? T : never;

type Counts = Record<EntryKind | 'billedRefund' | 'overpayment' | 'statementFee' | 'creditPaysAtClose' | 'markOverdue', number>;
const zeroCounts = (): Counts => ({
  PURCHASE: 0, REFUND: 0, REPAYMENT: 0, STATEMENT: 0, PENALTY: 0, INSTALLMENT_CONVERSION: 0, EARLY_PAYOFF: 0, CHARGE_OFF: 0, FEE_WAIVER: 0,
  billedRefund: 0, overpayment: 0, statementFee: 0, creditPaysAtClose: 0, markOverdue: 0,
});

/** Principal of installments not yet billed: in INSTALLMENT_PRINCIPAL, but not in the net balance. */
function futureInstallmentPrincipal(b: LineBalances): number {
  let total = 0;
  for (const p of b.plans) for (const i of p.installments) if (!i.billed) total += installmentPrincipalOwed(i);
  return total;
}

/**
 * Replays one random line, posting every event as the workflow would; checks each event's postings
 * and that the running ledger equals the accounts of the balances after every event.
 */
function simulate(line: Line, counts: Counts): void {
  const lineId = 'P-1';
  const ledger = new Map<string, number>();
  let day = line.start;
  let b = openBalances(day);
  let nextClose = statementDateFor(day, line.statementDay);
  let unbilledPurchases = 0;
  let billedPurchases = 0;
  let lastPurchaseDay = day;

  const checkFigures = () => {
    const accounts = lineAccountBalances(b);
    for (const account of LINE_ACCOUNTS) {
      expect(ledger.get(lineAccountId(lineId, account)) ?? 0, account).toBe(accounts[account]);
      expect(Number.isSafeInteger(accounts[account]), account).toBe(true);
    }
    expect(Object.is(accounts.CREDIT_BALANCE, -0), 'CREDIT_BALANCE is −0').toBe(false);
    expect(accounts.CREDIT_BALANCE).toBe(0 - b.creditBalance);
    for (const account of ['PRINCIPAL', 'INSTALLMENT_PRINCIPAL', 'INSTALLMENT_FEES', 'PENALTIES'] as const) {
      expect(accounts[account], account).toBeGreaterThanOrEqual(0);
    }
    const figures = lineFigures(line.limit, b);
    expect(figures.accounts).toEqual(accounts);
    expect(figures.balance).toBe(LINE_ACCOUNTS.reduce((s, a) => s + accounts[a], 0));
    // The same balance from the balances module: net balance plus installments not yet billed.
    expect(figures.balance).toBe(netBalance(b) + futureInstallmentPrincipal(b));
    expect(figures.available).toBe(available(line.limit, b));
    expect(figures.available).toBeGreaterThanOrEqual(0);
    expect(figures.available).toBeLessThanOrEqual(line.limit);
    expect(outstandingPrincipal(b)).toBe(accounts.PRINCIPAL + accounts.INSTALLMENT_PRINCIPAL);
    // The whole ledger (line and platform accounts) balances.
    expect([...ledger.values()].reduce((s, x) => s + x, 0)).toBe(0);
  };

  /** Posts `kind` for `b → after`, checks the postings, returns the platform posting's amount (0 if none). */
  const apply = (kind: EntryKind, after: LineBalances): number => {
    const postings = postingsFor(lineId, kind, lineAccountBalances(b), lineAccountBalances(after));
    expect(sumPostings(postings), kind).toBe(0);
    for (const p of postings) {
      expect(Number.isSafeInteger(p.amount), `${kind} ${p.accountId}`).toBe(true);
      expect(p.amount === 0, `${kind} ${p.accountId} posts zero`).toBe(false);
    }
    const ids = postings.map((p) => p.accountId);
    expect(new Set(ids).size, kind).toBe(ids.length);
    const lineIds = LINE_ACCOUNTS.map((a) => lineAccountId(lineId, a));
    const platforms = ids.filter((id) => !lineIds.includes(id));
    expect(platforms.length, kind).toBeLessThanOrEqual(1);
    if (platforms.length === 1) {
      expect(platforms[0], kind).toBe(platformAccountId(ENTRY_KINDS[kind]));
      expect(ids[ids.length - 1], kind).toBe(platforms[0]);
    }
    for (const p of postings) ledger.set(p.accountId, (ledger.get(p.accountId) ?? 0) + p.amount);
    if (postings.length > 0) counts[kind]++;
    b = after;
    checkFigures();
    return postings.find((p) => p.accountId === platformAccountId(ENTRY_KINDS[kind]))?.amount ?? 0;
  };

  const accrueTo = (to: string) => {
    const accrual = accruePenalties(b, line.start, to);
    expect(apply('PENALTY', accrual.balances)).toBe(0 - accrual.accrued);
  };

  const overdue = (to: string) => {
    // Marking debts overdue moves no money.
    const marked = markOverdue(b, to).balances;
    expect(lineAccountBalances(marked)).toEqual(lineAccountBalances(b));
    if (JSON.stringify(marked) !== JSON.stringify(b)) counts.markOverdue++;
    b = marked;
  };

  const advanceTo = (target: string) => {
    while (compareDays(nextClose, target) < 0) {
      accrueTo(nextClose);
      const creditBefore = b.creditBalance;
      const feesBefore = b.cycle.fees;
      const closed = closeCycle(b, nextClose);
      const feeIncome = apply('STATEMENT', closed.balances);
      // The only money a close moves in or out of the line: the fees of installments it bills.
      const billedFees = closed.statement.fees - feesBefore;
      expect(feeIncome).toBe(0 - billedFees);
      if (billedFees > 0) counts.statementFee++;
      if (b.creditBalance < creditBefore) counts.creditPaysAtClose++;
      billedPurchases += unbilledPurchases;
      unbilledPurchases = 0;
      overdue(addDays(nextClose, 1));
      nextClose = nextStatementDate(nextClose, line.statementDay);
    }
    day = target;
    accrueTo(day);
    overdue(day);
  };

  const payOff = (planId: string) => {
    const r = accelerate(b, planId, day);
    // Acceleration bills principal that already was installment principal and waives the unearned
    // fees: nothing moves in the ledger.
    expect(postingsFor(lineId, 'EARLY_PAYOFF', lineAccountBalances(b), lineAccountBalances(r.balances))).toEqual([]);
    expect(r.waivedFees).toBeGreaterThanOrEqual(0);
    apply('EARLY_PAYOFF', r.balances);
    counts.EARLY_PAYOFF++;
  };

  for (const { gap, op } of line.steps) {
    advanceTo(addDays(day, gap));
    if (op.kind === 'purchase') {
      if (op.amount > available(line.limit, b)) continue; // declined: changes nothing
      expect(apply('PURCHASE', applyPurchase(b, op.amount))).toBe(0 - op.amount);
      unbilledPurchases += op.amount;
      lastPurchaseDay = day;
    } else if (op.kind === 'refund') {
      const pool = op.billed ? billedPurchases : unbilledPurchases;
      const amount = Math.floor(pool * op.share);
      if (amount <= 0) continue;
      const purchaseDay = op.billed ? (b.lastStatement?.statementDate ?? day) : lastPurchaseDay;
      expect(apply('REFUND', applyRefund(b, amount, purchaseDay))).toBe(amount);
      if (op.billed) {
        billedPurchases -= amount;
        counts.billedRefund++;
      } else unbilledPurchases -= amount;
    } else if (op.kind === 'repay') {
      const creditBefore = b.creditBalance;
      expect(apply('REPAYMENT', allocateRepayment(b, op.amount, day).balances)).toBe(op.amount);
      if (b.creditBalance > creditBefore) counts.overpayment++;
    } else if (op.kind === 'convert') {
      if (!b.lastStatement) continue;
      const r = convertToInstallments(b, b.lastStatement.statementDate, 3, day, line.statementDay);
      if (!r.ok) continue;
      const before = lineAccountBalances(b);
      const feeIncome = apply('INSTALLMENT_CONVERSION', r.balances);
      const fee = applyRate(r.plan.principal, '0.005');
      expect(r.plan.installments[0]?.fee).toBe(fee);
      expect(feeIncome).toBe(0 - fee);
      const after = lineAccountBalances(b);
      expect(after.PRINCIPAL - before.PRINCIPAL).toBe(-r.plan.principal);
      expect(after.INSTALLMENT_PRINCIPAL - before.INSTALLMENT_PRINCIPAL).toBe(r.plan.principal);
      expect(after.INSTALLMENT_FEES - before.INSTALLMENT_FEES).toBe(fee);
      if (op.payOff) payOff(r.plan.id);
    } else {
      const open = b.plans.filter((p) => p.installments.some((i) => !i.billed));
      const plan = open[op.pick % Math.max(1, open.length)];
      if (plan) payOff(plan.id);
    }
  }
}

describe('the ledger over random lines', () => {
  it('every event balances, posts no zero, and the ledger replays to the balances’ accounts', () => {
    const counts = zeroCounts();
    fc.assert(
      fc.property(arbLine, (line) => simulate(line, counts)),
      { numRuns: 150 },
    );
    // The runs really exercised every kind of event (a property over nothing proves nothing).
    expect(counts.PURCHASE).toBeGreaterThan(100);
    expect(counts.REFUND).toBeGreaterThan(10);
    expect(counts.billedRefund).toBeGreaterThan(5);
    expect(counts.REPAYMENT).toBeGreaterThan(100);
    expect(counts.overpayment).toBeGreaterThan(5);
    expect(counts.INSTALLMENT_CONVERSION).toBeGreaterThan(10);
    expect(counts.STATEMENT).toBeGreaterThan(10);
    expect(counts.statementFee).toBeGreaterThan(5);
    expect(counts.creditPaysAtClose).toBeGreaterThan(5);
    expect(counts.PENALTY).toBeGreaterThan(10);
    expect(counts.EARLY_PAYOFF).toBeGreaterThan(3);
    expect(counts.markOverdue).toBeGreaterThan(10);
  });
});
