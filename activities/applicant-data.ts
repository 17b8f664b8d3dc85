/**
 * Where underwriting gets what the applicant did not declare (PRODUCT §3): a credit bureau report and
 * the customer's history on the platform's other products, each behind one interface.
 *
 * - `http` (BUREAU_URL / PLATFORM_HISTORY_URL set): `GET <url>/<customerId>` answering JSON with the
 *   report's fields (integers ≥ 0; the bureau's `outstandingDebt` in fen, without this line's own
 *   balance). A 5xx, 408 or 429, a timeout or a network error throws a retryable failure, so the
 *   activity's retry policy tries again; any other 4xx, or a body that is not such a report, is
 *   non-retryable (`…_REQUEST_REFUSED`, `…_REPORT_INVALID`): trying again cannot help.
 * - `synthetic` (the embedded default, URL unset): a stand-in, labelled as such on every report and
 *   every decision. It derives a plausible, ordinary report from a hash of the customer id: a clean
 *   record (no delinquency, no late repayment) of middling depth, so the declared features decide
 *   and the same applicant always gets the same answer. It never invents bad news about a customer.
 */
import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import type { BureauReport, PlatformHistory, ReportSource } from '../domain/scoring/features';

export interface BureauProvider {
  readonly source: ReportSource;
  fetch(customerId: string): Promise<BureauReport>;
}

export interface PlatformHistoryProvider {
  readonly source: ReportSource;
  fetch(customerId: string): Promise<PlatformHistory>;
}

export interface ApplicantDataProviders {
  bureau: BureauProvider;
  platformHistory: PlatformHistoryProvider;
}

// ── The synthetic stand-ins ─────────────────────────────────────────────────────────────────────

/**
 * Every value the synthetic providers can give, inclusive. Kept within bins of the scorecard that
 * score close together (a test proves the standard applicants get the same decision for any id).
 */
export const SYNTHETIC_RANGES = {
  accountAgeMonths: [24, 95],
  ordersLast12Months: [8, 10],
  onTimeRepayments: [0, 11],
  lateRepayments: [0, 0],
  openCreditAccounts: [1, 4],
  delinquencies24Months: [0, 0],
  inquiries6Months: [0, 1],
  /** Hundreds of yuan: 0 to 8,000 yuan. */
  outstandingDebtHundredsOfYuan: [0, 80],
} as const satisfies Record<string, readonly [number, number]>;

/** A value in each range, picked by two bytes of a hash of the customer id (per report kind). */
function picker(kind: string, customerId: string) {
  const digest = createHash('sha256').update(`revolve-synthetic:${kind}:${customerId}`).digest();
  let offset = 0;
  return (name: keyof typeof SYNTHETIC_RANGES): number => {
    const [from, to] = SYNTHETIC_RANGES[name];
    const value = from + (digest.readUInt16BE(offset) % (to - from + 1));
    offset += 2;
    return value;
  };
}

export const syntheticBureau: BureauProvider = {
  source: 'synthetic',
  async fetch(customerId) {
    const pick = picker('bureau', customerId);
    return {
      source: 'synthetic',
      openCreditAccounts: pick('openCreditAccounts'),
      delinquencies24Months: pick('delinquencies24Months'),
      inquiries6Months: pick('inquiries6Months'),
      outstandingDebt: pick('outstandingDebtHundredsOfYuan') * 10_000,
    };
  },
};

export const syntheticPlatformHistory: PlatformHistoryProvider = {
  source: 'synthetic',
  async fetch(customerId) {
    const pick = picker('platform-history', customerId);
    return {
      source: 'synthetic',
      accountAgeMonths: pick('accountAgeMonths'),
      ordersLast12Months: pick('ordersLast12Months'),
      onTimeRepayments: pick('onTimeRepayments'),
      lateRepayments: pick('lateRepayments'),
    };
  },
};

/** Both stand-ins: what runs when no provider URL is configured. */
export const SYNTHETIC_PROVIDERS: ApplicantDataProviders = { bureau: syntheticBureau, platformHistory: syntheticPlatformHistory };

// ── Over HTTP ───────────────────────────────────────────────────────────────────────────────────

