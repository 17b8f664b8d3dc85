/**
 * The faults a chaos run injects, on a seeded schedule spread over the run, one at a time, each
 * carried out against the real processes and timed until the piece is back.
 */
import { Rng } from './random';
import type { FlakySmsGateway } from './sms-gateway';
import type { ChaosStack } from './stack';

export const FAULT_KINDS = ['worker-kill', 'temporal-restart', 'postgres-fast', 'postgres-immediate', 'api-restart', 'sms-gateway'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export const FAULT_DESCRIPTIONS: Record<FaultKind, string> = {
  'worker-kill': 'kill -9 of a worker mid-command, then a new worker',
  'temporal-restart': 'the Temporal dev server stopped and started again on its SQLite file',
  'postgres-fast': 'PostgreSQL fast shutdown (SIGINT) and start',
  'postgres-immediate': 'PostgreSQL immediate shutdown (SIGQUIT: crash recovery) and start',
  'api-restart': 'the API stopped or killed with requests in flight, then started again',
  'sms-gateway': 'the SMS gateway fails, times out and loses its answers for a while',
};

/** `all` (each kind once), `all:5`, or `worker-kill:2,postgres-fast:1,…`; `none` for a calm run. */
export function parseFaults(spec: string): Record<FaultKind, number> {
  const counts = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
  if (spec === 'none' || spec === '') return counts;
  for (const part of spec.split(',')) {
    const [name, n] = part.split(':') as [string, string | undefined];
    const times = n === undefined ? 1 : Number(n);
    if (!Number.isInteger(times) || times < 0) throw new Error(`--faults: "${part}" needs a whole number of times`);
    if (name === 'all') for (const k of FAULT_KINDS) counts[k] += times;
    else if ((FAULT_KINDS as readonly string[]).includes(name)) counts[name as FaultKind] += times;
    else throw new Error(`--faults: unknown fault "${name}" (known: all, ${FAULT_KINDS.join(', ')})`);
  }
  return counts;
}

export interface ScheduledFault {
  kind: FaultKind;
  /** When, as a fraction of the run's operations (or of its duration). */
  at: number;
  /** A seeded choice inside the fault (which worker, stop or kill). */
  pick: number;
}

/** Every fault at its own moment between 10% and 85% of the run, evenly spaced with seeded jitter, kinds shuffled. */
export function faultSchedule(counts: Record<FaultKind, number>, seed: number): ScheduledFault[] {
  const rng = new Rng(seed * 104_729 + 17);
  const kinds = FAULT_KINDS.flatMap((k) => Array.from({ length: counts[k] }, () => k));
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [kinds[i], kinds[j]] = [kinds[j]!, kinds[i]!];
  }
  const slot = 0.75 / Math.max(1, kinds.length);
  return kinds.map((kind, i) => ({ kind, at: 0.1 + slot * (i + rng.next() * 0.8), pick: rng.int(0, 1_000_000) }));
}

export interface FaultRecord {
  kind: FaultKind;
  at: string;
  /** From the fault to the piece being back (the new worker up, the server answering, …). */
  recoveryMs: number;
  detail: string;
}

export async function injectFault(fault: ScheduledFault, stack: ChaosStack, gateway: FlakySmsGateway, opts: { smsWindowMs: number }): Promise<FaultRecord> {
  const at = new Date().toISOString();
  const started = performance.now();
  let detail = '';
  switch (fault.kind) {
    case 'worker-kill': {
      const victim = stack.workers()[fault.pick % stack.workers().length]!;
      detail = `${victim.name} killed`;
      await stack.killWorker(fault.pick);
      break;
    }
    case 'temporal-restart': await stack.restartTemporal(); break;
    case 'postgres-fast': await stack.restartPostgres('fast'); break;
    case 'postgres-immediate': await stack.restartPostgres('immediate'); break;
    case 'api-restart': {
      const mode = fault.pick % 2 === 0 ? 'stop' : 'kill';
      detail = mode === 'kill' ? 'SIGKILL' : 'SIGTERM';
      await stack.restartApi(mode);
      break;
    }
    case 'sms-gateway': {
      const before = gateway.stats();
      gateway.setFaulty(true);
      await new Promise((r) => setTimeout(r, opts.smsWindowMs));
      gateway.setFaulty(false);
      const after = gateway.stats();
      detail = `${after.failed - before.failed} failed, ${after.timedOut - before.timedOut} timed out, ${after.lostAnswers - before.lostAnswers} answers lost`;
      break;
    }
  }
  return { kind: fault.kind, at, recoveryMs: Math.round(performance.now() - started), detail };
}
