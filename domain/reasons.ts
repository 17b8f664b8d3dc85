/**
 * The reasons a customer reads for any automated decision on their line (API.md `Decision`): the
 * model's (scoring/reason-codes.ts) and the line's own (risk rules, the limit review, suspensions),
 * in Chinese and English. Codes are stored with each decision: once given, never renamed or removed.
 */
import type { Locale } from './notifications/templates';
import { describeReason as describeModelReason, isReasonCode } from './scoring/reason-codes';

const LINE_REASONS: Record<string, Record<Locale, string>> = {
  RISK_VELOCITY: {
    'zh-CN': '短时间内出现多笔小额消费，为防止盗用，已暂停使用。',
    en: 'Several small purchases in a short time: the line was suspended to protect you from fraud.',
  },
  RISK_LOGIN: {
    'zh-CN': '账户在新设备、新城市登录，或多次登录失败，为保护账户已暂停使用。',
    en: 'Your account was signed in from a new device in a new city, or failed to sign in repeatedly: the line was suspended to protect it.',
  },
  STAFF: {
    'zh-CN': '客服人员暂停了您的额度。',
    en: 'A member of staff suspended your line.',
  },
  OVERDUE: {
    'zh-CN': '您有逾期未还的款项。',
    en: 'An amount you owe is past its due date.',
  },
  MISSED_DUE_DATE: {
    'zh-CN': '账单日时您有逾期未还的款项。',
    en: 'An amount was past due when your statement was issued.',
  },
  APPLICANT_DATA_UNAVAILABLE: {
    'zh-CN': '暂时无法获取您的征信或平台记录，申请转由人工审核。',
    en: 'Your credit report or platform record could not be obtained; a person reviews your application instead.',
  },
  ON_TIME_REPAYMENTS: {
    'zh-CN': '您连续多期按时还款。',
    en: 'You have repaid on time for several statements in a row.',
  },
};

export interface DescribedReason { code: string; description: string; descriptions: Record<Locale, string> }

/** A reason as a customer reads it, in `locale` (and both languages beside it). */
export function describe(code: string, locale: Locale): DescribedReason {
  const descriptions = LINE_REASONS[code] ?? (isReasonCode(code) ? describeModelReason(code).description : { 'zh-CN': code, en: code });
  return { code, description: descriptions[locale], descriptions };
}

export const LINE_REASON_CODES = Object.keys(LINE_REASONS);
