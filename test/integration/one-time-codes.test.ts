/*
 * One-time codes against PostgreSQL and a local SMS gateway (api/one-time-codes.ts): the customer's
 * phone gets the code, the database and the logs never see it, and the rules of API.md hold under
 * concurrent requests (row locks).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { and, asc, eq } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logSmsProvider, webhookSmsProvider } from '../../activities/sms';
import { codeService, type CodeService } from '../../api/one-time-codes';
import { Problem } from '../../api/problem';
import { messageAttempts, messages, oneTimeCodes } from '../../db/schema';
import { freshDatabase, type TestDatabase } from '../support/database';
import { receiveApplication } from '../support/fixtures';
import { smsReceiver } from '../support/sms-receiver';

/** What a verification answers: the code's identity, the key of the action it allows. */
const verified = { codeId: expect.stringMatching(/^(REINSTATEMENT|CLOSURE):\d{4}-\d{2}-\d{2}T/) };

const S = 1000;
const MIN = 60 * S;

let database: TestDatabase;
const gateway = smsReceiver();
// The first 3 POSTs fail: one code's every try (then it answers 204).
const flaky = smsReceiver({ failFirst: 3 });
/** Everything any logger of this file wrote, at every level. */
const logLines: string[] = [];
const logger = pino({ level: 'trace' }, new Writable({ write(chunk: Buffer, _enc, done) { logLines.push(chunk.toString()); done(); } }));
/** Every code any SMS of this file carried. */
const codesSent = new Set<string>();

let nowMs = Date.parse('2027-03-01T10:00:00+08:00');
const clock = () => new Date(nowMs);
const advance = (ms: number) => { nowMs += ms; };

let codes: CodeService;
const service = (url: string, secret = 'a-test-secret-of-at-least-32-bytes-long') => codeService({
  db: database.db, sms: webhookSmsProvider({ url, timeoutMs: 2000 }), now: clock, jwtSecret: secret, logger, sendPausesMs: [20, 20],
});

beforeAll(async () => {
  [database] = await Promise.all([freshDatabase(), gateway.start(), flaky.start()]);
  codes = service(gateway.url());
});
afterAll(async () => { await Promise.all([gateway.stop(), flaky.stop()]); await database?.drop(); });

async function newLine() {
  const input = await receiveApplication(database.db, { monthlyIncome: 2_000_000 });
  return { creditLineId: input.creditLineId, customerId: input.customerId, purpose: 'REINSTATEMENT' as const, channel: 'sms' as const };
}

/** The codes the gateway received for a line, in order (each one remembered for the scans below). */
function codesFor(creditLineId: string, receiver = gateway): string[] {
  return receiver.received.filter((r) => r.creditLineId === creditLineId).map((r) => {
    const code = /(?<![0-9])([0-9]{6})(?![0-9])/.exec(r.text)?.[1];
    if (!code) throw new Error(`no 6-digit code in "${r.text}"`);
    codesSent.add(code);
    return code;
  });
}

/** The problem a call failed with (or a failure of the test if it did not). */
async function problemOf(call: Promise<unknown>): Promise<Problem> {
  const err = await call.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(Problem);
  return err as Problem;
}

const answer = (p: Problem) => ({ status: p.status, code: p.code, ...p.extra, ...(p.headers['Retry-After'] ? { retryAfter: p.headers['Retry-After'] } : {}) });
const codeRow = async (creditLineId: string) =>
  (await database.db.select().from(oneTimeCodes).where(and(eq(oneTimeCodes.creditLineId, creditLineId), eq(oneTimeCodes.purpose, 'REINSTATEMENT'))))[0];
const wrongCode = (right: string) => String((Number(right) + 1) % 1_000_000).padStart(6, '0');

