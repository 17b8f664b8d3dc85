import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ENV_VARIABLES, loadEnv } from '../../config/env';
import { newPayloadKey } from '../../config/payload-keys';
import { SERVER_DYNAMIC_CONFIG } from '../../toolchain/temporal-server';

// No Docker engine runs here, so the file is checked against the configuration the code reads.
interface Service { image?: string; build?: string; command?: string[]; environment?: Record<string, string | number>; ports?: string[] }
const compose = parse(fs.readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as { services: Record<string, Service> };
const { services } = compose;

describe('docker-compose.yml', () => {
  it('has PostgreSQL, Temporal with its UI, a worker and the API', () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'postgres', 'temporal', 'temporal-ui', 'worker']);
    expect(services.worker?.command).toEqual(['worker']);
    expect(services.api?.command).toEqual(['api']);
  });

  it('gives Revolve processes only variables the code reads, and valid values for them', () => {
    for (const name of ['worker', 'api']) {
      const environment = services[name]?.environment ?? {};
      for (const key of Object.keys(environment)) expect(ENV_VARIABLES).toContain(key);
      // `${NAME:?message}` is required from the operator's environment: stand in a valid value for it.
      const required = (variable: string) => (variable === 'PAYLOAD_KEYS' ? newPayloadKey('k1') : 'x'.repeat(16) + 'Qh7Ztq2LrV9mWc4Kp8');
      const env = loadEnv(Object.fromEntries(Object.entries(environment).map(([k, v]) => [k, String(v).replace(/^\$\{[A-Z_]+:\?[^}]*\}$/, required(k))])));
      expect(env.DATABASE_URL).toBeDefined();
      expect(env.TEMPORAL_ADDRESS).toBeDefined();
    }
  });

  it('points DATABASE_URL at the postgres service with its credentials', () => {
    const pg = services.postgres?.environment ?? {};
    for (const name of ['worker', 'api']) {
      const url = new URL(String(services[name]?.environment?.DATABASE_URL));
      expect(url.hostname).toBe('postgres');
      expect(url.username).toBe(pg.POSTGRES_USER);
      expect(url.password).toBe(pg.POSTGRES_PASSWORD);
      expect(url.pathname).toBe(`/${pg.POSTGRES_DB}`);
      expect(services.postgres?.ports).toContain(`127.0.0.1:${url.port}:5432`);
    }
  });

  it('points every Temporal client at the temporal service, on one task queue', () => {
    const [host, port] = String(services.worker?.environment?.TEMPORAL_ADDRESS).split(':');
    expect(host).toBe('temporal');
    expect(services.temporal?.ports).toContain(`127.0.0.1:${port}:7233`);
    expect(services['temporal-ui']?.environment?.TEMPORAL_ADDRESS).toBe(services.worker?.environment?.TEMPORAL_ADDRESS);
    expect(services.api?.environment?.TEMPORAL_ADDRESS).toBe(services.worker?.environment?.TEMPORAL_ADDRESS);
    expect(services.api?.environment?.TEMPORAL_TASK_QUEUE).toBe(services.worker?.environment?.TEMPORAL_TASK_QUEUE);
    expect(services.worker?.environment?.TEMPORAL_TASK_QUEUE).toBe(loadEnv({}).TEMPORAL_TASK_QUEUE);
  });

  it('gives the Temporal server the settings the dev server gets', () => {
    const temporal = services.temporal as Service & { volumes?: string[] };
    const mount = temporal.volumes?.find((v) => v.includes('temporal-dynamic-config.yaml'));
    expect(mount).toBeDefined();
    const [file, target] = mount!.split(':');
    expect(target).toBe(`/etc/temporal/${temporal.environment?.DYNAMIC_CONFIG_FILE_PATH}`);
    const config = parse(fs.readFileSync(file!, 'utf8')) as Record<string, { value: unknown }[]>;
    expect(Object.fromEntries(Object.entries(config).map(([k, v]) => [k, v[0]?.value]))).toEqual(SERVER_DYNAMIC_CONFIG);
  });

  it('publishes the API on PORT and the Temporal UI where `npm start` puts it', () => {
    const port = Number(services.api?.environment?.PORT);
    expect(services.api?.ports).toContain(`${port}:${port}`);
    expect(port).toBe(loadEnv({}).PORT);
    expect(services['temporal-ui']?.ports?.[0]?.split(':')[1]).toBe(String(loadEnv({}).TEMPORAL_UI_PORT));
  });

  it('publishes PostgreSQL, Temporal and its UI on 127.0.0.1 only, and ships no token secret', () => {
    for (const name of ['postgres', 'temporal', 'temporal-ui']) {
      for (const port of services[name]?.ports ?? []) expect(port.startsWith('127.0.0.1:')).toBe(true);
    }
    // Required from the environment: `docker compose up` refuses to start without it.
    expect(String(services.api?.environment?.AUTH_JWT_SECRET)).toMatch(/^\$\{AUTH_JWT_SECRET:\?.+\}$/);
    // The payload keys too, one value for the worker and the API (each must open what the other sealed).
    for (const name of ['worker', 'api']) expect(String(services[name]?.environment?.PAYLOAD_KEYS)).toMatch(/^\$\{PAYLOAD_KEYS:\?.+\}$/);
  });
});
