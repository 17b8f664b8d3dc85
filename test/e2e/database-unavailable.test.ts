/*
 * A database that does not answer (a stuck server, a network that drops packets) never hangs a
 * request: the API's pool has timeouts, and the answer is 503 DATABASE_UNAVAILABLE with Retry-After.
 */
import http from 'node:http';
import net from 'node:net';
import { Client, Connection } from '@temporalio/client';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApp } from '../../api/app';
import { issueToken } from '../../api/auth';
import { connect, disconnect, type Database } from '../../db/client';
import { api } from '../support/stack';

const sockets = new Set<net.Socket>();
// Accepts connections and never says a word: PostgreSQL frozen, as seen with SIGSTOP.
const silent = net.createServer((socket) => { sockets.add(socket); });
let server: http.Server;
let db: Database;
let connection: Connection;
let baseUrl: string;
const secret = 'Qh7Ztq2LrV9mWc4Kp8xYb3Nf6Dj1Gs5Te0Ua';

beforeAll(async () => {
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  db = connect(`postgres://revolve:x@127.0.0.1:${(silent.address() as net.AddressInfo).port}/revolve`, { max: 2, timeoutMs: 500 });
  connection = await Connection.connect({ address: inject('temporalAddress') });
  const app = createApp({ db, temporal: new Client({ connection }), taskQueue: 'unused', logger: pino({ level: 'silent' }), jwtSecret: secret, now: () => new Date() });
  server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => { server?.close(() => resolve()); server?.closeAllConnections(); });
  for (const s of sockets) s.destroy();
  await disconnect(db).catch(() => undefined);
  await connection?.close();
  await new Promise<void>((resolve) => silent.close(() => resolve()));
});

describe('a database that does not answer', () => {
  it('answers 503 DATABASE_UNAVAILABLE with Retry-After within the timeout, not a hanging request', async () => {
    const call = api(baseUrl, await issueToken(secret, 'C-stuck', 'customer'));
    const started = performance.now();
    const res = await call('GET', '/v1/credit-lines');
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.code).toBe('DATABASE_UNAVAILABLE');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    const ready = await fetch(`${baseUrl}/readyz`);
    expect(ready.status).toBe(503);
  });
});
