/**
 * How well a model ranks and how well its PDs are calibrated, on a sample it was not trained on:
 * AUC (the chance a random defaulter gets a higher PD than a random good payer; ties count half),
 * KS (the largest gap between the defaulters' and the good payers' cumulative distributions of PD),
 * and a calibration table (mean predicted PD against the observed default rate, by decile of PD).
 */

export function auc(pds: number[], defaulted: boolean[]): number {
  const order = pds.map((pd, i) => ({ pd, bad: defaulted[i]! })).sort((a, b) => a.pd - b.pd);
  // Mann–Whitney: the sum of the defaulters' ranks, with tied PDs sharing their mean rank.
  let rankSumBad = 0;
  let bads = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j < order.length && order[j]!.pd === order[i]!.pd) j++;
    const meanRank = (i + 1 + j) / 2;
    for (let t = i; t < j; t++) if (order[t]!.bad) { rankSumBad += meanRank; bads++; }
    i = j;
  }
  const goods = order.length - bads;
  if (bads === 0 || goods === 0) throw new RangeError('AUC needs both defaulters and good payers');
  return (rankSumBad - (bads * (bads + 1)) / 2) / (bads * goods);
}

export function ks(pds: number[], defaulted: boolean[]): number {
  const order = pds.map((pd, i) => ({ pd, bad: defaulted[i]! })).sort((a, b) => b.pd - a.pd);
  const bads = order.filter((o) => o.bad).length;
  const goods = order.length - bads;
  let [cumBad, cumGood, best] = [0, 0, 0];
  for (let i = 0; i < order.length; i++) {
    if (order[i]!.bad) cumBad++;
    else cumGood++;
    // Only between distinct PDs: a cut cannot split applicants with the same score.
    if (i === order.length - 1 || order[i + 1]!.pd !== order[i]!.pd) best = Math.max(best, Math.abs(cumBad / bads - cumGood / goods));
  }
  return best;
}

export interface CalibrationRow {
  decile: number;
  applicants: number;
  minPd: number;
  maxPd: number;
  meanPredicted: number;
  observed: number;
}

/** Applicants sorted by predicted PD and cut into ten groups of (nearly) equal size, lowest PD first. */
export function calibrationByDecile(pds: number[], defaulted: boolean[]): CalibrationRow[] {
  const order = pds.map((pd, i) => ({ pd, bad: defaulted[i]! })).sort((a, b) => a.pd - b.pd);
  return Array.from({ length: 10 }, (_, d) => {
    const group = order.slice(Math.floor((d * order.length) / 10), Math.floor(((d + 1) * order.length) / 10));
    return {
      decile: d + 1,
      applicants: group.length,
      minPd: group[0]?.pd ?? 0,
      maxPd: group.at(-1)?.pd ?? 0,
      meanPredicted: group.reduce((s, g) => s + g.pd, 0) / Math.max(1, group.length),
      observed: group.filter((g) => g.bad).length / Math.max(1, group.length),
    };
  });
}
