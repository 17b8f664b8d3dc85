import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { freePort, waitForPort } from './ports';
import { step } from './step';
import type { TemporalCli } from './temporal-cli';

/** Server settings Revolve needs (a cluster sets the same in its dynamic config). */
export const SERVER_DYNAMIC_CONFIG: Record<string, number | boolean> = {
  'history.maxInFlightUpdates': 200,
  // A line's ledger write is an activity on the worker that just decided the command: handed back in
  // the workflow task's completion, it starts at once instead of going through a task queue.
  'system.enableActivityEagerExecution': true,
};

export interface RunningTemporal {
  address: string;
  uiUrl?: string;
  stop(): Promise<void>;
}

export interface DevServerOptions {
  cli: TemporalCli;
  namespace: string;
  /** gRPC port; a free one when omitted. */
  port?: number;
  /** Web UI port; no UI when omitted. */
  uiPort?: number;
  /** SQLite file for persistence across restarts; in memory when omitted. */
  dbFilename?: string;
  logFile?: string;
  /** Where the Web UI asks to decode payloads (the codec endpoint): sealed payloads are shown in clear there. */
  codecEndpoint?: string;
}

/** Starts the Temporal dev server (server + optional Web UI) as a child process and waits for it. */
export async function startDevServer(opts: DevServerOptions): Promise<RunningTemporal> {
  const port = opts.port ?? (await freePort());
  if (opts.cli.kind === 'sdk-download') return startSdkDownloadedServer({ ...opts, port });
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--namespace', opts.namespace, '--log-level', 'warn'];
  // A burst of purchases on one line is many Updates in flight on one workflow; the server's default
  // of 10 would turn the rest away. Continue-as-new keeps each run far below the total cap.
  for (const [key, value] of Object.entries(SERVER_DYNAMIC_CONFIG)) args.push('--dynamic-config-value', `${key}=${value}`);
  if (opts.uiPort) args.push('--ui-port', String(opts.uiPort), ...(opts.codecEndpoint ? ['--ui-codec-endpoint', opts.codecEndpoint] : []));
  else args.push('--headless');
  if (opts.dbFilename) {
    fs.mkdirSync(path.dirname(opts.dbFilename), { recursive: true });
    args.push('--db-filename', opts.dbFilename);
  }
  const out = opts.logFile ? fs.openSync(opts.logFile, 'a') : 'ignore';
  // Its own process group: Ctrl-C reaches the parent, which stops the worker before the server.
  const child = spawn(opts.cli.path, args, { stdio: ['ignore', out, out], detached: true });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // Detached children survive their parent: make sure this one does not, however the parent ends.
  const killOnExit = () => { if (child.exitCode === null) child.kill('SIGKILL'); };
  process.once('exit', killOnExit);
  void exited.then(() => process.off('exit', killOnExit));
  await step(`Starting the Temporal dev server on 127.0.0.1:${port}${opts.uiPort ? ` (UI on ${opts.uiPort})` : ''}`, async () => {
    const up = waitForPort(port, '127.0.0.1', 60_000);
    const died = exited.then((code) => { throw new Error(`temporal server start-dev exited with ${code}${opts.logFile ? `; see ${opts.logFile}` : ''}`); });
    await Promise.race([up, died]);
  });
  return {
    address: `127.0.0.1:${port}`,
    uiUrl: opts.uiPort ? `http://localhost:${opts.uiPort}` : undefined,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Fallback where no CLI binary could be had: the SDK downloads the dev server (needs internet). */
async function startSdkDownloadedServer(opts: DevServerOptions & { port: number }): Promise<RunningTemporal> {
  const env = await step('Starting the Temporal dev server through the SDK download', () =>
    TestWorkflowEnvironment.createLocal({
      server: {
        ip: '127.0.0.1',
        port: opts.port,
        namespace: opts.namespace,
        ui: Boolean(opts.uiPort),
        ...(opts.uiPort ? { uiPort: opts.uiPort } : {}),
        ...(opts.dbFilename ? { dbFilename: opts.dbFilename } : {}),
        ...(opts.codecEndpoint ? { extraArgs: ['--ui-codec-endpoint', opts.codecEndpoint] } : {}),
      },
    }));
  return {
    address: env.address,
    uiUrl: opts.uiPort ? `http://localhost:${opts.uiPort}` : undefined,
    stop: () => env.teardown(),
  };
}
