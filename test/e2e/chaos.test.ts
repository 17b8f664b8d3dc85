import { describe, expect, it } from 'vitest';
import { runChaos } from '../../chaos/main';
import { parseFaults } from '../../chaos/faults';

/**
 * A short chaos run (chaos/): the whole stack as real processes, five lines, 300 seeded operations
 * with duplicate and concurrent retries, every kind of fault once, then every invariant. The long
 * runs and the soak are `npm run chaos` (README).
 */
describe('chaos', () => {
  it('breaks every piece once while money moves, and every invariant holds', async () => {
    const lines: string[] = [];
    const report = await runChaos({
      lines: 5, ops: 300, seed: 20_261_126, faults: parseFaults('all:1'), concurrency: 8, workers: 1, rate: 20, smsWindowMs: 3_000,
      log: (line) => lines.push(line),
    });
    const broken = report.results.filter((r) => !r.ok);
    expect(broken, `${report.table}\n\n${lines.join('\n')}`).toEqual([]);
    // Every fault happened, and the run did what it is for: money moved, was refused, was retried.
    expect(report.faults.map((f) => f.kind).sort()).toEqual(['api-restart', 'postgres-fast', 'postgres-immediate', 'sms-gateway', 'temporal-restart', 'worker-kill']);
    expect(report.answersByStatus['201']).toBeGreaterThan(30);
    expect(report.answersByStatus['422']).toBeGreaterThan(10);
    expect(report.results.find((r) => r.name.startsWith('every money request decided once'))?.detail).toMatch(/[1-9]\d* sent more than once/);
  }, 180_000);
});
