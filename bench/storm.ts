/**
 * `npm run bench -- storm [--lines 2000] [--statement-day 5] …` / `revolve bench storm …`
 *
 * The statement storm, measured: N lines opened the same day with the same statement day, one
 * purchase each and nothing repaid, so every one of them is 1 day past due at the same midnight
 * (00:00 Asia/Shanghai of the day after the due date). On a time-skipping test server with the
 * worker in this process and a throwaway embedded PostgreSQL, the clock is skipped to the eve of
 * DPD 1, then past the midnight, and the real time is measured until every line's DPD 1 step is in
 * the read model (credit_lines SUSPENDED, the OVERDUE_NOTICE SMS and in-app message, the
 * COLLECTION_STEP audit row); then the same for the 08:00 hand-over of the N SMS to the (log)
 * provider. Histories of a sample of lines give the events per line of each step. Prints a markdown
 * table (also written to .data/storm-result.md).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import proto from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { sql } from 'drizzle-orm';
import { insertApplication } from '../db/applications';
import { connect, disconnect, type Database } from '../db/client';
import { applyMigrations } from '../db/migrate';
import { addDays, addMonths, cycleCloseInstant, dueDate, instantAt, instantMs, localDay, type Day } from '../domain/calendar';
import { STANDARD_PRODUCT } from '../domain/product';
import { registerSearchAttributes } from '../runtime/search-attributes';
import { createWorker } from '../runtime/worker';
import { freePort } from '../toolchain/ports';
import { startEmbeddedPostgres } from '../toolchain/postgres';
import { step } from '../toolchain/step';
import { resolveTestServer } from '../toolchain/test-server';
import { lineQuery, purchaseUpdate, updateIdFor, workflowIdFor, type CreditLineInput } from '../workflows/messages';
import { cpuBetween, cpuSnapshot, type CpuGroups } from './cpu';
import { percentiles, pool, type Percentiles } from './load';
import { markdownReport } from './report';
import { Cleanup, NAMESPACE, ROOT, TASK_QUEUE } from './stack';

const EventType = proto.temporal.api.enums.v1.EventType;
type HistoryEvent = proto.temporal.api.history.v1.IHistoryEvent;

export interface StormOptions {
  /** Lines opened, all with the same statement day (one customer each). */
  lines: number;
  statementDay: number;
  /** The one purchase each line makes (fen), never repaid. */
  amount: number;
  /** Lines opened at a time. */
  openConcurrency: number;
  /** Lines whose histories are read for the events per step. */
  historySample: number;
  /** Also measure the 08:00 hand-over of the N SMS to the provider. */
  sms: boolean;
  /** Longest wait for a phase to finish (s) before the run is called failed. */
  timeout: number;
  output: string;
}

export const STORM_DEFAULTS: StormOptions = {
  lines: 2000, statementDay: 5, amount: 100_000, openConcurrency: 20, historySample: 25, sms: true, timeout: 1800,
  output: path.join(ROOT, '.data', 'storm-result.md'),
};

const USAGE = `usage: bench storm [--lines ${STORM_DEFAULTS.lines}] [--statement-day ${STORM_DEFAULTS.statementDay}] [--amount ${STORM_DEFAULTS.amount}]
                   [--open-concurrency ${STORM_DEFAULTS.openConcurrency}] [--history-sample ${STORM_DEFAULTS.historySample}] [--no-sms]
                   [--timeout ${STORM_DEFAULTS.timeout}] [--output .data/storm-result.md]`;

