import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection, type Worker } from '@temporalio/worker';
import pino from 'pino';
import { inject } from 'vitest';
import { createApp } from '../../api/app';
import { issueToken, type Role } from '../../api/auth';
import type { CodecEndpointOptions } from '../../api/routes/codec';
import { STANDARD_PRODUCT } from '../../domain/product';
import type { SmsProvider } from '../../activities/sms';
import type { FaceVerifier } from '../../activities/face-verification';
import type { Clock } from '../../runtime/clock';
import { createWorker } from '../../runtime/worker';
import { encryptingDataConverter } from '../../runtime/payload-codec';
import { newPayloadKey, parsePayloadKeys } from '../../config/payload-keys';
import { checkLedger } from '../../db/ledger-check';
import { freshDatabase, type TestDatabase } from './database';

export interface TestStack {
  baseUrl: string;
  database: TestDatabase;
  client: Client;
  taskQueue: string;
  /** The API's token secret (for tests that sign tokens with hostile claims). */
  jwtSecret: string;
  token(role: Role, subject: string): Promise<string>;
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  stop(): Promise<void>;
}

export interface StackOptions {
  /** Run on this time-skipping environment instead of the run's dev server (for tests that need months to pass). */
  timeSkipping?: TestWorkflowEnvironment;
  /** The API's clock; a time-skipping test passes the test server's. */
  now?: Clock;
  /** The SMS provider of the worker and of the API (one-time codes): a webhook to a local receiver, say; the log provider otherwise. */
  sms?: SmsProvider;
  /** The API's face verification provider (the local stand-in unless given). */
  face?: FaceVerifier;
  /** Where the API and the activities log (silent unless given): a test that scans log lines passes its own. */
  logger?: pino.Logger;
  /** The API's codec endpoint settings (staff only, no UI origin, unless given). */
  codec?: CodecEndpointOptions;
}

/** The API over real HTTP, a worker, the run's dev server and a fresh database: what e2e tests drive. */
export async function startStack(options: StackOptions = {}): Promise<TestStack> {
  const database = await freshDatabase();
  const address = options.timeSkipping?.address ?? inject('temporalAddress');
  const taskQueue = `e2e-${randomUUID()}`;
  const secret = randomUUID() + randomUUID();
  const connection = options.timeSkipping ? undefined : await Connection.connect({ address });
  // On the dev server, payloads are sealed as in production (the API's client and the worker share a key); the
  // time-skipping environment's own client (which skips time while it waits) carries them in clear.
  const dataConverter = options.timeSkipping ? undefined : encryptingDataConverter(parsePayloadKeys(newPayloadKey('e2e')));
  const client = options.timeSkipping?.client ?? new Client({ connection, ...(dataConverter ? { dataConverter } : {}) });
  const app = createApp({ db: database.db, temporal: client, taskQueue, logger: options.logger ?? pino({ level: 'silent' }), jwtSecret: secret, now: options.now ?? (() => new Date()), ...(options.sms ? { sms: options.sms } : {}), ...(options.face ? { face: options.face } : {}) },
    options.codec ? { codec: options.codec } : {});
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };

  let worker: { worker: Worker; running: Promise<void>; connection: NativeConnection } | undefined;
  const stack: TestStack = {
    baseUrl: `http://127.0.0.1:${port}`,
    database,
    client,
    taskQueue,
    jwtSecret: secret,
    token: (role, subject) => issueToken(secret, subject, role),
    async startWorker() {
      if (worker) return;
      const nativeConnection = options.timeSkipping?.nativeConnection ?? await NativeConnection.connect({ address });
      const w = await createWorker({
        connection: nativeConnection, namespace: 'default', taskQueue, ...(dataConverter ? { dataConverter } : {}),
        deps: {
          db: database.db, underwritingPolicy: STANDARD_PRODUCT.underwriting, ...(options.sms ? { sms: options.sms } : {}), ...(options.now ? { clock: options.now } : {}),
          ...(options.logger ? { logger: options.logger } : {}),
        },
      });
      worker = { worker: w, running: w.run(), connection: nativeConnection };
    },
    async stopWorker() {
      if (!worker) return;
      worker.worker.shutdown();
      await worker.running;
      if (!options.timeSkipping) await worker.connection.close();
      worker = undefined;
    },
    async stop() {
      await stack.stopWorker();
      // Whatever a file did to its lines, the books balance after it: trial balance zero, every line's ledger = its read model.
      const books = await checkLedger(database.db).catch(() => null);
      if (books && !books.ok) {
        await new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
        await connection?.close();
        await database.drop();
        throw new Error(`the ledger check failed after the file: trial balance ${books.trialBalance}, ${books.unbalancedEntries.length} unbalanced entries, differences ${JSON.stringify(books.differences.slice(0, 5))}`);
      }
      await new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
      await connection?.close();
      await database.drop();
    },
  };
  await stack.startWorker();
  return stack;
}

/** A small JSON client for the API. */
export function api(baseUrl: string, token?: string) {
  return async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
    try { json = text ? JSON.parse(text) : undefined; } catch { json = text; }
    return { status: res.status, headers: res.headers, body: json };
  };
}

export { eventually } from './eventually';
