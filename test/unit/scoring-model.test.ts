/**
 * The training pipeline's parts (portfolio, binning, IRLS, metrics), and the committed model judged
 * on a fresh synthetic sample it has never seen (another seed than training's).
 */
import { describe, expect, it } from 'vitest';
import { loadScorecard } from '../../activities/scorecard';
import { scoreApplicant } from '../../domain/scoring/scorecard';
import { binVariable } from '../../model/binning';
import { fitLogistic } from '../../model/logistic-regression';
import { auc, calibrationByDecile, ks } from '../../model/metrics';
import { Draws, generatePortfolio } from '../../model/portfolio';

describe('the committed scorecard on a fresh held-out sample', () => {
  const card = loadScorecard();
  const sample = generatePortfolio({ seed: 4242, size: 20_000 });
  const pds = sample.map((a) => scoreApplicant(card, a.features).probabilityOfDefault);
  const defaulted = sample.map((a) => a.defaulted);

  it('ranks defaulters above good payers (AUC 0.81 at training; at least 0.78 here)', () => {
    expect(auc(pds, defaulted)).toBeGreaterThanOrEqual(0.78);
    expect(ks(pds, defaulted)).toBeGreaterThanOrEqual(0.42);
  });

  it('predicts about as many defaults as happen, decile by decile', () => {
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean(pds) - mean(defaulted.map(Number)))).toBeLessThan(0.01);
    const table = calibrationByDecile(pds, defaulted);
    for (const row of table) expect(Math.abs(row.meanPredicted - row.observed)).toBeLessThan(Math.max(0.02, 0.25 * row.observed));
    // Ranked: the riskiest tenth defaults far more than the safest.
    expect(table[9]!.observed).toBeGreaterThan(10 * table[0]!.observed);
  });

  it('is the version the activities score with, trained on the documented portfolio', () => {
    expect(card.version).toBe('scorecard-2026.11.1');
    expect(card.training).toMatchObject({ portfolio: { seed: 20261101, applicants: 50_000 }, split: { train: 35_000, heldOut: 15_000 } });
  });
});

describe('the synthetic portfolio', () => {
  it('is the same for the same seed, and another for another', () => {
    const a = generatePortfolio({ seed: 7, size: 50 });
    expect(generatePortfolio({ seed: 7, size: 50 })).toEqual(a);
    expect(generatePortfolio({ seed: 8, size: 50 })).not.toEqual(a);
  });

  it('defaults about one applicant in ten', () => {
    const p = generatePortfolio({ seed: 99, size: 20_000 });
    const rate = p.filter((a) => a.defaulted).length / p.length;
    expect(rate).toBeGreaterThan(0.08);
    expect(rate).toBeLessThan(0.12);
  });
});

describe('logistic regression by IRLS', () => {
  it('recovers the coefficients that generated the data', () => {
    const draws = new Draws(1);
    const truth = [-1, 0.8, -0.5];
    const x = Array.from({ length: 20_000 }, () => [draws.normal(), draws.normal()]);
    const y = x.map(([a, b]) => draws.uniform() < 1 / (1 + Math.exp(-(truth[0]! + truth[1]! * a! + truth[2]! * b!))));
    const fit = fitLogistic(x, y);
    fit.coefficients.forEach((c, j) => expect(Math.abs(c - truth[j]!)).toBeLessThan(4 * fit.standardErrors[j]!));
    expect(fit.iterations).toBeLessThan(15);
  });

  it('sets the gradient to zero: predicted and observed totals agree', () => {
    const x = [[0], [1], [2], [3], [4], [5], [6], [7]];
    const y = [false, false, true, false, true, false, true, true];
    const { coefficients } = fitLogistic(x, y);
    const p = x.map(([v]) => 1 / (1 + Math.exp(-(coefficients[0]! + coefficients[1]! * v!))));
    expect(p.reduce((s, v) => s + v, 0)).toBeCloseTo(4, 6);
    expect(p.reduce((s, v, i) => s + v * x[i]![0]!, 0)).toBeCloseTo(2 + 4 + 6 + 7, 6);
  });

  it('refuses a constant predictor', () => {
    expect(() => fitLogistic([[1], [1], [1], [1]], [true, false, true, false])).toThrow(/singular/);
  });
});

describe('binning', () => {
  it('merges bins until the bad rate moves one way, each bin big enough, few enough bins', () => {
    const draws = new Draws(3);
    // Risk falls with the value, with noise enough to break monotonicity in fine bins.
    const values = Array.from({ length: 5_000 }, () => Math.floor(draws.uniform() * 100));
    const bads = values.map((v) => draws.uniform() < 0.3 - 0.002 * v);
    const bins = binVariable(values, bads, { edges: [5, 10, 15, 20, 25, 30, 40, 50, 60, 70, 80, 90], pointsTrend: 'rising', minShare: 0.05, maxBins: 5 });
    expect(bins.length).toBeLessThanOrEqual(5);
    expect(bins.at(-1)!.upTo).toBeNull();
    for (const b of bins) expect(b.goods + b.bads).toBeGreaterThanOrEqual(250);
    for (let i = 1; i < bins.length; i++) expect(bins[i]!.woe).toBeGreaterThan(bins[i - 1]!.woe);
  });
});

describe('metrics', () => {
  it('AUC: 1 for a perfect ranking, 0 reversed, ½ with every score tied', () => {
    const bad = [false, false, true, true];
    expect(auc([0.1, 0.2, 0.8, 0.9], bad)).toBe(1);
    expect(auc([0.9, 0.8, 0.2, 0.1], bad)).toBe(0);
    expect(auc([0.5, 0.5, 0.5, 0.5], bad)).toBe(0.5);
    expect(auc([0.1, 0.3, 0.2, 0.9], bad)).toBe(0.75);
  });

  it('KS: the widest gap between the cumulative shares of bads and goods', () => {
    expect(ks([0.1, 0.2, 0.8, 0.9], [false, false, true, true])).toBe(1);
    expect(ks([0.1, 0.3, 0.2, 0.9], [false, false, true, true])).toBe(0.5);
  });
});
