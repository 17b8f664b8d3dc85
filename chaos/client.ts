/**
 * The simulated clients' HTTP: every answer a client receives is logged (status, code, key, the
 * body of every write) to the run's journal, in memory for the invariants and on disk as JSON lines.
 * A client retries what the contract says to retry (no answer, 5xx, 429) with the same
 * Idempotency-Key and body, until a decision or its patience runs out.
 */
import fs from 'node:fs';

export interface Answer {
  /** Order in which answers arrived. */
  seq: number;
  at: string;
  /** The operation the request belongs to (`purchase`, `refund`, …) and its number in the run. */
  op: string;
  opNo: number;
  method: string;
  path: string;
  key?: string;
  attempt: number;
  /** 0: no answer (connection refused or cut, or no answer within the client's timeout). */
  status: number;
  code?: string;
  ms: number;
  body?: unknown;
}

/** A decision: any 2xx, or a 4xx other than 429. */
export const isDecision = (status: number): boolean => (status >= 200 && status < 300) || (status >= 400 && status < 500 && status !== 429);

export interface Request {
  op: string;
  opNo: number;
  method: string;
  path: string;
  token: string;
  body?: unknown;
  key?: string;
}

export class Journal {
  readonly answers: Answer[] = [];
  private readonly byKey = new Map<string, Answer[]>();
  private readonly out: number;
  constructor(file: string) {
    this.out = fs.openSync(file, 'a', 0o600);
  }
  record(answer: Omit<Answer, 'seq' | 'at'>): Answer {
    const full = { seq: this.answers.length, at: new Date().toISOString(), ...answer };
    this.answers.push(full);
    if (full.key) {
      const list = this.byKey.get(full.key) ?? [];
      list.push(full);
      this.byKey.set(full.key, list);
    }
    fs.writeSync(this.out, `${JSON.stringify(full)}\n`);
    return full;
  }
  /** Every answer to requests carrying this Idempotency-Key (keys are unique in a run). */
  answersFor(key: string): Answer[] { return this.byKey.get(key) ?? []; }
  close(): void { fs.closeSync(this.out); }
}

export class ChaosClient {
  constructor(private readonly baseUrl: () => URL, readonly journal: Journal, private readonly timeoutMs = 15_000) {}

  /** One try: the answer as received (status 0 when none came). */
  async once(req: Request, attempt = 1): Promise<Answer> {
    const started = performance.now();
    let status = 0;
    let body: unknown;
    try {
      const res = await fetch(new URL(req.path, this.baseUrl()), {
        method: req.method,
        headers: {
          authorization: `Bearer ${req.token}`,
          ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(req.key ? { 'idempotency-key': req.key } : {}),
        },
        body: req.body === undefined ? undefined : JSON.stringify(req.body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      status = res.status;
      const text = await res.text();
      try { body = text ? JSON.parse(text) : undefined; } catch { body = text; }
    } catch {
      status = 0;
    }
    const code = typeof body === 'object' && body !== null && 'code' in body ? String((body as { code: unknown }).code) : undefined;
    const recorded = this.journal.record({
      op: req.op, opNo: req.opNo, method: req.method, path: req.path, ...(req.key ? { key: req.key } : {}), attempt, status,
      ...(code ? { code } : {}), ms: Math.round(performance.now() - started),
      // Reads are not kept whole (they are large and decide nothing).
      ...(req.method !== 'GET' && body !== undefined ? { body } : {}),
    });
    return { ...recorded, body };
  }

  /** Tries until a decision, or until `patienceMs` has passed (then the last answer, not a decision). */
  async decide(req: Request, patienceMs = 60_000): Promise<Answer> {
    const deadline = Date.now() + patienceMs;
    for (let attempt = 1; ; attempt += 1) {
      const answer = await this.once(req, attempt);
      if (isDecision(answer.status) || Date.now() > deadline) return answer;
      await sleep(retryDelayMs(attempt));
    }
  }
}

/** A short exponential backoff, at most 2 s (shorter than most Retry-After: the run wants pressure, not politeness). */
function retryDelayMs(attempt: number): number {
  return Math.min(2_000, 100 * 2 ** Math.min(attempt, 5)) + Math.floor(Math.random() * 100);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
