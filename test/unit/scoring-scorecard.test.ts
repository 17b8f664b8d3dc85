/**
 * Evaluating a scorecard: the points per characteristic, the PD from the total, the reasons (the
 * characteristics that cost the most points against their best bin); then the committed card's
 * properties over any applicant, and the reason catalogue.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { loadScorecard } from '../../activities/scorecard';
import { REASON_CATALOGUE, REASON_CODES, describeReason, isReasonCode } from '../../domain/scoring/reason-codes';
import { probabilityOfDefaultAt, scoreApplicant, scoreVariables, type Scorecard } from '../../domain/scoring/scorecard';
import { parseScorecard } from '../../domain/scoring/scorecard-schema';
import type { ScoringVariables } from '../../domain/scoring/features';
import { anyApplicant, applicant } from '../support/applicants';

/** A card small enough to work by hand. */
const tiny: Scorecard = parseScorecard({
  format: 'revolve-scorecard/1',
  version: 'scorecard-2026.1.0',
  scaling: { basePoints: 600, baseOdds: 50, pointsToDoubleOdds: 20 },
  training: {},
  characteristics: [
    { variable: 'monthlyIncome', reasonCode: 'LOW_INCOME', pointsTrend: 'rising', coefficient: -1, bins: [{ upTo: 300_000, points: 100, woe: -1 }, { upTo: 800_000, points: 180, woe: 0 }, { upTo: null, points: 200, woe: 1 }] },
    { variable: 'openCreditAccounts', reasonCode: 'MANY_OPEN_ACCOUNTS', pointsTrend: 'any', coefficient: -1, bins: [{ upTo: 1, points: 190, woe: -0.5, reasonCode: 'THIN_CREDIT_FILE' }, { upTo: 5, points: 210, woe: 0.2 }, { upTo: null, points: 170, woe: -0.8 }] },
    { variable: 'inquiries6Months', reasonCode: 'MANY_RECENT_INQUIRIES', pointsTrend: 'falling', coefficient: -1, bins: [{ upTo: 2, points: 200, woe: 0.1 }, { upTo: null, points: 170, woe: -1 }] },
  ],
});
const variables = (v: Partial<ScoringVariables>): ScoringVariables => ({
  monthlyIncome: 800_000, employmentMonths: 24, age: 30, accountAgeMonths: 48, ordersLast12Months: 10, onTimeRepayments: 6, lateRepayments: 0,
  openCreditAccounts: 2, delinquencies24Months: 0, inquiries6Months: 0, debtToIncome: 0.5, ...v,
});

describe('a scorecard, worked by hand', () => {
  it('adds the points of each value\'s bin and turns the total into a PD on the card\'s scaling', () => {
    // 200 + 210 + 200 = 610 points. Factor 20/ln 2 = 28.8539, offset 600 − 28.8539·ln 50 = 487.1229;
    // odds = e^((610 − 487.1229)/28.8539) = e^4.2586 = 70.71 → PD = 1/71.71 = 0.0139.
    const s = scoreVariables(tiny, variables({}));
    expect(s.totalPoints).toBe(610);
    expect(s.probabilityOfDefault).toBe(0.0139);
    expect(s.reasonCodes).toEqual([]);
    // 600 points is odds 50:1 exactly: PD 1/51.
    expect(probabilityOfDefaultAt(600, tiny.scaling)).toBe(0.0196);
  });

  it('names the characteristics that lost the most points against their best bin, worst first', () => {
    // Income loses 100, inquiries 30, accounts 20 (a thin file: the bin's own reason).
    const s = scoreVariables(tiny, variables({ monthlyIncome: 250_000, inquiries6Months: 3, openCreditAccounts: 0 }));
    expect(s.characteristics.map((c) => [c.variable, c.points, c.pointsLost])).toEqual([
      ['monthlyIncome', 100, 100], ['openCreditAccounts', 190, 20], ['inquiries6Months', 170, 30],
    ]);
    expect(s.reasonCodes).toEqual(['LOW_INCOME', 'MANY_RECENT_INQUIRIES', 'THIN_CREDIT_FILE']);
    expect(scoreVariables(tiny, variables({ openCreditAccounts: 9 })).reasonCodes).toEqual(['MANY_OPEN_ACCOUNTS']);
  });

  it('puts a value on a bin bound in the bin above (bounds are exclusive upper bounds)', () => {
    expect(scoreVariables(tiny, variables({ monthlyIncome: 299_999 })).characteristics[0]?.points).toBe(100);
    expect(scoreVariables(tiny, variables({ monthlyIncome: 300_000 })).characteristics[0]?.points).toBe(180);
  });

  it('keeps the PD strictly inside (0, 1) however extreme the score', () => {
    expect(probabilityOfDefaultAt(5_000, tiny.scaling)).toBe(0.0001);
    expect(probabilityOfDefaultAt(-5_000, tiny.scaling)).toBe(0.9999);
  });

  it('refuses a card that would score wrongly', () => {
    const broken = (change: (c: Scorecard) => void) => {
      const c = structuredClone(tiny);
      change(c);
      return () => parseScorecard(c);
    };
    expect(broken((c) => { c.characteristics[0]!.bins[1]!.points = 90; })).toThrow(/points must not fall/);
    expect(broken((c) => { c.characteristics[2]!.bins[1]!.points = 210; })).toThrow(/points must not rise/);
    expect(broken((c) => { c.characteristics[0]!.bins[2]!.upTo = 900_000; })).toThrow(/open-ended/);
    expect(broken((c) => { c.characteristics[0]!.bins[1]!.upTo = 200_000; })).toThrow(/bounds must rise/);
    expect(broken((c) => { (c.characteristics[0] as { reasonCode: string }).reasonCode = 'SOMETHING_ELSE'; })).toThrow();
    expect(broken((c) => { c.characteristics.push(structuredClone(c.characteristics[0]!)); })).toThrow(/twice/);
  });
});

