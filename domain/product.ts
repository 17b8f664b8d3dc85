/**
 * The product configuration: every number of a credit product (PRODUCT.md) in one plain-JSON object.
 * Code reads numbers from here, never from literals, so a second product is only a second
 * configuration. Its schema is `product-schema.ts` (the worker validates the product at start-up
 * and a unit test validates this one).
 */
import type { Product } from './product-schema';

export type { Product };

export { COLLECTION_ACTIONS, type CollectionAction } from './collection-actions';

/**
 * The standard product, every number from PRODUCT.md. Choices PRODUCT.md leaves open are marked.
 */
export const STANDARD_PRODUCT: Product = {
  id: 'standard',
  name: 'Revolve standard credit line',
  currency: 'CNY',
  rounding: 'HALF_UP',
  statement: {
    cycle: 'MONTHLY',
    minStatementDay: 1,
    maxStatementDay: 28,
    dueDateOffsetDays: 30,
    maxInterestFreeDays: 60,
  },
  installments: { allowedCounts: [3], monthlyFeeRate: '0.005' },
  penalty: {
    dailyRate: '0.0005',
    // Choice (PRODUCT.md only says "configured annual cap"): 24% a year of the overdue principal,
    // the ceiling Chinese courts uphold for contractual charges. At 0.05%/day a full year is
    // 18.25%, so with these numbers the cap is a guard against a mis-set daily rate, not a daily limit.
    annualCapRate: '0.24',
  },
  reminders: { offsetsDays: [3, 1, 0], localTime: '10:00' },
  sms: { quietHours: { start: '21:00', end: '08:00' }, maxCollectionSmsPerDay: 1 },
  collections: {
    ladder: [
      {
        dpd: 1,
        stage: 'DPD1_NOTICE',
        actions: ['SUSPEND_OVERDUE', 'SMS_OVERDUE_NOTICE', 'IN_APP_OVERDUE_NOTICE', 'START_PENALTY'],
      },
      { dpd: 3, stage: 'DPD3_REMINDER', actions: ['SMS_REMINDER'] },
      { dpd: 7, stage: 'DPD7_FOLLOW_UP', actions: ['SMS_REMINDER', 'IN_APP_REMINDER', 'FLAG_STAFF_FOLLOW_UP'] },
      { dpd: 15, stage: 'DPD15_COLLECTIONS', actions: ['COLLECTIONS_QUEUE'] },
      { dpd: 30, stage: 'DPD30_FINAL_NOTICE', actions: ['SMS_FINAL_NOTICE', 'IN_APP_FINAL_NOTICE'] },
      { dpd: 90, stage: 'DPD90_CHARGED_OFF', actions: ['CHARGE_OFF'] },
    ],
    // Choice (PRODUCT §10 says only "a bounded time"): staff may pause collection for at most 30 days
    // from the moment they ask (a dispute's first answer, a hospital stay); asking again extends it,
    // each time audited with its reason.
    maxPauseDays: 30,
  },
  underwriting: {
    approveBelowPd: 0.08,
    declineFromPd: 0.15,
    manualReviewDays: 7,
    applicantDataWaitMinutes: 30, // choice: a bureau down longer than this sends the application to staff (manual review)
    minLimit: 50_000, // 500 yuan
    maxLimit: 5_000_000, // 50,000 yuan
    limitStep: 10_000, // rounded down to 100 yuan
    incomeMultiple: 3, // choice: limit before the risk discount = 3 × monthly income
    minimumAge: 18, // choice: adults only
    rescoreAfterOnTimeCycles: 6,
  },
  merchants: { eligible: ['self-operated', 'affiliate-001', 'affiliate-002', 'affiliate-003'] },
  risk: {
    rules: [
      // 5 purchases of at most 50 yuan within 10 minutes: the fifth is declined and the line suspended.
      { id: 'velocity-small-purchases', mode: 'enforce', kind: 'VELOCITY', count: 5, maxAmount: 5_000, windowMinutes: 10 },
      // Choice: the tighter threshold under trial, recorded beside the enforced one, acting on nothing.
      { id: 'velocity-small-purchases-trial', mode: 'shadow', kind: 'VELOCITY', count: 4, maxAmount: 5_000, windowMinutes: 10 },
      { id: 'login-new-device-new-city', mode: 'enforce', kind: 'NEW_DEVICE_NEW_CITY', lookbackDays: 90 },
      { id: 'login-failed-attempts', mode: 'enforce', kind: 'FAILED_LOGINS', count: 5, windowMinutes: 15 },
    ],
  },
  closure: { otpDigits: 6, otpTtlMinutes: 5, otpMaxAttempts: 5, otpResendAfterSeconds: 60 },
  // PRODUCT §10: "up to 12 monthly installments"; choice: at least 2 (one would be a mere deferral).
  hardship: { minInstallments: 2, maxInstallments: 12 },
  // Choice (PRODUCT §10 names no period): a maker–checker request not decided within 72 hours expires
  // and changes nothing; the maker asks again if it still holds.
  approvals: { expiresAfterHours: 72 },
};
