/**
 * What the line says to a customer, in one place: every template, its channels and its text in
 * Chinese (the default) and English. Texts hold amounts and dates, never personal data: the phone
 * is added by the delivery activity at the last moment, and a one-time code only ever there.
 */
import { formatYuan } from '../money';

export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'zh-CN';

export const CHANNELS = ['SMS', 'IN_APP'] as const;
export type Channel = (typeof CHANNELS)[number];

/**
 * Why a message is sent, which decides the conduct rules it is under: SERVICE (an account event),
 * COLLECTION (about an overdue amount: capped per day), CODE (a one-time code the customer asked
 * for: sent at once, whatever the hour, never counted).
 */
export type MessageKind = 'SERVICE' | 'COLLECTION' | 'CODE';

/** Parameters a template may use: amounts in fen, days as YYYY-MM-DD. */
export type TemplateParams = Record<string, string | number>;

interface Template {
  kind: MessageKind;
  channels: readonly Channel[];
  text: Record<Locale, (p: TemplateParams) => string>;
  /** Parameters that are secrets (a one-time code): only the customer's SMS holds them in clear. */
  secretParams?: readonly string[];
}

const fen = (p: TemplateParams, name: string): string => formatYuan(Number(p[name] ?? 0));
const str = (p: TemplateParams, name: string): string => String(p[name] ?? '');

