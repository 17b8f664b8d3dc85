/**
 * Coarse classing for a scorecard: fine bins at business-friendly edges, merged until each bin is big
 * enough, monotonic where the effect is known to be (so more income can never cost points), and few;
 * then each bin's weight of evidence, WoE = ln(share of goods / share of bads) (higher is safer).
 */

import type { PointsTrend } from '../domain/scoring/scorecard';

export interface BinningSpec {
  /** Candidate upper bounds (exclusive), ascending; the last bin is open-ended. */
  edges: number[];
  pointsTrend: PointsTrend;
  /** Smallest share of the sample a bin may hold. */
  minShare: number;
  maxBins: number;
}

export interface Bin {
  /** Values strictly below this; null: no upper bound. */
  upTo: number | null;
  goods: number;
  bads: number;
  woe: number;
}

interface Counts { upTo: number | null; goods: number; bads: number }

const badRate = (b: Counts) => b.bads / Math.max(1, b.goods + b.bads);

function merge(bins: Counts[], i: number): Counts[] {
  const [left, right] = [bins[i]!, bins[i + 1]!];
  const merged = { upTo: right.upTo, goods: left.goods + right.goods, bads: left.bads + right.bads };
  return [...bins.slice(0, i), merged, ...bins.slice(i + 2)];
}

/** WoE with half a count added to each cell, so a bin without bads has a finite weight. */
function woeOf(bins: Counts[]): Bin[] {
  const goods = bins.reduce((s, b) => s + b.goods, 0) + 0.5 * bins.length;
  const bads = bins.reduce((s, b) => s + b.bads, 0) + 0.5 * bins.length;
  return bins.map((b) => ({ ...b, woe: Math.log(((b.goods + 0.5) / goods) / ((b.bads + 0.5) / bads)) }));
}

/** The index i whose bins i and i+1 are closest in bad rate (ties: the first). */
function closestPair(bins: Counts[]): number {
  let best = 0;
  for (let i = 1; i < bins.length - 1; i++) {
    if (Math.abs(badRate(bins[i]!) - badRate(bins[i + 1]!)) < Math.abs(badRate(bins[best]!) - badRate(bins[best + 1]!))) best = i;
  }
  return best;
}

export function binVariable(values: number[], bads: boolean[], spec: BinningSpec): Bin[] {
  let bins: Counts[] = [...spec.edges.map((upTo) => ({ upTo, goods: 0, bads: 0 })), { upTo: null, goods: 0, bads: 0 }];
  values.forEach((v, i) => {
    const bin = bins.find((b) => b.upTo === null || v < b.upTo)!;
    if (bads[i]) bin.bads++;
    else bin.goods++;
  });
  const minCount = spec.minShare * values.length;
  // Too small: merged into the neighbour closest in bad rate.
  for (let small = bins.findIndex((b) => b.goods + b.bads < minCount); small >= 0 && bins.length > 1; small = bins.findIndex((b) => b.goods + b.bads < minCount)) {
    const left = small - 1;
    const right = small + 1;
    const intoLeft = right >= bins.length || (left >= 0 && Math.abs(badRate(bins[left]!) - badRate(bins[small]!)) <= Math.abs(badRate(bins[right]!) - badRate(bins[small]!)));
    bins = merge(bins, intoLeft ? left : small);
  }
  // Monotonic: points rising with the value means the bad rate must fall as it rises (and vice versa).
  if (spec.pointsTrend !== 'any') {
    const violates = (a: Counts, b: Counts) => (spec.pointsTrend === 'rising' ? badRate(b) > badRate(a) : badRate(b) < badRate(a));
    for (let i = bins.findIndex((b, j) => j > 0 && violates(bins[j - 1]!, b)); i > 0; i = bins.findIndex((b, j) => j > 0 && violates(bins[j - 1]!, b))) {
      bins = merge(bins, i - 1);
    }
  }
  while (bins.length > spec.maxBins) bins = merge(bins, closestPair(bins));
  return woeOf(bins);
}

/** The WoE of the bin a value falls in. */
export function woeFor(bins: Bin[], value: number): number {
  return bins.find((b) => b.upTo === null || value < b.upTo)!.woe;
}
