/**
 * `npm run bench` / `revolve bench` / `tsx bench/main.ts [--lines 200] [--rate 50] [--duration 30] [--warmup 5] …`
 *
 * Starts a throwaway stack, opens N credit lines over HTTP, drives purchases at a fixed rate, and in
 * the same run measures a bare no-op Update on the same Temporal server at the same rate; prints a
 * markdown table (also written to .data/bench-result.md). Exits 0 unless the stack failed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { and, eq, gte, inArray, sql } from 'drizzle-orm';
import { createLedgerActivities } from '../activities/ledger';
import { issueToken } from '../api/auth';
import { creditLines } from '../db/schema';
import { decide, type CreditLineState } from '../domain/line';
import { STANDARD_PRODUCT } from '../domain/product';
import { lineQuery, purchaseUpdate, updateIdFor, workflowIdFor } from '../workflows/messages';
import { cpuBetween, cpuSnapshot, type CpuGroups } from './cpu';
import { analyseHistories, type HistoryReport } from './history';
import { autocannonPhase, HttpClient, httpOutcome, openLoop, percentiles, pool, type Outcome, type PhaseResult } from './load';
import { noopUpdate } from './noop-workflow';
import { summariseProfile } from './profile';
import { markdownReport } from './report';
import { Cleanup, ROOT, RssSampler, startStack, tail, type Stack } from './stack';

/** A purchase's amount, fen: 51 to 150 yuan. */
const BENCH_AMOUNT = (): number => 5_100 + Math.floor(Math.random() * 9_900);

export interface BenchOptions {
  /** Credit lines opened (one customer each). */
  lines: number;
  /** Purchases (and no-op Updates) per second. */
  rate: number;
  /** Measured seconds per phase. */
  duration: number;
  /** Unmeasured seconds before each phase. */
  warmup: number;
  /** Concurrent applications while opening lines. */
  openConcurrency: number;
  /** No-op workflows the baseline spreads its Updates over (default: as many as lines). */
  noopWorkflows: number;
  /** `open-loop`: evenly spaced sends; `autocannon`: autocannon's overallRate (bursts at each second). */
  driver: 'open-loop' | 'autocannon';
  /** autocannon connections. */
  connections: number;
  /** Also measure the pieces: GET of a line (HTTP + auth + DB), the purchase Update sent straight to Temporal, the ledger write alone. */
  breakdown: boolean;
  /** Lines whose histories are read after the run. */
  historySample: number;
  /** Where the table is written. */
  output: string;
  /** Run the worker under `node --cpu-prof` and add where its CPU went to the report (distorts the figures a little). */
  profileWorker: boolean;
}

export const DEFAULTS: BenchOptions = {
  lines: 200, rate: 50, duration: 30, warmup: 5, openConcurrency: 20, noopWorkflows: 0, driver: 'open-loop', connections: 50,
  breakdown: false, historySample: 25, output: path.join(ROOT, '.data', 'bench-result.md'), profileWorker: false,
};

const USAGE = `usage: bench [--lines ${DEFAULTS.lines}] [--rate ${DEFAULTS.rate}] [--duration ${DEFAULTS.duration}] [--warmup ${DEFAULTS.warmup}]
             [--open-concurrency 20] [--noop-workflows <lines>] [--driver open-loop|autocannon] [--connections 50]
             [--breakdown] [--profile-worker] [--history-sample 25] [--output .data/bench-result.md]
       bench storm [--lines 2000] … (the statement storm: bench storm --help)`;

