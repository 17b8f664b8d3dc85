import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import * as schema from './schema';

export type Database = NodePgDatabase<typeof schema> & { $client: pg.Pool };

// bigint (int8) arrives as a string by default; every amount here is a safe integer of fen.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 ${value} is not a safe integer`);
  return n;
});

/**
 * A pool on `url`. `timeoutMs` bounds connecting and each query (client-side, so a server that does
 * not answer at all is noticed): the API's pool has one, so a request never hangs on a stuck database;
 * the worker's has none (its activities have their own timeouts, migrations wait on a lock).
 */
export function connect(url: string, opts: { max?: number; timeoutMs?: number } = {}): Database {
  const pool = new pg.Pool({
    connectionString: url, max: opts.max ?? 10,
    ...(opts.timeoutMs ? { connectionTimeoutMillis: opts.timeoutMs, query_timeout: opts.timeoutMs } : {}),
  });
  // An idle connection dropped by the server (restart, failover) is an event, not a crash: the pool
  // replaces it, and a query in flight fails on its own (activities retry, the API answers 5xx).
  pool.on('error', (err) => process.stderr.write(`[revolve] PostgreSQL connection lost: ${err.message}\n`));
  // A connection in use dropped by the server (an immediate shutdown cuts sessions mid-transaction)
  // emits 'error' on its client, and an 'error' nobody listens to ends the process: the chaos run saw
  // a worker die so. The query in flight fails on its own and the pool discards the broken client
  // when it is released, so the listener has nothing more to do.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return drizzle(pool, { schema }) as Database;
}

export async function disconnect(db: Database): Promise<void> {
  await db.$client.end();
}
