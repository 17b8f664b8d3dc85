import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STANDARD_PRODUCT } from '../../domain/product';
import { createWorker } from '../../runtime/worker';
import { observeWorker, serveWorkerMetrics, type WorkerMetricsServer } from '../../runtime/worker-metrics';
import { lineQuery, workflowIdFor } from '../../workflows/messages';
import { freshDatabase, type TestDatabase } from '../support/database';
import { receiveApplication } from '../support/fixtures';
import { terminateWhenIdle, timeSkippingEnvironment } from '../support/temporal';

let env: TestWorkflowEnvironment;
let database: TestDatabase;
let metrics: WorkerMetricsServer;
beforeAll(async () => {
  [env, database] = await Promise.all([timeSkippingEnvironment(), freshDatabase()]);
  metrics = await serveWorkerMetrics(0);
});
afterAll(async () => {
  await metrics?.close();
  await env?.teardown();
  await database?.drop();
});

const get = async (path: string) => {
  const res = await fetch(`http://127.0.0.1:${metrics.port}${path}`);
  return { status: res.status, text: await res.text() };
};
const figure = (text: string, name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);

describe('a worker on its own shows its figures', () => {
  it('serves /metrics and /healthz, and holds at most WORKER_MAX_CACHED_WORKFLOWS runs (evicted lines still answer)', async () => {
    expect((await get('/healthz')).status).toBe(503); // no worker yet
    expect((await get('/nope')).status).toBe(404);

    const taskQueue = 'worker-metrics-test';
    const worker = await createWorker({
      connection: env.nativeConnection, namespace: env.namespace ?? 'default', taskQueue, maxCachedWorkflows: 3,
      deps: { db: database.db, underwritingPolicy: STANDARD_PRODUCT.underwriting, clock: async () => new Date(await env.currentTimeMs()) },
    });
    const running = worker.run();
    observeWorker(worker, running);
    try {
      expect(await get('/healthz')).toEqual({ status: 200, text: '{"status":"ok"}' });

      const handles = await Promise.all(Array.from({ length: 5 }, async () => {
        const input = await receiveApplication(database.db, { monthlyIncome: 2_000_000 });
        return env.client.workflow.start('creditLine', { workflowId: workflowIdFor(input.creditLineId), taskQueue, args: [input] });
      }));
      for (const handle of handles) {
        let line = await handle.query(lineQuery);
        for (let i = 0; i < 200 && line?.status !== 'ACTIVE'; i++) { await new Promise((r) => setTimeout(r, 50)); line = await handle.query(lineQuery); }
        expect(line?.status).toBe('ACTIVE');
      }

      const text = (await get('/metrics')).text;
      const cached = figure(text, 'revolve_worker_cached_workflows');
      expect(cached).toBeGreaterThanOrEqual(1);
      expect(cached).toBeLessThanOrEqual(3);
      expect(figure(text, 'revolve_worker_workflow_activations_in_flight')).toBeGreaterThanOrEqual(0);
      expect(figure(text, 'revolve_worker_process_resident_memory_bytes')).toBeGreaterThan(0);
      expect(text).toContain('# HELP revolve_line_events_rejected_total');

      // Five lines, three places: the two evicted are replayed from history when asked, and answer.
      for (const handle of handles) expect((await handle.query(lineQuery))?.status).toBe('ACTIVE');
      for (const handle of handles) await terminateWhenIdle(handle);
    } finally {
      worker.shutdown();
      await running;
    }
    expect((await get('/healthz')).status).toBe(503);
  }, 120_000);
});