export function parseBenchArgs(argv: string[]): BenchOptions {
  const options = { ...DEFAULTS };
  const numeric: Record<string, keyof BenchOptions> = {
    '--lines': 'lines', '--rate': 'rate', '--duration': 'duration', '--warmup': 'warmup', '--open-concurrency': 'openConcurrency',
    '--noop-workflows': 'noopWorkflows', '--connections': 'connections', '--history-sample': 'historySample',
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split('=', 2) as [string, string | undefined];
    const value = () => { const v = inline ?? argv[++i]; if (v === undefined) throw new Error(`${flag} needs a value\n${USAGE}`); return v; };
    if (flag in numeric) {
      const n = Number(value());
      if (!Number.isFinite(n) || n < 0) throw new Error(`${flag} must be a non-negative number\n${USAGE}`);
      (options as Record<string, unknown>)[numeric[flag]!] = n;
    } else if (flag === '--driver') {
      const v = value();
      if (v !== 'open-loop' && v !== 'autocannon') throw new Error(`--driver is open-loop or autocannon\n${USAGE}`);
      options.driver = v;
    } else if (flag === '--breakdown') options.breakdown = true;
    else if (flag === '--profile-worker') options.profileWorker = true;
    else if (flag === '--output') options.output = path.resolve(value());
    else if (flag === '--help' || flag === '-h') throw new Error(USAGE);
    else throw new Error(`unknown option ${flag}\n${USAGE}`);
  }
  if (options.lines < 1 || options.rate < 1 || options.duration <= 0) throw new Error(`--lines, --rate and --duration must be positive\n${USAGE}`);
  return options;
}

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

interface Line { index: number; creditLineId: string; token: string; forwardedFor: string }

export interface BenchResult {
  options: BenchOptions;
  machine: { cpus: number; cpuModel: string; node: string; memoryGb: number; loadBefore: number[]; loadAfter: number[] };
  openSeconds: number;
  purchases: PhaseResult;
  noop: PhaseResult;
  getLine?: PhaseResult;
  directPurchase?: PhaseResult;
  ledgerWrite?: PhaseResult;
  cpu: { purchases: CpuGroups; noop: CpuGroups };
  workerRss: { maxMb: number; maxTreeMb: number; afterOpenMb: number; endMb: number };
  history: HistoryReport;
  noopHistory: HistoryReport;
  markdown: string;
}

