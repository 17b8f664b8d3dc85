/**
 * The one command-line entry: `revolve start | worker | api | migrate | token …`.
 * `start` runs everything on one machine on embedded defaults; `worker` and `api` run one piece
 * against external PostgreSQL and Temporal, which is how Revolve scales out.
 */
import http from 'node:http';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime } from '@temporalio/worker';
import pino from 'pino';
import { applicantDataProviders } from '../activities/applicant-data';
import { smsProvider } from '../activities/sms';
import { faceVerifier } from '../activities/face-verification';
import { createApp } from '../api/app';
import { issueToken, type Role } from '../api/auth';
import { loadEnv, type Env } from '../config/env';
import { connect, disconnect } from '../db/client';
import { serializeError } from '../db/errors';
import { checkLedger, type LedgerCheck } from '../db/ledger-check';
import { applyMigrations } from '../db/migrate';
import { STANDARD_PRODUCT } from '../domain/product';
import { checkWorkflowsAgainstReadModels } from '../runtime/workflow-check';
import { createWorker } from '../runtime/worker';
import { observeWorker, serveWorkerMetrics } from '../runtime/worker-metrics';
import { provideClock } from '../runtime/clock';
import { encryptingDataConverter } from '../runtime/payload-codec';
import { jwtSecret, payloadKeys, provideDatabase, provideTemporal, Stoppables } from '../runtime/stack';
import { formatMs } from '../toolchain/step';

const USAGE = `usage: revolve <command>
  start                      PostgreSQL, Temporal (dev server + UI), migrations, a worker and the API on one machine
  worker                     a worker only (needs DATABASE_URL and TEMPORAL_ADDRESS)
  api                        the HTTP API only (needs DATABASE_URL and TEMPORAL_ADDRESS)
  migrate                    apply database migrations (needs DATABASE_URL)
  ledger check [--workflows] prove the trial balance is zero and each line's ledger equals its read models
                             (and, with --workflows, its workflow's state)
  bench [--lines N --rate R --duration S]
                             the purchase-latency benchmark on a throwaway stack
  chaos [--lines N --ops M --seed S --faults all]
                             the chaos run: the whole stack broken on purpose while money moves, then the invariants
  token --customer ID        print a customer token for local use
  token --support ID         print a support-staff token (--admin ID for the platform's service token)`;

/** How long the API waits for PostgreSQL (to connect, or for one query) before answering 503. */
const API_DATABASE_TIMEOUT_MS = 5000;
/** One SMS try by the API (a one-time code, sent while the customer waits): at most this long, whatever SMS_WEBHOOK_TIMEOUT_MS says. */
const API_SMS_TIMEOUT_MS = 2000;
/** With SMS_PROVIDER=log: where SMS holding a one-time code are written in clear (owner-only), the local stand-in for a phone. */
const smsOutbox = (env: Env) => path.join(env.REVOLVE_DATA_DIR, 'sms-outbox.jsonl');
/** Without FACE_VERIFICATION_URL: where the local stand-in writes each face session's result token (owner-only), the local stand-in for a face capture. */
const faceOutbox = (env: Env) => path.join(env.REVOLVE_DATA_DIR, 'face-outbox.jsonl');

function logger(env: Env) {
  return pino({
    level: env.LOG_LEVEL,
    // Personal data and credentials never reach the logs.
    redact: { paths: ['phone', '*.phone', 'req.headers.authorization', 'headers.authorization'], censor: '[redacted]' },
    // A database error's message carries the query's values: only its kind is logged.
    serializers: { err: serializeError },
  });
}

