/**
 * Face verification (PRODUCT §9: "a verification provider for face recognition is an alternative
 * channel behind the same interface" as the SMS code): the customer proves it is them by their face
 * instead of a code, through the same one-time verification (api/one-time-codes.ts: 5 minutes, 5
 * tries, a new session at most once a minute, nothing of it in workflow history).
 *
 * How it goes (one session per line and purpose, like a code):
 *   1. `POST …/closure` with `channel: "face"`: the API starts a session with the provider for the
 *      customer (by id: the provider, the platform's identity service, holds the face enrolled for that
 *      customer; no personal data leaves Revolve) and answers the `sessionId` (and the provider's
 *      capture `url`, when it gives one). Only a keyed hash of the session id is stored.
 *   2. The app runs the provider's face capture for that session; the provider gives the app a result
 *      token (opaque to Revolve).
 *   3. `POST …/closure/verification` with `{ sessionId, resultToken }`: the API asks the provider for
 *      the session's result with that token. PASS verifies; FAIL (or a session id that is not the
 *      line's) spends a try, as a wrong code does.
 *
 * Providers:
 * - `http` (FACE_VERIFICATION_URL set): `POST <url>/sessions` with `{ reference, customerId }` answers
 *   `{ sessionId, url? }`; `POST <url>/sessions/<sessionId>/result` with `{ resultToken }` answers
 *   `{ outcome: "PASS" | "FAIL" }` (a 404, 410 or 422 is FAIL: the provider refuses that session or
 *   token). Each call has FACE_VERIFICATION_TIMEOUT_MS; a 5xx, 408, 429, timeout or network error is
 *   tried again (3 tries in about a second: the customer is waiting), then the call fails
 *   `FaceVerificationUnavailable` (503 to the customer, no try spent); any other answer, or a body
 *   that is not one of the above, fails at once the same way.
 * - `local` (the default, URL unset): a stand-in, labelled as such, that checks no face. It makes a
 *   session id and a random result token, keeps them in memory, prints the session (never the token)
 *   and appends both to a file only the owner can read (`outboxPath`, `.data/face-outbox.jsonl` under
 *   `revolve start`): that file is the face capture when you run locally. Without the file, nobody
 *   can learn a token but through `tokenOf` (tests). It passes a session only with its own token.
 */
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { z } from 'zod';

export interface FaceSession {
  sessionId: string;
  /** Where the app takes the customer for the capture, when the provider gives one. */
  url?: string;
}

export type FaceOutcome = 'PASS' | 'FAIL';

export interface FaceVerifier {
  readonly name: 'local' | 'http';
  /** Starts a session for the customer; `reference` is Revolve's (`<creditLineId>:<purpose>`). */
  start(req: { reference: string; customerId: string }): Promise<FaceSession>;
  /** What the session's result is, as proven by the token the provider gave the app. */
  result(req: { sessionId: string; resultToken: string }): Promise<FaceOutcome>;
}

/** The provider could not answer (after its tries) or answered nonsense: nothing was decided. */
export class FaceVerificationUnavailable extends Error {
  override readonly name = 'FaceVerificationUnavailable';
}

/** A session id or token as Revolve accepts them from the provider and the app: short printable ASCII (base64url may start with - or _). */
export const FACE_ID = /^[A-Za-z0-9_.:=+/-]{1,200}$/;

/** Pauses between tries of one call (3 tries). */
export const FACE_RETRY_PAUSES_MS = [200, 600] as const;

const sessionBody = z.object({ sessionId: z.string().regex(FACE_ID), url: z.string().url().max(2000).optional() });
const resultBody = z.object({ outcome: z.enum(['PASS', 'FAIL']) });

