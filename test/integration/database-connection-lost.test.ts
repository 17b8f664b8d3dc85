import { afterAll, beforeAll, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { freshDatabase, type TestDatabase } from '../support/database';

let database: TestDatabase;
beforeAll(async () => { database = await freshDatabase(); });
afterAll(async () => { await database.drop(); });

/**
 * Found by the chaos run: PostgreSQL's immediate shutdown cut a connection the worker held between
 * two queries of a transaction; its client emitted 'error' with no one listening and the worker
 * process died. Here the server ends such a session (pg_terminate_backend) and the process lives on.
 */
it('a connection in use that the server drops does not end the process, and the pool goes on', async () => {
  const pool = database.db.$client;
  const held = await pool.connect();
  await held.query('BEGIN');
  const pid = (await held.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  const uncaught: unknown[] = [];
  const onUncaught = (err: unknown) => uncaught.push(err);
  process.on('uncaughtException', onUncaught);
  try {
    await database.db.execute(sql`SELECT pg_terminate_backend(${pid})`);
    // The client learns of it from the server's message and the socket closing, between two queries.
    await new Promise((r) => setTimeout(r, 500));
    await expect(held.query('SELECT 1')).rejects.toThrow();
    expect(uncaught).toEqual([]);
    const { rows } = await pool.query<{ one: number }>('SELECT 1 AS one');
    expect(rows[0]?.one).toBe(1);
  } finally {
    held.release();
    process.off('uncaughtException', onUncaught);
  }
});
