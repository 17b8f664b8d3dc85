import type { Client } from '@temporalio/client';
import { inArray } from 'drizzle-orm';
import type { Database } from '../db/client';
import type { LedgerDifference } from '../db/ledger-check';
import { creditLines } from '../db/schema';
import { LINE_ACCOUNTS, lineAccountBalances } from '../domain/ledger';
import { LINE_STATUSES } from '../domain/line';
import { lineQuery, workflowIdFor } from '../workflows/messages';

const READ_MODEL_COLUMN = {
  PRINCIPAL: 'principal', INSTALLMENT_PRINCIPAL: 'installmentPrincipal', INSTALLMENT_FEES: 'installmentFees', PENALTIES: 'penalties', CREDIT_BALANCE: 'creditBalance',
} as const;

/**
 * The third side of the ledger check: each open line's balances as its workflow holds them must equal
 * its read model (and so, by the ledger check, its ledger). `ledger` in a difference is the workflow's figure.
 */
export async function checkWorkflowsAgainstReadModels(db: Database, client: Client): Promise<{ lines: number; differences: LedgerDifference[]; unreachable: string[] }> {
  const lines = await db.select().from(creditLines).where(inArray(creditLines.status, LINE_STATUSES.filter((status) => status !== 'CLOSED')));
  const differences: LedgerDifference[] = [];
  const unreachable: string[] = [];
  for (const line of lines) {
    let state;
    try {
      state = await client.workflow.getHandle(workflowIdFor(line.id)).query(lineQuery);
    } catch {
      unreachable.push(line.id);
      continue;
    }
    if (!state) continue;
    const accounts = lineAccountBalances(state.balances);
    for (const account of LINE_ACCOUNTS) {
      const readModel = line[READ_MODEL_COLUMN[account]];
      if (accounts[account] !== readModel) {
        differences.push({ creditLineId: line.id, account: `workflow.${account}`, ledger: accounts[account], readModel, difference: accounts[account] - readModel });
      }
    }
  }
  return { lines: lines.length, differences, unreachable };
}
