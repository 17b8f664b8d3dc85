/**
 * Tiny workflows for test/integration/history-scan.test.ts: one carrying a phone in its input, one
 * throwing a plain Error in workflow code (the TS SDK fails the workflow task, not the workflow, and
 * retries it for ever), one clean, and one continuing as new once (its result only in the second run).
 */
import { continueAsNew } from '@temporalio/workflow';

export async function carriesInput(input: { customerId: string; phone: string }): Promise<string> {
  return `hello ${input.customerId}`;
}

export async function throwsInWorkflowCode(): Promise<void> {
  throw new Error('boom in workflow code');
}

export async function clean(): Promise<string> {
  return 'nothing personal';
}

export async function continuesOnce(run: number, seed: string): Promise<string> {
  if (run === 0) return continueAsNew<typeof continuesOnce>(1, seed);
  return `${seed}-second-run`;
}