export function httpFaceVerifier(opts: { url: string; timeoutMs: number; retryPausesMs?: readonly number[] }): FaceVerifier {
  const base = opts.url.replace(/\/+$/, '');
  const pauses = opts.retryPausesMs ?? FACE_RETRY_PAUSES_MS;

  /** One call, tried again on what may pass: the status and parsed body, or FaceVerificationUnavailable. */
  async function call(urlPath: string, body: unknown, refusalStatuses: readonly number[]): Promise<{ status: number; json: unknown }> {
    let why = 'not tried';
    for (let tries = 0; tries <= pauses.length; tries += 1) {
      if (tries > 0) await sleep(pauses[tries - 1]);
      let res: Response;
      try {
        res = await fetch(`${base}${urlPath}`, {
          method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(opts.timeoutMs),
        });
      } catch (err) {
        // The kind of failure only: the URL may carry a credential, the body the token.
        const e = err as { name?: string; cause?: { code?: string } };
        why = e.name === 'TimeoutError' ? `no answer within ${opts.timeoutMs} ms` : `network error ${e.cause?.code ?? e.name ?? 'unknown'}`;
        continue;
      }
      const text = await res.text().catch(() => '');
      if (res.status >= 500 || res.status === 408 || res.status === 429) { why = `HTTP ${res.status}`; continue; }
      if (res.ok || refusalStatuses.includes(res.status)) {
        let json: unknown = null;
        try { json = text ? JSON.parse(text) : null; } catch { json = null; }
        return { status: res.status, json };
      }
      throw new FaceVerificationUnavailable(`the face verification provider refused the request (HTTP ${res.status})`);
    }
    throw new FaceVerificationUnavailable(`the face verification provider did not answer (${why})`);
  }

  return {
    name: 'http',
    async start(req) {
      const { json } = await call('/sessions', { reference: req.reference, customerId: req.customerId }, []);
      const parsed = sessionBody.safeParse(json);
      if (!parsed.success) throw new FaceVerificationUnavailable('the face verification provider answered a session without a usable id');
      return parsed.data.url ? { sessionId: parsed.data.sessionId, url: parsed.data.url } : { sessionId: parsed.data.sessionId };
    },
    async result(req) {
      const { status, json } = await call(`/sessions/${encodeURIComponent(req.sessionId)}/result`, { resultToken: req.resultToken }, [404, 410, 422]);
      if (status === 404 || status === 410 || status === 422) return 'FAIL';
      const parsed = resultBody.safeParse(json);
      if (!parsed.success) throw new FaceVerificationUnavailable('the face verification provider answered no outcome');
      return parsed.data.outcome;
    },
  };
}

/** Sessions the local stand-in remembers (the oldest forgotten first): one API process, minutes each. */
const LOCAL_SESSIONS = 10_000;

/** The local stand-in (labelled): checks no face; a session passes with the token it made for it. */
export function localFaceVerifier(logger: Logger, opts: { outboxPath?: string } = {}): FaceVerifier & { tokenOf(sessionId: string): string | undefined } {
  const tokens = new Map<string, string>();
  return {
    name: 'local',
    async start(req) {
      const sessionId = `local-face-${randomUUID()}`;
      const resultToken = randomBytes(18).toString('base64url');
      tokens.set(sessionId, resultToken);
      if (tokens.size > LOCAL_SESSIONS) tokens.delete(tokens.keys().next().value as string);
      if (opts.outboxPath) {
        await fs.mkdir(path.dirname(opts.outboxPath), { recursive: true, mode: 0o700 });
        await fs.appendFile(opts.outboxPath, `${JSON.stringify({ sessionId, reference: req.reference, resultToken, at: new Date().toISOString() })}\n`, { mode: 0o600 });
        await fs.chmod(opts.outboxPath, 0o600);
      }
      const where = opts.outboxPath ? `its result token is in ${opts.outboxPath}` : 'no outbox file: its result token is not shown';
      logger.info({ sessionId, reference: req.reference }, `face verification (local stand-in, no face is checked): session started; ${where}`);
      return { sessionId };
    },
    async result(req) {
      const expected = tokens.get(req.sessionId);
      if (!expected) return 'FAIL';
      const a = Buffer.from(expected);
      const b = Buffer.from(req.resultToken);
      return a.length === b.length && timingSafeEqual(a, b) ? 'PASS' : 'FAIL';
    },
    tokenOf: (sessionId) => tokens.get(sessionId),
  };
}

/** The provider FACE_VERIFICATION_URL names: the HTTP adapter, or the local stand-in. */
export function faceVerifier(opts: { url?: string; timeoutMs: number; logger: Logger; outboxPath?: string }): FaceVerifier {
  return opts.url ? httpFaceVerifier({ url: opts.url, timeoutMs: opts.timeoutMs }) : localFaceVerifier(opts.logger, { outboxPath: opts.outboxPath });
}
