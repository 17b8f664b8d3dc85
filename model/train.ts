/**
 * `npm run model:train`: generates the synthetic portfolio, fits the scorecard on 70% of it, reports
 * AUC, KS and calibration on the other 30%, and writes model/scorecard-<version>.json. Everything is
 * seeded: running it twice writes the same file, byte for byte. See model/README.md.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { scoringVariables } from '../domain/scoring/features';
import { scoreApplicant, type Scorecard } from '../domain/scoring/scorecard';
import { parseScorecard } from '../domain/scoring/scorecard-schema';
import { fitScorecard, BINNING } from './fit-scorecard';
import { auc, calibrationByDecile, ks } from './metrics';
import { generatePortfolio } from './portfolio';

const MODEL_VERSION = 'scorecard-2026.11.1';
const SEED = 20261101;
const APPLICANTS = 50_000;
const TRAIN_SHARE = 0.7;
/** 600 points at odds of 50 goods to 1 bad; every 20 points doubles the odds. */
const SCALING = { basePoints: 600, baseOdds: 50, pointsToDoubleOdds: 20 };

const round = (x: number, places: number) => Math.round(x * 10 ** places) / 10 ** places;
const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
const rate = (flags: boolean[]) => flags.filter(Boolean).length / flags.length;

function main(): void {
  const portfolio = generatePortfolio({ seed: SEED, size: APPLICANTS });
  // The portfolio is drawn independently applicant by applicant, so a cut by position is a random split.
  const cut = Math.round(APPLICANTS * TRAIN_SHARE);
  const train = portfolio.slice(0, cut);
  const heldOut = portfolio.slice(cut);
  const fitted = fitScorecard(
    { variables: train.map((a) => scoringVariables(a.features)), defaulted: train.map((a) => a.defaulted) },
    { version: MODEL_VERSION, scaling: SCALING },
  );

  // Judged as it will run: through the domain's own evaluation of the card.
  const provisional = parseScorecard({ ...fitted.card, training: {} });
  const pds = heldOut.map((a) => scoreApplicant(provisional, a.features).probabilityOfDefault);
  const defaulted = heldOut.map((a) => a.defaulted);
  const heldOutAuc = auc(pds, defaulted);
  const heldOutKs = ks(pds, defaulted);
  const calibration = calibrationByDecile(pds, defaulted);

  const card: Scorecard = parseScorecard({
    format: fitted.card.format,
    version: fitted.card.version,
    scaling: fitted.card.scaling,
    training: {
      portfolio: { generator: 'model/portfolio.ts', seed: SEED, applicants: APPLICANTS, defaultRate: round(rate(portfolio.map((a) => a.defaulted)), 4) },
      split: { train: train.length, heldOut: heldOut.length },
      binning: BINNING,
      logisticRegression: { method: 'IRLS (Newton), model/logistic-regression.ts', intercept: fitted.intercept, characteristics: fitted.fit, dropped: fitted.dropped },
      heldOut: {
        auc: round(heldOutAuc, 4), ks: round(heldOutKs, 4),
        calibration: calibration.map((c) => ({ decile: c.decile, applicants: c.applicants, meanPredicted: round(c.meanPredicted, 4), observed: round(c.observed, 4) })),
      },
    },
    characteristics: fitted.card.characteristics,
  });

  const out: string[] = [];
  const say = (line = '') => out.push(line);
  say(`Revolve credit scorecard ${MODEL_VERSION}`);
  say(`portfolio   ${APPLICANTS.toLocaleString('en')} synthetic applicants (model/portfolio.ts, seed ${SEED}), default rate ${pct(rate(portfolio.map((a) => a.defaulted)))}`);
  say(`split       train ${train.length.toLocaleString('en')} (default rate ${pct(rate(train.map((a) => a.defaulted)))}), held-out ${heldOut.length.toLocaleString('en')} (default rate ${pct(rate(defaulted))})`);
  say(`scaling     ${SCALING.basePoints} points at odds ${SCALING.baseOdds}:1, ${SCALING.pointsToDoubleOdds} points to double the odds`);
  say(`fit         logistic regression on WoE by IRLS: intercept ${fitted.intercept}; dropped (wrong sign): ${fitted.dropped.join(', ') || 'none'}`);
  say();
  say('characteristic         coef     s.e.     IV     bins (upper bound exclusive → points)');
  for (const c of card.characteristics) {
    const f = fitted.fit.find((x) => x.variable === c.variable)!;
    const bins = c.bins.map((b) => `${b.upTo === null ? '∞' : c.variable === 'monthlyIncome' ? `${b.upTo / 100}¥` : b.upTo}→${b.points}`).join('  ');
    say(`${c.variable.padEnd(22)} ${f.coefficient.toFixed(3).padStart(6)}  ${f.standardError.toFixed(3).padStart(6)}  ${f.informationValue.toFixed(3).padStart(6)}   ${bins}`);
  }
  say();
  say(`held-out    AUC ${heldOutAuc.toFixed(4)}   KS ${heldOutKs.toFixed(4)}`);
  say();
  say('calibration on the held-out sample, by decile of predicted PD');
  say('decile  applicants  PD range            mean predicted  observed');
  for (const c of calibration) {
    say(`${String(c.decile).padStart(6)}  ${String(c.applicants).padStart(10)}  ${c.minPd.toFixed(4)}–${c.maxPd.toFixed(4)}     ${pct(c.meanPredicted).padStart(14)}  ${pct(c.observed).padStart(8)}`);
  }
  const file = fileURLToPath(new URL(`./${MODEL_VERSION}.json`, import.meta.url));
  fs.writeFileSync(file, `${JSON.stringify(card, null, 2)}\n`);
  say();
  say(`wrote model/${MODEL_VERSION}.json`);
  process.stdout.write(`${out.join('\n')}\n`);
}

main();
