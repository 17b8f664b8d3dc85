/**
 * Payloads reach Temporal sealed (runtime/payload-codec.ts): a purchase's description and a line's
 * input are ciphertext in the stored history, the API and the worker read them, and the codec
 * endpoint (api/routes/codec.ts) opens them for staff and the Temporal UI.
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Payload } from '@temporalio/common';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app';
import { historyText, readableHistory } from '../../runtime/history-scan';
import { ENCRYPTED_ENCODING } from '../../runtime/payload-codec';
import { workflowIdFor } from '../../workflows/messages';
import { api, eventually, startStack, type TestStack } from '../support/stack';

const UI = 'http://localhost:8233';
let stack: TestStack;
beforeAll(async () => { stack = await startStack({ codec: { uiOrigins: [UI], openOnLoopback: false } }); });
afterAll(async () => { await stack?.stop(); });

const utf8 = (b: Uint8Array | null | undefined) => Buffer.from(b ?? new Uint8Array()).toString('utf8');
const b64 = (b: Uint8Array | null | undefined) => Buffer.from(b ?? new Uint8Array()).toString('base64');
const asJson = (p: Payload) => ({ metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, b64(v)])), data: b64(p.data) });

/** Every payload of a history as stored (nothing opened), with where it sits. */
function storedPayloads(history: unknown): { at: string; payload: Payload }[] {
  const found: { at: string; payload: Payload }[] = [];
  const walk = (value: unknown, at: string): void => {
    if (!value || typeof value !== 'object' || value instanceof Uint8Array) return;
    if (Array.isArray(value)) { value.forEach((v, i) => walk(v, `${at}[${i}]`)); return; }
    const keys = Object.keys(value);
    if (keys.includes('data') && keys.every((k) => ['metadata', 'data', 'externalPayloads'].includes(k))) { found.push({ at, payload: value as Payload }); return; }
    for (const [k, v] of Object.entries(value)) walk(v, `${at}.${k}`);
  };
  walk(history, '');
  return found;
}

async function lineWithAPurchase(customerId: string, description: string) {
  const call = api(stack.baseUrl, await stack.token('customer', customerId));
  const applied = await call('POST', '/v1/applications', { phone: '13800138000', monthlyIncome: 1_500_000, employmentMonths: 60, age: 35 });
  const id = applied.body.creditLineId as string;
  await eventually(() => call('GET', `/v1/credit-lines/${id}`), (r) => r.body.status === 'ACTIVE');
  const bought = await call('POST', `/v1/credit-lines/${id}/purchases`, { merchantId: 'self-operated', amount: 12_300, description }, { 'idempotency-key': randomUUID() });
  expect(bought.status).toBe(201);
  return { call, id };
}

describe('payloads sealed before they reach Temporal', () => {
  it('stores a line\'s input, its commands and their answers as ciphertext; search attributes stay readable', async () => {
    const description = `a gift for Mei ${randomUUID().slice(0, 8)}`;
    const { id } = await lineWithAPurchase('C-sealed', description);
    const stored = await stack.client.workflow.getHandle(workflowIdFor(id)).fetchHistory();
    const payloads = storedPayloads(stored);
    const sealed = payloads.filter((p) => utf8(p.payload.metadata?.encoding) === ENCRYPTED_ENCODING);
    const clear = payloads.filter((p) => utf8(p.payload.metadata?.encoding) !== ENCRYPTED_ENCODING);
    // The start input, the Update's argument and answer, every activity's input and result: sealed.
    expect(sealed.some((p) => p.at.includes('workflowExecutionStartedEventAttributes.input'))).toBe(true);
    expect(sealed.some((p) => p.at.includes('workflowExecutionUpdateAcceptedEventAttributes'))).toBe(true);
    expect(sealed.some((p) => p.at.includes('activityTaskScheduledEventAttributes.input'))).toBe(true);
    // Only search attributes (ids and statuses, by design) and the SDK's own patch markers (a patch's name) travel in clear.
    expect(clear.length).toBeGreaterThan(0);
    for (const p of clear) expect(p.at).toMatch(/searchAttributes\.indexedFields|markerRecordedEventAttributes\.details\.patch-data/);
    const storedText = payloads.map((p) => utf8(p.payload.data)).join('\n');
    expect(storedText).not.toContain(description);
    expect(storedText).not.toContain('self-operated');

    // Opened with the deployment's key, the same history reads in full.
    const opened = historyText(await readableHistory(stack.client, workflowIdFor(id)));
    expect(opened).toContain(description);
    expect(opened).toContain(id);
  });
});

