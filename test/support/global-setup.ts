import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import type { TestProject } from 'vitest/node';
import { registerSearchAttributes } from '../../runtime/search-attributes';
import { freePort } from '../../toolchain/ports';
import { startEmbeddedPostgres } from '../../toolchain/postgres';
import { resolveTemporalCli } from '../../toolchain/temporal-cli';
import { startDevServer } from '../../toolchain/temporal-server';
import { resolveTestServer, type TestServerExecutable } from '../../toolchain/test-server';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL of the test run's PostgreSQL; each test file creates its own database on it. */
    postgresAdminUrl: string;
    /** A Temporal dev server (in memory) for e2e tests. */
    temporalAddress: string;
    /** The time-skipping test server, resolved from the toolchain. */
    testServer: TestServerExecutable;
  }
}

/**
 * Services for the `services` project, started once per test run and always stopped: a throwaway
 * PostgreSQL cluster under .data/test, an in-memory Temporal dev server, and the resolved test server.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stops: (() => Promise<void>)[] = [];
  const teardown = async () => {
    for (const stop of stops.reverse()) await stop().catch((err: unknown) => console.error('teardown:', err));
  };
  try {
    // One cluster per run (runs may overlap on one machine), removed when the run ends.
    const dataDir = path.resolve('.data', 'test', `postgres-${process.pid}`);
    fs.rmSync(dataDir, { recursive: true, force: true });
    stops.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
    const [pg, testServer, cli] = await Promise.all([
      freePort().then((port) => startEmbeddedPostgres({ dataDir, port, database: 'postgres', throwaway: true })),
      resolveTestServer(),
      resolveTemporalCli(),
    ]);
    stops.push(() => pg.stop());
    const temporal = await startDevServer({ cli, namespace: 'default', logFile: path.resolve('.data', 'test', `temporal-${process.pid}.log`) });
    stops.push(() => temporal.stop());
    const connection = await Connection.connect({ address: temporal.address });
    await registerSearchAttributes(connection, 'default');
    await connection.close();

    project.provide('postgresAdminUrl', pg.url);
    project.provide('temporalAddress', temporal.address);
    project.provide('testServer', testServer);
    return teardown;
  } catch (err) {
    await teardown();
    throw err;
  }
}
