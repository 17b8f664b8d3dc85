import { describe, expect, it } from 'vitest';
import { loadEnv } from '../../config/env';

describe('configuration', () => {
  it('has the documented defaults', () => {
    expect(loadEnv({})).toMatchObject({ PORT: 3000, TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: 'credit-lines', SMS_PROVIDER: 'log', REVOLVE_DATA_DIR: '.data' });
    expect(loadEnv({}).DATABASE_URL).toBeUndefined();
  });

  it('fails fast naming the variable', () => {
    expect(() => loadEnv({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadEnv({ SMS_PROVIDER: 'webhook' })).toThrow(/SMS_WEBHOOK_URL/);
    expect(() => loadEnv({ AUTH_JWT_SECRET: 'short' })).toThrow(/AUTH_JWT_SECRET/);
    expect(() => loadEnv({ DATABASE_URL: 'not a url' })).toThrow(/DATABASE_URL/);
  });

  it('refuses a token secret shorter than 32 bytes or a known placeholder', () => {
    expect(() => loadEnv({ AUTH_JWT_SECRET: 'a'.repeat(16) + 'B'.repeat(15) })).toThrow(/at least 32 bytes/);
    expect(() => loadEnv({ AUTH_JWT_SECRET: 'change-me-to-a-long-random-secret' })).toThrow(/placeholder/);
    expect(() => loadEnv({ AUTH_JWT_SECRET: 'x'.repeat(40) })).toThrow(/placeholder/);
    expect(() => loadEnv({ AUTH_JWT_SECRET: 'your-secret-here-your-secret-here!!' })).toThrow(/placeholder/);
    expect(loadEnv({ AUTH_JWT_SECRET: 'Qh7Ztq2LrV9mWc4Kp8xYb3Nf6Dj1Gs5Te0Ua' }).AUTH_JWT_SECRET).toHaveLength(36);
  });

  it('needs the test server address for REVOLVE_CLOCK=temporal-test-server', () => {
    expect(() => loadEnv({ REVOLVE_CLOCK: 'temporal-test-server' })).toThrow(/TEMPORAL_ADDRESS/);
    expect(() => loadEnv({ REVOLVE_CLOCK: 'sundial' })).toThrow(/REVOLVE_CLOCK/);
    expect(loadEnv({ REVOLVE_CLOCK: 'temporal-test-server', TEMPORAL_ADDRESS: '127.0.0.1:7233' }).REVOLVE_CLOCK).toBe('temporal-test-server');
  });

  it('treats an empty variable as unset', () => {
    expect(loadEnv({ DATABASE_URL: '' }).DATABASE_URL).toBeUndefined();
  });
});
