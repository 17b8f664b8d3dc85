import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { connect, disconnect, type Database } from '../../db/client';
import { applyMigrations } from '../../db/migrate';

export interface TestDatabase { db: Database; url: string; drop(): Promise<void> }

/** A brand-new, migrated database on the test run's PostgreSQL: every test file starts clean. */
export async function freshDatabase(): Promise<TestDatabase> {
  const adminUrl = inject('postgresAdminUrl');
  const name = `revolve_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = connect(url.toString(), { max: 10 });
  await applyMigrations(db);
  return {
    db,
    url: url.toString(),
    async drop() {
      await disconnect(db);
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
