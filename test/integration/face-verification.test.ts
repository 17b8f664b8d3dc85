/*
 * Face verification, the other channel of a one-time verification (activities/face-verification.ts,
 * api/one-time-codes.ts): the HTTP adapter against a local provider (tries, timeout, refusals), the
 * local stand-in, and the code service's rules (5 minutes, 5 tries, a new session at most once a
 * minute) with a face, against PostgreSQL.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { and, eq } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaceVerificationUnavailable, httpFaceVerifier, localFaceVerifier } from '../../activities/face-verification';
import { webhookSmsProvider } from '../../activities/sms';
import { codeService, type CodeService } from '../../api/one-time-codes';
import { Problem } from '../../api/problem';
import { oneTimeCodes } from '../../db/schema';
import { freshDatabase, type TestDatabase } from '../support/database';
import { faceServer } from '../support/face-server';
import { receiveApplication } from '../support/fixtures';
import { smsReceiver } from '../support/sms-receiver';

/** What a verification answers: the code's identity, the key of the action it allows. */
const verified = { codeId: expect.stringMatching(/^(REINSTATEMENT|CLOSURE):\d{4}-\d{2}-\d{2}T/) };

const MIN = 60_000;
const FAST = [20, 20] as const;

const provider = faceServer();
const flaky = faceServer({ failFirst: 2 });
const down = faceServer({ failFirst: 1_000 });
const slow = faceServer({ stallFirst: 1, stallMs: 5_000 });
const gateway = smsReceiver();
let database: TestDatabase;
const logLines: string[] = [];
const logger = pino({ level: 'trace' }, new Writable({ write(chunk: Buffer, _enc, done) { logLines.push(chunk.toString()); done(); } }));

let nowMs = Date.parse('2027-03-01T10:00:00+08:00');
const clock = () => new Date(nowMs);
const advance = (ms: number) => { nowMs += ms; };

const adapter = (url: string, timeoutMs = 2000) => httpFaceVerifier({ url, timeoutMs, retryPausesMs: FAST });
let codes: CodeService;
const service = (url: string) => codeService({
  db: database.db, sms: webhookSmsProvider({ url: gateway.url(), timeoutMs: 2000 }), face: adapter(url), now: clock,
  jwtSecret: 'a-test-secret-of-at-least-32-bytes-long', logger, sendPausesMs: [20, 20],
});

beforeAll(async () => {
  [database] = await Promise.all([freshDatabase(), provider.start(), flaky.start(), down.start(), slow.start(), gateway.start()]);
  codes = service(provider.url());
});
afterAll(async () => {
  await Promise.all([provider.stop(), flaky.stop(), down.stop(), slow.stop(), gateway.stop()]);
  await database?.drop();
});

async function newLine() {
  const input = await receiveApplication(database.db, { monthlyIncome: 2_000_000 });
  return { creditLineId: input.creditLineId, customerId: input.customerId, purpose: 'CLOSURE' as const, channel: 'face' as const };
}
async function problemOf(call: Promise<unknown>): Promise<Problem> {
  const err = await call.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(Problem);
  return err as Problem;
}
const answer = (p: Problem) => ({ status: p.status, code: p.code, ...p.extra, ...(p.headers['Retry-After'] ? { retryAfter: p.headers['Retry-After'] } : {}) });
const rowOf = async (creditLineId: string) =>
  (await database.db.select().from(oneTimeCodes).where(and(eq(oneTimeCodes.creditLineId, creditLineId), eq(oneTimeCodes.purpose, 'CLOSURE'))))[0];

