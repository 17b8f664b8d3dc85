/**
 * Every reason the scorecard and underwriting can give for a decision, with words a customer can read
 * (PRODUCT §3 decline letters, §8 "the customer can ask for an explanation"). Chinese first, as the
 * customer sees it by default; English beside it. Codes are stored with each decision, so a code once
 * given is never renamed or removed.
 */
import type { Locale } from '../notifications/templates';

export const REASON_CATALOGUE = {
  LOW_INCOME: {
    'zh-CN': '申报的月收入较低。',
    en: 'Your declared monthly income is low.',
  },
  SHORT_EMPLOYMENT: {
    'zh-CN': '当前工作的在职时间较短。',
    en: 'You have been in your current employment for a short time.',
  },
  AGE_OUTSIDE_PRIME: {
    'zh-CN': '您所在的年龄段还款风险相对较高。',
    en: 'Applicants of your age group repay less reliably on average.',
  },
  AGE_BELOW_MINIMUM: {
    'zh-CN': '申请人未达到本产品的最低年龄要求。',
    en: 'You are below the minimum age for this product.',
  },
  NEW_PLATFORM_ACCOUNT: {
    'zh-CN': '您的平台账户开立时间较短。',
    en: 'Your account on the platform is new.',
  },
  FEW_PLATFORM_ORDERS: {
    'zh-CN': '您近12个月在平台的购物记录较少。',
    en: 'You have placed few orders on the platform in the last 12 months.',
  },
  SHORT_REPAYMENT_RECORD: {
    'zh-CN': '您在平台其他产品上的按时还款记录较少。',
    en: 'You have a short record of on-time repayments on the platform\'s other products.',
  },
  LATE_PLATFORM_REPAYMENTS: {
    'zh-CN': '您在平台其他产品上有逾期还款记录。',
    en: 'You have repaid late on the platform\'s other products.',
  },
  THIN_CREDIT_FILE: {
    'zh-CN': '您的征信报告中信用账户很少，信用记录不足。',
    en: 'Your credit report shows too few credit accounts to judge your record.',
  },
  MANY_OPEN_ACCOUNTS: {
    'zh-CN': '您的征信报告显示未结清的信用账户较多。',
    en: 'Your credit report shows many open credit accounts.',
  },
  BUREAU_DELINQUENCIES: {
    'zh-CN': '您的征信报告显示近24个月内有逾期记录。',
    en: 'Your credit report shows late payments in the last 24 months.',
  },
  MANY_RECENT_INQUIRIES: {
    'zh-CN': '您近6个月的征信查询次数较多。',
    en: 'Your credit report shows many credit inquiries in the last 6 months.',
  },
  HIGH_DEBT_TO_INCOME: {
    'zh-CN': '您现有负债相对收入较高。',
    en: 'Your outstanding debt is high compared with your income.',
  },
  MISSED_LINE_PAYMENTS: {
    'zh-CN': '您在本额度上有未按时还款的账单。',
    en: 'You have missed payments on this credit line.',
  },
  HIGH_LINE_UTILIZATION: {
    'zh-CN': '您的额度使用率较高。',
    en: 'You are using most of this credit line.',
  },
  MANUAL_REVIEW_EXPIRED: {
    'zh-CN': '您的申请需要人工审核，但未能在规定时间内完成审核。',
    en: 'Your application needed a manual review that was not completed in time.',
  },
} as const satisfies Record<string, Record<Locale, string>>;

export type ReasonCode = keyof typeof REASON_CATALOGUE;

export const REASON_CODES = Object.keys(REASON_CATALOGUE) as ReasonCode[];

export function isReasonCode(code: string): code is ReasonCode {
  return Object.hasOwn(REASON_CATALOGUE, code);
}

export interface ReasonDescription {
  code: ReasonCode;
  description: Record<Locale, string>;
}

export function describeReason(code: ReasonCode): ReasonDescription {
  const description = REASON_CATALOGUE[code];
  // Stored codes come back from the database as strings: one that is not in the catalogue is a defect.
  if (!description) throw new RangeError(`unknown reason code ${code}`);
  return { code, description: { 'zh-CN': description['zh-CN'], en: description.en } };
}
