/**
 * A credit scorecard, evaluated: each scoring variable falls into one bin of its characteristic and
 * earns that bin's points; the total converts to a probability of default (PD) through the card's
 * scaling; the reasons are the characteristics that lost the most points against their best bin.
 *
 * The card itself is data (model/scorecard-<version>.json, trained by `npm run model:train`), read by
 * the activity, checked by `parseScorecard` (scorecard-schema.ts) and passed in: nothing here reads a
 * file. This module has no dependency, so workflows may import the domain's underwriting freely.
 */
import { scoringVariables, type ApplicantFeatures, type ScoringVariable, type ScoringVariables } from './features';
import type { ReasonCode } from './reason-codes';

/** At most this many reasons are given, worst first (a decline letter names the main ones). */
export const MAX_REASONS = 4;
/** PDs are stored to 4 places; they stay strictly inside (0, 1) so odds are always defined. */
const PD_PLACES = 10_000;

export interface ScorecardBin {
  /** The bin holds values strictly below this; `null`: no upper bound (the last bin). */
  upTo: number | null;
  points: number;
  woe: number;
  /** A reason of its own for this bin (e.g. THIN_CREDIT_FILE for no accounts at all). */
  reasonCode?: ReasonCode;
}

/** How the points move as the value rises: `rising`, `falling`, or `any` (e.g. age, U-shaped). */
export type PointsTrend = 'rising' | 'falling' | 'any';

export interface Characteristic {
  variable: ScoringVariable;
  reasonCode: ReasonCode;
  pointsTrend: PointsTrend;
  coefficient: number;
  bins: ScorecardBin[];
}

export interface Scorecard {
  format: 'revolve-scorecard/1';
  /** The model version every decision records, e.g. `scorecard-2026.11.1`. */
  version: string;
  /** E.g. 600 points at odds 50:1, 20 points to double the odds. */
  scaling: { basePoints: number; baseOdds: number; pointsToDoubleOdds: number };
  characteristics: Characteristic[];
  /** How and on what it was trained, and how it did on the held-out sample (documentation, not used here). */
  training: Record<string, unknown>;
}

export interface CharacteristicScore {
  variable: ScoringVariable;
  value: number;
  points: number;
  /** Points below the characteristic's best bin: what this value cost. */
  pointsLost: number;
  reasonCode: ReasonCode;
}

export interface ScoreOutcome {
  totalPoints: number;
  probabilityOfDefault: number;
  characteristics: CharacteristicScore[];
  /** The characteristics that cost points, the costliest first, at most MAX_REASONS (no code twice). */
  reasonCodes: ReasonCode[];
}

export function binFor(characteristic: Characteristic, value: number): ScorecardBin {
  if (Number.isNaN(value)) throw new RangeError(`${characteristic.variable} is not a number`);
  const bin = characteristic.bins.find((b) => b.upTo === null || value < b.upTo);
  // parseScorecard guarantees an open-ended last bin.
  if (!bin) throw new RangeError(`no bin of ${characteristic.variable} holds ${value}`);
  return bin;
}

/** Log-odds of repaying (good:bad) at a score: the card's scaling, e.g. 600 points at 50:1, 20 points to double. */
export function logOddsAt(points: number, scaling: Scorecard['scaling']): number {
  const factor = scaling.pointsToDoubleOdds / Math.LN2;
  const offset = scaling.basePoints - factor * Math.log(scaling.baseOdds);
  return (points - offset) / factor;
}

export function probabilityOfDefaultAt(points: number, scaling: Scorecard['scaling']): number {
  const pd = 1 / (1 + Math.exp(logOddsAt(points, scaling)));
  return Math.min(PD_PLACES - 1, Math.max(1, Math.round(pd * PD_PLACES))) / PD_PLACES;
}

export function scoreVariables(card: Scorecard, variables: ScoringVariables): ScoreOutcome {
  const characteristics = card.characteristics.map((c): CharacteristicScore => {
    const value = variables[c.variable];
    const bin = binFor(c, value);
    const best = Math.max(...c.bins.map((b) => b.points));
    return { variable: c.variable, value, points: bin.points, pointsLost: best - bin.points, reasonCode: bin.reasonCode ?? c.reasonCode };
  });
  const totalPoints = characteristics.reduce((sum, c) => sum + c.points, 0);
  // Stable sort: equal losses keep the card's order of characteristics.
  const costly = characteristics.filter((c) => c.pointsLost > 0).sort((a, b) => b.pointsLost - a.pointsLost);
  const reasonCodes = [...new Set(costly.map((c) => c.reasonCode))].slice(0, MAX_REASONS);
  return { totalPoints, probabilityOfDefault: probabilityOfDefaultAt(totalPoints, card.scaling), characteristics, reasonCodes };
}

/** Scores an applicant: points per characteristic, the PD, and the reasons that cost the most. */
export function scoreApplicant(card: Scorecard, features: ApplicantFeatures): ScoreOutcome {
  return scoreVariables(card, scoringVariables(features));
}
