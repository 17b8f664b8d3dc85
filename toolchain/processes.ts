/**
 * Child processes of the developer tools (the benchmark, the chaos run): each `bin/revolve <command>`
 * in its own process group with its output in a log file, stopped with SIGTERM or killed with
 * SIGKILL, never outliving this process; and the memory of a process tree (Linux /proc).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

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
  /** SIGKILL to its group at once (a crash: nothing is drained), resolved when it is gone. */
  kill(): Promise<void>;
  /** Resolves when the process has exited, however. */
  exited: Promise<void>;
}

/** `bin/revolve <command>` in its own process group, output to a log file; stopped with SIGTERM, then SIGKILL. */
export function startChild(name: string, command: string, env: Record<string, string>, logDir: string, cleanup: Cleanup, nodeFlags: string[] = []): Child {
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
  const killNow = async () => {
    process.off('exit', kill);
    kill();
    await exited;
  };
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
  return { name, pid, process: child, logFile, up, stop, kill: killNow, exited };
}

/** Polls the API's /readyz until it answers 200 (a child just started, or restarted). */
export async function waitForApi(apiUrl: URL, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await fetch(new URL('/readyz', apiUrl)).then((r) => r.status, () => 0);
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`the API was not ready within ${timeoutMs} ms (last /readyz: ${status})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function tail(file: string, lines = 20): string {
  try { return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n'); } catch { return ''; }
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
