import { sql } from 'drizzle-orm';
import type { Database } from './client';

export interface LedgerDifference {
  creditLineId: string;
  account: string;
  ledger: number;
  readModel: number;
  difference: number;
}

export interface LedgerCheck {
  /** Sum of every posting; zero when the ledger balances. */
  trialBalance: number;
  entries: number;
  postings: number;
  lines: number;
  /** Entries whose own postings do not sum to zero (the database should make this impossible). */
  unbalancedEntries: { entryId: number; total: number }[];
  differences: LedgerDifference[];
  ok: boolean;
}

/**
 * Proves the trial balance is zero and every line's ledger accounts equal its read models: the
 * balance columns of `credit_lines`, and the installment principal and billed fees still owed in
 * `installments`.
 */
export async function checkLedger(db: Database): Promise<LedgerCheck> {
  const [totals] = (await db.execute<{ trial: string; entries: string; postings: string }>(sql`
    SELECT COALESCE((SELECT SUM(amount) FROM postings), 0) AS trial,
           (SELECT COUNT(*) FROM journal_entries) AS entries,
           (SELECT COUNT(*) FROM postings) AS postings`)).rows;
  const unbalanced = (await db.execute<{ entry_id: number; total: number }>(sql`
    SELECT entry_id, SUM(amount) AS total FROM postings GROUP BY entry_id HAVING SUM(amount) <> 0 ORDER BY entry_id LIMIT 100`)).rows;
  // Ledger balances per line account, next to what the read models say they are.
  const rows = (await db.execute<{ credit_line_id: string; account: string; ledger: number; read_model: number }>(sql`
    WITH ledger AS (
      SELECT a.credit_line_id, a.code, SUM(p.amount) AS balance
      FROM postings p JOIN ledger_accounts a ON a.id = p.account_id
      WHERE a.credit_line_id IS NOT NULL
      GROUP BY a.credit_line_id, a.code
    ), plans AS (
      SELECT credit_line_id,
             SUM(principal - principal_paid) AS installment_principal,
             SUM(CASE WHEN billed THEN fee - fee_paid - fee_waived ELSE 0 END) AS installment_fees
      FROM installments GROUP BY credit_line_id
    ), expected AS (
      SELECT l.id AS credit_line_id, x.account, x.value
      FROM credit_lines l
      LEFT JOIN plans pl ON pl.credit_line_id = l.id
      CROSS JOIN LATERAL (VALUES
        ('PRINCIPAL', l.principal),
        ('INSTALLMENT_PRINCIPAL', l.installment_principal),
        ('INSTALLMENT_FEES', l.installment_fees),
        ('PENALTIES', l.penalties),
        ('CREDIT_BALANCE', l.credit_balance),
        ('installments.INSTALLMENT_PRINCIPAL', COALESCE(pl.installment_principal, 0)),
        ('installments.INSTALLMENT_FEES', COALESCE(pl.installment_fees, 0))
      ) AS x(account, value)
    )
    SELECT e.credit_line_id, e.account,
           COALESCE(g.balance, 0)::bigint AS ledger, e.value::bigint AS read_model
    FROM expected e
    LEFT JOIN ledger g ON g.credit_line_id = e.credit_line_id AND g.code = regexp_replace(e.account, '^installments\\.', '')
    WHERE COALESCE(g.balance, 0) <> e.value
    UNION ALL
    -- Ledger accounts of a line the read model does not know at all.
    SELECT g.credit_line_id, g.code, g.balance::bigint, 0 FROM ledger g
    WHERE NOT EXISTS (SELECT 1 FROM credit_lines l WHERE l.id = g.credit_line_id) AND g.balance <> 0
    ORDER BY 1, 2`)).rows;
  const [lineCount] = (await db.execute<{ n: string }>(sql`SELECT COUNT(*) AS n FROM credit_lines`)).rows;
  const differences = rows.map((r) => ({
    creditLineId: r.credit_line_id, account: r.account, ledger: Number(r.ledger), readModel: Number(r.read_model),
    difference: Number(r.ledger) - Number(r.read_model),
  }));
  const trialBalance = Number(totals?.trial ?? 0);
  return {
    trialBalance,
    entries: Number(totals?.entries ?? 0),
    postings: Number(totals?.postings ?? 0),
    lines: Number(lineCount?.n ?? 0),
    unbalancedEntries: unbalanced.map((u) => ({ entryId: Number(u.entry_id), total: Number(u.total) })),
    differences,
    ok: trialBalance === 0 && unbalanced.length === 0 && differences.length === 0,
  };
}
