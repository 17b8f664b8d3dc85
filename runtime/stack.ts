import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { Env } from '../config/env';
import { connect, disconnect, type Database } from '../db/client';
import { applyMigrations } from '../db/migrate';
import { startEmbeddedPostgres } from '../toolchain/postgres';
import { step } from '../toolchain/step';
import { resolveTemporalCli } from '../toolchain/temporal-cli';
import { startDevServer } from '../toolchain/temporal-server';
import { newPayloadKey, parsePayloadKeys, type PayloadKey } from '../config/payload-keys';
import { encryptingDataConverter } from './payload-codec';
import { registerSearchAttributes } from './search-attributes';

const DEV_SERVER_PORT = 7233;

type Stop = () => Promise<void>;

/** Things to stop, in reverse order of start, each given a bounded time. */
export class Stoppables {
  private readonly stops: { name: string; stop: Stop }[] = [];
  add(name: string, stop: Stop): void { this.stops.push({ name, stop }); }
  /** Stops everything within `budgetMs` in all, each piece within 15 s of it: a stuck piece never holds the rest. */
  async stopAll(budgetMs = 25_000): Promise<void> {
    const deadline = Date.now() + budgetMs;
    for (const { name, stop } of this.stops.reverse()) {
      const allowedMs = Math.max(500, Math.min(15_000, deadline - Date.now()));
      // A referenced timer: it also keeps the event loop alive while a child process exits.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        stop().catch((err: unknown) => process.stderr.write(`[revolve] stopping ${name} failed: ${String(err)}\n`)),
        new Promise((resolve) => { timer = setTimeout(() => { process.stderr.write(`[revolve] stopping ${name}: gave up after ${Math.round(allowedMs / 1000)} s\n`); resolve(undefined); }, allowedMs); }),
      ]);
      clearTimeout(timer);
    }
    this.stops.length = 0;
  }
}

/**
 * PostgreSQL: DATABASE_URL, else an embedded server under the data directory. Migrations applied.
 * `dataDir` says where the embedded cluster's data lives (as root, a folder of its own outside the
 * clone, see toolchain/postgres-root.ts); it is absent with DATABASE_URL.
 */
export async function provideDatabase(env: Env, stoppables: Stoppables, opts: { embedded: boolean }): Promise<{ db: Database; url: string; dataDir?: string }> {
  let url = env.DATABASE_URL;
  let dataDir: string | undefined;
  if (!url) {
    if (!opts.embedded) throw new Error('DATABASE_URL is not set (only `revolve start` runs an embedded PostgreSQL)');
    const pg = await startEmbeddedPostgres({ dataDir: path.join(env.REVOLVE_DATA_DIR, 'postgres'), port: env.REVOLVE_POSTGRES_PORT, database: 'revolve' });
    stoppables.add('PostgreSQL', () => pg.stop());
    url = pg.url;
    dataDir = pg.dataDir;
  }
  const db = connect(url, { max: 20 });
  stoppables.add('database pool', () => disconnect(db));
  await step('Applying database migrations', () => applyMigrations(db));
  return { db, url, dataDir };
}

/** Temporal: TEMPORAL_ADDRESS, else a dev server persisted under the data directory with its Web UI. */
export async function provideTemporal(env: Env, stoppables: Stoppables, opts: { embedded: boolean; payloadKeys: readonly PayloadKey[]; codecEndpoint?: string }): Promise<{ address: string; uiUrl?: string; client: Client }> {
  let address = env.TEMPORAL_ADDRESS;
  let uiUrl: string | undefined;
  if (!address) {
    if (!opts.embedded) throw new Error('TEMPORAL_ADDRESS is not set (only `revolve start` runs a local Temporal dev server)');
    const cli = await step('Resolving the Temporal CLI', () => resolveTemporalCli());
    fs.mkdirSync(env.REVOLVE_DATA_DIR, { recursive: true });
    const server = await startDevServer({
      cli,
      namespace: env.TEMPORAL_NAMESPACE,
      port: DEV_SERVER_PORT,
      uiPort: env.TEMPORAL_UI_PORT,
      dbFilename: path.resolve(env.REVOLVE_DATA_DIR, 'temporal.db'),
      logFile: path.resolve(env.REVOLVE_DATA_DIR, 'temporal.log'),
      ...(opts.codecEndpoint ? { codecEndpoint: opts.codecEndpoint } : {}),
    });
    stoppables.add('Temporal dev server', () => server.stop());
    address = server.address;
    uiUrl = server.uiUrl;
  }
  const connection = await step(`Connecting to Temporal at ${address}`, () => Connection.connect({ address }));
  stoppables.add('Temporal connection', () => connection.close());
  const added = await registerSearchAttributes(connection, env.TEMPORAL_NAMESPACE);
  if (added.length > 0) process.stderr.write(`[revolve] Registered search attributes: ${added.join(', ')}\n`);
  return { address, uiUrl, client: new Client({ connection, namespace: env.TEMPORAL_NAMESPACE, dataConverter: encryptingDataConverter(opts.payloadKeys) }) };
}

/** AUTH_JWT_SECRET, else one generated once and kept under the data directory. */
export function jwtSecret(env: Env): string {
  if (env.AUTH_JWT_SECRET) return env.AUTH_JWT_SECRET;
  const file = path.join(env.REVOLVE_DATA_DIR, 'jwt-secret');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(env.REVOLVE_DATA_DIR, { recursive: true });
    fs.writeFileSync(file, crypto.randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' });
  }
  return fs.readFileSync(file, 'utf8').trim();
}

/**
 * PAYLOAD_KEYS, else (`revolve start` only) a key made once and kept under the data directory: every
 * replica must open what the others sealed, so a process started alone never makes one up.
 */
export function payloadKeys(env: Env, opts: { embedded: boolean }): PayloadKey[] {
  if (env.PAYLOAD_KEYS) return parsePayloadKeys(env.PAYLOAD_KEYS);
  if (!opts.embedded) throw new Error('PAYLOAD_KEYS is not set (`<id>:<base64 of 32 bytes>`, e.g. `echo "k1:$(openssl rand -base64 32)"`; only `revolve start` makes one)');
  const file = path.join(env.REVOLVE_DATA_DIR, 'payload-keys');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(env.REVOLVE_DATA_DIR, { recursive: true });
    fs.writeFileSync(file, newPayloadKey('local-1'), { mode: 0o600, flag: 'wx' });
  }
  return parsePayloadKeys(fs.readFileSync(file, 'utf8').trim());
}
