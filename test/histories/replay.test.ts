import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { describe, expect, it } from 'vitest';
import { workflowBundle } from '../../runtime/worker';
import { historyFromJson } from './history-json';

/**
 * Every committed history replays against the workflow bundle workers start from: a change that
 * would break a running line fails here (see README.md before touching a history).
 */
const HERE = path.dirname(fileURLToPath(import.meta.url));

// One replay worker per history: their start and stop lines would bury the result (this file runs
// in its own process, before any runtime exists).
Runtime.install({ logger: new DefaultLogger('WARN') });

/** The paths the corpus must cover; written out here, not read from the generator, so it cannot shrink unnoticed. */
const REQUIRED = [
  'underwriting-approved', 'underwriting-declined', 'underwriting-review-approved', 'underwriting-review-declined', 'underwriting-review-expired',
  'purchase', 'decline', 'refund', 'statement-close', 'conversion', 'repayment',
  'continue-as-new-first-run', 'continue-as-new-second-run', 'write-refused', 'sms-delivered', 'reminder',
  'ladder-dpd1', 'ladder-dpd3', 'ladder-dpd7', 'ladder-dpd15', 'ladder-dpd30', 'cure', 'charge-off', 'recovery',
  'underwriting-reopened', 'velocity', 'risk-lifted', 'suspensions', 'limit-review',
  'closure-closed', 'closure-closing', 'freeze', 'collection-pause', 'staff-approval', 'hardship-plan', 'write-off',
];

/** Every history under test/histories, kept ones in subfolders included. */
function corpus(): string[] {
  return (fs.readdirSync(HERE, { recursive: true }) as string[]).filter((f) => f.endsWith('.json')).sort();
}
const load = (file: string) => historyFromJson(fs.readFileSync(path.join(HERE, file), 'utf8'));

describe('replay corpus', () => {
  it('holds a history for every required path', () => {
    const present = new Set(corpus());
    expect(REQUIRED.filter((name) => !present.has(`${name}.json`))).toEqual([]);
  });

  it.each(corpus())('replays %s against the current workflow bundle', async (file) => {
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, load(file), file);
  });

  it('fails a history that the workflow code no longer matches', async () => {
    // A `creditLine` that schedules another activity first than the one the history recorded.
    const dir = path.resolve('.data', `replay-${process.pid}-${randomUUID().slice(0, 8)}`);
    fs.mkdirSync(dir, { recursive: true });
    try {
      const workflowsPath = path.join(dir, 'workflows.js');
      fs.writeFileSync(workflowsPath, [
        "import { proxyActivities } from '@temporalio/workflow';",
        "const { recordUnderwritingDecision } = proxyActivities({ startToCloseTimeout: '30 seconds' });",
        'export async function creditLine() { await recordUnderwritingDecision({}); }',
      ].join('\n'));
      const divergent = await bundleWorkflowCode({ workflowsPath, logger: silent });
      await expect(Worker.runReplayHistory({ workflowBundle: divergent }, load('purchase.json'), 'purchase.json'))
        .rejects.toThrow(DeterminismViolationError);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

const silent = { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
