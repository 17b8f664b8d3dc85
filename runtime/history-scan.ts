/**
 * Reads Temporal histories the way a person would search them for personal data. `fetchHistory()`
 * returns the proto History, whose payload `data` fields are bytes: `JSON.stringify` turns them into
 * base64 (protobuf's toJSON; `{"0":123,"1":34,…}` for a plain object), so a phone number inside a
 * payload can never be found that way. `historyText` decodes every payload (and every other byte
 * field) as UTF-8 and keeps every string field (failure messages, stack traces, identities, names),
 * one per line; `scanNamespace` reads every run of a namespace (or of a visibility query) and reports
 * personal data and failed workflow tasks. Payloads sealed by the deployment's codec
 * (runtime/payload-codec.ts) are opened first (`openHistory`): a sealed payload left in a history
 * makes `historyText` throw, so a scan can never pass by reading ciphertext.
 */
import type { Client } from '@temporalio/client';
import type { Payload, PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';
import { isSealed } from './payload-codec';

type History = proto.temporal.api.history.v1.IHistory;
const WorkflowTaskFailedCause = proto.temporal.api.enums.v1.WorkflowTaskFailedCause;

export interface HistoryScan {
  /** Executions listed (every run, continued-as-new runs and closed ones included). */
  workflows: number;
  events: number;
  /** WorkflowTaskFailed events (a nondeterminism error, a bug throwing in workflow code): none may exist. */
  workflowTaskFailures: { workflowId: string; runId: string; eventId: string; cause: string; message: string }[];
  /** Personal data found: the datum is masked (first 3 chars + '…'). */
  personalData: { workflowId: string; runId: string; datum: string }[];
  /** Work a vanished worker left behind (timed out, then retried elsewhere): evidence a crash hit work in flight. */
  timedOut: { workflowTasks: number; activities: number };
}

export interface ScanOptions {
  /** Strings that must not be in any history (phones, codes, names). Strings under 6 characters are skipped. */
  personal: string[];
  /** A visibility query (e.g. `TaskQueue="credit-lines"`); every execution of the namespace without one. */
  query?: string;
  /** Histories fetched at once (default 8). */
  concurrency?: number;
}

/** Shorter personal strings would match by chance (digits of timestamps, ids). */
const MIN_PERSONAL_LENGTH = 6;

/** The first 3 characters and an ellipsis: enough to tell which datum, never the datum itself. */
export const maskDatum = (datum: string): string => `${datum.slice(0, 3)}…`;

const utf8 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');

/** The string leaves of a parsed JSON value (undoes escapes such as \u6e29 or \" that raw text keeps). */
function jsonStrings(value: unknown, out: string[]): void {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) jsonStrings(v, out);
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) { out.push(k); jsonStrings(v, out); }
}

const PAYLOAD_FIELDS = new Set(['metadata', 'data', 'externalPayloads']);

/**
 * `{ metadata?, data?: bytes }`: a Payload (the only message with these fields). A decoded payload
 * without data has none of its own (the default, an empty array, is on its prototype).
 */
function isPayload(value: object): value is { metadata?: Record<string, Uint8Array> | null; data?: Uint8Array | null } {
  const keys = Object.keys(value);
  const data = (value as { data?: unknown }).data;
  return (keys.includes('data') || keys.includes('metadata')) && keys.every((k) => PAYLOAD_FIELDS.has(k))
    && (!Object.hasOwn(value, 'data') || data == null || data instanceof Uint8Array);
}

/**
 * A searchable text of a history: every payload's data decoded as UTF-8 (JSON payloads also with
 * their escapes undone), every metadata value, every other bytes field, every string field; one per
 * line, so a match cannot straddle two fields. Numbers (ids, times, enums) are left out.
 */
export function historyText(history: History): string {
  const out: string[] = [];
  const seen = new Set<object>();
  const walk = (value: unknown): void => {
    if (typeof value === 'string') {
      if (value) out.push(value);
      return;
    }
    if (value instanceof Uint8Array) {
      if (value.byteLength) out.push(utf8(value));
      return;
    }
    if (!value || typeof value !== 'object' || seen.has(value)) return;
    seen.add(value);
    if (Array.isArray(value)) {
      for (const v of value) walk(v);
      return;
    }
    if (isPayload(value)) {
      if (isSealed(value)) throw new Error('the history holds a sealed payload: open it first (openHistory / readableHistory)');
      const encoding = value.metadata?.encoding instanceof Uint8Array ? utf8(value.metadata.encoding) : '';
      for (const [k, v] of Object.entries(value.metadata ?? {})) {
        out.push(k);
        walk(v);
      }
      if (encoding === 'binary/null' || !value.data?.byteLength) return;
      const text = utf8(value.data);
      out.push(text);
      if (encoding.startsWith('json/') && text.includes('\\')) {
        try { jsonStrings(JSON.parse(text), out); } catch { /* not JSON after all: the raw text is there */ }
      }
      return;
    }
    // Own enumerable fields: a decoded proto message carries the fields it was sent; defaults are on its prototype.
    for (const v of Object.values(value)) walk(v);
  };
  walk(history);
  return out.join('\n');
}