describe('issuing a code', () => {
  it('sends a 6-digit code by SMS to the phone of the line\'s application, valid 5 minutes, and stores it masked', async () => {
    const line = await newLine();
    const { expiresAt } = await codes.issue(line);
    expect(expiresAt).toBe(new Date(nowMs + 5 * MIN).toISOString());

    const [sms] = gateway.received.filter((r) => r.creditLineId === line.creditLineId);
    const [code] = codesFor(line.creditLineId);
    expect(sms).toMatchObject({
      messageId: `${line.creditLineId}:otp:REINSTATEMENT:1:VERIFICATION_CODE:SMS`, creditLineId: line.creditLineId, to: '13800138000',
      template: 'VERIFICATION_CODE', params: { code, validMinutes: 5 }, scheduledFor: new Date(nowMs).toISOString(),
    });
    expect(sms!.text).toBe(`【Revolve】您的验证码为 ${code}，5分钟内有效。请勿告诉他人，Revolve 工作人员不会向您索要验证码。`);

    // The support view's record of it: the text and parameters with the code masked, delivered, its attempt.
    const [row] = await database.db.select().from(messages).where(eq(messages.id, sms!.messageId));
    expect(row).toMatchObject({ channel: 'SMS', kind: 'CODE', template: 'VERIFICATION_CODE', status: 'DELIVERED', attempts: 1, params: { code: '******', validMinutes: 5 } });
    expect(row!.text).toBe('【Revolve】您的验证码为 ******，5分钟内有效。请勿告诉他人，Revolve 工作人员不会向您索要验证码。');
    const attempts = await database.db.select().from(messageAttempts).where(eq(messageAttempts.messageId, sms!.messageId));
    expect(attempts.map((a) => [a.provider, a.result, a.detail])).toEqual([['webhook', 'DELIVERED', 'HTTP 204']]);

    // The code row: a keyed hash only, 5 tries.
    const stored = await codeRow(line.creditLineId);
    expect(stored).toMatchObject({ channel: 'sms', attemptsLeft: 5, verifiedAt: null });
    expect(stored!.codeHash).toMatch(/^[0-9a-f]{64}$/);
    await expect(codes.verify({ ...line, code: code! })).resolves.toEqual(verified);
  });

  it('refuses a new code within 60 s with the seconds left; after 60 s a new code replaces the old', async () => {
    const line = await newLine();
    await codes.issue(line);
    advance(20 * S + 300);
    expect(answer(await problemOf(codes.issue(line)))).toEqual({ status: 429, code: 'CODE_RESEND_TOO_SOON', retryAfter: '40' });
    advance(39 * S);
    expect(answer(await problemOf(codes.issue(line)))).toEqual({ status: 429, code: 'CODE_RESEND_TOO_SOON', retryAfter: '1' });
    expect(codesFor(line.creditLineId)).toHaveLength(1);
    advance(700);
    await codes.issue(line);
    const [oldCode, newCode] = codesFor(line.creditLineId);
    expect(gateway.received.filter((r) => r.creditLineId === line.creditLineId).map((r) => r.messageId.split(':').slice(-3, -2)[0])).toEqual(['1', '2']);
    if (oldCode !== newCode) expect(answer(await problemOf(codes.verify({ ...line, code: oldCode! })))).toEqual({ status: 422, code: 'VERIFICATION_FAILED', attemptsLeft: 4 });
    await expect(codes.verify({ ...line, code: newCode! })).resolves.toEqual(verified);
  });

  it('marks a code\'s SMS left PENDING by an API that stopped mid-send FAILED when the next code is asked for', async () => {
    const line = await newLine();
    await codes.issue(line);
    // As if the API had stopped after taking the code and before its send was recorded.
    const [first] = await database.db.select().from(messages).where(eq(messages.creditLineId, line.creditLineId));
    await database.db.update(messages).set({ status: 'PENDING', deliveredAt: null }).where(eq(messages.id, first!.id));
    advance(61 * S);
    await codes.issue(line);
    const rows = await database.db.select({ id: messages.id, status: messages.status }).from(messages)
      .where(eq(messages.creditLineId, line.creditLineId)).orderBy(asc(messages.id));
    expect(rows).toEqual([{ id: first!.id, status: 'FAILED' }, { id: expect.stringMatching(/:otp:REINSTATEMENT:2:VERIFICATION_CODE:SMS$/), status: 'DELIVERED' }]);
  });

  it('sends exactly one code to concurrent first requests, and to concurrent requests replacing a code', async () => {
    const line = await newLine();
    const first = await Promise.allSettled(Array.from({ length: 6 }, () => codes.issue(line)));
    expect(first.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of first) if (r.status === 'rejected') expect(r.reason).toMatchObject({ status: 429, code: 'CODE_RESEND_TOO_SOON' });
    expect(codesFor(line.creditLineId)).toHaveLength(1);

    advance(MIN);
    const again = await Promise.allSettled(Array.from({ length: 6 }, () => codes.issue(line)));
    expect(again.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const sent = codesFor(line.creditLineId);
    expect(sent).toHaveLength(2);
    await expect(codes.verify({ ...line, code: sent[1]! })).resolves.toEqual(verified);
  });

  it('answers 503 SMS_UNAVAILABLE after 3 failed tries, holds no code, and lets the customer ask again at once', async () => {
    const line = await newLine();
    const viaFlaky = service(flaky.url());
    expect(answer(await problemOf(viaFlaky.issue(line)))).toEqual({ status: 503, code: 'SMS_UNAVAILABLE', retryAfter: '5' });
    expect(flaky.received.filter((r) => r.creditLineId === line.creditLineId)).toHaveLength(3);
    expect(await codeRow(line.creditLineId)).toBeUndefined();
    expect(answer(await problemOf(viaFlaky.verify({ ...line, code: '123456' })))).toEqual({ status: 409, code: 'VERIFICATION_NOT_STARTED' });
    const [failed] = await database.db.select().from(messages).where(eq(messages.creditLineId, line.creditLineId));
    expect(failed).toMatchObject({ status: 'FAILED', attempts: 3 });
    const attempts = await database.db.select().from(messageAttempts).where(eq(messageAttempts.messageId, failed!.id)).orderBy(asc(messageAttempts.id));
    expect(attempts.map((a) => a.result)).toEqual(['FAILED', 'FAILED', 'FAILED']);

    // Not held to the resend rule for an SMS that never came; the next one is the 2nd of the line.
    await viaFlaky.issue(line);
    const codes4 = codesFor(line.creditLineId, flaky);
    expect(codes4).toHaveLength(4);
    expect(flaky.received.at(-1)!.messageId).toBe(`${line.creditLineId}:otp:REINSTATEMENT:2:VERIFICATION_CODE:SMS`);
    await expect(viaFlaky.verify({ ...line, code: codes4[3]! })).resolves.toEqual(verified);
  });

  it('has no face channel yet', async () => {
    const line = await newLine();
    expect(answer(await problemOf(codes.issue({ ...line, channel: 'face' })))).toEqual({ status: 422, code: 'CHANNEL_UNAVAILABLE' });
  });
});

describe('trying a code', () => {
  it('answers VERIFICATION_NOT_STARTED when no code was asked for', async () => {
    const line = await newLine();
    expect(answer(await problemOf(codes.verify({ ...line, code: '123456' })))).toEqual({ status: 409, code: 'VERIFICATION_NOT_STARTED' });
  });

  it('counts wrong tries down, the 5th answers LOCKED, and the right code after it fails', async () => {
    const line = await newLine();
    await codes.issue(line);
    const [code] = codesFor(line.creditLineId);
    const answers = [];
    for (let i = 0; i < 5; i += 1) answers.push(answer(await problemOf(codes.verify({ ...line, code: wrongCode(code!) }))));
    expect(answers).toEqual([
      { status: 422, code: 'VERIFICATION_FAILED', attemptsLeft: 4 }, { status: 422, code: 'VERIFICATION_FAILED', attemptsLeft: 3 },
      { status: 422, code: 'VERIFICATION_FAILED', attemptsLeft: 2 }, { status: 422, code: 'VERIFICATION_FAILED', attemptsLeft: 1 },
      { status: 422, code: 'VERIFICATION_LOCKED' },
    ]);
    expect(answer(await problemOf(codes.verify({ ...line, code: code! })))).toEqual({ status: 422, code: 'VERIFICATION_LOCKED' });
    expect((await codeRow(line.creditLineId))!.attemptsLeft).toBe(0);
    // A new code (after the minute) is what unlocks.
    advance(MIN);
    await codes.issue(line);
    await expect(codes.verify({ ...line, code: codesFor(line.creditLineId)[1]! })).resolves.toEqual(verified);
  });

  it('answers VERIFICATION_EXPIRED from 5 minutes on, spending no try', async () => {
    const line = await newLine();
    await codes.issue(line);
    const [code] = codesFor(line.creditLineId);
    advance(5 * MIN);
    expect(answer(await problemOf(codes.verify({ ...line, code: code! })))).toEqual({ status: 422, code: 'VERIFICATION_EXPIRED' });
    expect(answer(await problemOf(codes.verify({ ...line, code: wrongCode(code!) })))).toEqual({ status: 422, code: 'VERIFICATION_EXPIRED' });
    expect((await codeRow(line.creditLineId))!.attemptsLeft).toBe(5);
  });

  it('verifies the right code again while valid without spending a try (a retried confirm)', async () => {
    const line = await newLine();
    await codes.issue(line);
    const [code] = codesFor(line.creditLineId);
    const first = await codes.verify({ ...line, code: code! });
    expect(first).toEqual(verified);
    const verifiedAt = (await codeRow(line.creditLineId))!.verifiedAt;
    expect(verifiedAt).not.toBeNull();
    advance(4 * MIN);
    // The same code: the same identity (a retried confirm sends the same lift).
    await expect(codes.verify({ ...line, code: code! })).resolves.toEqual(first);
    expect(await codeRow(line.creditLineId)).toMatchObject({ attemptsLeft: 5, verifiedAt });
    advance(MIN);
    expect(answer(await problemOf(codes.verify({ ...line, code: code! })))).toEqual({ status: 422, code: 'VERIFICATION_EXPIRED' });
  });

  it('never spends more tries than were made, however many come at once', async () => {
    const line = await newLine();
    await codes.issue(line);
    const [code] = codesFor(line.creditLineId);
    const three = await Promise.all(Array.from({ length: 3 }, () => problemOf(codes.verify({ ...line, code: wrongCode(code!) }))));
    expect(three.map((p) => p.extra.attemptsLeft).sort()).toEqual([2, 3, 4]);
    expect((await codeRow(line.creditLineId))!.attemptsLeft).toBe(2);

    // 2 tries left: one FAILED (1 left), one LOCKED (the last), and LOCKED for every try after it.
    const seven = await Promise.all(Array.from({ length: 7 }, () => problemOf(codes.verify({ ...line, code: wrongCode(code!) }))));
    expect(seven.map((p) => (p.code === 'VERIFICATION_FAILED' ? p.extra.attemptsLeft : p.code)).sort()).toEqual([1, ...Array.from({ length: 6 }, () => 'VERIFICATION_LOCKED')]);
    expect((await codeRow(line.creditLineId))!.attemptsLeft).toBe(0);
  });

  it('refuses a code that is not 6 digits without spending a try', async () => {
    const line = await newLine();
    await codes.issue(line);
    for (const code of ['12345', '1234567', 'abcdef', '１２３４５６']) {
      expect(answer(await problemOf(codes.verify({ ...line, code })))).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    }
    expect((await codeRow(line.creditLineId))!.attemptsLeft).toBe(5);
  });

  it('does not verify a code hashed under another secret (the key is the server\'s)', async () => {
    const line = await newLine();
    await codes.issue(line);
    const [code] = codesFor(line.creditLineId);
    const otherServer = service(gateway.url(), 'another-secret-of-at-least-32-bytes-long!');
    expect(answer(await problemOf(otherServer.verify({ ...line, code: code! })))).toEqual({ status: 422, code: 'VERIFICATION_FAILED', attemptsLeft: 4 });
  });
});

describe('the log provider', () => {
  it('prints the SMS with the code masked and puts the clear SMS in an owner-only file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'revolve-outbox-'));
    try {
      const outboxPath = path.join(dir, 'sms-outbox.jsonl');
      const viaLog = codeService({ db: database.db, sms: logSmsProvider(logger, { outboxPath }), now: clock, jwtSecret: 'a-test-secret-of-at-least-32-bytes-long', logger });
      const line = await newLine();
      await viaLog.issue(line);
      const written = fs.readFileSync(outboxPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { creditLineId: string; text: string; to: string });
      expect(written).toHaveLength(1);
      expect(written[0]).toMatchObject({ creditLineId: line.creditLineId, to: '138****8000', messageId: `${line.creditLineId}:otp:REINSTATEMENT:1:VERIFICATION_CODE:SMS` });
      const code = /[0-9]{6}/.exec(written[0]!.text)?.[0];
      expect(code).toMatch(/^[0-9]{6}$/);
      codesSent.add(code!);
      expect(fs.statSync(outboxPath).mode & 0o777).toBe(0o600);
      const printed = logLines.filter((l) => l.includes(line.creditLineId) && l.includes('log provider'));
      expect(printed).toHaveLength(1);
      expect(printed[0]).toContain('您的验证码为 ******');
      await expect(viaLog.verify({ ...line, code: code! })).resolves.toEqual(verified);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** `table.column` of every column of every table whose text holds one of `values`. */
async function columnsHolding(values: readonly string[]): Promise<string[]> {
  const client = database.db.$client;
  const columns = await client.query<{ table_name: string; column_name: string }>(`
    SELECT c.table_name, c.column_name FROM information_schema.columns c
    JOIN pg_tables t ON t.schemaname = c.table_schema AND t.tablename = c.table_name
    WHERE c.table_schema = 'public' ORDER BY 1, 2`);
  expect(columns.rows.length).toBeGreaterThan(50);
  const patterns = values.map((v) => `%${v}%`);
  const found: string[] = [];
  for (const { table_name: table, column_name: column } of columns.rows) {
    const hits = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${table}" WHERE "${column}"::text LIKE ANY ($1::text[])`, [patterns]);
    if (hits.rows[0]!.n > 0) found.push(`${table}.${column}`);
  }
  return found;
}

describe('no trace of a code', () => {
  it('is in any column of any table, nor in any log line', async () => {
    expect(codesSent.size).toBeGreaterThan(10);
    // The scan finds what is there (the phone, where it is kept) ...
    expect(await columnsHolding(['13800138000'])).toEqual(['applications.phone']);
    // ... and no code anywhere: not in one_time_codes, messages (text, params), message_attempts.
    expect(await columnsHolding([...codesSent])).toEqual([]);
    expect(logLines.length).toBeGreaterThan(0);
    for (const code of codesSent) expect(logLines.filter((l) => l.includes(code))).toEqual([]);
  });
});
