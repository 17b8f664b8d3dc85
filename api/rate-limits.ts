import type { Request, Response } from 'express';
import { rateLimit, type Options, type Store } from 'express-rate-limit';
import { sql } from 'drizzle-orm';
import { DEFAULT_RATE_LIMITS as DEFAULTS } from '../config/env';
import type { Database } from '../db/client';
import { describeDatabaseError } from '../db/errors';
import { principalOf } from './auth';
import { Problem, sendProblem } from './problem';

/**
 * Fixed-window counters in PostgreSQL (`rate_limits`), so every API replica counts the same hits:
 * one upsert per request. Expired windows restart on the next hit and are swept now and then.
 */
export class PostgresRateLimitStore implements Store {
  private windowMs = 60_000;
  private lastSweep = 0;
  readonly localKeys = false;

  constructor(private readonly db: Database, readonly prefix: string) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  async increment(key: string): Promise<{ totalHits: number; resetTime: Date }> {
    this.sweep();
    // express-rate-limit prints a store's error: it gets the error's kind, never the query and its values.
    const result = await this.db.execute<{ hits: number; reset_at: string }>(sql`
      INSERT INTO rate_limits (key, hits, reset_at) VALUES (${this.prefix + key}, 1, now() + ${this.windowMs} * interval '1 millisecond')
      ON CONFLICT (key) DO UPDATE SET
        hits = CASE WHEN rate_limits.reset_at <= now() THEN 1 ELSE rate_limits.hits + 1 END,
        reset_at = CASE WHEN rate_limits.reset_at <= now() THEN excluded.reset_at ELSE rate_limits.reset_at END
      RETURNING hits, reset_at`).catch((err: unknown) => { throw new Error(`rate limit store: ${describeDatabaseError(err)}`); });
    const row = result.rows[0]!;
    return { totalHits: Number(row.hits), resetTime: new Date(row.reset_at) };
  }

  async decrement(key: string): Promise<void> {
    await this.db.execute(sql`UPDATE rate_limits SET hits = greatest(hits - 1, 0) WHERE key = ${this.prefix + key}`);
  }

  async resetKey(key: string): Promise<void> {
    await this.db.execute(sql`DELETE FROM rate_limits WHERE key = ${this.prefix + key}`);
  }

  private sweep(): void {
    if (Date.now() - this.lastSweep < 60_000) return;
    this.lastSweep = Date.now();
    this.db.execute(sql`DELETE FROM rate_limits WHERE reset_at < now() - interval '1 minute'`).catch(() => undefined);
  }
}

/** 429 problem+json with Retry-After (API.md), the same for every limiter. */
function tooMany(_req: Request, res: Response, _next: unknown, options: Options): void {
  const info = (_req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit;
  const seconds = info?.resetTime ? Math.max(1, Math.ceil((info.resetTime.getTime() - Date.now()) / 1000)) : Math.ceil(options.windowMs / 1000);
  sendProblem(res, new Problem(429, 'RATE_LIMITED', 'Too many requests', 'slow down and retry later', {}, { 'Retry-After': String(seconds) }));
}

export interface RateLimitSettings {
  /** Requests per minute per client address, counted in this process (a first, cheap guard). */
  perClientPerMinute: number;
  /** Requests per minute per authenticated subject (customer or staff), counted in PostgreSQL. */
  perSubjectPerMinute: number;
  /** Applications per hour per customer, counted in PostgreSQL. */
  applicationsPerHour: number;
}

export const DEFAULT_RATE_LIMITS: RateLimitSettings = DEFAULTS;

// A counter the database cannot update lets the request through: the limit is a guard, not a dependency.
const common = { standardHeaders: 'draft-8', legacyHeaders: false, handler: tooMany, passOnStoreError: true } as const;

export function rateLimiters(db: Database, settings: RateLimitSettings) {
  return {
    perClient: rateLimit({ ...common, windowMs: 60_000, limit: settings.perClientPerMinute }),
    perSubject: rateLimit({
      ...common, windowMs: 60_000, limit: settings.perSubjectPerMinute,
      store: new PostgresRateLimitStore(db, 'subject:'), keyGenerator: (req) => principalOf(req).subject,
    }),
    applications: rateLimit({
      ...common, windowMs: 3600_000, limit: settings.applicationsPerHour,
      store: new PostgresRateLimitStore(db, 'applications:'), keyGenerator: (req) => principalOf(req).subject,
    }),
  };
}
