/**
 * What underwriting knows about an applicant (PRODUCT §3): what they declared, their history on the
 * platform's other products, and a credit bureau report. The two reports say where they came from
 * (`source`): a real provider over HTTP, or the embedded synthetic stand-in, so a decision never
 * hides that it was made on made-up data.
 */

/** `http`: a real provider answered; `synthetic`: the embedded stand-in derived the report from the customer id. */
export type ReportSource = 'synthetic' | 'http';

export interface DeclaredFeatures {
  /** Declared monthly income, fen. */
  monthlyIncome: number;
  employmentMonths: number;
  age: number;
}

/** The customer's record on the platform's other products (shopping, other pay-later products). */
export interface PlatformHistory {
  source: ReportSource;
  /** Months since the platform account was opened. */
  accountAgeMonths: number;
  ordersLast12Months: number;
  /** Repayments on the platform's other products in the last 24 months made on time… */
  onTimeRepayments: number;
  /** …and those made late. */
  lateRepayments: number;
}

export interface BureauReport {
  source: ReportSource;
  openCreditAccounts: number;
  /** Accounts 30 or more days past due at some point in the last 24 months. */
  delinquencies24Months: number;
  /** Hard credit inquiries in the last 6 months. */
  inquiries6Months: number;
  /** Total outstanding debt across open accounts, fen. */
  outstandingDebt: number;
}

export interface ApplicantFeatures {
  declared: DeclaredFeatures;
  platform: PlatformHistory;
  bureau: BureauReport;
}

/** The variables a scorecard bins: the features as numbers, with debt taken relative to income. */
export const SCORING_VARIABLES = [
  'monthlyIncome', 'employmentMonths', 'age',
  'accountAgeMonths', 'ordersLast12Months', 'onTimeRepayments', 'lateRepayments',
  'openCreditAccounts', 'delinquencies24Months', 'inquiries6Months', 'debtToIncome',
] as const;
export type ScoringVariable = (typeof SCORING_VARIABLES)[number];
export type ScoringVariables = Record<ScoringVariable, number>;

/** Debt over income when there is no income to speak of: as bad as it gets, without dividing by zero. */
const DEBT_TO_INCOME_WITHOUT_INCOME = 99;

export function scoringVariables(f: ApplicantFeatures): ScoringVariables {
  const { declared, platform, bureau } = f;
  const counts: [string, number][] = [
    ['monthlyIncome', declared.monthlyIncome], ['employmentMonths', declared.employmentMonths], ['age', declared.age],
    ['accountAgeMonths', platform.accountAgeMonths], ['ordersLast12Months', platform.ordersLast12Months],
    ['onTimeRepayments', platform.onTimeRepayments], ['lateRepayments', platform.lateRepayments],
    ['openCreditAccounts', bureau.openCreditAccounts], ['delinquencies24Months', bureau.delinquencies24Months],
    ['inquiries6Months', bureau.inquiries6Months], ['outstandingDebt', bureau.outstandingDebt],
  ];
  for (const [name, value] of counts) {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer`);
  }
  return {
    monthlyIncome: declared.monthlyIncome,
    employmentMonths: declared.employmentMonths,
    age: declared.age,
    accountAgeMonths: platform.accountAgeMonths,
    ordersLast12Months: platform.ordersLast12Months,
    onTimeRepayments: platform.onTimeRepayments,
    lateRepayments: platform.lateRepayments,
    openCreditAccounts: bureau.openCreditAccounts,
    delinquencies24Months: bureau.delinquencies24Months,
    inquiries6Months: bureau.inquiries6Months,
    debtToIncome: declared.monthlyIncome > 0
      ? Math.min(bureau.outstandingDebt / declared.monthlyIncome, DEBT_TO_INCOME_WITHOUT_INCOME)
      : (bureau.outstandingDebt > 0 ? DEBT_TO_INCOME_WITHOUT_INCOME : 0),
  };
}
