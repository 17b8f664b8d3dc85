/**
 * Fits a scorecard on a training sample: bins each variable (model/binning.ts), regresses default on
 * the bins' weights of evidence (model/logistic-regression.ts), and turns the coefficients into
 * integer points per bin on the card's scaling. A characteristic whose coefficient comes out with the
 * wrong sign (it would reverse its own WoE, typically through collinearity) is dropped and the rest refitted.
 */
import type { ScoringVariable } from '../domain/scoring/features';
import type { ReasonCode } from '../domain/scoring/reason-codes';
import type { Characteristic, PointsTrend, Scorecard } from '../domain/scoring/scorecard';
import { binVariable, woeFor, type Bin } from './binning';
import { fitLogistic } from './logistic-regression';

export interface CharacteristicSpec {
  variable: ScoringVariable;
  reasonCode: ReasonCode;
  pointsTrend: PointsTrend;
  edges: number[];
  /** A reason of its own for the bins wholly below a value (e.g. no accounts at all: a thin file). */
  binReason?: { below: number; reasonCode: ReasonCode };
}

const yuan = (amounts: number[]) => amounts.map((a) => a * 100);

/** The characteristics, in the order the card lists them; edges are where a person would draw lines. */
export const CHARACTERISTICS: CharacteristicSpec[] = [
  { variable: 'monthlyIncome', reasonCode: 'LOW_INCOME', pointsTrend: 'rising', edges: yuan([1500, 2000, 2500, 3000, 3500, 4000, 5000, 6000, 7000, 8000, 10000, 12000, 15000, 20000]) },
  { variable: 'employmentMonths', reasonCode: 'SHORT_EMPLOYMENT', pointsTrend: 'rising', edges: [1, 3, 6, 9, 12, 18, 24, 36, 48, 60] },
  { variable: 'age', reasonCode: 'AGE_OUTSIDE_PRIME', pointsTrend: 'any', edges: [20, 22, 24, 26, 28, 30, 35, 40, 45, 50, 55, 60, 65] },
  { variable: 'accountAgeMonths', reasonCode: 'NEW_PLATFORM_ACCOUNT', pointsTrend: 'rising', edges: [1, 3, 6, 9, 12, 18, 24, 36, 48] },
  { variable: 'ordersLast12Months', reasonCode: 'FEW_PLATFORM_ORDERS', pointsTrend: 'rising', edges: [1, 2, 4, 6, 8, 11, 15, 20] },
  { variable: 'onTimeRepayments', reasonCode: 'SHORT_REPAYMENT_RECORD', pointsTrend: 'rising', edges: [1, 3, 6, 9, 12, 18] },
  { variable: 'lateRepayments', reasonCode: 'LATE_PLATFORM_REPAYMENTS', pointsTrend: 'falling', edges: [1, 2, 3, 4] },
  {
    variable: 'openCreditAccounts', reasonCode: 'MANY_OPEN_ACCOUNTS', pointsTrend: 'any', edges: [1, 2, 3, 4, 5, 6, 8, 10],
    binReason: { below: 1, reasonCode: 'THIN_CREDIT_FILE' },
  },
  { variable: 'delinquencies24Months', reasonCode: 'BUREAU_DELINQUENCIES', pointsTrend: 'falling', edges: [1, 2, 3] },
  { variable: 'inquiries6Months', reasonCode: 'MANY_RECENT_INQUIRIES', pointsTrend: 'falling', edges: [1, 2, 3, 4, 5, 7] },
  { variable: 'debtToIncome', reasonCode: 'HIGH_DEBT_TO_INCOME', pointsTrend: 'falling', edges: [0.25, 0.5, 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8] },
];

export const BINNING = { minShare: 0.03, maxBins: 8 };

export interface TrainingSample {
  variables: Record<ScoringVariable, number>[];
  defaulted: boolean[];
}

export interface FittedScorecard {
  card: Omit<Scorecard, 'training'>;
  /** What the fit looked like, for the training record and the printout. */
  fit: { variable: ScoringVariable; coefficient: number; standardError: number; informationValue: number }[];
  intercept: number;
  dropped: ScoringVariable[];
}

const round = (x: number, places: number) => Math.round(x * 10 ** places) / 10 ** places;

/** Information value: how far apart the goods' and bads' distributions over the bins are. */
function informationValue(bins: Bin[]): number {
  const goods = bins.reduce((s, b) => s + b.goods, 0);
  const bads = bins.reduce((s, b) => s + b.bads, 0);
  return bins.reduce((s, b) => s + (b.goods / goods - b.bads / bads) * b.woe, 0);
}

export function fitScorecard(sample: TrainingSample, opts: { version: string; scaling: Scorecard['scaling'] }): FittedScorecard {
  const binned = new Map(CHARACTERISTICS.map((spec) => [spec.variable, binVariable(sample.variables.map((v) => v[spec.variable]), sample.defaulted, { ...BINNING, ...spec })]));
  let kept = [...CHARACTERISTICS];
  const dropped: ScoringVariable[] = [];
  for (;;) {
    const x = sample.variables.map((v) => kept.map((spec) => woeFor(binned.get(spec.variable)!, v[spec.variable])));
    const { coefficients, standardErrors } = fitLogistic(x, sample.defaulted);
    // Default is regressed on WoE (higher is safer), so each slope must be negative.
    const wrong = kept.findIndex((_, j) => coefficients[j + 1]! >= 0);
    if (wrong >= 0) {
      dropped.push(kept[wrong]!.variable);
      kept = kept.filter((_, j) => j !== wrong);
      continue;
    }
    const factor = opts.scaling.pointsToDoubleOdds / Math.LN2;
    const offset = opts.scaling.basePoints - factor * Math.log(opts.scaling.baseOdds);
    // ln(odds good) = −(β0 + Σ βj·WoEj): each bin gets −βj·WoE, and an equal share of the intercept and offset.
    const intercept = coefficients[0]!;
    const share = (offset - factor * intercept) / kept.length;
    const characteristics: Characteristic[] = kept.map((spec, j) => {
      const beta = coefficients[j + 1]!;
      return {
        variable: spec.variable,
        reasonCode: spec.reasonCode,
        pointsTrend: spec.pointsTrend,
        coefficient: round(beta, 6),
        bins: binned.get(spec.variable)!.map((bin) => {
          const own = spec.binReason && bin.upTo !== null && bin.upTo <= spec.binReason.below ? spec.binReason.reasonCode : undefined;
          return { upTo: bin.upTo, points: Math.round(-beta * bin.woe * factor + share), woe: round(bin.woe, 4), ...(own ? { reasonCode: own } : {}) };
        }),
      };
    });
    return {
      card: { format: 'revolve-scorecard/1', version: opts.version, scaling: opts.scaling, characteristics },
      fit: kept.map((spec, j) => ({
        variable: spec.variable, coefficient: round(coefficients[j + 1]!, 4), standardError: round(standardErrors[j + 1]!, 4),
        informationValue: round(informationValue(binned.get(spec.variable)!), 4),
      })),
      intercept: round(intercept, 4),
      dropped,
    };
  }
}