/** Every payload in a history (each object `isPayload` recognises). */
function payloadsOf(history: History): Payload[] {
  const found: Payload[] = [];
  const seen = new Set<object>();
  const walk = (value: unknown): void => {
    if (!value || typeof value !== 'object' || value instanceof Uint8Array || seen.has(value)) return;
    seen.add(value);
    if (Array.isArray(value)) for (const v of value) walk(v);
    else if (isPayload(value)) found.push(value);
    else for (const v of Object.values(value)) walk(v);
  };
  walk(history);
  return found;
}

/**
 * The history with every sealed payload opened in place, through `codecs` (a client's
 * `options.loadedDataConverter.payloadCodecs`), decoding in reverse order as the SDK does.
 */
export async function openHistory(history: History, codecs: readonly PayloadCodec[]): Promise<History> {
  if (codecs.length === 0) return history;
  const payloads = payloadsOf(history);
  let opened: Payload[] = payloads.map((p) => ({ metadata: p.metadata, data: p.data }));
  for (const codec of [...codecs].reverse()) opened = await codec.decode(opened);
  payloads.forEach((p, i) => {
    p.metadata = opened[i]!.metadata;
    p.data = opened[i]!.data;
  });
  return history;
}

/** A run's history as a person reads it: fetched, its sealed payloads opened with the client's codecs. */
export async function readableHistory(client: Client, workflowId: string, runId?: string): Promise<History> {
  return openHistory(await client.workflow.getHandle(workflowId, runId).fetchHistory(), client.options.loadedDataConverter.payloadCodecs);
}

/** Runs `each` over `items` with at most `concurrency` at once. */
async function inPool<T>(items: T[], concurrency: number, each: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await each(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, lane));
}

/** gRPC NOT_FOUND: a listed run whose history is gone (retention) by the time it is read. */
const notFound = (err: unknown) => (err as { code?: unknown })?.code === 5;

/**
 * Reads the history of every execution `query` lists (every run: visibility lists each run of a
 * workflow id on its own, continued-as-new runs included) and reports failed workflow tasks and
 * where any `personal` string occurs. Found data is masked in the result: it may be printed.
 */
export async function scanNamespace(client: Client, opts: ScanOptions): Promise<HistoryScan> {
  const personal = [...new Set(opts.personal)].filter((p) => p.length >= MIN_PERSONAL_LENGTH);
  const runs: { workflowId: string; runId: string }[] = [];
  for await (const execution of client.workflow.list(opts.query ? { query: opts.query } : {})) {
    runs.push({ workflowId: execution.workflowId, runId: execution.runId });
  }
  const scan: HistoryScan = { workflows: runs.length, events: 0, workflowTaskFailures: [], personalData: [], timedOut: { workflowTasks: 0, activities: 0 } };
  await inPool(runs, opts.concurrency ?? 8, async ({ workflowId, runId }) => {
    let history: History;
    try {
      history = await readableHistory(client, workflowId, runId);
    } catch (err) {
      if (notFound(err)) return;
      throw err;
    }
    const events = history.events ?? [];
    scan.events += events.length;
    for (const event of events) {
      if (event.workflowTaskTimedOutEventAttributes) scan.timedOut.workflowTasks += 1;
      if (event.activityTaskTimedOutEventAttributes) scan.timedOut.activities += 1;
      const failed = event.workflowTaskFailedEventAttributes;
      if (!failed) continue;
      scan.workflowTaskFailures.push({
        workflowId, runId, eventId: String(event.eventId ?? ''),
        cause: WorkflowTaskFailedCause[failed.cause ?? 0] ?? String(failed.cause),
        message: failed.failure?.message ?? '',
      });
    }
    if (!personal.length) return;
    const text = historyText(history);
    for (const datum of personal) if (text.includes(datum)) scan.personalData.push({ workflowId, runId, datum: maskDatum(datum) });
  });
  const order = (a: { workflowId: string; runId: string }, b: { workflowId: string; runId: string }) =>
    a.workflowId.localeCompare(b.workflowId) || a.runId.localeCompare(b.runId);
  scan.workflowTaskFailures.sort((a, b) => order(a, b) || Number(a.eventId) - Number(b.eventId));
  scan.personalData.sort((a, b) => order(a, b) || a.datum.localeCompare(b.datum));
  return scan;
}