export async function runBench(partial: Partial<BenchOptions> = {}): Promise<BenchResult> {
  const options: BenchOptions = { ...DEFAULTS, ...partial };
  const noopWorkflows = options.noopWorkflows || options.lines;
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
  let stack: Stack | undefined;
  try {
    const profileDir = path.join(ROOT, '.data', `bench-profile-${process.pid}`);
    if (options.profileWorker) fs.mkdirSync(profileDir, { recursive: true });
    stack = await startStack(cleanup, options.profileWorker ? { workerNodeFlags: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] } : {});
    const rss = new RssSampler(stack.worker.pid);
    rss.start();
    cleanup.add('memory sampler', () => rss.stop());
    const http = new HttpClient(stack.apiUrl);
    cleanup.add('HTTP client', () => http.close());

    // ── Lines ──
    const openStarted = performance.now();
    const lines = await openLines(stack, http, options);
    const openSeconds = (performance.now() - openStarted) / 1000;
    rss.sample();
    const afterOpenMb = rss.lastLargestMb;
    log(`${lines.length} lines ACTIVE in ${openSeconds.toFixed(1)} s; worker RSS ${afterOpenMb.toFixed(0)} MB`);

    // ── Purchases over HTTP ──
    let purchaseSeq = 0;
    const nextPurchase = () => {
      const line = lines[Math.floor(Math.random() * lines.length)]!;
      return {
        method: 'POST',
        path: `/v1/credit-lines/${line.creditLineId}/purchases`,
        headers: {
          authorization: `Bearer ${line.token}`,
          'idempotency-key': `bench-${process.pid}-${purchaseSeq++}`,
          // Each customer is its own client behind the load balancer (the API trusts loopback proxies),
          // so the per-client rate limit sees 1,000 customers, not one benchmark.
          'x-forwarded-for': line.forwardedFor,
          'content-type': 'application/json',
        },
        // 51 to 150 yuan: above the velocity rule's 50 yuan (PRODUCT §8; the rule is still evaluated on every
        // purchase), so a line bought from several times a minute is not taken for a fraud burst; every one approves.
        body: JSON.stringify({ merchantId: 'self-operated', amount: BENCH_AMOUNT(), description: 'bench' }),
      };
    };
    const purchasePhase = async (seconds: number): Promise<PhaseResult> => {
      if (options.driver === 'autocannon') {
        return autocannonPhase({ url: stack!.apiUrl.href, rate: options.rate, durationS: seconds, connections: options.connections, next: nextPurchase });
      }
      return openLoop({
        rate: options.rate, durationS: seconds,
        fire: async () => { const r = nextPurchase(); return httpOutcome(await http.request(r.method, r.path, r.headers, JSON.parse(r.body))); },
      });
    };
    if (options.warmup > 0) {
      log(`purchases: warm-up ${options.warmup} s at ${options.rate}/s (${options.driver})`);
      await purchasePhase(options.warmup);
    }
    log(`purchases: measuring ${options.duration} s at ${options.rate}/s over ${lines.length} lines`);
    const cpuBefore = cpuSnapshot({ worker: stack.worker.pid, api: stack.api.pid });
    const purchases = await purchasePhase(options.duration);
    const purchaseCpu = cpuBetween(cpuBefore, cpuSnapshot({ worker: stack.worker.pid, api: stack.api.pid }));
    log(`purchases: ${summary(purchases)}`);

    // ── The pieces, on request ──
    let getLine: PhaseResult | undefined;
    let directPurchase: PhaseResult | undefined;
    let ledgerWrite: PhaseResult | undefined;
    if (options.breakdown) {
      const pick = () => lines[Math.floor(Math.random() * lines.length)]!;
      log(`breakdown: GET /v1/credit-lines/{id} for ${options.duration} s at ${options.rate}/s`);
      getLine = await openLoop({
        rate: options.rate, durationS: options.duration,
        fire: async () => {
          const line = pick();
          return httpOutcome(await http.request('GET', `/v1/credit-lines/${line.creditLineId}`, { authorization: `Bearer ${line.token}`, 'x-forwarded-for': line.forwardedFor }));
        },
      });
      log(`breakdown: GET: ${summary(getLine)}`);
      log(`breakdown: purchase Update straight to Temporal for ${options.duration} s at ${options.rate}/s`);
      let directSeq = 0;
      directPurchase = await openLoop({
        rate: options.rate, durationS: options.duration,
        fire: async (): Promise<Outcome> => {
          const line = pick();
          const key = `bench-direct-${process.pid}-${directSeq++}`;
          const requestHash = `${key}`.padEnd(64, '0');
          const result = await stack!.client.workflow.getHandle(workflowIdFor(line.creditLineId)).executeUpdate(purchaseUpdate, {
            args: [{ merchantId: 'self-operated', amount: BENCH_AMOUNT(), key, requestHash }],
            updateId: updateIdFor(purchaseUpdate.name, key, requestHash),
          });
          return result.ok ? { ok: true, label: 'approved' } : { ok: false, label: result.code };
        },
      });
      log(`breakdown: direct purchase Update: ${summary(directPurchase)}`);
      ledgerWrite = await ledgerWritePhase(stack, lines, options);
      log(`breakdown: ledger write alone: ${summary(ledgerWrite)}`);
    }
    rss.sample();
    const endMb = rss.lastLargestMb;
    rss.stop();

    // ── A bare no-op Update on the same server ──
    const { result: noop, cpu: noopCpu, history: noopHistory } = await noopPhase(stack, options, noopWorkflows, cleanup);
    log(`no-op Update: ${summary(noop)}`);

    // ── History ──
    const sample = lines.slice(0, Math.min(options.historySample, lines.length)).map((l) => l.creditLineId);
    const history = await analyseHistories(stack.client, sample.map(workflowIdFor), purchaseUpdate.name);

    const result: Omit<BenchResult, 'markdown'> = {
      options: { ...options, noopWorkflows },
      machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? '?', node: process.version, memoryGb: os.totalmem() / 2 ** 30, loadBefore, loadAfter: os.loadavg() },
      openSeconds, purchases, noop, getLine, directPurchase, ledgerWrite,
      cpu: { purchases: purchaseCpu, noop: noopCpu },
      workerRss: { maxMb: rss.maxLargestMb, maxTreeMb: rss.maxTreeMb, afterOpenMb, endMb },
      history, noopHistory,
    };
    let markdown = render(result);
    if (options.profileWorker) {
      await stack.worker.stop(); // the profile is written when the worker exits
      const profiles = fs.readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile')).map((f) => path.join(profileDir, f));
      const largest = profiles.sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0];
      markdown += largest ? `\n## Worker CPU profile (whole run: opening lines, warm-up, purchases)\n\n${summariseProfile(largest)}\nProfiles kept in ${path.relative(ROOT, profileDir)}/\n` : '\nNo worker CPU profile was written.\n';
    }
    fs.mkdirSync(path.dirname(options.output), { recursive: true });
    fs.writeFileSync(options.output, markdown);
    process.stdout.write(`\n${markdown}\n`);
    log(`written to ${path.relative(process.cwd(), options.output) || options.output}`);
    return { ...result, markdown };
  } catch (err) {
    if (stack) for (const child of [stack.worker, stack.api]) log(`${child.name} log tail:\n${tail(child.logFile)}`);
    throw err;
  } finally {
    await cleanup.run();
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
  }
}

