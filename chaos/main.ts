/**
 * `npm run chaos -- [--lines 5] [--ops 300] [--seed S] [--faults all] [--concurrency 8] [--workers 1]`
 * `npm run chaos -- --duration 30m [--rate 20] …` (a soak: memory of each process every minute)
 *
 * Starts the whole stack on throwaway data, opens N lines, drives M seeded operations from
 * concurrent simulated customers, the platform and staff while breaking the stack on a seeded
 * schedule, then stops the faults and checks the invariants. Prints the table (also written to
 * .data/chaos/<seed>/report.md beside every answer a client received, answers.jsonl). Exits 1 when
 * an invariant is broken.
 */
import fs from 'node:fs';
import path from 'node:path';
import { and, count, eq, lte } from 'drizzle-orm';
import { messages } from '../db/schema';
import { ROOT } from '../toolchain/processes';
import { ChaosClient, Journal, sleep } from './client';
import { FAULT_DESCRIPTIONS, FAULT_KINDS, faultSchedule, injectFault, parseFaults, type FaultKind, type FaultRecord } from './faults';
import { checkInvariants, checkUnjammed, invariantTable, type InvariantResult } from './invariants';
import { flakySmsGateway } from './sms-gateway';
import { startChaosStack, type ChaosStack } from './stack';
import { Workload } from './workload';

export interface ChaosOptions {
  lines: number;
  ops: number;
  /** Run for this long at `rate` instead of `ops` operations (a soak), ms. */
  durationMs?: number;
  rate: number;
  seed: number;
  faults: Record<FaultKind, number>;
  concurrency: number;
  workers: number;
  /** How long the SMS gateway misbehaves each time, ms. */
  smsWindowMs: number;
  output?: string;
  /** Keep the stack running after the report until Ctrl-C (to look at it in the Temporal UI, psql, …). */
  keep?: boolean;
  /** Quiet progress (the test passes its own log). */
  log?: (line: string) => void;
}

export interface ChaosReport {
  ok: boolean;
  seed: number;
  results: InvariantResult[];
  faults: FaultRecord[];
  table: string;
  answers: number;
  answersByStatus: Record<string, number>;
  ops: number;
  elapsedMs: number;
  reportFile: string;
}

const USAGE = `usage: chaos [--lines 5] [--ops 300] [--seed <n>] [--faults all|none|<kind>:<n>,…] [--concurrency 8] [--workers 1]
             [--duration 30m --rate 20] [--sms-window 5s] [--output .data/chaos/<seed>] [--keep]
  fault kinds: ${FAULT_KINDS.join(', ')}`;

