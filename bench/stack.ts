/**
 * A throwaway Revolve stack for the benchmark: embedded PostgreSQL (fsync off) under
 * .data/bench-<pid>, an in-memory headless Temporal dev server, and the worker and the API as child
 * processes (`bin/revolve worker|api`) so the worker's memory can be measured on its own. Every
 * process started is stopped by `cleanup.run()`, and killed if this process exits first.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { connect, disconnect, type Database } from '../db/client';
import { applyMigrations } from '../db/migrate';
import { newPayloadKey, parsePayloadKeys } from '../config/payload-keys';
import { encryptingDataConverter } from '../runtime/payload-codec';
import { registerSearchAttributes } from '../runtime/search-attributes';
import { freePort } from '../toolchain/ports';
import { startEmbeddedPostgres } from '../toolchain/postgres';
import { Cleanup, ROOT, startChild, waitForApi, type Child } from '../toolchain/processes';
import { step } from '../toolchain/step';
import { resolveTemporalCli } from '../toolchain/temporal-cli';
import { startDevServer } from '../toolchain/temporal-server';

export { Cleanup, ROOT, RssSampler, processTree, rssMb, tail, type Child } from '../toolchain/processes';
export const NAMESPACE = 'default';
export const TASK_QUEUE = 'credit-lines';

export interface Stack {
  dataDir: string;
  databaseUrl: string;
  temporalAddress: string;
  apiUrl: URL;
  jwtSecret: string;
  db: Database;
  connection: Connection;
  client: Client;
  worker: Child;
  api: Child;
}

export async function startStack(cleanup: Cleanup, opts: { workerNodeFlags?: string[] } = {}): Promise<Stack> {
  const dataDir = path.resolve(ROOT, '.data', `bench-${process.pid}`);
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.mkdirSync(dataDir, { recursive: true });
  cleanup.add('data directory', () => fs.rmSync(dataDir, { recursive: true, force: true }));

  const [pg, cli] = await Promise.all([
    freePort().then((port) => startEmbeddedPostgres({ dataDir: path.join(dataDir, 'postgres'), port, database: 'revolve', throwaway: true })),
    resolveTemporalCli(),
  ]);
  cleanup.add('PostgreSQL', () => pg.stop());
  const temporal = await startDevServer({ cli, namespace: NAMESPACE, logFile: path.join(dataDir, 'temporal.log') });
  cleanup.add('Temporal dev server', () => temporal.stop());

  const db = connect(pg.url, { max: 10 });
  cleanup.add('database pool', () => disconnect(db));
  await step('Applying database migrations', () => applyMigrations(db));
  const connection = await Connection.connect({ address: temporal.address });
  cleanup.add('Temporal connection', () => connection.close());
  await registerSearchAttributes(connection, NAMESPACE);
  const payloadKeys = newPayloadKey('bench-1');
  const client = new Client({ connection, namespace: NAMESPACE, dataConverter: encryptingDataConverter(parsePayloadKeys(payloadKeys)) });

  const jwtSecret = crypto.randomBytes(32).toString('base64url');
  const port = await freePort();
  const env = {
    DATABASE_URL: pg.url, TEMPORAL_ADDRESS: temporal.address, TEMPORAL_NAMESPACE: NAMESPACE, TEMPORAL_TASK_QUEUE: TASK_QUEUE,
    PORT: String(port), AUTH_JWT_SECRET: jwtSecret, PAYLOAD_KEYS: payloadKeys, LOG_LEVEL: 'warn', REVOLVE_DATA_DIR: dataDir,
    WORKER_METRICS_PORT: String(await freePort()),
  };
  const worker = startChild('worker', 'worker', env, dataDir, cleanup, opts.workerNodeFlags);
  const api = startChild('api', 'api', env, dataDir, cleanup);
  const apiUrl = new URL(`http://127.0.0.1:${port}`);
  await step('Starting the worker and the API (child processes)', async () => {
    await Promise.all([worker.up, api.up]);
    await waitForApi(apiUrl, 60_000);
  });
  return { dataDir, databaseUrl: pg.url, temporalAddress: temporal.address, apiUrl, jwtSecret, db, connection, client, worker, api };
}


