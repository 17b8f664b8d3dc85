/**
 * The synthetic bureau and platform history: the same report for the same customer, plausible
 * values, always labelled, and — since the service tests apply with random customer ids — the
 * standard applicants get the decision those tests expect whatever report the stand-ins give.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SYNTHETIC_RANGES, syntheticBureau, syntheticPlatformHistory, applicantDataProviders, fetchApplicantData, SYNTHETIC_PROVIDERS } from '../../activities/applicant-data';
import { loadScorecard } from '../../activities/scorecard';
import { STANDARD_PRODUCT } from '../../domain/product';
import { scoringVariables, type ApplicantFeatures, type DeclaredFeatures } from '../../domain/scoring/features';
import { binFor, probabilityOfDefaultAt } from '../../domain/scoring/scorecard';
import { decisionFor, underwrite, type UnderwritingDecision } from '../../domain/underwriting';

const card = loadScorecard();
const policy = STANDARD_PRODUCT.underwriting;
const range = ([from, to]: readonly [number, number]) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** The applicants the service tests and the README apply with, and the decision each expects. */
const STANDARD: [DeclaredFeatures, UnderwritingDecision][] = [
  [{ monthlyIncome: 800_000, employmentMonths: 24, age: 30 }, 'APPROVE'],
  [{ monthlyIncome: 800_000, employmentMonths: 36, age: 30 }, 'APPROVE'],
  [{ monthlyIncome: 1_000_000, employmentMonths: 60, age: 40 }, 'APPROVE'],
  [{ monthlyIncome: 1_500_000, employmentMonths: 48, age: 35 }, 'APPROVE'],
  [{ monthlyIncome: 1_500_000, employmentMonths: 60, age: 35 }, 'APPROVE'],
  [{ monthlyIncome: 2_000_000, employmentMonths: 36, age: 30 }, 'APPROVE'],
  [{ monthlyIncome: 2_000_000, employmentMonths: 60, age: 33 }, 'APPROVE'],
  [{ monthlyIncome: 5_000_000, employmentMonths: 120, age: 35 }, 'APPROVE'],
  [{ monthlyIncome: 300_000, employmentMonths: 12, age: 30 }, 'MANUAL_REVIEW'],
  [{ monthlyIncome: 100_000, employmentMonths: 2, age: 30 }, 'DECLINE'],
  [{ monthlyIncome: 80_000, employmentMonths: 1, age: 35 }, 'DECLINE'],
  [{ monthlyIncome: 100_000, employmentMonths: 1, age: 19 }, 'DECLINE'],
];

describe('the synthetic providers', () => {
  it('give the same report for the same customer, labelled synthetic, within their ranges', async () => {
    const a = await fetchApplicantData(SYNTHETIC_PROVIDERS, 'C-42');
    expect(await fetchApplicantData(SYNTHETIC_PROVIDERS, 'C-42')).toEqual(a);
    expect(a.bureau.source).toBe('synthetic');
    expect(a.platform.source).toBe('synthetic');
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const { bureau, platform } = await fetchApplicantData(SYNTHETIC_PROVIDERS, `C-${i}`);
      seen.add(JSON.stringify([bureau, platform]));
      for (const key of ['accountAgeMonths', 'ordersLast12Months', 'onTimeRepayments', 'lateRepayments'] as const) expect(range(SYNTHETIC_RANGES[key])).toContain(platform[key]);
      for (const key of ['openCreditAccounts', 'delinquencies24Months', 'inquiries6Months'] as const) expect(range(SYNTHETIC_RANGES[key])).toContain(bureau[key]);
      expect(range(SYNTHETIC_RANGES.outstandingDebtHundredsOfYuan).map((h) => h * 10_000)).toContain(bureau.outstandingDebt);
    }
    // Customers differ from one another.
    expect(seen.size).toBeGreaterThan(450);
  });

  it('are what runs when no provider URL is set', () => {
    const providers = applicantDataProviders({ bureauTimeoutMs: 3000, platformHistoryTimeoutMs: 3000 });
    expect(providers.bureau).toBe(syntheticBureau);
    expect(providers.platformHistory).toBe(syntheticPlatformHistory);
    expect(applicantDataProviders({ bureauUrl: 'http://127.0.0.1:1', bureauTimeoutMs: 3000, platformHistoryTimeoutMs: 3000 }).bureau.source).toBe('http');
  });

  it('cannot change the standard applicants\' decisions, whatever report they give', () => {
    // The card is additive, so the lowest and highest totals over every report the stand-ins can give
    // are the sums of each characteristic's lowest and highest points over its possible values.
    for (const [declared, expected] of STANDARD) {
      const possible = range(SYNTHETIC_RANGES.outstandingDebtHundredsOfYuan).flatMap((debt) => {
        const f = (over: Partial<ApplicantFeatures['platform'] & ApplicantFeatures['bureau']>): ApplicantFeatures => ({
          declared,
          platform: { source: 'synthetic', accountAgeMonths: 24, ordersLast12Months: 8, onTimeRepayments: 0, lateRepayments: 0, ...over },
          bureau: { source: 'synthetic', openCreditAccounts: 1, delinquencies24Months: 0, inquiries6Months: 0, outstandingDebt: debt * 10_000, ...over },
        });
        return (['accountAgeMonths', 'ordersLast12Months', 'onTimeRepayments', 'lateRepayments', 'openCreditAccounts', 'delinquencies24Months', 'inquiries6Months'] as const)
          .flatMap((key) => range(SYNTHETIC_RANGES[key]).map((value) => scoringVariables(f({ [key]: value }))));
      });
      let [lowest, highest] = [0, 0];
      for (const c of card.characteristics) {
        const points = possible.map((v) => binFor(c, v[c.variable]).points);
        lowest += Math.min(...points);
        highest += Math.max(...points);
      }
      const decisions = [decisionFor(probabilityOfDefaultAt(lowest, card.scaling), policy), decisionFor(probabilityOfDefaultAt(highest, card.scaling), policy)];
      expect({ declared, decisions }).toEqual({ declared, decisions: [expected, expected] });
    }
  });

  it('give random customers the expected decision, a decline naming low income', async () => {
    for (let i = 0; i < 200; i++) {
      const { bureau, platform } = await fetchApplicantData(SYNTHETIC_PROVIDERS, `C-${randomUUID().slice(0, 8)}`);
      for (const [declared, expected] of STANDARD) {
        const r = underwrite({ declared, platform, bureau }, policy, card);
        expect(r.decision).toBe(expected);
        if (expected !== 'APPROVE') expect(r.reasonCodes[0]).toBe('LOW_INCOME');
      }
    }
  });
});
