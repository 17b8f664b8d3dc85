/**
 * A clone in a private folder (mode 0700, e.g. root's home) still starts: the embedded PostgreSQL
 * runs (as root it runs as the `postgres` user, who cannot enter such a folder), throwaway clusters
 * leave nothing behind, no password file is left in the system temp folder, and `bin/revolve` works
 * through a symlink. As a normal user the same test proves the ordinary path.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../toolchain/ports';
import { startEmbeddedPostgres } from '../../toolchain/postgres';

const REPO = path.resolve(import.meta.dirname, '..', '..');
const isRoot = process.getuid?.() === 0;

/** A folder only its owner can enter, in the home folder (root's is 0700 itself). */
let privateDir: string;
const homeMode = fs.statSync(os.homedir()).mode & 0o777;
const passwordFilesInTmp = () => new Set(fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith('pg-password-')));
let tmpBefore: Set<string>;
/** Clusters this file created that may live outside `privateDir` (as root); removed at the end. */
const clusters: string[] = [];

beforeAll(() => {
  privateDir = fs.mkdtempSync(path.join(os.homedir(), '.revolve-private-test-'));
  fs.chmodSync(privateDir, 0o700);
  tmpBefore = passwordFilesInTmp();
});

afterAll(() => {
  for (const dir of clusters) fs.rmSync(dir, { recursive: true, force: true });
  if (privateDir) fs.rmSync(privateDir, { recursive: true, force: true });
});

async function selectOne(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ one: number }>('SELECT 1 AS one');
    return result.rows[0]!.one;
  } finally {
    await client.end();
  }
}

/** The running postmaster's executable, from the pid file in the cluster (root reads any /proc entry). */
function postmasterExecutable(dataDir: string): string {
  const pid = fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]!.trim();
  return fs.readlinkSync(`/proc/${pid}/exe`);
}

function expectNoLoosenedPermissions() {
  expect(fs.statSync(privateDir).mode & 0o777).toBe(0o700);
  expect(fs.statSync(os.homedir()).mode & 0o777).toBe(homeMode);
}

describe('embedded PostgreSQL with its data in a private (0700) folder', () => {
  it('starts a throwaway cluster, answers SELECT 1, and leaves nothing behind when stopped', async () => {
    const requested = path.join(privateDir, 'throwaway', 'postgres');
    const running = await startEmbeddedPostgres({ dataDir: requested, port: await freePort(), database: 'private_folder', throwaway: true });
    clusters.push(running.dataDir);
    try {
      expect(await selectOne(running.url)).toBe(1);
      expect(fs.existsSync(path.join(running.dataDir, 'PG_VERSION'))).toBe(true);
      if (isRoot) {
        // As root the cluster and the binaries live where the postgres user can reach them.
        expect(running.dataDir.startsWith(privateDir)).toBe(false);
        const stat = fs.statSync(running.dataDir);
        expect(stat.mode & 0o777).toBe(0o700);
        expect(stat.uid).not.toBe(0);
        expect(postmasterExecutable(running.dataDir).startsWith(REPO)).toBe(false);
      } else {
        expect(running.dataDir).toBe(requested);
      }
    } finally {
      await running.stop();
    }
    expect(fs.existsSync(running.dataDir)).toBe(false);
    expect(fs.existsSync(requested)).toBe(false);
    expectNoLoosenedPermissions();
  });

  it('generates the password once, keeps it private and reads it back; an old cluster keeps the old password', async () => {
    const requested = path.join(privateDir, 'persistent', 'postgres');
    const port = await freePort();
    const first = await startEmbeddedPostgres({ dataDir: requested, port, database: 'private_folder' });
    clusters.push(first.dataDir);
    let password: string;
    try {
      password = decodeURIComponent(new URL(first.url).password);
      expect(password).not.toBe('revolve');
      expect(password).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(await selectOne(first.url)).toBe(1);
    } finally {
      await first.stop();
    }
    expect(fs.existsSync(path.join(first.dataDir, 'PG_VERSION'))).toBe(true);

    // Later starts read the same password back.
    const second = await startEmbeddedPostgres({ dataDir: requested, port, database: 'private_folder' });
    try {
      expect(second.dataDir).toBe(first.dataDir);
      expect(decodeURIComponent(new URL(second.url).password)).toBe(password);
      expect(await selectOne(second.url)).toBe(1);
      // Turn it into a cluster as the old code made it: password 'revolve', no password file.
      const client = new pg.Client({ connectionString: second.url });
      await client.connect();
      await client.query("ALTER USER revolve PASSWORD 'revolve'");
      await client.end();
    } finally {
      await second.stop();
    }
    const passwordFiles = fs.readdirSync(second.dataDir).filter((f) => f.includes('password'));
    expect(passwordFiles.length).toBe(1);
    const passwordFile = path.join(second.dataDir, passwordFiles[0]!);
    expect(fs.statSync(passwordFile).mode & 0o777).toBe(0o600);
    fs.rmSync(passwordFile);

    const legacy = await startEmbeddedPostgres({ dataDir: requested, port, database: 'private_folder' });
    try {
      expect(decodeURIComponent(new URL(legacy.url).password)).toBe('revolve');
      expect(await selectOne(legacy.url)).toBe(1);
    } finally {
      await legacy.stop();
    }
    // A persistent cluster survives its stop.
    expect(fs.existsSync(path.join(legacy.dataDir, 'PG_VERSION'))).toBe(true);
    expectNoLoosenedPermissions();
  });
});

describe('bin/revolve through a symlink in a private folder', () => {
  it('runs `ledger check` on the embedded PostgreSQL with its data in the private folder', async () => {
    const binDir = path.join(privateDir, 'bin');
    fs.mkdirSync(binDir);
    fs.symlinkSync(path.join(REPO, 'bin', 'revolve'), path.join(binDir, 'revolve'));
    const dataDir = path.join(privateDir, 'data');
    // A free port: a `revolve start` running on this machine holds the default one.
    const env: NodeJS.ProcessEnv = { ...process.env, REVOLVE_DATA_DIR: dataDir, REVOLVE_POSTGRES_PORT: String(await freePort()), LOG_LEVEL: 'warn' };
    delete env.DATABASE_URL;
    delete env.NODE_OPTIONS;
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(path.join(binDir, 'revolve'), ['ledger', 'check'], { cwd: privateDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
      child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    // The cluster it made (as root, outside the private folder): removed by afterAll.
    const link = path.join(dataDir, 'postgres');
    if (fs.existsSync(link)) clusters.push(fs.realpathSync(link));
    expect(result.stderr + result.stdout).not.toMatch(/EACCES/);
    expect({ code: result.code, stderr: result.code === 0 ? '' : result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(result.stdout).toContain('trial balance: 0');
    expectNoLoosenedPermissions();
  });

  it('leaves no password file in the system temp folder', () => {
    expect([...passwordFilesInTmp()].filter((f) => !tmpBefore.has(f))).toEqual([]);
  });
});
