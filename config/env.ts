import { z } from 'zod';
import { parsePayloadKeys } from './payload-keys';

/** Rate limits unless configured: generous, so a normal client never meets them; production sets its own. */
export const DEFAULT_RATE_LIMITS = { perClientPerMinute: 6000, perSubjectPerMinute: 600, applicationsPerHour: 10 };

/**
 * The process environment, validated once at start-up: a bad value fails fast and names the variable.
 * API.md "Configuration" is the contract; docker-compose.yml and the README use the same names
 * (a test keeps them in agreement).
 */
const variables = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATABASE_URL: z.string().url().optional(),
  TEMPORAL_ADDRESS: z.string().min(1).optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('credit-lines'),
  TEMPORAL_UI_PORT: z.coerce.number().int().min(1).max(65535).default(8233),
  AUTH_JWT_SECRET: z.string()
    .refine((secret) => Buffer.byteLength(secret, 'utf8') >= 32, 'AUTH_JWT_SECRET must be at least 32 bytes (e.g. `openssl rand -base64 32`)')
    .refine((secret) => !isPlaceholderSecret(secret), 'AUTH_JWT_SECRET is a placeholder anyone could sign tokens with; set a random secret')
    .optional(),
  /**
   * Keys payloads are sealed with before they reach Temporal (`<id>:<base64 of 32 bytes>`, comma
   * separated, the first sealing): the same on every API and worker. `revolve start` makes one under
   * REVOLVE_DATA_DIR when unset; `revolve api` and `revolve worker` alone require it.
   */
  PAYLOAD_KEYS: z.string().superRefine((value, ctx) => {
    try { parsePayloadKeys(value); } catch (err) { ctx.addIssue({ code: 'custom', message: (err as Error).message }); }
  }).optional(),
  /** Requests per minute per client address (in memory, per API process). */
  RATE_LIMIT_PER_CLIENT_PER_MINUTE: z.coerce.number().int().min(1).default(DEFAULT_RATE_LIMITS.perClientPerMinute),
  /** Requests per minute per customer or staff member (shared by every API replica through PostgreSQL). */
  RATE_LIMIT_PER_SUBJECT_PER_MINUTE: z.coerce.number().int().min(1).default(DEFAULT_RATE_LIMITS.perSubjectPerMinute),
  /** Applications per hour per customer (PostgreSQL). */
  RATE_LIMIT_APPLICATIONS_PER_HOUR: z.coerce.number().int().min(1).default(DEFAULT_RATE_LIMITS.applicationsPerHour),
  /** `temporal-test-server`: the API and activities read the time from the time-skipping server at TEMPORAL_ADDRESS. */
  REVOLVE_CLOCK: z.enum(['system', 'temporal-test-server']).default('system'),
  SMS_PROVIDER: z.enum(['log', 'webhook']).default('log'),
  SMS_WEBHOOK_URL: z.string().url().optional(),
  /** With `webhook`: how long one POST may take before the attempt counts as failed (and is retried). */
  SMS_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  /** Face verification, the other channel of a closure's verification (activities/face-verification.ts); unset, the local stand-in (checks no face, labelled). */
  FACE_VERIFICATION_URL: z.string().url().optional(),
  /** How long one call to the face verification provider may take before the try counts as failed (and is tried again). */
  FACE_VERIFICATION_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(2000),
  /** The credit bureau: `GET <url>/<customerId>`; unset, the synthetic stand-in (labelled `synthetic` on every decision). */
  BUREAU_URL: z.string().url().optional(),
  BUREAU_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(3000),
  /** The platform's history of the customer on its other products, likewise; unset, the synthetic stand-in. */
  PLATFORM_HISTORY_URL: z.string().url().optional(),
  PLATFORM_HISTORY_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(3000),
  /**
   * Line runs a worker keeps in memory (Temporal's sticky cache; least recently used evicted, replayed
   * from history when next needed). Each costs memory that grows with its run (README "Sizing a worker").
   */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(2).max(1_000_000).default(1000),
  /** `revolve worker`: port of its `/metrics` and `/healthz` (0: none). `revolve start` shows the same figures on the API's `/metrics`. */
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  REVOLVE_DATA_DIR: z.string().min(1).default('.data'),
  /** Port of the embedded PostgreSQL (`revolve start` without DATABASE_URL). */
  REVOLVE_POSTGRES_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  REVOLVE_TOOLS_DIR: z.string().min(1).optional(),
  TEMPORAL_CLI_PATH: z.string().min(1).optional(),
  TEMPORAL_TEST_SERVER_PATH: z.string().min(1).optional(),
});

/** Secrets shipped in examples and templates: valid-looking, and known to everyone. */
const PLACEHOLDER_SECRETS = /change[-_ ]?me|placeholder|your[-_ ]?secret|^(secret|password|revolve)+$|^(.)\2+$/i;

export function isPlaceholderSecret(secret: string): boolean {
  return PLACEHOLDER_SECRETS.test(secret);
}

const envSchema = variables.superRefine((env, ctx) => {
  if (env.REVOLVE_CLOCK === 'temporal-test-server' && !env.TEMPORAL_ADDRESS) {
    ctx.addIssue({ code: 'custom', path: ['TEMPORAL_ADDRESS'], message: 'REVOLVE_CLOCK=temporal-test-server needs TEMPORAL_ADDRESS (the time-skipping test server)' });
  }
  if (env.SMS_PROVIDER === 'webhook' && !env.SMS_WEBHOOK_URL) {
    ctx.addIssue({ code: 'custom', path: ['SMS_WEBHOOK_URL'], message: 'SMS_WEBHOOK_URL is required when SMS_PROVIDER=webhook' });
  }
});

export type Env = z.infer<typeof envSchema>;

/** The variable names the code reads; docker-compose.yml is checked against this list. */
export const ENV_VARIABLES = Object.keys(variables.shape) as (keyof Env)[];

export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = envSchema.safeParse(Object.fromEntries(Object.entries(source).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
