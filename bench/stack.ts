/**
 * A throwaway Revolve stack for the benchmark: embedded PostgreSQL (fsync off) under
 * .data/bench-<pid>, an in-memory headless Temporal dev server, and the worker and the API as child
 * processes (`bin/revolve worker|api`) so the worker's memory can be measured on its own. Every
 * process started is stopped by `cleanup.run()`, and killed if this process exits first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { connect, disconnect, type Database } from '../db/client';
import { applyMigrations } from '../db/migrate';
import { registerSearchAttributes } from '../runtime/search-attributes';
import { freePort } from '../toolchain/ports';
import { startEmbeddedPostgres } from '../toolchain/postgres';
import { step } from '../toolchain/step';
import { resolveTemporalCli } from '../toolchain/temporal-cli';
import { startDevServer } from '../toolchain/temporal-server';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const NAMESPACE = 'default';
export const TASK_QUEUE = 'credit-lines';

/** Things to undo, in reverse order; `run()` may be called more than once (finally and SIGINT). */
export class Cleanup {
  private readonly undo: { name: string; fn: () => Promise<void> | void }[] = [];
  private running: Promise<void> | undefined;
  add(name: string, fn: () => Promise<void> | void): void { this.undo.push({ name, fn }); }
  run(): Promise<void> {
    this.running ??= (async () => {
      for (const { name, fn } of this.undo.reverse()) {
        await Promise.race([
          Promise.resolve().then(fn).catch((err: unknown) => process.stderr.write(`[bench] stopping ${name} failed: ${String(err)}\n`)),
          new Promise((resolve) => setTimeout(resolve, 20_000).unref()),
        ]);
      }
    })();
    return this.running;
  }
}

export interface Child {
  name: string;
  pid: number;
  process: ChildProcess;
  logFile: string;
  /** Resolves when the child printed `Revolve is up`; rejects if it exits first. */
  up: Promise<void>;
  /** SIGTERM to its group, SIGKILL after 15 s; idempotent (the cleanup calls it too). */
  stop(): Promise<void>;
}

