import fc from 'fast-check';
import type { ApplicantFeatures, BureauReport, DeclaredFeatures, PlatformHistory } from '../../domain/scoring/features';

/** A middling, clean platform record and bureau report, inside what the synthetic providers give. */
export const TYPICAL_PLATFORM: PlatformHistory = { source: 'synthetic', accountAgeMonths: 48, ordersLast12Months: 9, onTimeRepayments: 6, lateRepayments: 0 };
export const TYPICAL_BUREAU: BureauReport = { source: 'synthetic', openCreditAccounts: 2, delinquencies24Months: 0, inquiries6Months: 1, outstandingDebt: 400_000 };

/** An applicant who declared this, with the typical reports unless told otherwise. */
export function applicant(declared: Partial<DeclaredFeatures>, reports: { platform?: Partial<PlatformHistory>; bureau?: Partial<BureauReport> } = {}): ApplicantFeatures {
  return {
    declared: { monthlyIncome: 800_000, employmentMonths: 24, age: 30, ...declared },
    platform: { ...TYPICAL_PLATFORM, ...reports.platform },
    bureau: { ...TYPICAL_BUREAU, ...reports.bureau },
  };
}

/** Any applicant, for property tests: every feature over a wide, plausible range. */
export const anyApplicant = (): fc.Arbitrary<ApplicantFeatures> => fc.record({
  declared: fc.record({ monthlyIncome: fc.integer({ min: 0, max: 10_000_000 }), employmentMonths: fc.nat(600), age: fc.integer({ min: 16, max: 90 }) }),
  platform: fc.record({ source: fc.constant('http' as const), accountAgeMonths: fc.nat(200), ordersLast12Months: fc.nat(100), onTimeRepayments: fc.nat(60), lateRepayments: fc.nat(20) }),
  bureau: fc.record({ source: fc.constant('http' as const), openCreditAccounts: fc.nat(20), delinquencies24Months: fc.nat(10), inquiries6Months: fc.nat(20), outstandingDebt: fc.nat(50_000_000) }),
});
