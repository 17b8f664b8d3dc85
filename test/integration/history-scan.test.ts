/*
 * scanNamespace against the run's Temporal dev server, with tiny workflows on a task queue of their
 * own: a phone in a start input is found (masked in the report), a plain Error thrown in workflow code
 * is reported as a failed workflow task (the workflow itself keeps running), every run of a workflow
 * that continued as new is listed and read, and a clean workflow gives no findings.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { historyText, scanNamespace } from '../../runtime/history-scan';
import { eventually } from '../support/eventually';
import type * as workflows from '../support/scan-workflows';

const taskQueue = `history-scan-${randomUUID().slice(0, 8)}`;
const quiet = { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
let connection: Connection;
let client: Client;
let nativeConnection: NativeConnection;
let worker: Worker;
let running: Promise<void>;
const toTerminate: WorkflowHandle[] = [];

beforeAll(async () => {
  const address = inject('temporalAddress');
  const [workflowBundle, conn, native] = await Promise.all([
    bundleWorkflowCode({ workflowsPath: fileURLToPath(new URL('../support/scan-workflows.ts', import.meta.url)), logger: quiet }),
    Connection.connect({ address }),
    NativeConnection.connect({ address }),
  ]);
  connection = conn;
  nativeConnection = native;
  client = new Client({ connection });
  worker = await Worker.create({ connection: nativeConnection, namespace: 'default', taskQueue, workflowBundle });
  running = worker.run();
});
afterAll(async () => {
  for (const handle of toTerminate) await handle.terminate('test done').catch(() => undefined);
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await running;
  await nativeConnection?.close();
  await connection?.close();
});

describe('scanNamespace on the dev server', () => {
  it('finds a phone in an input and a failed workflow task, lists every run of a continued workflow, and finds nothing in a clean one', async () => {
    const tag = randomUUID().slice(0, 8);
    const phone = `139${String(Date.now()).slice(-8)}`;
    const secondRunSecret = `only-in-run-2-${tag}`;
    const id = (name: string) => `scan-${name}-${tag}`;

    const carries = await client.workflow.start<typeof workflows.carriesInput>('carriesInput', { taskQueue, workflowId: id('carries'), args: [{ customerId: `C-${tag}`, phone }] });
    const clean = await client.workflow.start<typeof workflows.clean>('clean', { taskQueue, workflowId: id('clean') });
    const continued = await client.workflow.start<typeof workflows.continuesOnce>('continuesOnce', { taskQueue, workflowId: id('continued'), args: [0, `seed-${tag}`] });
    const throws = await client.workflow.start<typeof workflows.throwsInWorkflowCode>('throwsInWorkflowCode', { taskQueue, workflowId: id('throws') });
    toTerminate.push(throws);
    await Promise.all([carries.result(), clean.result(), continued.result()]);
    // `seed-…-second-run` is the result of the second run only; but the seed is in both runs.
    const secondRunResult = `seed-${tag}-second-run`;

    // The thrown Error fails the workflow task, not the workflow: it stays RUNNING, retried for ever.
    await eventually(() => throws.fetchHistory(), (h) => (h.events ?? []).some((e) => e.workflowTaskFailedEventAttributes));
    expect((await throws.describe()).status.name).toBe('RUNNING');

    const personal = [phone, secondRunResult, secondRunSecret, '13712', ''];
    const query = `TaskQueue="${taskQueue}"`;
    // Visibility follows the histories a moment later.
    const scan = await eventually(() => scanNamespace(client, { personal, query }), (s) => s.workflows === 5 && s.workflowTaskFailures.length > 0 && s.personalData.length === 2);

    // Every run is listed on its own: the continued workflow twice (its first run CONTINUED_AS_NEW).
    const continuedRuns: { runId: string; status: string }[] = [];
    for await (const e of client.workflow.list({ query: `WorkflowId="${id('continued')}"` })) continuedRuns.push({ runId: e.runId, status: e.status.name });
    expect(continuedRuns.map((r) => r.status).sort()).toEqual(['COMPLETED', 'CONTINUED_AS_NEW']);
    const lastRun = (await continued.describe()).runId;
    expect(continuedRuns.map((r) => r.runId)).toContain(lastRun);
    expect(continuedRuns.map((r) => r.runId)).toContain(continued.firstExecutionRunId);

    expect(scan.workflows).toBe(5);
    expect(scan.events).toBeGreaterThan(5 * 3);
    expect(scan.personalData).toEqual(expect.arrayContaining([
      { workflowId: id('carries'), runId: carries.firstExecutionRunId, datum: `${phone.slice(0, 3)}…` },
      { workflowId: id('continued'), runId: lastRun, datum: 'see…' },
    ]));
    expect(scan.personalData).toHaveLength(2);
    expect(scan.workflowTaskFailures.length).toBeGreaterThanOrEqual(1);
    for (const failure of scan.workflowTaskFailures) {
      expect(failure).toMatchObject({
        workflowId: id('throws'), runId: throws.firstExecutionRunId, eventId: expect.stringMatching(/^[0-9]+$/),
        cause: 'WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE', message: 'boom in workflow code',
      });
    }
    // The report may be printed: it never holds the datum itself.
    expect(JSON.stringify(scan)).not.toContain(phone);
    expect(JSON.stringify(scan)).not.toContain(secondRunResult);
    // The phone is in the history's bytes, where JSON.stringify of the history cannot see it.
    const carried = await carries.fetchHistory();
    expect(historyText(carried)).toContain(phone);
    expect(JSON.stringify(carried)).not.toContain(phone);

    // A clean workflow, on its own: listed and read, nothing found.
    const alone = await scanNamespace(client, { personal, query: `WorkflowId="${id('clean')}"` });
    expect(alone).toMatchObject({ workflows: 1, workflowTaskFailures: [], personalData: [] });
    expect(alone.events).toBeGreaterThan(3);
  });
});
