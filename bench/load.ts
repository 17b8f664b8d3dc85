/**
 * Load generation for the benchmark: an open-loop driver at a fixed rate (request k is sent at
 * start + k / rate whatever happened to the ones before it), an HTTP client on keep-alive sockets,
 * and the autocannon driver for comparison. Latency is recorded per request, with its outcome.
 */
import http from 'node:http';

export interface Outcome {
  /** 2xx, or the Update returned. */
  ok: boolean;
  /** What the request ended with: an HTTP status (with the problem code for 4xx/5xx), `timeout`, an error name. */
  label: string;
}

export interface PhaseResult {
  /** Latency of every request that succeeded, ms. */
  okLatencies: number[];
  /** Latency of every request, whatever its outcome (timeouts count with the client's timeout), ms. */
  allLatencies: number[];
  sent: number;
  succeeded: number;
  errors: number;
  /** Outcome label → count, for the ones that were not ok. */
  errorKinds: Record<string, number>;
  /** From the first send to the last answer, s. */
  wallSeconds: number;
  /** Worst delay between a request's scheduled and actual send (the driver's own lag), ms. */
  maxSendLagMs: number;
}

export interface Percentiles { p50: number; p90: number; p99: number; max: number; mean: number; n: number }

/** Nearest-rank percentiles. */
export function percentiles(values: number[]): Percentiles {
  if (values.length === 0) return { p50: NaN, p90: NaN, p99: NaN, max: NaN, mean: NaN, n: 0 };
  const sorted = Float64Array.from(values).sort();
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
  return { p50: at(50), p90: at(90), p99: at(99), max: sorted[sorted.length - 1]!, mean: values.reduce((a, b) => a + b, 0) / values.length, n: values.length };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/**
 * Sends `fire()` at `rate` per second for `durationS` seconds, evenly spaced, without waiting for
 * answers (an open loop: a slow answer does not hold back the next request, so queueing shows in the
 * latency instead of lowering the rate). Waits for the stragglers, at most `drainMs`.
 */
export async function openLoop(opts: { rate: number; durationS: number; fire: () => Promise<Outcome>; drainMs?: number }): Promise<PhaseResult> {
  const total = Math.round(opts.rate * opts.durationS);
  const interval = 1000 / opts.rate;
  const result: PhaseResult = { okLatencies: [], allLatencies: [], sent: 0, succeeded: 0, errors: 0, errorKinds: {}, wallSeconds: 0, maxSendLagMs: 0 };
  const inFlight = new Set<Promise<void>>();
  const start = performance.now();
  let lastAnswer = start;
  for (let k = 0; k < total; k++) {
    const due = start + k * interval;
    const now = performance.now();
    if (due > now) await sleep(due - now);
    const sentAt = performance.now();
    result.maxSendLagMs = Math.max(result.maxSendLagMs, sentAt - due);
    result.sent += 1;
    const done = opts.fire().then(
      (outcome) => outcome,
      (err: unknown): Outcome => ({ ok: false, label: errorLabel(err) }),
    ).then((outcome) => {
      const answeredAt = performance.now();
      lastAnswer = Math.max(lastAnswer, answeredAt);
      record(result, answeredAt - sentAt, outcome);
    });
    inFlight.add(done);
    void done.finally(() => inFlight.delete(done));
  }
  await Promise.race([Promise.all([...inFlight]), sleep(opts.drainMs ?? 15_000)]);
  const unanswered = inFlight.size;
  if (unanswered > 0) {
    result.errors += unanswered;
    result.errorKinds['no answer at the end'] = unanswered;
  }
  result.wallSeconds = (lastAnswer - start) / 1000;
  return result;
}

function record(result: PhaseResult, latency: number, outcome: Outcome): void {
  result.allLatencies.push(latency);
  if (outcome.ok) {
    result.succeeded += 1;
    result.okLatencies.push(latency);
  } else {
    result.errors += 1;
    result.errorKinds[outcome.label] = (result.errorKinds[outcome.label] ?? 0) + 1;
  }
}

function errorLabel(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { name?: string; code?: string; cause?: { type?: string; name?: string } };
    return [e.name, e.code, e.cause?.type ?? e.cause?.name].filter(Boolean).join(':') || 'error';
  }
  return String(err);
}

// ── HTTP ──────────────────────────────────────────────────────────────────────────────────────

/** A small keep-alive HTTP client; answers with the status and, for problems, their `code`. */
export class HttpClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  constructor(private readonly base: URL, private readonly timeoutMs = 10_000) {}

  request(method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<{ status: number; body: unknown }> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = http.request({
        agent: this.agent, host: this.base.hostname, port: this.base.port, method, path,
        headers: { ...headers, ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}) },
        timeout: this.timeoutMs,
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try { parsed = text ? JSON.parse(text) : undefined; } catch { /* not JSON */ }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { name: 'timeout' })));
      req.on('error', reject);
      req.end(payload);
    });
  }

  close(): void { this.agent.destroy(); }
}

/** An HTTP answer as an outcome: 2xx is ok, anything else is labelled with its status and problem code. */
export function httpOutcome(answer: { status: number; body: unknown }): Outcome {
  if (answer.status >= 200 && answer.status < 300) return { ok: true, label: String(answer.status) };
  const code = answer.body && typeof answer.body === 'object' ? (answer.body as { code?: string }).code : undefined;
  return { ok: false, label: code ? `${answer.status} ${code}` : String(answer.status) };
}

/** Runs `task` over `items` with at most `concurrency` at a time. */
export async function pool<T, R>(items: T[], concurrency: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]!, i);
    }
  }));
  return results;
}

// ── autocannon (for comparison) ─────────────────────────────────────────────────────────────────

export interface CannonRequest { method: string; path: string; headers: Record<string, string>; body: string }

/**
 * The same load through autocannon's `overallRate`. Beware: autocannon limits each connection to
 * `rate / connections` requests per one-second tick and sends them as soon as the tick starts, so
 * the load arrives in bursts at the top of every second rather than evenly spaced.
 */
export async function autocannonPhase(opts: { url: string; rate: number; durationS: number; connections: number; next: () => CannonRequest }): Promise<PhaseResult> {
  const { default: autocannon } = await import('autocannon');
  const result: PhaseResult = { okLatencies: [], allLatencies: [], sent: 0, succeeded: 0, errors: 0, errorKinds: {}, wallSeconds: 0, maxSendLagMs: 0 };
  const started = performance.now();
  const instance = autocannon({
    url: opts.url,
    connections: opts.connections,
    overallRate: opts.rate,
    duration: opts.durationS,
    timeout: 10,
    requests: [{ method: 'POST', setupRequest: (req: object) => ({ ...req, ...opts.next() }) }],
  });
  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    result.sent += 1;
    record(result, responseTime, statusCode >= 200 && statusCode < 300 ? { ok: true, label: String(statusCode) } : { ok: false, label: String(statusCode) });
  });
  instance.on('reqError', (err: Error) => {
    result.sent += 1;
    record(result, 10_000, { ok: false, label: errorLabel(err) });
  });
  await instance;
  result.wallSeconds = (performance.now() - started) / 1000;
  return result;
}