/** Applies for N lines over HTTP (distinct customers) and waits until every one is ACTIVE and open in its workflow. */
async function openLines(stack: Stack, http: HttpClient, options: BenchOptions): Promise<Line[]> {
  log(`opening ${options.lines} lines (${options.openConcurrency} applications at a time)`);
  const indexes = Array.from({ length: options.lines }, (_, i) => i);
  const lines = await pool(indexes, options.openConcurrency, async (index): Promise<Line> => {
    const token = await issueToken(stack.jwtSecret, `bench-${index}`, 'customer');
    const forwardedFor = `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`;
    for (let attempt = 1; ; attempt++) {
      const answer = await http.request('POST', '/v1/applications', { authorization: `Bearer ${token}`, 'x-forwarded-for': forwardedFor }, {
        // 50,000 yuan a month, ten years in work, prime age: approved at the product's highest limit.
        phone: '13800138000', monthlyIncome: 5_000_000, employmentMonths: 120, age: 35,
      });
      if (answer.status === 202) return { index, creditLineId: (answer.body as { creditLineId: string }).creditLineId, token, forwardedFor };
      if (attempt >= 5) throw new Error(`application ${index} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  });
  // ACTIVE in the read model with the OPENED snapshot written (version 2): the workflow holds the open line.
  const ids = lines.map((l) => l.creditLineId);
  const deadline = Date.now() + Math.max(120_000, options.lines * 300);
  for (;;) {
    let ready = 0;
    for (let i = 0; i < ids.length; i += 1000) {
      const [row] = await stack.db.select({ n: sql<number>`count(*)::int` }).from(creditLines)
        .where(and(inArray(creditLines.id, ids.slice(i, i + 1000)), eq(creditLines.status, 'ACTIVE'), gte(creditLines.version, 2)));
      ready += row?.n ?? 0;
    }
    if (ready === ids.length) return lines;
    if (Date.now() > deadline) throw new Error(`only ${ready} of ${ids.length} lines became ACTIVE`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The no-op workflow on its own task queue with an in-process worker; Updates at the same rate, measured client-side. */
async function noopPhase(stack: Stack, options: BenchOptions, count: number, cleanup: Cleanup): Promise<{ result: PhaseResult; cpu: CpuGroups; history: HistoryReport }> {
  const taskQueue = `bench-noop-${process.pid}`;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch { /* a runtime already exists in this process: keep its logger */ }
  const quiet = { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: (m: string) => log(m) };
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: fileURLToPath(new URL('./noop-workflow.ts', import.meta.url)), logger: quiet });
  const connection = await NativeConnection.connect({ address: stack.temporalAddress });
  // The same sealing as the stack's client: the comparison is Update against Update, codec included.
  const worker = await Worker.create({ connection, namespace: stack.client.options.namespace, taskQueue, workflowBundle, dataConverter: stack.client.options.dataConverter ?? {} });
  const running = worker.run();
  cleanup.add('no-op worker', async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running.catch(() => undefined);
    await connection.close();
  });
  log(`no-op: starting ${count} workflows on ${taskQueue}`);
  const handles = await pool(Array.from({ length: count }, (_, i) => i), 20, (i) =>
    stack.client.workflow.start('noopWorkflow', { taskQueue, workflowId: `bench-noop-${process.pid}-${i}` }));
  let n = 0;
  const fire = async (): Promise<Outcome> => {
    const handle = handles[Math.floor(Math.random() * handles.length)]!;
    const value = n++;
    const answer = await handle.executeUpdate(noopUpdate, { args: [value] });
    return answer === value ? { ok: true, label: 'ok' } : { ok: false, label: 'wrong answer' };
  };
  if (options.warmup > 0) {
    log(`no-op: warm-up ${options.warmup} s at ${options.rate}/s`);
    await openLoop({ rate: options.rate, durationS: options.warmup, fire });
  }
  log(`no-op: measuring ${options.duration} s at ${options.rate}/s over ${count} workflows`);
  const before = cpuSnapshot({ worker: stack.worker.pid, api: stack.api.pid });
  const result = await openLoop({ rate: options.rate, durationS: options.duration, fire });
  const cpu = cpuBetween(before, cpuSnapshot({ worker: stack.worker.pid, api: stack.api.pid }));
  const history = await analyseHistories(stack.client, handles.slice(0, options.historySample).map((h) => h.workflowId), noopUpdate.name);
  await pool(handles, 20, (h) => h.terminate('benchmark over').catch(() => undefined));
  worker.shutdown();
  await running;
  return { result, cpu, history };
}

/**
 * The local activity's database transaction alone: the same applyLineEvents, from this process,
 * with purchase events decided by the domain on each line's state as its workflow reports it.
 * Runs last: it moves the lines' read models past their workflows.
 */
async function ledgerWritePhase(stack: Stack, lines: Line[], options: BenchOptions): Promise<PhaseResult> {
  const { applyLineEvents } = createLedgerActivities({ db: stack.db });
  const sample = lines.slice(0, Math.min(lines.length, 200));
  const states = new Map<string, CreditLineState>();
  await pool(sample, 20, async (line) => {
    const state = await stack.client.workflow.getHandle(workflowIdFor(line.creditLineId)).query(lineQuery);
    if (state) states.set(line.creditLineId, state);
  });
  const ids = [...states.keys()];
  let seq = 0;
  log(`breakdown: ledger write (applyLineEvents) alone for ${options.duration} s at ${options.rate}/s`);
  return openLoop({
    rate: options.rate, durationS: options.duration,
    fire: async (): Promise<Outcome> => {
      const id = ids[Math.floor(Math.random() * ids.length)]!;
      const key = `bench-ledger-${process.pid}-${seq++}`;
      const decided = decide(states.get(id)!, {
        type: 'purchase', purchaseId: `p_${key}`, merchantId: 'self-operated', amount: BENCH_AMOUNT(), key, requestHash: key.padEnd(64, '0'),
      }, new Date().toISOString(), STANDARD_PRODUCT);
      states.set(id, decided.state);
      const written = await applyLineEvents([decided.event]);
      return written.entries === 1 ? { ok: true, label: 'written' } : { ok: false, label: 'not written' };
    },
  });
}

// ── Report ──────────────────────────────────────────────────────────────────────────────────────

function summary(r: PhaseResult): string {
  const p = percentiles(r.okLatencies);
  return `${r.succeeded}/${r.sent} ok, p50 ${fmt(p.p50)} p90 ${fmt(p.p90)} p99 ${fmt(p.p99)} max ${fmt(p.max)} ms, ${(r.succeeded / r.wallSeconds).toFixed(1)} req/s${r.errors ? `, errors ${JSON.stringify(r.errorKinds)}` : ''}`;
}

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '—');
const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(1)}×` : '—');

const cpuText = (c: CpuGroups) => Object.entries(c).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ');

function render(r: Omit<BenchResult, 'markdown'>): string {
  const o = r.options;
  const p = percentiles(r.purchases.okLatencies);
  const all = percentiles(r.purchases.allLatencies);
  const q = percentiles(r.noop.okLatencies);
  const h = r.history;
  const n = r.noopHistory;
  const errors = Object.entries(r.purchases.errorKinds).map(([k, v]) => `${v} × ${k}`).join(', ');
  const rows: [string, string][] = [
    ['**Parameters**', ''],
    ['lines', String(o.lines)],
    ['rate (purchases/s, and no-op Updates/s)', String(o.rate)],
    ['measured duration / warm-up (s, each phase)', `${o.duration} / ${o.warmup}`],
    ['load driver', o.driver === 'autocannon' ? `autocannon overallRate, ${o.connections} connections` : 'open loop, evenly spaced sends, keep-alive HTTP'],
    ['no-op workflows', String(o.noopWorkflows)],
    ['**Machine**', ''],
    ['CPUs', `${r.machine.cpus} × ${r.machine.cpuModel}`],
    ['memory', `${r.machine.memoryGb.toFixed(0)} GB`],
    ['Node', r.machine.node],
    ['load average before / after (1 min)', `${fmt(r.machine.loadBefore[0]!, 2)} / ${fmt(r.machine.loadAfter[0]!, 2)}`],
    ['**Purchase authorization (HTTP, 201 only)**', ''],
    ['p50 / p90 / p99 / max (ms)', `${fmt(p.p50)} / ${fmt(p.p90)} / ${fmt(p.p99)} / ${fmt(p.max)}`],
    ['mean (ms)', fmt(p.mean)],
    ['all answers incl. errors: p99 / max (ms)', `${fmt(all.p99)} / ${fmt(all.max)}`],
    ['sent / approved', `${r.purchases.sent} / ${r.purchases.succeeded}`],
    ['throughput achieved (approved/s)', fmt(r.purchases.succeeded / r.purchases.wallSeconds)],
    ['errors (non-2xx, timeouts; declines count)', r.purchases.errors ? `${r.purchases.errors} (${errors})` : '0'],
    ['driver send lag, worst (ms)', fmt(r.purchases.maxSendLagMs)],
    ['**Bare no-op Update (Temporal client, same server)**', ''],
    ['p50 / p90 / p99 / max (ms)', `${fmt(q.p50)} / ${fmt(q.p90)} / ${fmt(q.p99)} / ${fmt(q.max)}`],
    ['throughput achieved (/s), errors', `${fmt(r.noop.succeeded / r.noop.wallSeconds)}, ${r.noop.errors}`],
    ['**Ratio purchase / no-op**', ''],
    ['p50 / p90 / p99 / max', `${ratio(p.p50, q.p50)} / ${ratio(p.p90, q.p90)} / ${ratio(p.p99, q.p99)} / ${ratio(p.max, q.max)}`],
  ];
  for (const [name, phase] of [
    ['GET /v1/credit-lines/{id} (HTTP + auth + 1 DB read)', r.getLine],
    ['purchase Update straight to Temporal (no HTTP)', r.directPurchase],
    ['ledger write alone (applyLineEvents, 1 purchase, from the bench process)', r.ledgerWrite],
  ] as const) {
    if (!phase) continue;
    const x = percentiles(phase.okLatencies);
    rows.push([`**Breakdown: ${name}**`, ''], ['p50 / p90 / p99 / max (ms)', `${fmt(x.p50)} / ${fmt(x.p90)} / ${fmt(x.p99)} / ${fmt(x.max)}`],
      ['ok / sent, errors', `${phase.succeeded} / ${phase.sent}${phase.errors ? `, ${JSON.stringify(phase.errorKinds)}` : ''}`]);
  }
  rows.push(
    ['**Worker**', ''],
    ['max RSS during the run (MB; worker process / with its tsx launcher)', `${fmt(r.workerRss.maxMb, 0)} / ${fmt(r.workerRss.maxTreeMb, 0)}`],
    ['RSS after opening the lines / after the purchases (MB)', `${fmt(r.workerRss.afterOpenMb, 0)} / ${fmt(r.workerRss.endMb, 0)}`],
    ['time to open all lines (s)', fmt(r.openSeconds)],
    [`**History (sample of ${h.sampledLines} lines)**`, ''],
    ['events per purchase', `${fmt(h.eventsPerUpdate, 2)} (${Object.entries(h.eventTypesPerUpdate).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')})`],
    ['events in the current run (avg) / purchases in it (avg)', `${fmt(h.avgEventsInRun)} / ${fmt(h.avgUpdatesInRun)}`],
    ['busiest sampled line: events of its run / its purchases', h.busiest ? `${h.busiest.events} / ${h.busiest.updates} = ${h.busiest.ratio.toFixed(2)}` : '—'],
    ['purchases sharing a workflow task with another Update', String(h.sharedTasks)],
    ['**Workflow task that decided the Update (server timestamps; purchase vs no-op)**', ''],
    ['schedule→start p50 / p99 (ms): purchase | no-op', `${fmt(h.wftScheduleToStart.p50)} / ${fmt(h.wftScheduleToStart.p99)} | ${fmt(n.wftScheduleToStart.p50)} / ${fmt(n.wftScheduleToStart.p99)}`],
    ['start→complete (worker) p50 / p90 / p99 (ms): purchase | no-op', `${fmt(h.wftStartToComplete.p50)} / ${fmt(h.wftStartToComplete.p90)} / ${fmt(h.wftStartToComplete.p99)} | ${fmt(n.wftStartToComplete.p50)} / ${fmt(n.wftStartToComplete.p90)} / ${fmt(n.wftStartToComplete.p99)}`],
    ['no-op events per Update', fmt(n.eventsPerUpdate, 2)],
    ['**CPU during the measured phase (cores, of ' + r.machine.cpus + ')**', ''],
    ['purchases', cpuText(r.cpu.purchases)],
    ['no-op Updates', cpuText(r.cpu.noop)],
  );
  const target = Number.isFinite(p.p99) ? (p.p99 < 100 ? `met (p99 ${fmt(p.p99)} ms < 100 ms)` : `MISSED (p99 ${fmt(p.p99)} ms ≥ 100 ms)`) : 'no approved purchase';
  return markdownReport('Revolve benchmark', `Target: p99 purchase latency under 100 ms at 50 purchases/s over 1,000 lines — this run (${o.rate}/s over ${o.lines} lines): ${target}.`, rows);
}

// ── Command line ────────────────────────────────────────────────────────────────────────────────

export async function main(argv: string[]): Promise<number> {
  // `bench storm …`: the statement storm (bench/storm.ts), loaded on demand.
  if (argv[0] === 'storm') return (await import('./storm')).main(argv.slice(1));
  let options: BenchOptions;
  try {
    options = parseBenchArgs(argv);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  try {
    await runBench(options);
    return 0;
  } catch (err) {
    process.stderr.write(`bench: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}