async function runUntilSignal(stoppables: Stoppables, started: number, banner: string[]): Promise<void> {
  process.stdout.write(`\n${banner.join('\n')}\n  ready in ${formatMs(performance.now() - started)}; Ctrl-C stops everything\n\n`);
  await new Promise<void>((resolve) => {
    // The embedded PostgreSQL's own signal hooks stand back when someone else listens: this process
    // owns the order (API, worker, Temporal, PostgreSQL).
    process.removeAllListeners('SIGINT');
    process.removeAllListeners('SIGTERM');
    // A second signal (an impatient Ctrl-C, a wrapper passing one on) must not kill this process half
    // way and orphan the servers it started: stopping is bounded, so it is only acknowledged.
    let stopping = false;
    const stop = (signal: string) => {
      process.stderr.write(stopping ? `[revolve] ${signal}: already stopping (bounded; a few seconds at most)\n` : `\n[revolve] ${signal}: stopping ...\n`);
      stopping = true;
      resolve();
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });
  // Pieces stopped under work in flight may reject late (a closed channel, a cancelled poll): that is
  // the stop going on, not a reason to die before the rest is stopped.
  const late = (err: unknown) => process.stderr.write(`[revolve] while stopping: ${err instanceof Error ? err.message : String(err)}\n`);
  process.on('unhandledRejection', late);
  process.on('uncaughtException', late);
  await stoppables.stopAll();
  process.stderr.write('[revolve] stopped\n');
}

async function serve(components: { worker: boolean; api: boolean; embedded: boolean }): Promise<void> {
  const started = performance.now();
  const env = loadEnv();
  // Alone, the API is one of several replicas: each must sign and check tokens with the same secret,
  // so it is never made up locally.
  if (components.api && !components.embedded && !env.AUTH_JWT_SECRET) throw new Error('AUTH_JWT_SECRET is not set (at least 32 random bytes; `revolve api` never generates one)');
  // Payloads are sealed before they reach Temporal, with the same keys on every API and worker (checked before anything starts).
  const keys = payloadKeys(env, { embedded: components.embedded });
  const log = logger(env);
  const stoppables = new Stoppables();
  const banner: string[] = [];
  // This process stops its pieces itself, in order (API, worker, Temporal, PostgreSQL): the SDK must
  // not start draining the worker on its own at the first Ctrl-C.
  if (components.worker) Runtime.install({ shutdownSignals: [] });
  try {
    const { db, url: databaseUrl, dataDir } = await provideDatabase(env, stoppables, { embedded: components.embedded });
    // Under `revolve start` the local UI reads sealed payloads through the API's codec endpoint.
    const codecEndpoint = components.embedded && components.api ? `http://localhost:${env.PORT}/codec` : undefined;
    const temporal = await provideTemporal(env, stoppables, { embedded: components.embedded, payloadKeys: keys, ...(codecEndpoint ? { codecEndpoint } : {}) });
    const { clock, close: closeClock } = await provideClock(env);
    stoppables.add('clock', closeClock);
    if (components.worker) {
      const connection = await NativeConnection.connect({ address: temporal.address });
      const sms = smsProvider({ provider: env.SMS_PROVIDER, webhookUrl: env.SMS_WEBHOOK_URL, timeoutMs: env.SMS_WEBHOOK_TIMEOUT_MS, logger: log });
      const applicantData = applicantDataProviders({
        bureauUrl: env.BUREAU_URL, bureauTimeoutMs: env.BUREAU_TIMEOUT_MS,
        platformHistoryUrl: env.PLATFORM_HISTORY_URL, platformHistoryTimeoutMs: env.PLATFORM_HISTORY_TIMEOUT_MS,
      });
      const worker = await createWorker({
        connection, namespace: env.TEMPORAL_NAMESPACE, taskQueue: env.TEMPORAL_TASK_QUEUE, maxCachedWorkflows: env.WORKER_MAX_CACHED_WORKFLOWS,
        dataConverter: encryptingDataConverter(keys),
        deps: { db, underwritingPolicy: STANDARD_PRODUCT.underwriting, logger: log, sms, clock, applicantData },
      });
      const running = worker.run();
      observeWorker(worker, running);
      stoppables.add('worker', async () => { worker.shutdown(); await running.catch((err: unknown) => log.warn({ err }, 'worker stopped with an error')); await connection.close(); });
      banner.push(`  worker      task queue "${env.TEMPORAL_TASK_QUEUE}" on ${temporal.address}, at most ${env.WORKER_MAX_CACHED_WORKFLOWS} runs in memory`);
      // Alone, the worker has no API to show its figures: it serves them itself.
      if (!components.api && env.WORKER_METRICS_PORT > 0) {
        const metrics = await serveWorkerMetrics(env.WORKER_METRICS_PORT);
        stoppables.add('worker metrics', () => metrics.close());
        banner.push(`  metrics     http://localhost:${metrics.port}/metrics, /healthz`);
      }
      banner.push(env.SMS_PROVIDER === 'log'
        ? '  SMS         log provider: a local stand-in, recorded and printed with the phone masked, never sent (SMS_PROVIDER=webhook sends)'
        : `  SMS         webhook ${new URL(env.SMS_WEBHOOK_URL ?? '').origin}`);
      const source = (url: string | undefined, name: string) => (url ? `${new URL(url).origin} (${name})` : `synthetic stand-in: reports made up from the customer id, labelled so on every decision (${name} for a real one)`);
      banner.push(`  bureau      ${source(env.BUREAU_URL, 'BUREAU_URL')}`);
      banner.push(`  platform    ${source(env.PLATFORM_HISTORY_URL, 'PLATFORM_HISTORY_URL')}`);
    }
    if (components.api) {
      // The API's own pool, with timeouts: a stuck database is a 503, never a request that hangs.
      const apiDb = connect(databaseUrl, { max: 20, timeoutMs: API_DATABASE_TIMEOUT_MS });
      stoppables.add('API database pool', () => disconnect(apiDb));
      const sms = smsProvider({ provider: env.SMS_PROVIDER, webhookUrl: env.SMS_WEBHOOK_URL, timeoutMs: Math.min(env.SMS_WEBHOOK_TIMEOUT_MS, API_SMS_TIMEOUT_MS), logger: log, outboxPath: smsOutbox(env) });
      const face = faceVerifier({ url: env.FACE_VERIFICATION_URL, timeoutMs: env.FACE_VERIFICATION_TIMEOUT_MS, logger: log, outboxPath: faceOutbox(env) });
      const app = createApp({ db: apiDb, temporal: temporal.client, taskQueue: env.TEMPORAL_TASK_QUEUE, logger: log, jwtSecret: jwtSecret(env), now: clock, sms, face }, {
        rateLimits: {
          perClientPerMinute: env.RATE_LIMIT_PER_CLIENT_PER_MINUTE,
          perSubjectPerMinute: env.RATE_LIMIT_PER_SUBJECT_PER_MINUTE,
          applicationsPerHour: env.RATE_LIMIT_APPLICATIONS_PER_HOUR,
        },
        codec: components.embedded && temporal.uiUrl
          ? { uiOrigins: [temporal.uiUrl, temporal.uiUrl.replace('//localhost:', '//127.0.0.1:')], openOnLoopback: true }
          : { uiOrigins: [], openOnLoopback: false },
      });
      const server = http.createServer(app);
      await new Promise<void>((resolve, reject) => server.once('error', reject).listen(env.PORT, resolve));
      stoppables.add('API', () => new Promise((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }));
      banner.push(`  API         http://localhost:${env.PORT}/v1   (docs http://localhost:${env.PORT}/docs, /openapi.json, /readyz, /metrics)`);
      if (env.SMS_PROVIDER === 'log') banner.push(`  codes       one-time codes the log provider "sends" are in ${smsOutbox(env)} (owner-only; masked in the log)`);
      banner.push(env.FACE_VERIFICATION_URL
        ? `  face        ${new URL(env.FACE_VERIFICATION_URL).origin} (FACE_VERIFICATION_URL)`
        : `  face        local stand-in: checks no face; each session's result token is in ${faceOutbox(env)} (owner-only; FACE_VERIFICATION_URL for a real one)`);
    }
    if (temporal.uiUrl) banner.push(`  Temporal UI ${temporal.uiUrl}/namespaces/${env.TEMPORAL_NAMESPACE}/workflows${codecEndpoint ? ` (payloads opened by ${codecEndpoint})` : ''}`);
    banner.push(env.PAYLOAD_KEYS
      ? `  payloads    sealed with the key "${keys[0]!.id}" (PAYLOAD_KEYS)`
      : `  payloads    sealed with a local key made for this data directory, ${path.join(env.REVOLVE_DATA_DIR, 'payload-keys')} (owner-only; PAYLOAD_KEYS for your own)`);
    if (dataDir) banner.push(`  PostgreSQL  127.0.0.1:${env.REVOLVE_POSTGRES_PORT}, data in ${dataDir}`);
    banner.push(`  tokens      npm run revolve -- token --customer C1   |   npm run revolve -- token --support S1`);
  } catch (err) {
    await stoppables.stopAll();
    throw err;
  }
  await runUntilSignal(stoppables, started, ['Revolve is up:', ...banner]);
}

function reportLedgerCheck(check: LedgerCheck): number {
  const out = process.stdout;
  out.write(`ledger: ${check.entries} journal entries, ${check.postings} postings, ${check.lines} credit lines\n`);
  out.write(`trial balance: ${check.trialBalance} fen${check.trialBalance === 0 ? ' (balanced)' : ' — DOES NOT BALANCE'}\n`);
  for (const u of check.unbalancedEntries) out.write(`  entry ${u.entryId} sums to ${u.total} fen\n`);
  for (const d of check.differences) {
    out.write(`  line ${d.creditLineId} ${d.account}: ledger ${d.ledger} fen, read model ${d.readModel} fen, difference ${d.difference} fen\n`);
  }
  out.write(check.ok ? 'OK: every line\'s ledger balances equal its read models\n' : 'FAILED\n');
  return check.ok ? 0 : 1;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start': await serve({ worker: true, api: true, embedded: true }); return 0;
    case 'worker': await serve({ worker: true, api: false, embedded: false }); return 0;
    case 'api': await serve({ worker: false, api: true, embedded: false }); return 0;
    case 'migrate': {
      const env = loadEnv();
      if (!env.DATABASE_URL) throw new Error('DATABASE_URL is not set');
      const db = connect(env.DATABASE_URL, { max: 2 });
      try { await applyMigrations(db); } finally { await disconnect(db); }
      process.stdout.write('migrations applied\n');
      return 0;
    }
    case 'ledger': {
      if (rest[0] !== 'check') { process.stderr.write(`${USAGE}\n`); return 2; }
      const env = loadEnv();
      const stoppables = new Stoppables();
      try {
        // Against DATABASE_URL, or the embedded database of `revolve start` (started for the check).
        const { db } = await provideDatabase(env, stoppables, { embedded: true });
        let code = reportLedgerCheck(await checkLedger(db));
        if (rest.includes('--workflows')) {
          // Against TEMPORAL_ADDRESS (or the dev server of `revolve start`, which must be running).
          const client = new Client({
            connection: await Connection.connect({ address: env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' }), namespace: env.TEMPORAL_NAMESPACE,
            // The local key only beside `revolve start`'s own dev server; against TEMPORAL_ADDRESS, PAYLOAD_KEYS.
            dataConverter: encryptingDataConverter(payloadKeys(env, { embedded: !env.TEMPORAL_ADDRESS })),
          });
          stoppables.add('Temporal connection', () => client.connection.close());
          const workflows = await checkWorkflowsAgainstReadModels(db, client);
          process.stdout.write(`workflows: ${workflows.lines} open lines queried, ${workflows.unreachable.length} did not answer\n`);
          for (const d of workflows.differences) {
            process.stdout.write(`  line ${d.creditLineId} ${d.account}: workflow ${d.ledger} fen, read model ${d.readModel} fen, difference ${d.difference} fen\n`);
          }
          if (workflows.differences.length > 0 || workflows.unreachable.length > 0) code = 1;
          process.stdout.write(code === 0 ? 'OK: every open line\'s workflow holds the balances its read model shows\n' : 'FAILED\n');
        }
        return code;
      } finally {
        await stoppables.stopAll();
      }
    }
    case 'bench': {
      // Loaded on demand: the benchmark and its load generator are development tools.
      const bench = await import('../bench/main');
      return bench.main(rest);
    }
    case 'chaos': {
      // Loaded on demand, like the benchmark: a development tool.
      const chaos = await import('../chaos/main');
      return chaos.main(rest);
    }
    case 'token': {
      const [flag, subject] = rest;
      const role = ({ '--customer': 'customer', '--support': 'support', '--admin': 'admin' } as Record<string, Role>)[flag ?? ''];
      if (!role || !subject) { process.stderr.write(`${USAGE}\n`); return 2; }
      process.stdout.write(`${await issueToken(jwtSecret(loadEnv()), subject, role)}\n`);
      return 0;
    }
    default:
      process.stderr.write(`${USAGE}\n`);
      return command ? 2 : 0;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => { process.stderr.write(`revolve: ${err instanceof Error ? err.message : String(err)}\n`); process.exit(1); },
);