export function parseStormArgs(argv: string[]): StormOptions {
  const options = { ...STORM_DEFAULTS };
  const numeric: Record<string, keyof StormOptions> = {
    '--lines': 'lines', '--statement-day': 'statementDay', '--amount': 'amount', '--open-concurrency': 'openConcurrency',
    '--history-sample': 'historySample', '--timeout': 'timeout',
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split('=', 2) as [string, string | undefined];
    const value = () => { const v = inline ?? argv[++i]; if (v === undefined) throw new Error(`${flag} needs a value\n${USAGE}`); return v; };
    if (flag in numeric) {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} must be a non-negative integer\n${USAGE}`);
      (options as Record<string, unknown>)[numeric[flag]!] = n;
    } else if (flag === '--no-sms') options.sms = false;
    else if (flag === '--output') options.output = path.resolve(value());
    else if (flag === '--help' || flag === '-h') throw new Error(USAGE);
    else throw new Error(`unknown option ${flag}\n${USAGE}`);
  }
  if (options.lines < 1 || options.openConcurrency < 1 || options.timeout < 1 || options.amount < 1) {
    throw new Error(`--lines, --amount, --open-concurrency and --timeout must be positive\n${USAGE}`);
  }
  if (options.statementDay < 1 || options.statementDay > 28) throw new Error(`--statement-day is 1 to 28\n${USAGE}`);
  return options;
}

const log = (message: string) => process.stderr.write(`[storm] ${message}\n`);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One phase of the storm: from the skip past its moment to everything in the read model. */
export interface PhaseReport {
  /** Server instant the phase fires at. */
  at: string;
  /** Real seconds from the skip to the last line done. */
  wallSeconds: number;
  /** Each part of the read model: real seconds until it held all N lines. */
  parts: Record<string, number>;
  /** Per line (database now() of its write, against the real time of the skip), seconds. */
  perLine: Percentiles;
  /** Workflow task that completed the step (server clock, which runs at real speed during the storm), seconds after the moment. */
  taskCompleted: Percentiles;
  cpu: CpuGroups;
  events: StepEvents;
}

export interface StepEvents {
  sampled: number;
  /** Average events of one line for this step, and the fewest / most in the sample. */
  avg: number; min: number; max: number;
  /** Average per line, by event type. */
  byType: Record<string, number>;
  /** Workflow tasks per line for the step. */
  workflowTasks: number;
}

export interface StormResult {
  options: StormOptions;
  machine: { cpus: number; cpuModel: string; node: string; memoryGb: number; loadBefore: number[]; loadAfter: number[] };
  statementDate: Day;
  dueDate: Day;
  /** A statement closes at the same midnight as DPD 1 (its close and continue-as-new share the task). */
  closeCoincides: boolean;
  openSeconds: number;
  rideSeconds: number;
  dpd1: PhaseReport;
  sms?: PhaseReport;
  avgEventsInRun: number;
  markdown: string;
}

export async function runStorm(partial: Partial<StormOptions> = {}): Promise<StormResult> {
  const options: StormOptions = { ...STORM_DEFAULTS, ...partial };
  const cleanup = new Cleanup();
  const onSignal = (signal: string) => {
    log(`${signal}: stopping everything ...`);
    void cleanup.run().finally(() => process.exit(130));
  };
  const onSigint = () => onSignal('SIGINT');
  const onSigterm = () => onSignal('SIGTERM');
  process.once('SIGINT', onSigint);
  process.once('SIGTERM', onSigterm);
  const loadBefore = os.loadavg();
  try {
    // ── A throwaway stack: PostgreSQL, the time-skipping server, the worker in this process ──
    const dataDir = path.resolve(ROOT, '.data', `storm-${process.pid}`);
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.mkdirSync(dataDir, { recursive: true });
    cleanup.add('data directory', () => fs.rmSync(dataDir, { recursive: true, force: true }));
    try {
      Runtime.install({ logger: new DefaultLogger('WARN') });
    } catch { /* a runtime already exists in this process: keep its logger */ }
    const [pg, executable] = await Promise.all([
      freePort().then((port) => startEmbeddedPostgres({ dataDir: path.join(dataDir, 'postgres'), port, database: 'revolve', throwaway: true })),
      resolveTestServer(),
    ]);
    cleanup.add('PostgreSQL', () => pg.stop());
    // As the production worker (runtime/stack.ts): a pool of 20.
    const db = connect(pg.url, { max: 20 });
    cleanup.add('database pool', () => disconnect(db));
    await step('Applying database migrations', () => applyMigrations(db));
    const env = await step('Starting the time-skipping test server', () => timeSkipping(executable));
    cleanup.add('time-skipping test server', () => env.teardown());
    await registerSearchAttributes(env.connection, NAMESPACE);
    const worker = await step('Starting the worker (in this process)', () => createWorker({
      connection: env.nativeConnection, namespace: NAMESPACE, taskQueue: TASK_QUEUE,
      // Activities act at the server's (skipped) time, as REVOLVE_CLOCK=temporal-test-server makes them.
      deps: { db, underwritingPolicy: STANDARD_PRODUCT.underwriting, clock: async () => new Date(await env.currentTimeMs()) },
    }));
    const running = worker.run();
    cleanup.add('worker', async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch((err: unknown) => log(`worker: ${String(err)}`));
    });
    const skipTo = async (instant: string) => {
      const ms = instantMs(instant) - await env.currentTimeMs();
      if (ms > 0) await env.sleep(ms);
    };

    // ── Lines: opened at noon (Shanghai) so that no line opens on another day than the rest ──
    await skipTo(instantAt(addDays(localDay(await env.currentTimeMs()), 1), '12:00'));
    log(`opening ${options.lines} lines with statement day ${options.statementDay} (${options.openConcurrency} at a time), one purchase of ${options.amount} fen each`);
    const openStarted = performance.now();
    const opened = await openLines(env, db, options);
    const openSeconds = (performance.now() - openStarted) / 1000;
    const statementDates = new Set(opened.map((l) => l.nextStatementDate));
    if (statementDates.size !== 1) throw new Error(`the lines have different statement dates: ${[...statementDates].join(', ')}`);
    const statementDate = opened[0]!.nextStatementDate;
    const due = dueDate(statementDate, STANDARD_PRODUCT);
    const dpd1Day = addDays(due, 1);
    const dpd1 = instantAt(dpd1Day, '00:00');
    const closeCoincides = [statementDate, addMonths(statementDate, 1)].some((d) => cycleCloseInstant(d) === dpd1);
    log(`${opened.length} lines open in ${openSeconds.toFixed(1)} s; statement ${statementDate}, due ${due}, DPD 1 at ${dpd1}${closeCoincides ? ' (a statement closes at the same midnight)' : ''}`);

    // ── To the eve of DPD 1: the statement closes, the reminders before the due date ──
    const eve = new Date(instantMs(dpd1) - 3600_000).toISOString();
    log(`skipping to ${eve} (1 h before DPD 1): statement close, reminders and their SMS on the way`);
    const rideStarted = performance.now();
    await skipTo(eve);
    await quiet(db, env, options);
    const rideSeconds = (performance.now() - rideStarted) / 1000;
    const before = await counts(db);
    if (before.active !== options.lines || before.suspended !== 0 || before.overdueSms !== 0) {
      throw new Error(`on the eve of DPD 1 expected ${options.lines} ACTIVE lines and no overdue notice, found ${JSON.stringify(before)}`);
    }
    log(`on the eve in ${rideSeconds.toFixed(1)} s (real): all ${options.lines} lines ACTIVE, SMS so far delivered`);

    // ── The storm: DPD 1 ──
    const dpd1Report = await phase(env, db, options, {
      name: 'DPD 1', at: dpd1,
      parts: {
        'credit_lines SUSPENDED': (c) => c.suspended,
        'OVERDUE_NOTICE SMS written (outbox)': (c) => c.overdueSms,
        'OVERDUE_NOTICE in-app written': (c) => c.overdueInApp,
        'COLLECTION_STEP audit rows': (c) => c.collectionSteps,
      },
      perLine: sql`SELECT (extract(epoch FROM recorded_at) * 1000)::float8 AS ms FROM audit_log WHERE action = 'COLLECTION_STEP'`,
    });

    // ── 08:00: the N SMS handed to the provider ──
    let smsReport: PhaseReport | undefined;
    if (options.sms) {
      const eight = instantAt(dpd1Day, '08:00');
      await skipTo(new Date(instantMs(eight) - 3600_000).toISOString());
      await quiet(db, env, options);
      smsReport = await phase(env, db, options, {
        name: '08:00 SMS', at: eight,
        parts: { 'OVERDUE_NOTICE SMS DELIVERED': (c) => c.overdueSmsDelivered },
        perLine: sql`SELECT (extract(epoch FROM a.attempted_at) * 1000)::float8 AS ms FROM message_attempts a JOIN messages m ON m.id = a.message_id
                     WHERE a.result = 'DELIVERED' AND m.template = 'OVERDUE_NOTICE' AND m.channel = 'SMS'`,
      });
    }

    // ── Events per line per step, from a sample of histories ──
    const sample = opened.slice(0, Math.min(options.historySample, opened.length)).map((l) => workflowIdFor(l.creditLineId));
    const histories = await pool(sample, 10, async (id) => (await env.client.workflow.getHandle(id).fetchHistory()).events ?? []);
    dpd1Report.events = stepEvents(histories, dpd1);
    dpd1Report.taskCompleted = taskCompleted(histories, dpd1);
    if (smsReport) {
      smsReport.events = stepEvents(histories, smsReport.at);
      smsReport.taskCompleted = taskCompleted(histories, smsReport.at);
    }
    const avgEventsInRun = histories.reduce((a, h) => a + h.length, 0) / Math.max(1, histories.length);

    const result: Omit<StormResult, 'markdown'> = {
      options,
      machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? '?', node: process.version, memoryGb: os.totalmem() / 2 ** 30, loadBefore, loadAfter: os.loadavg() },
      statementDate, dueDate: due, closeCoincides, openSeconds, rideSeconds, dpd1: dpd1Report, sms: smsReport, avgEventsInRun,
    };
    const markdown = render(result);
    fs.mkdirSync(path.dirname(options.output), { recursive: true });
    fs.writeFileSync(options.output, markdown);
    process.stdout.write(`\n${markdown}\n`);
    log(`written to ${path.relative(process.cwd(), options.output) || options.output}`);
    return { ...result, markdown };
  } finally {
    await cleanup.run();
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
  }
}

/** The SDK gives a starting server 5 s; a cold JVM on a loaded machine can miss that, so the start is retried. */
async function timeSkipping(executable: Awaited<ReturnType<typeof resolveTestServer>>): Promise<TestWorkflowEnvironment> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await TestWorkflowEnvironment.createTimeSkipping({ server: { executable } });
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
}

interface OpenedLine { creditLineId: string; nextStatementDate: Day }

/** Each line as the API opens one (application row, then its workflow), then one purchase once it is open. */
async function openLines(env: TestWorkflowEnvironment, db: Database, options: StormOptions): Promise<OpenedLine[]> {
  let done = 0;
  const progress = setInterval(() => log(`  ${done} / ${options.lines} open`), 10_000);
  try {
    return await pool(Array.from({ length: options.lines }, (_, i) => i), options.openConcurrency, async (index): Promise<OpenedLine> => {
      const input: CreditLineInput = {
        applicationId: `app_${randomUUID()}`, creditLineId: `cl_${randomUUID()}`, customerId: `storm-${index}`,
        productId: STANDARD_PRODUCT.id, statementDay: options.statementDay,
      };
      const received = await insertApplication(db, { ...input, phone: '13800138000', monthlyIncome: 5_000_000, employmentMonths: 120, age: 35 });
      if (!received.inserted) throw new Error(`customer ${input.customerId} already has an application`);
      const handle = await env.client.workflow.start('creditLine', { workflowId: workflowIdFor(input.creditLineId), taskQueue: TASK_QUEUE, args: [input] });
      let line = await handle.query(lineQuery);
      for (let i = 0; !line; i++) {
        if (i >= 600) throw new Error(`line ${input.creditLineId} did not open within a minute`);
        await sleep(100);
        line = await handle.query(lineQuery);
      }
      const key = `storm-${index}`;
      const requestHash = key.padEnd(64, '0');
      const answer = await handle.executeUpdate(purchaseUpdate, {
        args: [{ merchantId: 'self-operated', amount: options.amount, key, requestHash }],
        updateId: updateIdFor(purchaseUpdate.name, key, requestHash),
      });
      if (!answer.ok) throw new Error(`purchase on ${input.creditLineId} refused: ${answer.code}`);
      done += 1;
      return { creditLineId: input.creditLineId, nextStatementDate: line.nextStatementDate };
    });
  } finally {
    clearInterval(progress);
  }
}

interface Counts {
  active: number; suspended: number; overdueSms: number; overdueInApp: number; collectionSteps: number; overdueSmsDelivered: number;
  /** SMS due by the server's time and not delivered yet. */
  smsOwed: number;
}

async function counts(db: Database, serverNow?: string): Promise<Counts> {
  const { rows } = await db.execute<Record<keyof Counts, number>>(sql`SELECT
    (SELECT count(*) FROM credit_lines WHERE status = 'ACTIVE')::int AS active,
    (SELECT count(*) FROM credit_lines WHERE status = 'SUSPENDED' AND 'OVERDUE' = ANY(suspension_reasons))::int AS "suspended",
    (SELECT count(DISTINCT credit_line_id) FROM messages WHERE template = 'OVERDUE_NOTICE' AND channel = 'SMS')::int AS "overdueSms",
    (SELECT count(DISTINCT credit_line_id) FROM messages WHERE template = 'OVERDUE_NOTICE' AND channel = 'IN_APP')::int AS "overdueInApp",
    (SELECT count(DISTINCT credit_line_id) FROM audit_log WHERE action = 'COLLECTION_STEP')::int AS "collectionSteps",
    (SELECT count(DISTINCT credit_line_id) FROM messages WHERE template = 'OVERDUE_NOTICE' AND channel = 'SMS' AND status = 'DELIVERED')::int AS "overdueSmsDelivered",
    (SELECT count(*) FROM messages WHERE channel = 'SMS' AND status = 'PENDING' AND send_at <= ${serverNow ?? new Date(0).toISOString()}::timestamptz)::int AS "smsOwed"`);
  return rows[0] as unknown as Counts;
}

/** Nothing left to do before the next moment: every SMS due is delivered and no line has written for 2 s. */
async function quiet(db: Database, env: TestWorkflowEnvironment, options: StormOptions): Promise<void> {
  const deadline = Date.now() + options.timeout * 1000;
  for (;;) {
    const now = new Date(await env.currentTimeMs()).toISOString();
    const c = await counts(db, now);
    const { rows } = await db.execute<{ idle: boolean }>(sql`SELECT coalesce(max(updated_at) < now() - interval '2 seconds', true) AS idle FROM credit_lines`);
    if (c.smsOwed === 0 && rows[0]?.idle) return;
    if (Date.now() > deadline) throw new Error(`not quiet after ${options.timeout} s: ${JSON.stringify(c)}`);
    await sleep(500);
  }
}

/**
 * Skips the server past `at`, then polls the read model until every part holds all N lines. The
 * skip lands on the moment at once (the server is idle before it); from there the server's clock
 * runs at real speed while work is outstanding, so 1 s past the moment is enough.
 */
async function phase(env: TestWorkflowEnvironment, db: Database, options: StormOptions, p: {
  name: string; at: string; parts: Record<string, (c: Counts) => number>; perLine: ReturnType<typeof sql>;
}): Promise<PhaseReport> {
  const n = options.lines;
  const remaining = instantMs(p.at) - await env.currentTimeMs();
  const cpuBefore = cpuSnapshot({ worker: -1, api: -1 });
  const started = Date.now();
  log(`${p.name}: skipping past ${p.at} (${(remaining / 60_000).toFixed(0)} min of server time) and waiting for ${n} lines`);
  const skip = env.sleep(remaining + 1000);
  const doneAt: Record<string, number> = {};
  let lastLog = started;
  for (;;) {
    const c = await counts(db);
    const now = Date.now();
    for (const [part, value] of Object.entries(p.parts)) if (doneAt[part] === undefined && value(c) >= n) doneAt[part] = (now - started) / 1000;
    if (Object.keys(doneAt).length === Object.keys(p.parts).length) break;
    if (now - lastLog >= 5000) {
      lastLog = now;
      log(`  ${p.name} +${((now - started) / 1000).toFixed(0)} s: ${Object.entries(p.parts).map(([part, value]) => `${part} ${value(c)}`).join(', ')}`);
    }
    if (now - started > options.timeout * 1000) throw new Error(`${p.name}: not done after ${options.timeout} s: ${JSON.stringify(c)}`);
    await sleep(200);
  }
  const cpu = cpuBetween(cpuBefore, cpuSnapshot({ worker: -1, api: -1 }));
  await skip;
  const wallSeconds = Math.max(...Object.values(doneAt));
  const { rows } = await db.execute<{ ms: number }>(p.perLine);
  const perLine = percentiles(rows.map((r) => (Number(r.ms) - started) / 1000));
  log(`${p.name}: all ${n} lines done in ${wallSeconds.toFixed(1)} s (${(n / wallSeconds).toFixed(0)} lines/s); per line p50 ${perLine.p50.toFixed(1)} s, p99 ${perLine.p99.toFixed(1)} s`);
  const noEvents: StepEvents = { sampled: 0, avg: NaN, min: NaN, max: NaN, byType: {}, workflowTasks: NaN };
  return { at: p.at, wallSeconds, parts: doneAt, perLine, taskCompleted: percentiles([]), cpu, events: noEvents };
}

// ── Histories ───────────────────────────────────────────────────────────────────────────────────

const ms = (t: proto.google.protobuf.ITimestamp | null | undefined): number => (t ? Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6 : NaN);
const typeName = (e: HistoryEvent): string => (EventType[e.eventType ?? 0] ?? String(e.eventType)).replace(/^EVENT_TYPE_/, '');

/** The events of one step: from the timer that fired at its moment up to (not including) the next timer firing, or the end. */
function stepRange(events: HistoryEvent[], at: string): HistoryEvent[] | null {
  const moment = instantMs(at);
  const first = events.findIndex((e) => e.eventType === EventType.EVENT_TYPE_TIMER_FIRED && ms(e.eventTime) >= moment);
  if (first < 0) return null;
  let end = events.findIndex((e, i) => i > first && e.eventType === EventType.EVENT_TYPE_TIMER_FIRED);
  if (end < 0) end = events.length;
  return events.slice(first, end);
}

function stepEvents(histories: HistoryEvent[][], at: string): StepEvents {
  const ranges = histories.map((h) => stepRange(h, at)).filter((r): r is HistoryEvent[] => r !== null);
  const byType: Record<string, number> = {};
  for (const r of ranges) for (const e of r) byType[typeName(e)] = (byType[typeName(e)] ?? 0) + 1;
  const sizes = ranges.map((r) => r.length);
  const per = (v: number) => v / Math.max(1, ranges.length);
  return {
    sampled: ranges.length,
    avg: per(sizes.reduce((a, b) => a + b, 0)), min: Math.min(...sizes), max: Math.max(...sizes),
    byType: Object.fromEntries(Object.entries(byType).map(([k, v]) => [k, per(v)])),
    workflowTasks: per(byType.WORKFLOW_TASK_COMPLETED ?? 0),
  };
}

/** Server time of the step's last workflow task completion, seconds after its moment. */
function taskCompleted(histories: HistoryEvent[][], at: string): Percentiles {
  return percentiles(histories.map((h) => stepRange(h, at)).filter((r): r is HistoryEvent[] => r !== null).map((r) => {
    const completed = r.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED).at(-1);
    return (ms(completed?.eventTime) - instantMs(at)) / 1000;
  }).filter(Number.isFinite));
}

// ── Report ──────────────────────────────────────────────────────────────────────────────────────

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '—');
const pct = (p: Percentiles) => `${fmt(p.p50)} / ${fmt(p.p90)} / ${fmt(p.p99)} / ${fmt(p.max)}`;
const cpuText = (c: CpuGroups) => Object.entries(c).sort((a, b) => b[1] - a[1])
  .map(([k, v]) => `${k === 'bench process' ? 'bench process (worker)' : k === 'java' ? 'test server (java)' : k} ${v.toFixed(2)}`).join(', ');

function phaseRows(title: string, r: PhaseReport, n: number): [string, string][] {
  const e = r.events;
  return [
    [`**${title}**`, ''],
    ['all lines done (real s from the skip)', fmt(r.wallSeconds)],
    ['throughput (lines/s)', fmt(n / r.wallSeconds, 0)],
    ...Object.entries(r.parts).map(([part, s]): [string, string] => [`${part}: all N by (s)`, fmt(s)]),
    ['per line, done after (s) p50 / p90 / p99 / max', pct(r.perLine)],
    [`workflow task completed (server clock, sample of ${r.taskCompleted.n}; s) p50 / p90 / p99 / max`, pct(r.taskCompleted)],
    ['CPU (cores, of ' + os.cpus().length + ')', cpuText(r.cpu)],
    [`events per line for the step (sample of ${e.sampled}) avg (min–max)`, `${fmt(e.avg, 1)} (${fmt(e.min, 0)}–${fmt(e.max, 0)})`],
    ['… by type (per line)', Object.entries(e.byType).map(([k, v]) => `${k} ${fmt(v, 2)}`).join(', ')],
    ['workflow tasks per line for the step', fmt(e.workflowTasks, 2)],
  ];
}

function render(r: Omit<StormResult, 'markdown'>): string {
  const o = r.options;
  const rows: [string, string][] = [
    ['**Parameters**', ''],
    ['lines (one customer each, same statement day)', String(o.lines)],
    ['statement day / statement date / due date', `${o.statementDay} / ${r.statementDate} / ${r.dueDate}`],
    ['DPD 1 (00:00 Asia/Shanghai)', `${instantAt(addDays(r.dueDate, 1), '00:00')}${r.closeCoincides ? ' — a statement closes at the same midnight' : ' — no statement close at that midnight'}`],
    ['purchase per line (fen, unpaid)', String(o.amount)],
    ['stack', 'time-skipping test server (Java), worker in the bench process (production worker options, DB pool 20), embedded PostgreSQL (fsync off), SMS `log` provider'],
    ['**Machine**', ''],
    ['CPUs', `${r.machine.cpus} × ${r.machine.cpuModel}`],
    ['memory', `${r.machine.memoryGb.toFixed(0)} GB`],
    ['Node', r.machine.node],
    ['load average before / after (1 min)', `${fmt(r.machine.loadBefore[0]!, 2)} / ${fmt(r.machine.loadAfter[0]!, 2)}`],
    ['**Getting there (not the storm)**', ''],
    ['open N lines + 1 purchase each (real s)', fmt(r.openSeconds)],
    ['skip to 1 h before DPD 1: statement close, 3 reminders and their SMS (real s)', fmt(r.rideSeconds)],
    ...phaseRows('DPD 1 storm: suspension, OVERDUE_NOTICE SMS + in-app, audit, read model', r.dpd1, o.lines),
    ...(r.sms ? phaseRows('08:00: the N OVERDUE_NOTICE SMS handed to the provider (deliverSms activity)', r.sms, o.lines) : []),
    ['**History**', ''],
    ['events in the current run after both steps (avg, sample)', fmt(r.avgEventsInRun)],
  ];
  return markdownReport('Revolve statement storm', `${o.lines} lines overdue at the same midnight. "Per line" is the database's now() of the line's write (audit row; SMS attempt) against the real time of the skip; "events per line for the step" counts from the timer firing at the step's moment up to the next timer firing.`, rows);
}

// ── Command line ────────────────────────────────────────────────────────────────────────────────

export async function main(argv: string[]): Promise<number> {
  let options: StormOptions;
  try {
    options = parseStormArgs(argv);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  try {
    await runStorm(options);
    return 0;
  } catch (err) {
    process.stderr.write(`bench storm: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}
