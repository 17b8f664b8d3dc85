/**
 * What a worker shows its operators: its Temporal figures (lines held in memory, work in flight) as
 * gauges beside the activities' own (activities/metrics.ts), and, for `revolve worker` on its own,
 * a small HTTP endpoint serving them with the process's memory and event loop: `GET /metrics`
 * (Prometheus) and `GET /healthz` (200 while every worker in the process runs, else 503).
 *
 * Why it matters: a line's run is held in the worker's memory (the sticky cache) until it is evicted
 * or continues as new, and grows with every command in the run (README "Sizing a worker").
 */
import http from 'node:http';
import type { Worker } from '@temporalio/worker';
import client from 'prom-client';
import { activityRegistry } from '../activities/metrics';

type Status = ReturnType<Worker['getStatus']>;
const observed = new Set<Worker>();

const FIGURES: { name: string; help: string; of: (s: Status) => number }[] = [
  { name: 'revolve_worker_cached_workflows', help: 'Workflow runs held in the worker\'s memory (lines and requests), at most WORKER_MAX_CACHED_WORKFLOWS', of: (s) => s.numCachedWorkflows },
  { name: 'revolve_worker_workflow_activations_in_flight', help: 'Workflow activations being processed now', of: (s) => s.numInFlightWorkflowActivations },
  { name: 'revolve_worker_activities_in_flight', help: 'Activities running now (ledger writes, SMS, scoring)', of: (s) => s.numInFlightActivities },
];

let registered = false;
/** Registered once per process, summed over its workers (a test process may run several). */
function registerGauges(): void {
  if (registered) return;
  registered = true;
  for (const figure of FIGURES) {
    new client.Gauge({
      name: figure.name, help: figure.help, registers: [activityRegistry],
      collect() { this.set([...observed].reduce((total, w) => total + figure.of(w.getStatus()), 0)); },
    });
  }
}

/** Shows `worker`'s figures until its run ends. */
export function observeWorker(worker: Worker, running: Promise<void>): void {
  registerGauges();
  observed.add(worker);
  void running.finally(() => observed.delete(worker)).catch(() => undefined);
}

/** Whether every observed worker is running (a worker that failed or is shutting down is not). */
export function workersRunning(): boolean {
  return observed.size > 0 && [...observed].every((w) => w.getState() === 'RUNNING');
}

export interface WorkerMetricsServer { port: number; close(): Promise<void> }

/** `GET /metrics` and `GET /healthz` on `port` (0: any free one), for a process that runs workers and no API. */
export async function serveWorkerMetrics(port: number): Promise<WorkerMetricsServer> {
  const processRegistry = new client.Registry();
  client.collectDefaultMetrics({ register: processRegistry, prefix: 'revolve_worker_' });
  // Read at each scrape: figures registered after the server started are shown too.
  const scrape = async () => `${await processRegistry.metrics()}\n${await activityRegistry.metrics()}`;
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://worker').pathname;
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET' }).end();
    } else if (path === '/metrics') {
      scrape().then(
        (text) => res.writeHead(200, { 'content-type': processRegistry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
    } else if (path === '/healthz') {
      const ok = workersRunning();
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: ok ? 'ok' : 'not running' }));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: () => new Promise((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}