describe('the HTTP adapter', () => {
  it('starts a session for the customer and answers PASS only for its result token', async () => {
    const face = adapter(provider.url());
    const session = await face.start({ reference: 'cl_x:CLOSURE', customerId: 'C-1' });
    expect(session.sessionId).toMatch(/^fs-/);
    expect(session.url).toBe(`https://face.example/capture/${session.sessionId}`);
    expect(provider.requests.at(-1)).toEqual({ path: '/sessions', body: { reference: 'cl_x:CLOSURE', customerId: 'C-1' } });
    expect(await face.result({ sessionId: session.sessionId, resultToken: provider.tokenOf(session.sessionId)! })).toBe('PASS');
    expect(await face.result({ sessionId: session.sessionId, resultToken: 'not-the-token' })).toBe('FAIL');
    // A session the provider never made is refused (404): FAIL, not an outage.
    expect(await face.result({ sessionId: 'fs-unknown', resultToken: 'x' })).toBe('FAIL');
  });

  it('tries again on 503 (3 tries), then gives up as unavailable', async () => {
    const before = flaky.requests.length;
    const session = await adapter(flaky.url()).start({ reference: 'r', customerId: 'C-2' });
    expect(flaky.requests.length - before).toBe(3);
    expect(session.sessionId).toMatch(/^fs-/);
    await expect(adapter(down.url()).start({ reference: 'r', customerId: 'C-3' })).rejects.toBeInstanceOf(FaceVerificationUnavailable);
    expect(down.requests).toHaveLength(3);
  });

  it('counts a try that takes longer than the timeout as failed and tries again', async () => {
    const started = Date.now();
    const session = await adapter(slow.url(), 200).start({ reference: 'r', customerId: 'C-4' });
    expect(session.sessionId).toMatch(/^fs-/);
    // Well under the stall: the first try was cut at 200 ms, not waited out.
    expect(Date.now() - started).toBeLessThan(2_500);
    // Nothing listening: a network error, tried 3 times, then unavailable, naming only its kind.
    const err = await adapter('http://127.0.0.1:9', 200).start({ reference: 'r', customerId: 'C-5' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FaceVerificationUnavailable);
    expect((err as Error).message).toMatch(/did not answer \(network error/);
  });
});

describe('the local stand-in', () => {
  it('checks no face: its session passes with its own token only, which it writes to an owner-only file and never logs', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'revolve-face-'));
    const outboxPath = path.join(dir, 'face-outbox.jsonl');
    const face = localFaceVerifier(logger, { outboxPath });
    const { sessionId } = await face.start({ reference: 'cl_y:CLOSURE', customerId: 'C-6' });
    const token = face.tokenOf(sessionId)!;
    expect(await face.result({ sessionId, resultToken: token })).toBe('PASS');
    expect(await face.result({ sessionId, resultToken: `${token}x` })).toBe('FAIL');
    expect(await face.result({ sessionId: 'local-face-other', resultToken: token })).toBe('FAIL');
    const written = fs.readFileSync(outboxPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
    expect(written).toEqual([expect.objectContaining({ sessionId, reference: 'cl_y:CLOSURE', resultToken: token })]);
    expect(fs.statSync(outboxPath).mode & 0o777).toBe(0o600);
    expect(logLines.some((l) => l.includes(sessionId) && l.includes('local stand-in'))).toBe(true);
    expect(logLines.filter((l) => l.includes(token))).toEqual([]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('a verification by face', () => {
  it('holds a keyed hash of the session, and verifies with the provider\'s PASS', async () => {
    const line = await newLine();
    const issued = await codes.issue(line);
    expect(issued).toMatchObject({ expiresAt: new Date(nowMs + 5 * MIN).toISOString(), sessionId: expect.stringMatching(/^fs-/), url: expect.any(String) });
    const row = await rowOf(line.creditLineId);
    expect(row).toMatchObject({ channel: 'face', attemptsLeft: 5, verifiedAt: null });
    expect(JSON.stringify(row)).not.toContain(issued.sessionId!);
    // Asked for by reference and customer id only: no personal data reaches the provider.
    expect(provider.requests.at(-1)?.body).toEqual({ reference: `${line.creditLineId}:CLOSURE`, customerId: line.customerId });
    const token = provider.tokenOf(issued.sessionId!)!;
    await expect(codes.verify({ ...line, face: { sessionId: issued.sessionId!, resultToken: token } })).resolves.toEqual(verified);
    // Again while valid (a retried confirm): verified again, no try spent.
    await expect(codes.verify({ ...line, face: { sessionId: issued.sessionId!, resultToken: token } })).resolves.toEqual(verified);
    expect((await rowOf(line.creditLineId))!.attemptsLeft).toBe(5);
  });

  it('a FAIL spends a try; another session (never sent to the provider) and an SMS code too; the 5th is LOCKED', async () => {
    const line = await newLine();
    const { sessionId } = await codes.issue(line);
    const asked = provider.requests.length;
    const tries = [
      () => codes.verify({ ...line, face: { sessionId: sessionId!, resultToken: 'wrong-token' } }),
      () => codes.verify({ ...line, face: { sessionId: 'fs-someone-else', resultToken: 'x' } }),
      () => codes.verify({ ...line, code: '123456' }),
    ];
    const answers = [];
    for (const t of tries) answers.push(answer(await problemOf(t())));
    expect(answers).toEqual([
      { status: 422, code: 'VERIFICATION_FAILED', attemptsLeft: 4 }, { status: 422, code: 'VERIFICATION_FAILED', attemptsLeft: 3 }, { status: 422, code: 'VERIFICATION_FAILED', attemptsLeft: 2 },
    ]);
    // Only the line's own session was put to the provider.
    expect(provider.requests.slice(asked).map((r) => r.path)).toEqual([`/sessions/${sessionId}/result`]);
    await problemOf(codes.verify({ ...line, face: { sessionId: sessionId!, resultToken: 'wrong' } }));
    expect(answer(await problemOf(codes.verify({ ...line, face: { sessionId: sessionId!, resultToken: 'wrong' } })))).toEqual({ status: 422, code: 'VERIFICATION_LOCKED' });
    expect(answer(await problemOf(codes.verify({ ...line, face: { sessionId: sessionId!, resultToken: provider.tokenOf(sessionId!)! } })))).toEqual({ status: 422, code: 'VERIFICATION_LOCKED' });
  });

  it('a new session at most once a minute (the provider is not asked), expired after 5 minutes without asking it', async () => {
    const line = await newLine();
    const { sessionId } = await codes.issue(line);
    const asked = provider.requests.length;
    expect(answer(await problemOf(codes.issue(line)))).toEqual({ status: 429, code: 'CODE_RESEND_TOO_SOON', retryAfter: '60' });
    expect(provider.requests.length).toBe(asked);
    advance(5 * MIN);
    expect(answer(await problemOf(codes.verify({ ...line, face: { sessionId: sessionId!, resultToken: provider.tokenOf(sessionId!)! } })))).toEqual({ status: 422, code: 'VERIFICATION_EXPIRED' });
    expect(provider.requests.length).toBe(asked);
  });

  it('a provider that cannot answer: 503 with Retry-After, no session held, no try spent', async () => {
    const line = await newLine();
    const viaDown = service(down.url());
    expect(answer(await problemOf(viaDown.issue(line)))).toEqual({ status: 503, code: 'FACE_VERIFICATION_UNAVAILABLE', retryAfter: '5' });
    expect(await rowOf(line.creditLineId)).toBeUndefined();
    // Started with a provider that answers, checked while it is down.
    const { sessionId } = await codes.issue(line);
    expect(answer(await problemOf(viaDown.verify({ ...line, face: { sessionId: sessionId!, resultToken: provider.tokenOf(sessionId!)! } })))).toEqual({ status: 503, code: 'FACE_VERIFICATION_UNAVAILABLE', retryAfter: '5' });
    expect((await rowOf(line.creditLineId))!.attemptsLeft).toBe(5);
  });

  it('without a provider the face channel is unavailable, and a malformed session id is a validation error', async () => {
    const line = await newLine();
    const noFace = codeService({ db: database.db, sms: webhookSmsProvider({ url: gateway.url(), timeoutMs: 2000 }), now: clock, jwtSecret: 'a-test-secret-of-at-least-32-bytes-long', logger });
    expect(answer(await problemOf(noFace.issue(line)))).toEqual({ status: 422, code: 'CHANNEL_UNAVAILABLE' });
    expect((await problemOf(codes.verify({ ...line, face: { sessionId: 'a b', resultToken: 'x' } }))).status).toBe(400);
  });
});
