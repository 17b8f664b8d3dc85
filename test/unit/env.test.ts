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

  it('treats an empty variable as unset', () => {
    expect(loadEnv({ DATABASE_URL: '' }).DATABASE_URL).toBeUndefined();
  });
});
