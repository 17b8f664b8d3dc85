/**
 * Where the CPU went during a phase (Linux /proc): each piece of the stack, this process (load
 * driver, no-op worker), and everything else on the machine — on a shared box other work competes
 * with the stack, and the figures are only comparable when that share is small.
 */
import fs from 'node:fs';
import os from 'node:os';
import { processTree } from './stack';

const CLOCK_TICKS = 100; // USER_HZ on Linux

export type CpuGroups = Record<string, number>;

function statOf(pid: number): { comm: string; ticks: number } | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { comm, ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null;
  }
}

function machineTicks(): { busy: number; total: number } {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line;
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

/** CPU ticks used so far by each group of this process's tree, and by the machine. */
export function cpuSnapshot(roots: { worker: number; api: number }): { groups: CpuGroups; machine: { busy: number; total: number }; at: number } {
  const worker = new Set(processTree(roots.worker));
  const api = new Set(processTree(roots.api));
  const groups: CpuGroups = {};
  for (const pid of processTree(process.pid)) {
    const stat = statOf(pid);
    if (!stat) continue;
    const group = worker.has(pid) ? 'worker' : api.has(pid) ? 'API' : pid === process.pid ? 'bench process' : stat.comm === 'temporal' ? 'Temporal dev server' : stat.comm.startsWith('postgres') ? 'PostgreSQL' : stat.comm;
    groups[group] = (groups[group] ?? 0) + stat.ticks;
  }
  return { groups, machine: machineTicks(), at: performance.now() };
}

/** Cores used on average between two snapshots, per group, plus the rest of the machine. */
export function cpuBetween(before: ReturnType<typeof cpuSnapshot>, after: ReturnType<typeof cpuSnapshot>): CpuGroups {
  const seconds = (after.at - before.at) / 1000;
  const cores: CpuGroups = {};
  let ours = 0;
  for (const [group, ticks] of Object.entries(after.groups)) {
    const used = (ticks - (before.groups[group] ?? 0)) / CLOCK_TICKS / seconds;
    if (used > 0.005) cores[group] = used;
    ours += Math.max(0, used);
  }
  const busyShare = (after.machine.busy - before.machine.busy) / Math.max(1, after.machine.total - before.machine.total);
  cores['whole machine busy'] = busyShare * os.cpus().length;
  cores['other processes (not this benchmark)'] = Math.max(0, busyShare * os.cpus().length - ours);
  return cores;
}
