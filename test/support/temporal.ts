import type { WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { lineQuery } from '../../workflows/messages';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, inject } from 'vitest';
import { STANDARD_PRODUCT } from '../../domain/product';
import { createWorker, workflowBundle } from '../../runtime/worker';
import { freshDatabase, type TestDatabase } from './database';
import { registerSearchAttributes } from '../../runtime/search-attributes';

/**
 * The time-skipping environment on the toolchain's test server, with Revolve's search attributes.
 * The SDK gives a starting server 5 s; a cold JVM on a loaded machine can miss that, so only the
 * start is retried. Whatever fails after the start tears the server down (no process outlives a test).
 */
export async function timeSkippingEnvironment(): Promise<TestWorkflowEnvironment> {
  const executable = inject('testServer');
  let env: TestWorkflowEnvironment | undefined;
  for (let attempt = 1; !env; attempt++) {
    try {
      env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable } });
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
  try {
    await registerSearchAttributes(env.connection, env.namespace ?? 'default');
    return env;
  } catch (err) {
    await env.teardown();
    throw err;
  }
}

export interface TimeSkippingWorker {
  env: TestWorkflowEnvironment;
  database: TestDatabase;
  taskQueue: string;
}

/**
 * For a workflow test file: a time-skipping environment, a fresh database and a worker on them with
 * the real activities, started before the file's tests and stopped after (pass or fail).
 */
export function useTimeSkippingWorker(taskQueue: string): TimeSkippingWorker {
  const fixture = { taskQueue } as TimeSkippingWorker;
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  beforeAll(async () => {
    [fixture.env, fixture.database] = await Promise.all([timeSkippingEnvironment(), freshDatabase()]);
    worker = await createWorker({
      connection: fixture.env.nativeConnection, namespace: fixture.env.namespace ?? 'default', taskQueue,
      // Activities act at the server's (skipped) time, as REVOLVE_CLOCK=temporal-test-server makes them.
      deps: { db: fixture.database.db, underwritingPolicy: STANDARD_PRODUCT.underwriting, clock: async () => new Date(await fixture.env.currentTimeMs()) },
    });
    running = worker.run();
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await fixture.env?.teardown();
    await fixture.database?.drop();
  });
  return fixture;
}

/**
 * Terminates a line once it has nothing in flight: no SMS waiting to be handed over and no activity
 * running. The time-skipping server holds its clock while an activity runs, and one cut off by a
 * termination keeps it held: a later test waiting for days to pass would wait for ever. (A line
 * opened outside quiet hours sends its SMS at once, so this bit only in the Chinese daytime.)
 */
export async function terminateWhenIdle(handle: WorkflowHandle): Promise<void> {
  const busy = async () => {
    const line = await handle.query(lineQuery);
    return (line?.pendingSms?.length ?? 0) > 0 || ((await handle.describe()).raw.pendingActivities?.length ?? 0) > 0;
  };
  for (let i = 0; i < 200 && await busy(); i++) await new Promise((r) => setTimeout(r, 50));
  await handle.terminate('test done');
}

/**
 * For a workflow test file that tests the line's workflow on its own: a time-skipping environment and
 * a worker on the workflow bundle with the file's own activity doubles (no PostgreSQL), started before
 * the file's tests and stopped after. `ready` receives the environment (the doubles may read its clock).
 */
export function useWorkerWithActivityDoubles(taskQueue: string, activities: object, ready: (env: TestWorkflowEnvironment) => void): void {
  let env: TestWorkflowEnvironment | undefined;
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  beforeAll(async () => {
    env = await timeSkippingEnvironment();
    ready(env);
    worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await workflowBundle(), activities });
    running = worker.run();
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
  });
}