export const TEMPLATES = {
  LINE_OPENED: {
    kind: 'SERVICE',
    channels: ['SMS', 'IN_APP'],
    text: {
      'zh-CN': (p) => `【Revolve】您的白条额度已开通，额度 ¥${fen(p, 'limit')}，每月${str(p, 'statementDay')}日出账。`,
      en: (p) => `[Revolve] Your credit line is open: limit CNY ${fen(p, 'limit')}, statement on day ${str(p, 'statementDay')} of each month.`,
    },
  },
  STATEMENT_ISSUED: {
    kind: 'SERVICE',
    channels: ['SMS', 'IN_APP'],
    text: {
      'zh-CN': (p) => `【Revolve】您${str(p, 'statementDate')}的账单已出，应还 ¥${fen(p, 'amountDue')}，最后还款日 ${str(p, 'dueDate')}。`,
      en: (p) => `[Revolve] Your statement of ${str(p, 'statementDate')} is ready: CNY ${fen(p, 'amountDue')} due by ${str(p, 'dueDate')}.`,
    },
  },
  PAYMENT_REMINDER: {
    kind: 'SERVICE',
    channels: ['SMS', 'IN_APP'],
    text: {
      'zh-CN': (p) => `【Revolve】温馨提示：您有 ¥${fen(p, 'amount')} 将于 ${str(p, 'dueDate')} 到期，请按时还款。`,
      en: (p) => `[Revolve] Reminder: CNY ${fen(p, 'amount')} is due on ${str(p, 'dueDate')}.`,
    },
  },
  OVERDUE_NOTICE: {
    kind: 'COLLECTION',
    channels: ['SMS', 'IN_APP'],
    text: {
      'zh-CN': (p) => `【Revolve】您 ${str(p, 'dueDate')} 到期的 ¥${fen(p, 'overdue')} 已逾期，白条已暂停使用，逾期期间每日收取违约金。还清逾期款项后自动恢复。`,
      en: (p) => `[Revolve] CNY ${fen(p, 'overdue')} due on ${str(p, 'dueDate')} is overdue. Your line is suspended and a daily penalty applies until it is paid.`,
    },
  },
  OVERDUE_REMINDER: {
    kind: 'COLLECTION',
    channels: ['SMS', 'IN_APP'],
    text: {
      'zh-CN': (p) => `【Revolve】您已逾期 ${str(p, 'daysPastDue')} 天，应还 ¥${fen(p, 'overdue')}，请尽快还款。`,
      en: (p) => `[Revolve] You are ${str(p, 'daysPastDue')} days past due: CNY ${fen(p, 'overdue')} to pay. Please repay as soon as you can.`,
    },
  },
  FINAL_NOTICE: {
    kind: 'COLLECTION',
    channels: ['SMS', 'IN_APP'],
    text: {
      'zh-CN': (p) => `【Revolve】最后通知：您已逾期 ${str(p, 'daysPastDue')} 天，应还 ¥${fen(p, 'overdue')}。逾期满 ${str(p, 'chargeOffDpd')} 天的欠款将按规定核销并影响您的信用。`,
      en: (p) => `[Revolve] Final notice: ${str(p, 'daysPastDue')} days past due, CNY ${fen(p, 'overdue')} to pay. At ${str(p, 'chargeOffDpd')} days the debt is charged off and reported.`,
    },
  },
  RISK_SUSPENDED: {
    kind: 'SERVICE',
    channels: ['SMS', 'IN_APP'],
    text: {
      'zh-CN': () => `【Revolve】为保护您的账户安全，您的白条已暂停使用。如是本人操作，可在 App 内通过短信验证码恢复，或联系客服。`,
      en: () => `[Revolve] To protect your account, your credit line is suspended. If this was you, restore it in the app with an SMS code, or contact support.`,
    },
  },
  SUSPENSION_LIFTED: {
    kind: 'SERVICE',
    channels: ['IN_APP'],
    text: {
      'zh-CN': () => `【Revolve】您的白条暂停原因已解除。`,
      en: () => `[Revolve] A suspension of your credit line has been lifted.`,
    },
  },
  LIMIT_CHANGED: {
    kind: 'SERVICE',
    channels: ['SMS', 'IN_APP'],
    text: {
      'zh-CN': (p) => `【Revolve】您的白条额度已由 ¥${fen(p, 'from')} 调整为 ¥${fen(p, 'to')}。如有疑问，可在 App 内查看原因并申请人工复核。`,
      en: (p) => `[Revolve] Your credit limit has changed from CNY ${fen(p, 'from')} to CNY ${fen(p, 'to')}. See why in the app, and ask for a human review if you disagree.`,
    },
  },
  LINE_CLOSING: {
    kind: 'SERVICE',
    channels: ['SMS', 'IN_APP'],
    text: {
      'zh-CN': (p) => `【Revolve】您已申请关闭白条。还清 ¥${fen(p, 'amount')}（未到期分期手续费已免除）后白条将自动关闭；关闭前可随时在 App 内取消。`,
      en: (p) => `[Revolve] You asked to close your credit line. Once CNY ${fen(p, 'amount')} is paid (fees of installments not yet due waived) it closes by itself; you can cancel in the app until then.`,
    },
  },
  LINE_CLOSED: {
    kind: 'SERVICE',
    channels: ['SMS', 'IN_APP'],
    text: {
      'zh-CN': () => `【Revolve】您的白条已关闭，账单和交易记录仍可在 App 内查看。如需再次使用，可重新申请。`,
      en: () => `[Revolve] Your credit line is closed. Its statements and transactions stay in the app; you may apply again at any time.`,
    },
  },
  CLOSURE_CANCELLED: {
    kind: 'SERVICE',
    channels: ['IN_APP'],
    text: {
      'zh-CN': () => `【Revolve】您的白条关闭申请已取消，白条恢复原状态。`,
      en: () => `[Revolve] The closure of your credit line was cancelled; the line is back as it was.`,
    },
  },
  HARDSHIP_PLAN_STARTED: {
    kind: 'SERVICE',
    channels: ['SMS', 'IN_APP'],
    text: {
      'zh-CN': (p) => `【Revolve】您的逾期款项 ¥${fen(p, 'total')} 已转为 ${str(p, 'count')} 期还款计划，无手续费，首期 ¥${fen(p, 'firstAmount')} 于 ${str(p, 'firstDueDate')} 到期。按期还款期间暂停催收，白条暂停新的消费。`,
      en: (p) => `[Revolve] Your overdue CNY ${fen(p, 'total')} is now a plan of ${str(p, 'count')} monthly installments with no fee; the first, CNY ${fen(p, 'firstAmount')}, is due on ${str(p, 'firstDueDate')}. Collection is paused while you keep to it; new purchases are paused.`,
    },
  },
  HARDSHIP_PLAN_COMPLETED: {
    kind: 'SERVICE',
    channels: ['IN_APP'],
    text: {
      'zh-CN': () => `【Revolve】您的还款计划已全部还清。`,
      en: () => `[Revolve] Your hardship plan is paid in full.`,
    },
  },
  VERIFICATION_CODE: {
    kind: 'CODE',
    channels: ['SMS'],
    secretParams: ['code'],
    text: {
      'zh-CN': (p) => `【Revolve】您的验证码为 ${str(p, 'code')}，${str(p, 'validMinutes')}分钟内有效。请勿告诉他人，Revolve 工作人员不会向您索要验证码。`,
      en: (p) => `[Revolve] Your verification code is ${str(p, 'code')}, valid for ${str(p, 'validMinutes')} minutes. Never share it: Revolve staff will never ask for it.`,
    },
  },
} as const satisfies Record<string, Template>;

export type TemplateName = keyof typeof TEMPLATES;
export const TEMPLATE_NAMES = Object.keys(TEMPLATES) as TemplateName[];

export function renderMessage(template: TemplateName, params: TemplateParams, locale: Locale = DEFAULT_LOCALE): string {
  return TEMPLATES[template].text[locale](params);
}

/** The secret parameters of `template` (none for most). */
export function secretParamsOf(template: string): readonly string[] {
  const t = (TEMPLATES as Record<string, Template>)[template];
  return t?.secretParams ?? [];
}

/** `params` with every secret replaced by `mask`: what may be stored or shown of a message's parameters. */
export function maskedParams(template: string, params: TemplateParams, mask: string): TemplateParams {
  const secrets = secretParamsOf(template);
  return Object.fromEntries(Object.entries(params).map(([name, value]) => [name, secrets.includes(name) ? mask : value]));
}