export function parseChaosArgs(argv: string[]): ChaosOptions {
  const options: ChaosOptions = {
    lines: 5, ops: 300, rate: 20, seed: Math.floor(Math.random() * 1_000_000), faults: parseFaults('all'), concurrency: 8, workers: 1, smsWindowMs: 5_000,
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split('=', 2) as [string, string | undefined];
    const value = () => { const v = inline ?? argv[++i]; if (v === undefined) throw new Error(`${flag} needs a value\n${USAGE}`); return v; };
    const whole = (v: string) => { const n = Number(v); if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} must be a whole number\n${USAGE}`); return n; };
    switch (flag) {
      case '--lines': options.lines = Math.max(1, whole(value())); break;
      case '--ops': options.ops = whole(value()); break;
      case '--seed': options.seed = whole(value()); break;
      case '--faults': options.faults = parseFaults(value()); break;
      case '--concurrency': options.concurrency = Math.max(1, whole(value())); break;
      case '--workers': options.workers = Math.max(1, whole(value())); break;
      case '--rate': options.rate = Math.max(1, whole(value())); break;
      case '--duration': options.durationMs = parseDuration(value()); break;
      case '--sms-window': options.smsWindowMs = parseDuration(value()); break;
      case '--output': options.output = value(); break;
      case '--keep': options.keep = true; break;
      case '--help': case '-h': throw new Error(USAGE);
      default: throw new Error(`unknown option ${flag}\n${USAGE}`);
    }
  }
  return options;
}

/** `90s`, `30m`, `1h`, or milliseconds. */
function parseDuration(text: string): number {
  const match = /^(\d+)(ms|s|m|h)?$/.exec(text);
  if (!match) throw new Error(`not a duration: ${text} (e.g. 90s, 30m)`);
  return Number(match[1]) * { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[(match[2] ?? 'ms') as 'ms' | 's' | 'm' | 'h'];
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? ((line: string) => process.stderr.write(`[chaos] ${line}\n`));
  const started = performance.now();
  const outDir = path.resolve(options.output ?? path.join(ROOT, '.data', 'chaos', `${options.seed}-${process.pid}`));
  fs.mkdirSync(outDir, { recursive: true, mode: 0o700 });
  const smsTimeoutMs = 1_000;
  const gateway = flakySmsGateway({ seed: options.seed, senderTimeoutMs: smsTimeoutMs });
  gateway.setFaulty(false);
  await gateway.start();
  let stack: ChaosStack | undefined;
  const journal = new Journal(path.join(outDir, 'answers.jsonl'));
  try {
    log(`seed ${options.seed}: ${options.lines} lines, ${options.durationMs ? `${Math.round(options.durationMs / 1000)} s at ${options.rate} ops/s` : `${options.ops} operations`}, faults ${describeCounts(options.faults)}`);
    stack = await startChaosStack({ workers: options.workers, smsWebhookUrl: gateway.url(), smsTimeoutMs, log });
    const live = stack;
    const http = new ChaosClient(() => live.apiUrl, journal);
    const workload = new Workload(http, gateway, { seed: options.seed, jwtSecret: stack.jwtSecret, log });
    await workload.openLines(options.lines, Math.min(options.concurrency, 20));
    log(`${options.lines} lines open in ${Math.round((performance.now() - started) / 1000)} s`);

    // Operations, with the faults fired one at a time as the run passes their moment.
    const schedule = faultSchedule(options.faults, options.seed);
    const faultRecords: FaultRecord[] = [];
    let nextFault = 0;
    let faultChain = Promise.resolve();
    const phaseStarted = performance.now();
    const progress = (opNo: number) => (options.durationMs ? (performance.now() - phaseStarted) / options.durationMs : opNo / Math.max(1, options.ops));
    const fireDue = (opNo: number) => {
      while (nextFault < schedule.length && schedule[nextFault]!.at <= progress(opNo)) {
        const fault = schedule[nextFault++]!;
        faultChain = faultChain.then(async () => {
          log(`fault ${faultRecords.length + 1}/${schedule.length}: ${fault.kind}`);
          const record = await injectFault(fault, live, gateway, { smsWindowMs: options.smsWindowMs });
          faultRecords.push(record);
          log(`  back in ${record.recoveryMs} ms ${record.detail}`);
        });
      }
    };
    const memory = options.durationMs ? startMemoryLog(live, log, path.join(outDir, 'memory.tsv')) : undefined;
    let dispatched = 0;
    const more = () => (options.durationMs ? performance.now() - phaseStarted < options.durationMs : dispatched < options.ops);
    const pace = options.durationMs ? 1000 / options.rate : 0;
    await Promise.all(Array.from({ length: options.concurrency }, async (_, lane) => {
      while (more()) {
        const opNo = dispatched++;
        fireDue(opNo);
        if (pace > 0) await sleep(Math.max(0, phaseStarted + opNo * pace - performance.now()));
        await workload.run(opNo).catch((err: unknown) => log(`operation ${opNo} (lane ${lane}) threw: ${String(err)}`));
        if (opNo > 0 && opNo % 1000 === 0) log(`${opNo} operations, ${faultRecords.length} faults so far`);
      }
    }));
    // Faults not reached (a run that went faster than its schedule) fire now, before the calm.
    fireDue(Number.MAX_SAFE_INTEGER);
    await faultChain;
    await memory?.stop();
    log(`${dispatched} operations done in ${Math.round((performance.now() - phaseStarted) / 1000)} s; faults stopped`);

    // The calm: every request decided, every SMS due delivered, then the checks.
    gateway.setFaulty(false);
    await workload.resolveUndecided(log);
    await drainSms(live, log);
    const unjammed = await checkUnjammed({ db: live.db, client: live.client, http, workload, gateway, unexpectedExits: live.unexpectedExits });
    const results = await checkInvariants({ db: live.db, client: live.client, http, workload, gateway, unexpectedExits: live.unexpectedExits }, unjammed);

    const answersByStatus: Record<string, number> = {};
    for (const a of journal.answers) answersByStatus[String(a.status)] = (answersByStatus[String(a.status)] ?? 0) + 1;
    const table = invariantTable(results);
    const report = renderReport(options, workload, faultRecords, table, answersByStatus, journal.answers.length, performance.now() - started, gateway.stats());
    const reportFile = path.join(outDir, 'report.md');
    fs.writeFileSync(reportFile, report);
    return {
      ok: results.every((r) => r.ok), seed: options.seed, results, faults: faultRecords, table, answers: journal.answers.length,
      answersByStatus, ops: dispatched, elapsedMs: performance.now() - started, reportFile,
    };
  } finally {
    journal.close();
    if (options.keep && stack) {
      log(`kept running until Ctrl-C: API ${stack.apiUrl.href}, Temporal ${stack.temporalAddress}, PostgreSQL ${stack.databaseUrl.replace(/:[^:@/]+@/, ':***@')}, data in ${stack.dataDir}`);
      await new Promise<void>((resolve) => { process.once('SIGINT', () => resolve()); process.once('SIGTERM', () => resolve()); });
    }
    await stack?.stop();
    await gateway.stop();
  }
}

/** Waits until no SMS that is due is still waiting (the lines' delivery activities retry with backoff). */
async function drainSms(stack: ChaosStack, log: (line: string) => void): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const [row] = await stack.db.select({ n: count() }).from(messages)
      .where(and(eq(messages.channel, 'SMS'), eq(messages.status, 'PENDING'), lte(messages.sendAt, new Date().toISOString())));
    const pending = row?.n ?? 0;
    if (pending === 0) return;
    if (Date.now() > deadline) {
      const ids = await stack.db.select({ id: messages.id, attempts: messages.attempts }).from(messages)
        .where(and(eq(messages.channel, 'SMS'), eq(messages.status, 'PENDING'), lte(messages.sendAt, new Date().toISOString()))).limit(10);
      log(`${pending} SMS still pending after 120 s: ${ids.map((m) => `${m.id} (${m.attempts} attempts)`).join(', ')}`);
      return;
    }
    await sleep(1_000);
  }
}

function startMemoryLog(stack: ChaosStack, log: (line: string) => void, file: string): { stop(): Promise<void> } {
  const started = Date.now();
  let header = false;
  let lastMinute = -1;
  // Workers are replaced under faults (new names), so each row says which process each figure is.
  const sample = async () => {
    const mem = stack.memory();
    const runs = await stack.cachedRuns();
    const minute = Math.round((Date.now() - started) / 60_000);
    if (minute === lastMinute) return; // the final sample falls in the minute just written
    lastMinute = minute;
    if (!header) { fs.appendFileSync(file, 'minute\tprocess\tMB\truns in memory\n'); header = true; }
    for (const name of Object.keys(mem).sort()) fs.appendFileSync(file, `${minute}\t${name}\t${mem[name]}\t${runs[name] ?? ''}\n`);
    log(`memory at minute ${minute} (MB): ${Object.keys(mem).sort().map((n) => `${n} ${mem[n]}${runs[n] === undefined ? '' : ` (${runs[n]} runs)`}`).join(', ')}`);
  };
  const safely = () => { sample().catch((err: unknown) => log(`memory sample failed: ${String(err)}`)); };
  safely();
  const timer = setInterval(safely, 60_000);
  return { stop: async () => { clearInterval(timer); await sample().catch(() => undefined); } };
}

function describeCounts(counts: Record<FaultKind, number>): string {
  const parts = FAULT_KINDS.filter((k) => counts[k] > 0).map((k) => `${k}×${counts[k]}`);
  return parts.length ? parts.join(', ') : 'none';
}

function renderReport(options: ChaosOptions, workload: Workload, faults: FaultRecord[], table: string, byStatus: Record<string, number>, answers: number, elapsedMs: number, sms: object): string {
  const faultRows = FAULT_KINDS.map((k) => {
    const of = faults.filter((f) => f.kind === k);
    const ms = of.map((f) => f.recoveryMs).sort((a, b) => a - b);
    return `| ${k} | ${of.length} | ${ms.length ? `${ms[0]}–${ms[ms.length - 1]} ms` : '–'} | ${FAULT_DESCRIPTIONS[k]} |`;
  });
  return [
    `# Chaos run, seed ${options.seed}`,
    '',
    `${options.lines} lines, ${workload.stats.ops} operations (${Object.entries(workload.stats.byKind).map(([k, n]) => `${k} ${n}`).join(', ')}), concurrency ${options.concurrency}, ${options.workers} worker(s); ${answers} answers (${Object.entries(byStatus).sort().map(([s, n]) => `${s === '0' ? 'no answer' : s} ${n}`).join(', ')}); ${Math.round(elapsedMs / 1000)} s in all.`,
    '',
    '| fault | times | back within | what |',
    '| --- | --- | --- | --- |',
    ...faultRows,
    '',
    `SMS gateway: ${JSON.stringify(sms)}`,
    '',
    `Faults in order: ${faults.map((f) => `${f.at} ${f.kind}${f.detail ? ` (${f.detail})` : ''}`).join('; ')}`,
    '',
    table,
    '',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  let options: ChaosOptions;
  try {
    options = parseChaosArgs(argv);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  const report = await runChaos(options);
  process.stdout.write(`${fs.readFileSync(report.reportFile, 'utf8')}\n${report.ok ? 'every invariant holds' : 'INVARIANTS BROKEN'} (seed ${report.seed}; answers and report in ${path.dirname(report.reportFile)})\n`);
  return report.ok ? 0 : 1;
}