describe('the codec endpoint', () => {
  let inputPayload: Payload;
  let lineId: string;
  beforeAll(async () => {
    ({ id: lineId } = await lineWithAPurchase('C-codec', 'for the codec endpoint'));
    const stored = await stack.client.workflow.getHandle(workflowIdFor(lineId)).fetchHistory();
    inputPayload = stored.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]! as Payload;
  });
  const post = (path: string, body: unknown, headers: Record<string, string> = {}, baseUrl = stack.baseUrl) =>
    fetch(`${baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

  it('opens a sealed payload for staff, in the protocol\'s proto3-JSON', async () => {
    const staff = { authorization: `Bearer ${await stack.token('support', 'S-ops')}` };
    const res = await post('/codec/decode', { payloads: [asJson(inputPayload)] }, staff);
    expect(res.status).toBe(200);
    const { payloads } = await res.json() as { payloads: { metadata: Record<string, string>; data: string }[] };
    expect(Buffer.from(payloads[0]!.metadata.encoding!, 'base64').toString()).toBe('json/plain');
    expect(JSON.parse(Buffer.from(payloads[0]!.data, 'base64').toString())).toMatchObject({ creditLineId: lineId, customerId: 'C-codec' });
  });

  it('seals for the UI and the CLI what they send, which the workers then open', async () => {
    const staff = { authorization: `Bearer ${await stack.token('support', 'S-ops')}` };
    const clear = { metadata: { encoding: b64(Buffer.from('json/plain')) }, data: b64(Buffer.from('{"note":"typed in the UI"}')) };
    const sealed = await (await post('/codec/encode', { payloads: [clear] }, staff)).json() as { payloads: { metadata: Record<string, string>; data: string }[] };
    expect(Buffer.from(sealed.payloads[0]!.metadata.encoding!, 'base64').toString()).toBe(ENCRYPTED_ENCODING);
    expect(Buffer.from(sealed.payloads[0]!.data, 'base64').toString()).not.toContain('typed in the UI');
    const back = await (await post('/codec/decode', sealed, staff)).json() as { payloads: { data: string }[] };
    expect(Buffer.from(back.payloads[0]!.data, 'base64').toString()).toBe('{"note":"typed in the UI"}');
  });

  it('refuses anyone but staff, a malformed body and a payload it cannot open, each with a problem and its code', async () => {
    const body = { payloads: [asJson(inputPayload)] };
    const none = await post('/codec/decode', body);
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toContain('application/problem+json');
    const customer = await post('/codec/decode', body, { authorization: `Bearer ${await stack.token('customer', 'C-codec')}` });
    expect(customer.status).toBe(403);
    const staff = { authorization: `Bearer ${await stack.token('support', 'S-ops')}` };
    const malformed = await post('/codec/decode', { payloads: [{ data: 'not base64!' }] }, staff);
    expect(malformed.status).toBe(400);
    expect((await malformed.json() as { code: string }).code).toBe('VALIDATION_FAILED');
    const otherKey = { ...asJson(inputPayload), metadata: { ...asJson(inputPayload).metadata, 'encryption-key-id': b64(Buffer.from('k-elsewhere')) } };
    const unopenable = await post('/codec/decode', { payloads: [otherKey] }, staff);
    expect(unopenable.status).toBe(422);
    expect(await unopenable.json()).toMatchObject({ code: 'PAYLOAD_NOT_DECODABLE', detail: expect.stringContaining('"k-elsewhere"') });
  });

  it('answers the Temporal UI\'s preflight from its origin only', async () => {
    const preflight = (origin: string) => fetch(`${stack.baseUrl}/codec/decode`, {
      method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' },
    });
    const ui = await preflight(UI);
    expect(ui.status).toBe(204);
    expect(ui.headers.get('access-control-allow-origin')).toBe(UI);
    expect(ui.headers.get('access-control-allow-headers')).toContain('x-namespace');
    const elsewhere = await preflight('https://evil.example');
    expect(elsewhere.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('under `revolve start`, opens for a request from this machine without a token, but not for one a proxy forwarded', async () => {
    const app = createApp({ db: stack.database.db, temporal: stack.client, taskQueue: stack.taskQueue, logger: pino({ level: 'silent' }), jwtSecret: stack.jwtSecret, now: () => new Date() },
      { codec: { uiOrigins: [UI], openOnLoopback: true } });
    const server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const local = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      const body = { payloads: [asJson(inputPayload)] };
      expect((await post('/codec/decode', body, {}, local)).status).toBe(200);
      expect((await post('/codec/decode', body, { 'x-forwarded-for': '203.0.113.9' }, local)).status).toBe(401);
    } finally {
      await new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
    }
  });
});
