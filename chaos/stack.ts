/**
 * The chaos run's stack: every piece a real process that can be broken on purpose. Embedded
 * PostgreSQL (restartable fast or immediate), the Temporal dev server persisted in a SQLite file
 * (restartable on the same port and file), workers and the API as `bin/revolve` child processes
 * (killed with SIGKILL, started again), all on throwaway data under .data/chaos-<pid>.
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
import { freePort, waitForPort } from '../toolchain/ports';
import { startEmbeddedPostgres, type RunningPostgres } from '../toolchain/postgres';
import { Cleanup, ROOT, processTree, rssMb, startChild, waitForApi, type Child } from '../toolchain/processes';
import { resolveTemporalCli } from '../toolchain/temporal-cli';
import { startDevServer, type RunningTemporal } from '../toolchain/temporal-server';

export const NAMESPACE = 'default';
export const TASK_QUEUE = 'credit-lines';

export interface ChaosStackOptions {
  /** Workers running at once (a killed one is replaced). */
  workers: number;
  /** Where each SMS is POSTed (the run's flaky gateway). */
  smsWebhookUrl: string;
  /** The senders' SMS timeout, ms. */
  smsTimeoutMs: number;
  log: (line: string) => void;
}

export interface ChaosStack {
  dataDir: string;
  apiUrl: URL;
  jwtSecret: string;
  databaseUrl: string;
  temporalAddress: string;
  /** The run's own connections: they live through every restart (pg's pool and Temporal's connection reconnect). */
  db: Database;
  client: Client;
  workers(): Child[];
  api(): Child;
  /** SIGKILL of one worker (chosen by `pick`), then a new worker; resolves when the new one is up. */
  killWorker(pick: number): Promise<void>;
  restartTemporal(): Promise<void>;
  restartPostgres(mode: 'fast' | 'immediate'): Promise<void>;
  /** The API stopped (SIGTERM: connections in flight cut) or killed (SIGKILL), then started again. */
  restartApi(mode: 'stop' | 'kill'): Promise<void>;
  /** Workers or APIs that died without being told to (each replaced at once, as a supervisor would). */
  unexpectedExits: { name: string; at: string; how: string }[];
  /** Resident memory of each process, MB. */
  memory(): Record<string, number>;
  /** Runs each worker holds in memory (its `revolve_worker_cached_workflows`); a worker that does not answer is left out. */
  cachedRuns(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

export async function startChaosStack(opts: ChaosStackOptions): Promise<ChaosStack> {
  const cleanup = new Cleanup();
  const dataDir = path.resolve(ROOT, '.data', `chaos-${process.pid}`);
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  cleanup.add('data directory', () => fs.rmSync(dataDir, { recursive: true, force: true }));
  try {
    const [pgPort, temporalPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    const [pg, cli] = await Promise.all([
      startEmbeddedPostgres({ dataDir: path.join(dataDir, 'postgres'), port: pgPort, database: 'revolve', throwaway: true, crashSafeCommits: true }),
      resolveTemporalCli(),
    ]);
    cleanup.add('PostgreSQL', () => pg.stop());
    const temporalOptions = { cli, namespace: NAMESPACE, port: temporalPort, dbFilename: path.join(dataDir, 'temporal.db'), logFile: path.join(dataDir, 'temporal.log') };
    let temporal: RunningTemporal = await startDevServer(temporalOptions);
    cleanup.add('Temporal dev server', () => temporal.stop());

    const db = connect(pg.url, { max: 10 });
    cleanup.add('database pool', () => disconnect(db));
    await applyMigrations(db);
    const connection = await Connection.connect({ address: temporal.address });
    cleanup.add('Temporal connection', () => connection.close());
    await registerSearchAttributes(connection, NAMESPACE);
    const payloadKeys = newPayloadKey('chaos-1');
    const client = new Client({ connection, namespace: NAMESPACE, dataConverter: encryptingDataConverter(parsePayloadKeys(payloadKeys)) });

    const jwtSecret = crypto.randomBytes(32).toString('base64url');
    const env: Record<string, string> = {
      DATABASE_URL: pg.url, TEMPORAL_ADDRESS: temporal.address, TEMPORAL_NAMESPACE: NAMESPACE, TEMPORAL_TASK_QUEUE: TASK_QUEUE,
      PORT: String(apiPort), AUTH_JWT_SECRET: jwtSecret, PAYLOAD_KEYS: payloadKeys, LOG_LEVEL: 'warn', REVOLVE_DATA_DIR: dataDir,
      SMS_PROVIDER: 'webhook', SMS_WEBHOOK_URL: opts.smsWebhookUrl, SMS_WEBHOOK_TIMEOUT_MS: String(opts.smsTimeoutMs),
      // Simulated customers are many behind one address; the limits themselves are tested elsewhere.
      RATE_LIMIT_PER_CLIENT_PER_MINUTE: '1000000', RATE_LIMIT_PER_SUBJECT_PER_MINUTE: '100000', RATE_LIMIT_APPLICATIONS_PER_HOUR: '100000',
    };
    let serial = 0;
    const workers: Child[] = [];
    const metricsPorts = new Map<Child, number>();
    const unexpectedExits: ChaosStack['unexpectedExits'] = [];
    /** Children this run stops or kills on purpose; any other exit is a finding. */
    const meantToExit = new Set<Child>();
    let stopping = false;
    const supervise = (child: Child, restart: () => Promise<unknown>) => {
      void child.exited.then(() => {
        if (meantToExit.has(child) || stopping) return;
        unexpectedExits.push({ name: child.name, at: new Date().toISOString(), how: `${child.process.exitCode ?? child.process.signalCode}; see ${child.logFile}` });
        opts.log(`${child.name} DIED on its own (${child.process.exitCode ?? child.process.signalCode}): replacing it`);
        void restart().catch((err: unknown) => opts.log(`could not replace ${child.name}: ${String(err)}`));
      });
    };
    const startWorker = async (): Promise<Child> => {
      // Each worker serves its figures on a port of its own (several run on this machine).
      const metricsPort = await freePort();
      const worker = startChild(`worker-${++serial}`, 'worker', { ...env, WORKER_METRICS_PORT: String(metricsPort) }, dataDir, cleanup);
      metricsPorts.set(worker, metricsPort);
      workers.push(worker);
      supervise(worker, () => { workers.splice(workers.indexOf(worker), 1); return startWorker(); });
      await worker.up;
      return worker;
    };
    let apiSerial = 0;
    const startApi = async (): Promise<void> => {
      api = startChild(`api-${++apiSerial}`, 'api', env, dataDir, cleanup);
      supervise(api, startApi);
      await api.up;
      await waitForApi(apiUrl, 60_000);
    };
    let api = startChild(`api-${++apiSerial}`, 'api', env, dataDir, cleanup);
    supervise(api, startApi);
    const apiUrl = new URL(`http://127.0.0.1:${apiPort}`);
    await Promise.all([...Array.from({ length: opts.workers }, startWorker), api.up]);
    await waitForApi(apiUrl, 60_000);

    const stack: ChaosStack = {
      dataDir, apiUrl, jwtSecret, databaseUrl: pg.url, temporalAddress: temporal.address, db, client,
      workers: () => [...workers],
      api: () => api,
      async killWorker(pick) {
        const victim = workers.splice(pick % workers.length, 1)[0]!;
        meantToExit.add(victim);
        await victim.kill();
        opts.log(`killed ${victim.name} (pid ${victim.pid}) with SIGKILL`);
        const replacement = await startWorker();
        opts.log(`${replacement.name} up`);
      },
      async restartTemporal() {
        await temporal.stop();
        temporal = await startDevServer(temporalOptions);
        await waitForPort(temporalPort, '127.0.0.1', 60_000);
      },
      async restartPostgres(mode) {
        await pg.restart(mode);
      },
      async restartApi(mode) {
        meantToExit.add(api);
        if (mode === 'kill') await api.kill();
        else await api.stop();
        await startApi();
      },
      memory() {
        const out: Record<string, number> = { chaos: rssMb(process.pid) };
        const tree = (pid: number) => Math.round(processTree(pid).map(rssMb).reduce((a, b) => a + b, 0));
        for (const w of workers) out[w.name] = tree(w.pid);
        out[api.name] = tree(api.pid);
        out.temporal = temporalPid(temporalPort) ? tree(temporalPid(temporalPort)!) : 0;
        out.postgres = postgresMemory(pg);
        out.chaos = Math.round(out.chaos!);
        return out;
      },
      async cachedRuns() {
        const out: Record<string, number> = {};
        for (const w of workers) {
          const text = await fetch(`http://127.0.0.1:${metricsPorts.get(w)}/metrics`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.text(), () => '');
          const runs = /^revolve_worker_cached_workflows (\d+)$/m.exec(text)?.[1];
          if (runs !== undefined) out[w.name] = Number(runs);
        }
        return out;
      },
      unexpectedExits,
      stop: () => { stopping = true; return cleanup.run(); },
    };
    return stack;
  } catch (err) {
    await cleanup.run();
    throw err;
  }
}


/** The dev server's pid: the process whose command line names its port (it runs in its own group). */
function temporalPid(port: number): number | undefined {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (cmd.includes('start-dev') && cmd.includes(String(port))) return Number(entry);
    } catch { /* gone */ }
  }
  return undefined;
}

/** PostgreSQL's memory: its postmaster and backends (proportional set size would be fairer; RSS counts shared buffers per backend). */
function postgresMemory(pg: RunningPostgres): number {
  const pidFile = path.join(pg.dataDir, 'postmaster.pid');
  try {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
    return Math.round(processTree(pid).map(rssMb).reduce((a, b) => a + b, 0));
  } catch {
    return 0;
  }
}