/** `bin/revolve <command>` in its own process group, output to a log file; stopped with SIGTERM, then SIGKILL. */
function startChild(name: string, command: string, env: Record<string, string>, logDir: string, cleanup: Cleanup, nodeFlags: string[] = []): Child {
  const logFile = path.join(logDir, `${name}.log`);
  const out = fs.openSync(logFile, 'a');
  // With node flags (a CPU profile: not allowed in NODE_OPTIONS), node runs the CLI through tsx's loader itself.
  const [file, args] = nodeFlags.length > 0
    ? [process.execPath, [...nodeFlags, '--import', 'tsx', path.join(ROOT, 'cli', 'main.ts'), command]]
    : [path.join(ROOT, 'bin', 'revolve'), [command]];
  const child = spawn(file, args, {
    cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', out], detached: true,
  });
  fs.closeSync(out);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${name}`);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // A detached group outlives its parent: make sure it does not, however this process ends.
  const kill = () => { try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ } };
  process.once('exit', kill);
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= (async () => {
    process.off('exit', kill);
    if (child.exitCode !== null || child.signalCode !== null) return;
    try { process.kill(-pid, 'SIGTERM'); } catch { return; }
    const timer = setTimeout(kill, 15_000);
    await exited;
    clearTimeout(timer);
    kill(); // the tsx launcher's child, should it linger
  })());
  cleanup.add(name, stop);
  const up = new Promise<void>((resolve, reject) => {
    let seen = '';
    child.stdout?.on('data', (d: Buffer) => {
      fs.appendFileSync(logFile, d);
      seen = (seen + d.toString()).slice(-4000);
      if (seen.includes('Revolve is up')) resolve();
    });
    void exited.then(() => reject(new Error(`${name} exited with ${child.exitCode ?? child.signalCode} before it was up; see ${logFile}:\n${tail(logFile)}`)));
  });
  up.catch(() => undefined);
  return { name, pid, process: child, logFile, up, stop };
}

export function tail(file: string, lines = 20): string {
  try { return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n'); } catch { return ''; }
}

export interface Stack {
  dataDir: string;
  databaseUrl: string;
  temporalAddress: string;
  apiUrl: URL;
  jwtSecret: string;
  db: Database;
  connection: Connection;
  client: Client;
  worker: Child;
  api: Child;
}

export async function startStack(cleanup: Cleanup, opts: { workerNodeFlags?: string[] } = {}): Promise<Stack> {
  const dataDir = path.resolve(ROOT, '.data', `bench-${process.pid}`);
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.mkdirSync(dataDir, { recursive: true });
  cleanup.add('data directory', () => fs.rmSync(dataDir, { recursive: true, force: true }));

  const [pg, cli] = await Promise.all([
    freePort().then((port) => startEmbeddedPostgres({ dataDir: path.join(dataDir, 'postgres'), port, database: 'revolve', throwaway: true })),
    resolveTemporalCli(),
  ]);
  cleanup.add('PostgreSQL', () => pg.stop());
  const temporal = await startDevServer({ cli, namespace: NAMESPACE, logFile: path.join(dataDir, 'temporal.log') });
  cleanup.add('Temporal dev server', () => temporal.stop());

  const db = connect(pg.url, { max: 10 });
  cleanup.add('database pool', () => disconnect(db));
  await step('Applying database migrations', () => applyMigrations(db));
  const connection = await Connection.connect({ address: temporal.address });
  cleanup.add('Temporal connection', () => connection.close());
  await registerSearchAttributes(connection, NAMESPACE);
  const client = new Client({ connection, namespace: NAMESPACE });

  const jwtSecret = crypto.randomBytes(32).toString('base64url');
  const port = await freePort();
  const env = {
    DATABASE_URL: pg.url, TEMPORAL_ADDRESS: temporal.address, TEMPORAL_NAMESPACE: NAMESPACE, TEMPORAL_TASK_QUEUE: TASK_QUEUE,
    PORT: String(port), AUTH_JWT_SECRET: jwtSecret, LOG_LEVEL: 'warn', REVOLVE_DATA_DIR: dataDir,
  };
  const worker = startChild('worker', 'worker', env, dataDir, cleanup, opts.workerNodeFlags);
  const api = startChild('api', 'api', env, dataDir, cleanup);
  const apiUrl = new URL(`http://127.0.0.1:${port}`);
  await step('Starting the worker and the API (child processes)', async () => {
    await Promise.all([worker.up, api.up]);
    await waitReady(apiUrl, 60_000);
  });
  return { dataDir, databaseUrl: pg.url, temporalAddress: temporal.address, apiUrl, jwtSecret, db, connection, client, worker, api };
}

async function waitReady(apiUrl: URL, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await fetch(new URL('/readyz', apiUrl)).then((r) => r.status, () => 0);
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`the API was not ready within ${timeoutMs} ms (last /readyz: ${status})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

// ── Memory of a process tree (Linux /proc) ──────────────────────────────────────────────────────

/** `pid` and its descendants (bin/revolve → tsx launcher → node running the worker). */
export function processTree(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = parents.get(ppid) ?? [];
      list.push(Number(entry));
      parents.set(ppid, list);
    } catch { /* exited meanwhile */ }
  }
  const tree: number[] = [];
  const visit = (p: number) => { tree.push(p); for (const c of parents.get(p) ?? []) visit(c); };
  visit(pid);
  return tree;
}

/** VmRSS of a process, MB (0 when gone). */
export function rssMb(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Samples a process tree's memory: the largest process (the worker itself) and the whole tree. */
export class RssSampler {
  maxLargestMb = 0;
  maxTreeMb = 0;
  lastLargestMb = 0;
  private timer: NodeJS.Timeout | undefined;
  constructor(private readonly pid: number) {}
  start(everyMs = 500): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
    this.timer.unref();
  }
  sample(): void {
    const sizes = processTree(this.pid).map(rssMb);
    this.lastLargestMb = Math.max(0, ...sizes);
    this.maxLargestMb = Math.max(this.maxLargestMb, this.lastLargestMb);
    this.maxTreeMb = Math.max(this.maxTreeMb, sizes.reduce((a, b) => a + b, 0));
  }
  stop(): void { clearInterval(this.timer); }
}