describe('the committed scorecard, over any applicant', () => {
  const card = loadScorecard();

  it('gives a PD strictly inside (0, 1), and at most 4 reasons, all from the catalogue', () => {
    fc.assert(fc.property(anyApplicant(), (f) => {
      const s = scoreApplicant(card, f);
      return s.probabilityOfDefault > 0 && s.probabilityOfDefault < 1 && s.reasonCodes.length <= 4 && s.reasonCodes.every(isReasonCode)
        && new Set(s.reasonCodes).size === s.reasonCodes.length;
    }));
  });

  it('never raises the PD for more income, all else equal', () => {
    fc.assert(fc.property(anyApplicant(), fc.integer({ min: 1, max: 5_000_000 }), (f, more) =>
      scoreApplicant(card, { ...f, declared: { ...f.declared, monthlyIncome: f.declared.monthlyIncome + more } }).probabilityOfDefault
        <= scoreApplicant(card, f).probabilityOfDefault));
  });

  it('never raises the PD for more months in employment, all else equal', () => {
    fc.assert(fc.property(anyApplicant(), fc.integer({ min: 1, max: 120 }), (f, more) =>
      scoreApplicant(card, { ...f, declared: { ...f.declared, employmentMonths: f.declared.employmentMonths + more } }).probabilityOfDefault
        <= scoreApplicant(card, f).probabilityOfDefault));
  });

  it('never lowers the PD for more bureau delinquencies, all else equal', () => {
    fc.assert(fc.property(anyApplicant(), fc.integer({ min: 1, max: 5 }), (f, more) =>
      scoreApplicant(card, { ...f, bureau: { ...f.bureau, delinquencies24Months: f.bureau.delinquencies24Months + more } }).probabilityOfDefault
        >= scoreApplicant(card, f).probabilityOfDefault));
  });

  it('costs the applicant points for two bureau delinquencies', () => {
    const clean = scoreApplicant(card, applicant({}));
    const delinquent = scoreApplicant(card, applicant({}, { bureau: { delinquencies24Months: 2 } }));
    expect(delinquent.probabilityOfDefault).toBeGreaterThan(clean.probabilityOfDefault);
    expect(delinquent.reasonCodes[0]).toBe('BUREAU_DELINQUENCIES');
  });

  it('scores only the variables it knows, each reason from the catalogue', () => {
    for (const c of card.characteristics) {
      expect(isReasonCode(c.reasonCode)).toBe(true);
      for (const b of c.bins) if (b.reasonCode) expect(isReasonCode(b.reasonCode)).toBe(true);
    }
  });
});

describe('the reason catalogue', () => {
  it('describes every code in Chinese and in English', () => {
    expect(REASON_CODES.length).toBe(Object.keys(REASON_CATALOGUE).length);
    for (const code of REASON_CODES) {
      const { description } = describeReason(code);
      expect(description['zh-CN']).toMatch(/[\u4e00-\u9fff]/);
      expect(description.en).toMatch(/^[A-Z][^\u4e00-\u9fff]+\.$/);
    }
  });

  it('holds every code underwriting gives besides the card\'s', () => {
    for (const code of ['AGE_BELOW_MINIMUM', 'MANUAL_REVIEW_EXPIRED', 'MISSED_LINE_PAYMENTS', 'HIGH_LINE_UTILIZATION']) expect(isReasonCode(code)).toBe(true);
    expect(isReasonCode('toString')).toBe(false);
    expect(() => describeReason('NOT_A_CODE' as never)).toThrow(RangeError);
  });
});
