/**
 * One-time codes, the I/O shell around the policy of domain/one-time-code.ts (API.md "One-time
 * codes"), used by the routes that need the customer to prove it is them (lifting a risk suspension
 * now, closure next).
 *
 * - The code: `crypto.randomInt`, 6 digits. Stored only as HMAC-SHA256 over (line, purpose, code)
 *   with a key derived by HKDF from AUTH_JWT_SECRET under its own label: every API replica already
 *   shares that secret, nothing new to configure, and the key is used for nothing else (rotating
 *   the JWT secret voids the codes alive at that moment, 5 minutes' worth). Without the key a
 *   stolen table cannot be tried against the 10^6 possible codes. Compared with `timingSafeEqual`.
 * - Never in clear in a table, a log line or workflow history: the outbox row (`messages`, for the
 *   support view) holds the text and parameters with the code as `******`; only the provider gets
 *   the clear SMS (the `log` provider masks it in what it prints, see activities/sms.ts).
 * - Concurrency: every read-decide-write of a code runs in one transaction holding the row's lock
 *   (`SELECT … FOR UPDATE`), so two tries never spend the same try and two requests never both get
 *   a code within the resend interval; with no row yet, the primary key lets only one insert win and
 *   the loser decides again, seeing the winner's code.
 * - Sending happens while the customer waits, after the code is stored: a few quick tries (an SMS
 *   the customer asked for is not queued for later); if none gets through the code is removed again
 *   (the customer is not held to the resend interval for an SMS that never came) and the answer is
 *   503 SMS_UNAVAILABLE with Retry-After.
 * - Time is the API's clock (`ctx.now()`, REVOLVE_CLOCK), read under the row's lock.
 * - The other channel, face verification (activities/face-verification.ts), is the same verification:
 *   the same row, policy and answers. Issuing starts a provider session instead of sending a code (the
 *   hash is of the session id, `channel` says `face`); a try presents the session id and the result
 *   token the provider gave the app, and verifies when the id is the line's and the provider says PASS.
 *   The provider is asked outside the row's lock (its answer for a session and token does not change),
 *   and only about the session the line holds while it can still verify; when it cannot answer, the
 *   customer gets 503 FACE_VERIFICATION_UNAVAILABLE and no try is spent.
 */
