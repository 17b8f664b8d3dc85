import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** `bin/revolve` as an operator runs it, with only the variables given (nothing inherited that matters). */
function revolve(args: string[], env: Record<string, string>) {
  const { PATH, HOME } = process.env;
  return spawnSync('bin/revolve', args, { env: { PATH: PATH ?? '', HOME: HOME ?? '', ...env }, encoding: 'utf8', timeout: 30_000 });
}

// Unreachable on purpose: the API must refuse before it connects to anything.
const services = { DATABASE_URL: 'postgres://revolve@127.0.0.1:9/revolve', TEMPORAL_ADDRESS: '127.0.0.1:9' };

describe('revolve api and its token secret', () => {
  it('refuses to start alone without AUTH_JWT_SECRET (it never makes one up)', () => {
    const run = revolve(['api'], services);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/AUTH_JWT_SECRET is not set/);
  });

  it.each([
    ['shorter than 32 bytes', 'Qh7Ztq2LrV9mWc4Kp8xY'],
    ['the placeholder docker-compose used to ship', 'change-me-to-a-long-random-secret'],
  ])('refuses a secret %s', (_what, secret) => {
    const run = revolve(['api'], { ...services, AUTH_JWT_SECRET: secret });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/AUTH_JWT_SECRET/);
    expect(run.stderr).not.toContain(secret);
  });
});

describe('revolve api and worker and their payload keys', () => {
  const secret = 'Qh7Ztq2LrV9mWc4Kp8xYa1b2c3d4e5f6g7h8';
  it.each(['api', 'worker'])('revolve %s refuses to start alone without PAYLOAD_KEYS (every replica must open what the others sealed)', (command) => {
    const run = revolve([command], { ...services, AUTH_JWT_SECRET: secret });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/PAYLOAD_KEYS is not set/);
  });

  it('refuses a key of the wrong size, naming its id and never the key', () => {
    const key = Buffer.alloc(16, 7).toString('base64');
    const run = revolve(['api'], { ...services, AUTH_JWT_SECRET: secret, PAYLOAD_KEYS: `k1:${key}` });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/PAYLOAD_KEYS.*"k1".*32 bytes/);
    expect(run.stderr).not.toContain(key);
  });
});