const count = z.number().int().min(0).max(1_000_000);
const bureauBody = z.object({
  openCreditAccounts: count, delinquencies24Months: count, inquiries6Months: count,
  outstandingDebt: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
});
const platformHistoryBody = z.object({ accountAgeMonths: count, ordersLast12Months: count, onTimeRepayments: count, lateRepayments: count });

export interface HttpProviderOptions {
  /** Base URL; the customer id is appended as the last path segment. */
  url: string;
  timeoutMs: number;
}

/** Statuses that may pass: the provider is busy or briefly down. */
const RETRYABLE_STATUS = (status: number) => status >= 500 || status === 408 || status === 429;

/**
 * One GET, its failure classified for Temporal. Messages name the provider and the status only: the
 * URL may carry a credential, and the report is about a person.
 */
async function getReport<T>(what: { name: string; errorPrefix: string }, opts: HttpProviderOptions, customerId: string, schema: z.ZodType<T>): Promise<T> {
  const url = `${opts.url.replace(/\/+$/, '')}/${encodeURIComponent(customerId)}`;
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(opts.timeoutMs) });
    // Inside the timeout too: a body that stalls is as unavailable as a server that does not answer.
    text = await res.text();
  } catch (err) {
    const e = err as { name?: string; cause?: { code?: string } };
    const why = e.name === 'TimeoutError' ? `no answer within ${opts.timeoutMs} ms` : `network error ${e.cause?.code ?? e.name ?? 'unknown'}`;
    throw ApplicationFailure.retryable(`${what.name}: ${why}`, `${what.errorPrefix}_UNAVAILABLE`);
  }
  if (RETRYABLE_STATUS(res.status)) throw ApplicationFailure.retryable(`${what.name} answered HTTP ${res.status}`, `${what.errorPrefix}_UNAVAILABLE`);
  if (!res.ok) throw ApplicationFailure.nonRetryable(`${what.name} refused the request: HTTP ${res.status}`, `${what.errorPrefix}_REQUEST_REFUSED`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw ApplicationFailure.nonRetryable(`${what.name} answered a body that is not JSON`, `${what.errorPrefix}_REPORT_INVALID`);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    // The fields at fault, never their values.
    const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(body)'))].join(', ');
    throw ApplicationFailure.nonRetryable(`${what.name} answered a malformed report (${fields})`, `${what.errorPrefix}_REPORT_INVALID`);
  }
  return parsed.data;
}

export function httpBureau(opts: HttpProviderOptions): BureauProvider {
  return {
    source: 'http',
    async fetch(customerId) {
      return { source: 'http', ...(await getReport({ name: 'bureau', errorPrefix: 'BUREAU' }, opts, customerId, bureauBody)) };
    },
  };
}

export function httpPlatformHistory(opts: HttpProviderOptions): PlatformHistoryProvider {
  return {
    source: 'http',
    async fetch(customerId) {
      return { source: 'http', ...(await getReport({ name: 'platform history', errorPrefix: 'PLATFORM_HISTORY' }, opts, customerId, platformHistoryBody)) };
    },
  };
}

/** The providers the configuration names: HTTP where a URL is set, the synthetic stand-in where not. */
export function applicantDataProviders(opts: { bureauUrl?: string; bureauTimeoutMs: number; platformHistoryUrl?: string; platformHistoryTimeoutMs: number }): ApplicantDataProviders {
  return {
    bureau: opts.bureauUrl ? httpBureau({ url: opts.bureauUrl, timeoutMs: opts.bureauTimeoutMs }) : SYNTHETIC_PROVIDERS.bureau,
    platformHistory: opts.platformHistoryUrl ? httpPlatformHistory({ url: opts.platformHistoryUrl, timeoutMs: opts.platformHistoryTimeoutMs }) : SYNTHETIC_PROVIDERS.platformHistory,
  };
}

/** Both reports for one customer, fetched together. */
export async function fetchApplicantData(providers: ApplicantDataProviders, customerId: string): Promise<{ bureau: BureauReport; platform: PlatformHistory }> {
  const [bureau, platform] = await Promise.all([providers.bureau.fetch(customerId), providers.platformHistory.fetch(customerId)]);
  return { bureau, platform };
}