import { createHmac, hkdfSync, randomInt, timingSafeEqual } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { and, count, eq, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { logSmsProvider, type SmsProvider, type SmsResult } from '../activities/sms';
import { FACE_ID, FaceVerificationUnavailable, localFaceVerifier, type FaceSession, type FaceVerifier } from '../activities/face-verification';
import type { Database } from '../db/client';
import { databaseErrorFacts } from '../db/errors';
import { applications, creditLines, messageAttempts, messages, oneTimeCodes } from '../db/schema';
import { maskedParams, messagesFor, renderMessage, type OutgoingMessage } from '../domain/notifications';
import {
  attempt, CODE_MASK, formatCode, isCodeShaped, isExpired, isLocked, issuance,
  type CodeChannel, type CodePolicy, type CodePurpose, type CodeRecord,
} from '../domain/one-time-code';
import { STANDARD_PRODUCT } from '../domain/product';
import type { ApiContext } from './context';
import { Problem, problems } from './problem';

/** Tries of one code's SMS while the customer waits, and the pauses between them (3 tries within ~1.2 s plus the gateway's answers). */
export const SEND_PAUSES_MS = [300, 900] as const;
/** What the customer is told to wait after the gateway failed every try (the code is gone, so nothing else holds them). */
const SMS_RETRY_AFTER_SECONDS = 5;
const HMAC_LABEL = 'revolve/one-time-code/v1';
const PRIMARY_KEY = 'one_time_codes_credit_line_id_purpose_pk';

export interface IssueRequest { creditLineId: string; customerId: string; purpose: CodePurpose; channel: CodeChannel }
/** One try: the SMS code, or the face session and the provider's result token. */
export type VerifyRequest = { creditLineId: string; purpose: CodePurpose } & ({ code: string } | { face: { sessionId: string; resultToken: string } });
/** What issuing answers: when it expires; for a face verification, the session (and where the capture is). */
export interface Issued { expiresAt: string; sessionId?: string; url?: string }

export interface OneTimeCodeDeps {
  db: Database;
  sms: SmsProvider;
  /** The face verification provider; without one the `face` channel answers 422 CHANNEL_UNAVAILABLE. */
  face?: FaceVerifier;
  /** The API's clock. */
  now: () => Date | Promise<Date>;
  /** AUTH_JWT_SECRET: the hashing key is derived from it. */
  jwtSecret: string;
  logger: Logger;
  policy?: CodePolicy;
  /** Pauses between send tries (tests shorten them). */
  sendPausesMs?: readonly number[];
}

export const codeProblems = {
  tooSoon: (retryAfterSeconds: number) => new Problem(429, 'CODE_RESEND_TOO_SOON', 'Too soon for a new code',
    `a new code can be sent in ${retryAfterSeconds} s`, {}, { 'Retry-After': String(retryAfterSeconds) }),
  failed: (attemptsLeft: number) => new Problem(422, 'VERIFICATION_FAILED', 'Verification failed',
    `the code is not right; ${attemptsLeft} ${attemptsLeft === 1 ? 'try' : 'tries'} left`, { attemptsLeft }),
  expired: () => new Problem(422, 'VERIFICATION_EXPIRED', 'Verification expired', 'the code has expired; ask for a new one'),
  locked: () => new Problem(422, 'VERIFICATION_LOCKED', 'Verification locked', 'too many wrong tries; ask for a new code'),
  notStarted: () => new Problem(409, 'VERIFICATION_NOT_STARTED', 'No verification started', 'no code was sent for this; ask for one first'),
  smsUnavailable: () => problems.unavailable('SMS_UNAVAILABLE', 'the code could not be sent by SMS; nothing is held against you, ask again shortly', SMS_RETRY_AFTER_SECONDS),
  channelUnavailable: (channel: string) => new Problem(422, 'CHANNEL_UNAVAILABLE', 'Channel unavailable', `verification by ${channel} is not available`),
  faceUnavailable: () => problems.unavailable('FACE_VERIFICATION_UNAVAILABLE', 'face verification cannot answer right now; nothing is held against you, try again shortly', SMS_RETRY_AFTER_SECONDS),
};

type CodeRow = typeof oneTimeCodes.$inferSelect;

const iso = (t: string) => new Date(t).toISOString();
const toRecord = (row: CodeRow): CodeRecord => ({
  sentAt: iso(row.sentAt), expiresAt: iso(row.expiresAt), attemptsLeft: row.attemptsLeft, verifiedAt: row.verifiedAt ? iso(row.verifiedAt) : null,
});

/** The service over an API context: its database, clock, token secret and SMS gateway. */
export function oneTimeCodesOf(ctx: ApiContext) {
  return codeService({ db: ctx.db, sms: ctx.sms ?? logSmsProvider(ctx.logger), face: ctx.face ?? localFaceVerifier(ctx.logger), now: ctx.now, jwtSecret: ctx.jwtSecret, logger: ctx.logger });
}

export function codeService(deps: OneTimeCodeDeps) {
  const { db, sms, logger } = deps;
  const policy = deps.policy ?? STANDARD_PRODUCT.closure;
  const pauses = deps.sendPausesMs ?? SEND_PAUSES_MS;
  const key = Buffer.from(hkdfSync('sha256', deps.jwtSecret, '', HMAC_LABEL, 32));
  // Bound to the line and purpose: a hash copied to another row verifies nothing there.
  const hashOf = (creditLineId: string, purpose: CodePurpose, code: string) =>
    createHmac('sha256', key).update(`${creditLineId}\n${purpose}\n${code}`).digest();
  const matches = (stored: string, candidate: Buffer) => {
    const bytes = Buffer.from(stored, 'hex');
    return bytes.length === candidate.length && timingSafeEqual(bytes, candidate);
  };
  const rowOf = (creditLineId: string, purpose: CodePurpose) => and(eq(oneTimeCodes.creditLineId, creditLineId), eq(oneTimeCodes.purpose, purpose));

  /** Stores the new code (replacing the old) with its outbox row, if the policy allows; one transaction under the row's lock. */
  async function store(req: IssueRequest, code: string, codeHash: string) {
    return db.transaction(async (tx) => {
      const [held] = await tx.select().from(oneTimeCodes).where(rowOf(req.creditLineId, req.purpose)).for('update');
      const now = (await deps.now()).toISOString();
      const decision = issuance(held ? toRecord(held) : null, now, policy);
      if (!decision.allowed) return decision;
      const [line] = await tx.select({ phone: applications.phone }).from(creditLines)
        .innerJoin(applications, eq(applications.id, creditLines.applicationId)).where(eq(creditLines.id, req.creditLineId));
      if (!line) throw problems.notFound(`credit line ${req.creditLineId}`);

      const values = { codeHash, channel: req.channel, ...decision.record };
      if (held) await tx.update(oneTimeCodes).set(values).where(rowOf(req.creditLineId, req.purpose));
      // No row yet: a plain insert, so of two concurrent first requests only one gets a code.
      else await tx.insert(oneTimeCodes).values({ creditLineId: req.creditLineId, purpose: req.purpose, ...values });

      // The n-th code of this line and purpose: the SMS id is stable, scoped by the line, never reused.
      const prefix = `${req.creditLineId}:otp:${req.purpose}:`;
      const [sent] = await tx.select({ n: count() }).from(messages)
        .where(and(eq(messages.creditLineId, req.creditLineId), sql`starts_with(${messages.id}, ${prefix})`));
      // An earlier code's SMS still PENDING was orphaned (an API stopped between taking the code and
      // sending it): a send takes seconds and a new code comes a minute later at the earliest, so no
      // process holds it any more. It will never be sent now; it is not left looking in flight.
      await tx.update(messages).set({ status: 'FAILED' })
        .where(and(eq(messages.creditLineId, req.creditLineId), sql`starts_with(${messages.id}, ${prefix})`, eq(messages.status, 'PENDING')));
      const params = { code, validMinutes: policy.otpTtlMinutes };
      // Codes are not held to quiet hours (kind CODE): the customer asked for it, now.
      const [message] = messagesFor(`${prefix}${(sent?.n ?? 0) + 1}`, 'VERIFICATION_CODE', params, now, STANDARD_PRODUCT, { channels: ['SMS'] });
      if (!message) throw new Error('the VERIFICATION_CODE template has no SMS');
      const stored = maskedParams(message.template, message.params, CODE_MASK);
      await tx.insert(messages).values({
        ...message, params: stored, text: renderMessage(message.template, stored, message.locale),
        creditLineId: req.creditLineId, customerId: req.customerId, status: 'PENDING', createdAt: now,
      });
      return { ...decision, message, phone: line.phone };
    });
  }

  /** A few quick tries, each recorded; the outbox row ends DELIVERED or FAILED. */
  async function send(creditLineId: string, message: OutgoingMessage, phone: string): Promise<SmsResult> {
    const request = {
      messageId: message.id, creditLineId, to: phone, template: message.template, text: message.text, params: message.params,
      scheduledFor: new Date(message.sendAt).toISOString(),
    };
    let result: SmsResult = { delivered: false, detail: 'not tried' };
    let tries = 0;
    while (!result.delivered && tries <= pauses.length) {
      if (tries > 0) await sleep(pauses[tries - 1]);
      tries += 1;
      // The kind of failure only: an error's message could carry the request.
      result = await sms.send(request).catch((err: unknown): SmsResult => ({ delivered: false, detail: `provider error ${(err as Error)?.name ?? 'unknown'}` }));
      await db.insert(messageAttempts).values({ messageId: message.id, provider: sms.name, result: result.delivered ? 'DELIVERED' : 'FAILED', detail: result.detail });
    }
    const now = (await deps.now()).toISOString();
    await db.update(messages).set({
      attempts: sql`${messages.attempts} + ${tries}`,
      ...(result.delivered ? { status: 'DELIVERED', deliveredAt: now } : { status: 'FAILED' }),
    }).where(eq(messages.id, message.id));
    return result;
  }

  /** What the stored hash of a face session is made from (never a 6-digit string, so never a code). */
  const faceSecret = (sessionId: string) => `face:${sessionId}`;

  /**
   * Starts a face session and holds it as the line's verification for `purpose`: the resend rule is
   * looked at before the provider is asked for anything, and decided again under the row's lock.
   */
  async function issueFace(req: IssueRequest): Promise<Issued> {
    const face = deps.face;
    if (!face) throw codeProblems.channelUnavailable('face');
    const [peek] = await db.select().from(oneTimeCodes).where(rowOf(req.creditLineId, req.purpose));
    const early = issuance(peek ? toRecord(peek) : null, (await deps.now()).toISOString(), policy);
    if (!early.allowed) throw codeProblems.tooSoon(early.retryAfterSeconds);
    let session: FaceSession;
    try {
      session = await face.start({ reference: `${req.creditLineId}:${req.purpose}`, customerId: req.customerId });
    } catch (err) {
      if (!(err instanceof FaceVerificationUnavailable)) throw err;
      logger.warn({ creditLineId: req.creditLineId, purpose: req.purpose, provider: face.name, reason: err.message }, 'face verification session not started');
      throw codeProblems.faceUnavailable();
    }
    const codeHash = hashOf(req.creditLineId, req.purpose, faceSecret(session.sessionId)).toString('hex');
    const storeSession = () => db.transaction(async (tx) => {
      const [held] = await tx.select().from(oneTimeCodes).where(rowOf(req.creditLineId, req.purpose)).for('update');
      const decision = issuance(held ? toRecord(held) : null, (await deps.now()).toISOString(), policy);
      if (!decision.allowed) return decision;
      const values = { codeHash, channel: 'face', ...decision.record };
      if (held) await tx.update(oneTimeCodes).set(values).where(rowOf(req.creditLineId, req.purpose));
      else await tx.insert(oneTimeCodes).values({ creditLineId: req.creditLineId, purpose: req.purpose, ...values });
      return decision;
    });
    let stored: Awaited<ReturnType<typeof storeSession>>;
    try {
      stored = await storeSession();
    } catch (err) {
      if (databaseErrorFacts(err).constraint !== PRIMARY_KEY) throw err;
      stored = await storeSession();
    }
    if (!stored.allowed) throw codeProblems.tooSoon(stored.retryAfterSeconds);
    return { expiresAt: stored.record.expiresAt, sessionId: session.sessionId, ...(session.url ? { url: session.url } : {}) };
  }

  /** Whether the provider passes the face session presented: asked only about the line's own session, while it can verify. */
  async function facePassed(creditLineId: string, purpose: CodePurpose, presented: { sessionId: string; resultToken: string }, candidate: Buffer): Promise<boolean> {
    const [peek] = await db.select().from(oneTimeCodes).where(rowOf(creditLineId, purpose));
    if (!peek || peek.channel !== 'face' || !matches(peek.codeHash, candidate)) return false;
    const record = toRecord(peek);
    // A locked or expired verification answers so without the provider (attempt() decides it).
    if (isLocked(record) || isExpired(record, (await deps.now()).toISOString())) return false;
    try {
      return (await deps.face!.result(presented)) === 'PASS';
    } catch (err) {
      if (!(err instanceof FaceVerificationUnavailable)) throw err;
      logger.warn({ creditLineId, purpose, provider: deps.face!.name, reason: err.message }, 'face verification result not known; no try spent');
      throw codeProblems.faceUnavailable();
    }
  }

  return {
    /**
     * Sends a new code for `purpose` to the phone of the line's application and answers when it
     * expires. 429 CODE_RESEND_TOO_SOON within the resend interval; 503 SMS_UNAVAILABLE when the
     * gateway took none of the tries (no code is then held).
     */
    async issue(req: IssueRequest): Promise<Issued> {
      if (req.channel === 'face') return issueFace(req);
      if (req.channel !== 'sms') throw codeProblems.channelUnavailable(req.channel);
      const code = formatCode(randomInt(0, 10 ** policy.otpDigits), policy.otpDigits);
      const codeHash = hashOf(req.creditLineId, req.purpose, code).toString('hex');
      let stored: Awaited<ReturnType<typeof store>>;
      try {
        stored = await store(req, code, codeHash);
      } catch (err) {
        // Another first request inserted its code meanwhile: decide again, now against that code.
        if (databaseErrorFacts(err).constraint !== PRIMARY_KEY) throw err;
        stored = await store(req, code, codeHash);
      }
      if (!stored.allowed) throw codeProblems.tooSoon(stored.retryAfterSeconds);

      const result = await send(req.creditLineId, stored.message, stored.phone);
      if (!result.delivered) {
        // Only this code: a later one (impossible within the interval, but cheap to respect) stays.
        await db.delete(oneTimeCodes).where(and(rowOf(req.creditLineId, req.purpose), eq(oneTimeCodes.codeHash, codeHash)));
        logger.warn({ creditLineId: req.creditLineId, purpose: req.purpose, messageId: stored.message.id, detail: result.detail }, 'one-time code not delivered; code withdrawn');
        throw codeProblems.smsUnavailable();
      }
      return { expiresAt: stored.record.expiresAt };
    },

    /**
     * One try of `code`: resolves when it verifies (again, while valid, for the same right code) with
     * the code's identity (the same for every try of one code, another for the next code), else throws
     * the problem: VERIFICATION_FAILED with `attemptsLeft`, _EXPIRED, _LOCKED, _NOT_STARTED.
     */
    async verify(req: VerifyRequest): Promise<{ codeId: string }> {
      let candidate: Buffer;
      let channel: CodeChannel;
      let passed = true;
      if ('face' in req) {
        if (!deps.face) throw codeProblems.channelUnavailable('face');
        const bad = (['sessionId', 'resultToken'] as const).filter((f) => !FACE_ID.test(req.face[f]));
        if (bad.length > 0) throw problems.validation(bad.map((field) => ({ field, message: 'as the face verification gave it' })));
        candidate = hashOf(req.creditLineId, req.purpose, faceSecret(req.face.sessionId));
        channel = 'face';
        passed = await facePassed(req.creditLineId, req.purpose, req.face, candidate);
      } else {
        if (!isCodeShaped(req.code, policy.otpDigits)) throw problems.validation([{ field: 'code', message: `exactly ${policy.otpDigits} digits` }]);
        candidate = hashOf(req.creditLineId, req.purpose, req.code);
        channel = 'sms';
      }
      const tried = await db.transaction(async (tx) => {
        const [held] = await tx.select().from(oneTimeCodes).where(rowOf(req.creditLineId, req.purpose)).for('update');
        const now = (await deps.now()).toISOString();
        // The right secret, by the channel the line's verification was started on (and, for a face, the provider's PASS).
        const matched = held ? held.channel === channel && passed && matches(held.codeHash, candidate) : false;
        const outcome = attempt(held ? toRecord(held) : null, now, matched);
        if (outcome.changed && outcome.record) {
          await tx.update(oneTimeCodes).set({ attemptsLeft: outcome.record.attemptsLeft, verifiedAt: outcome.record.verifiedAt })
            .where(rowOf(req.creditLineId, req.purpose));
        }
        return outcome;
      });
      switch (tried.outcome) {
        // When it was sent names the code among the line's codes for this purpose (one live at a time).
        case 'VERIFIED': return { codeId: `${req.purpose}:${tried.record!.sentAt}` };
        case 'FAILED': throw codeProblems.failed(tried.attemptsLeft);
        case 'EXPIRED': throw codeProblems.expired();
        case 'LOCKED': throw codeProblems.locked();
        case 'NOT_STARTED': throw codeProblems.notStarted();
      }
    },
  };
}

export type CodeService = ReturnType<typeof codeService>;
