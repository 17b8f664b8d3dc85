/**
 * Reading a V8 CPU profile (`node --cpu-prof`) of the worker: where its CPU went, by function
 * (self and inclusive time) and by component (workflow sandbox, Temporal SDK, drizzle, pg, GC, …).
 * `tsx bench/profile.ts <file.cpuprofile>` prints the same summary for any profile.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

function component(url: string, fn: string): string {
  if (fn === '(garbage collector)') return 'GC';
  if (fn === '(idle)') return 'idle';
  if (fn === '(program)') return 'V8/native (program)';
  if (url.includes('@temporalio/workflow') || url.includes('workflow-bundle') || /\/workflows\//.test(url) || /\/domain\//.test(url)) return 'workflow sandbox (workflow + domain + SDK workflow lib)';
  if (url.includes('@temporalio')) return 'Temporal SDK (worker side)';
  if (url.includes('drizzle-orm')) return 'drizzle-orm';
  if (url.includes('/pg') || url.includes('pg-protocol') || url.includes('pg-pool')) return 'pg driver';
  if (url.includes('/activities/') || url.includes('/db/')) return 'activities + db (project)';
  if (url.includes('protobufjs') || url.includes('long/')) return 'protobuf';
  if (url.startsWith('node:') || url === '') return 'Node internals / native';
  if (url.includes('node_modules')) return `other: ${url.split('node_modules/').pop()?.split('/')[0] ?? url}`;
  return `other: ${path.basename(url)}`;
}

export function summariseProfile(file: string, top = 25): string {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const components = new Map<string, number>();
  let total = 0;
  let idle = 0;
  // Consecutive samples in the garbage collector: a pause of the main thread (nothing else runs).
  const pauses: number[] = [];
  let run = 0;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000; // ms
    const node = byId.get(id);
    if (!node) return;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(garbage collector)') run += dt;
    else if (run > 0) { pauses.push(run); run = 0; }
    if (functionName === '(idle)') { idle += dt; return; }
    total += dt;
    const name = `${functionName || '(anonymous)'} ${url ? `${path.basename(url)}:${lineNumber + 1}` : ''}`.trim();
    self.set(name, (self.get(name) ?? 0) + dt);
    const comp = component(url, functionName);
    components.set(comp, (components.get(comp) ?? 0) + dt);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)!.callFrame;
      const key = `${f.functionName || '(anonymous)'} ${f.url ? `${path.basename(f.url)}:${f.lineNumber + 1}` : ''}`.trim();
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + dt);
    }
  });
  const pct = (v: number) => `${((100 * v) / total).toFixed(1)}%`;
  const list = (m: Map<string, number>, n: number) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `| ${k.replace(/\|/g, '\\|')} | ${v.toFixed(0)} | ${pct(v)} |`);
  const wall = (profile.endTime - profile.startTime) / 1e6;
  pauses.sort((a, b) => b - a);
  const over = (ms: number) => pauses.filter((p) => p >= ms).length;
  return [
    `Profile ${path.basename(file)}: ${(total / 1000).toFixed(1)} s of CPU on the main thread over ${wall.toFixed(1)} s (idle ${(idle / 1000).toFixed(1)} s).`,
    '',
    `Garbage-collector pauses (runs of consecutive GC samples): ${pauses.length}, total ${(pauses.reduce((a, b) => a + b, 0) / 1000).toFixed(1)} s; ≥ 20 ms: ${over(20)}, ≥ 50 ms: ${over(50)}, ≥ 100 ms: ${over(100)}, ≥ 250 ms: ${over(250)}; longest ${pauses.slice(0, 8).map((p) => p.toFixed(0)).join(', ')} ms.`,
    '',
    '| component (self time) | ms | share |', '| --- | --- | --- |', ...list(components, 20),
    '',
    '| function (self time) | ms | share |', '| --- | --- | --- |', ...list(self, top),
    '',
    '| function (inclusive time) | ms | share |', '| --- | --- | --- |', ...list(inclusive, top),
    '',
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const file = process.argv[2];
  if (!file) { process.stderr.write('usage: tsx bench/profile.ts <file.cpuprofile>\n'); process.exit(2); }
  process.stdout.write(summariseProfile(file, Number(process.argv[3] ?? 25)));
}
