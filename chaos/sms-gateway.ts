/**
 * A local SMS gateway for the `webhook` provider (activities/sms.ts) that misbehaves on a seeded
 * schedule, for the chaos run: it is the stand-in phone network, so it keeps what it receives (phone
 * numbers included) in memory only and prints nothing.
 *
 * While faulty, each well-formed request draws once from its own generator (pure-rand xoroshiro128+,
 * seeded): the rates are consecutive bands of that one draw, so the same seed and the same requests
 * give the same misbehaviours, whatever the wall clock does.
 * - fail: 503, nothing recorded (the gateway refused the message);
 * - timeout: recorded, the 204 comes `senderTimeoutMs` + 1 s later, after the sender gave up and
 *   (being a sender that retries) sends the same messageId again;
 * - lost answer: recorded, then the socket is destroyed unanswered: delivered, yet the sender sees a
 *   failure and sends again;
 * - otherwise 204.
 * `receipts` holds one entry per messageId (the sender's promise: one messageId is one message).
 */
import http from 'node:http';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { TEMPLATES, type TemplateName } from '../domain/notifications';

export interface GatewayOptions {
  /** Seed of the gateway's own choices. */
  seed: number;
  /** The sender's timeout, ms: a "timeout" answer comes this long + 1 s later. */
  senderTimeoutMs: number;
  /** Probability of each misbehaviour per request while faulty (0.15 each by default; their sum at most 1). */
  failRate?: number;
  timeoutRate?: number;
  lostAnswerRate?: number;
}
export interface Receipt { messageId: string; creditLineId: string; template: string; to: string; text: string; scheduledFor: string; firstAt: Date; arrivals: number }
/** `requests` = accepted + failed + timedOut + lostAnswers + malformed; `accepted` is a 204 at once. */
export interface GatewayStats { requests: number; accepted: number; failed: number; timedOut: number; lostAnswers: number; duplicateArrivals: number; malformed: number }

type Fault = 'fail' | 'timeout' | 'lost' | 'none';

/** A template that carries a one-time code (kind CODE: VERIFICATION_CODE today). */
const isCodeTemplate = (template: string) => template in TEMPLATES && TEMPLATES[template as TemplateName].kind === 'CODE';
/** The code as the customer reads it: the first run of exactly 6 digits in the text. */
const codeIn = (text: string) => /(?<!\d)\d{6}(?!\d)/.exec(text)?.[0];
const str = (v: unknown) => (typeof v === 'string' ? v : '');

export function flakySmsGateway(opts: GatewayOptions) {
  const rates = [opts.failRate ?? 0.15, opts.timeoutRate ?? 0.15, opts.lostAnswerRate ?? 0.15];
  // Bands of one draw: a sum over 1 would silently starve the later ones, so say so at once.
  if (rates.some((r) => r < 0 || r > 1) || rates.reduce((a, b) => a + b) > 1 + 1e-9) throw new RangeError(`gateway rates must be within 0..1 and sum to at most 1: ${rates.join(', ')}`);
  const rng = xoroshiro128plus(opts.seed);
  let faulty = true;
  const receipts = new Map<string, Receipt>();
  const stats: GatewayStats = { requests: 0, accepted: 0, failed: 0, timedOut: 0, lostAnswers: 0, duplicateArrivals: 0, malformed: 0 };
  const lateAnswers = new Set<NodeJS.Timeout>();
  const waiters = new Set<{ creditLineId: string; since: Date; resolve: (code: string) => void; reject: (err: Error) => void }>();

  const fault = (): Fault => {
    if (!faulty) return 'none';
    const u = uniformFloat64(rng);
    const [fail = 0, timeout = 0, lost = 0] = rates;
    return u < fail ? 'fail' : u < fail + timeout ? 'timeout' : u < fail + timeout + lost ? 'lost' : 'none';
  };

  const record = (body: Record<string, unknown>) => {
    const messageId = str(body.messageId);
    const seen = receipts.get(messageId);
    if (seen) { seen.arrivals += 1; stats.duplicateArrivals += 1; return; }
    const receipt: Receipt = { messageId, creditLineId: str(body.creditLineId), template: str(body.template), to: str(body.to), text: str(body.text), scheduledFor: str(body.scheduledFor), firstAt: new Date(), arrivals: 1 };
    receipts.set(messageId, receipt);
    const code = isCodeTemplate(receipt.template) ? codeIn(receipt.text) : undefined;
    if (code) for (const w of waiters) if (w.creditLineId === receipt.creditLineId && receipt.firstAt >= w.since) { waiters.delete(w); w.resolve(code); }
  };

  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => { raw += c.toString(); });
    req.on('end', () => {
      stats.requests += 1;
      let body: Record<string, unknown> | undefined;
      try { body = JSON.parse(raw) as Record<string, unknown>; } catch { /* answered 400 below */ }
      if (typeof body !== 'object' || body === null || str(body.messageId) === '') {
        stats.malformed += 1;
        res.writeHead(400).end();
        return;
      }
      const f = fault();
      if (f === 'fail') { stats.failed += 1; res.writeHead(503).end(); return; }
      record(body);
      if (f === 'lost') { stats.lostAnswers += 1; req.socket.destroy(); return; }
      if (f === 'timeout') {
        stats.timedOut += 1;
        const t = setTimeout(() => { lateAnswers.delete(t); if (!res.destroyed) res.writeHead(204).end(); }, opts.senderTimeoutMs + 1000);
        lateAnswers.add(t);
        return;
      }
      stats.accepted += 1;
      res.writeHead(204).end();
    });
  });

  const codesOf = (creditLineId: string, since = new Date(0)) =>
    [...receipts.values()]
      .filter((r) => r.creditLineId === creditLineId && r.firstAt >= since && isCodeTemplate(r.template))
      .sort((a, b) => a.firstAt.getTime() - b.firstAt.getTime())
      .flatMap((r) => codeIn(r.text) ?? []);

  return {
    start: () => new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, '127.0.0.1', () => resolve()); }),
    stop: () => new Promise<void>((resolve) => {
      for (const t of lateAnswers) clearTimeout(t);
      lateAnswers.clear();
      for (const w of waiters) w.reject(new Error('SMS gateway stopped'));
      waiters.clear();
      server.close(() => resolve());
      server.closeAllConnections();
    }),
    url: () => `http://127.0.0.1:${(server.address() as { port: number }).port}/sms`,
    setFaulty: (on: boolean) => { faulty = on; },
    receipts: (): ReadonlyMap<string, Receipt> => receipts,
    stats: (): GatewayStats => ({ ...stats }),
    /** The one-time codes sent to this line, oldest first. */
    codesFor: (creditLineId: string): string[] => codesOf(creditLineId),
    /** The newest code that reached the gateway at or after `since`, or the next one to arrive; rejects after `timeoutMs`. */
    waitForCode: (creditLineId: string, since: Date, timeoutMs: number) => new Promise<string>((resolve, reject) => {
      const already = codesOf(creditLineId, since).at(-1);
      if (already) { resolve(already); return; }
      const timer = setTimeout(() => { waiters.delete(waiter); reject(new Error(`no code SMS for line ${creditLineId} within ${timeoutMs} ms`)); }, timeoutMs);
      const waiter = {
        creditLineId, since,
        resolve: (code: string) => { clearTimeout(timer); resolve(code); },
        reject: (err: Error) => { clearTimeout(timer); reject(err); },
      };
      waiters.add(waiter);
    }),
  };
}

export type FlakySmsGateway = ReturnType<typeof flakySmsGateway>;
