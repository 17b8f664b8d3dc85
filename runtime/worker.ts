import { fileURLToPath } from 'node:url';
import { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import { STANDARD_PRODUCT } from '../domain/product';
import { parseProduct } from '../domain/product-schema';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** The workflow bundle is built once per process and every worker starts from it. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietBundlerLogger });
  return bundle;
}

const quietBundlerLogger = {
  log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined,
  warn: (message: string) => process.stderr.write(`[bundler] ${message}\n`),
  error: (message: string) => process.stderr.write(`[bundler] ${message}\n`),
};

export interface WorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** WORKER_MAX_CACHED_WORKFLOWS; the SDK's default (sized by the JS heap alone) when omitted. */
  maxCachedWorkflows?: number;
  /**
   * The deployment's data converter (payloads sealed, runtime/payload-codec.ts): the same on every
   * worker and API. Left out, payloads travel in clear: for tests on a task queue of their own.
   */
  dataConverter?: DataConverter;
}

export async function createWorker(opts: WorkerOptions): Promise<Worker> {
  // The workflows read the product as plain data; it is validated once, here, before any line runs.
  parseProduct(STANDARD_PRODUCT);
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    workflowBundle: await workflowBundle(),
    ...(opts.maxCachedWorkflows ? { maxCachedWorkflows: opts.maxCachedWorkflows } : {}),
    ...(opts.dataConverter ? { dataConverter: opts.dataConverter } : {}),
    // An approved maker–checker request sends its Update to the line from an activity, through a client on the worker's own connection (and its converter).
    activities: createActivities({
      ...opts.deps,
      temporal: opts.deps.temporal ?? new Client({ connection: opts.connection, namespace: opts.namespace, ...(opts.dataConverter ? { dataConverter: opts.dataConverter } : {}) }),
    }),
    // Stopping is bounded even while a task is stuck: activities get 5 s to finish, then the worker goes.
    shutdownGraceTime: '5 seconds',
    shutdownForceTime: '10 seconds',
  });
}
