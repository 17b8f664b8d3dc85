/**
 * Abnormal-login monitoring (PRODUCT §8): the login rules of the product's risk configuration,
 * evaluated on one login against the customer's earlier logins. Pure: the times are the logins' own,
 * never a clock; what to store and whom to suspend is the caller's.
 *
 *   NEW_DEVICE_NEW_CITY  a successful login from a device and a city neither seen in the customer's
 *                        successful logins of the last `lookbackDays` days up to it; with nothing to
 *                        compare with (a first login) it only records.
 *   FAILED_LOGINS        `count` or more failed logins within the last `windowMinutes` (this one
 *                        included when it failed).
 *
 * A hit's figures are the numbers that crossed the threshold, never the device, the IP or the city:
 * risk events are read by staff tools and kept for years, personal data stays in `login_events`.
 */
import type { Product } from '../product';

/** One login as the platform reported it (the IP plays no part in the rules: it is kept, not compared). */
export interface Login {
  deviceId: string;
  city: string;
  success: boolean;
  /** An ISO-8601 instant with its offset. */
  occurredAt: string;
}

type RiskRule = Product['risk']['rules'][number];
export type LoginRule = Extract<RiskRule, { kind: 'NEW_DEVICE_NEW_CITY' | 'FAILED_LOGINS' }>;
export type LoginRuleKind = LoginRule['kind'];

export type LoginFigures =
  | { deviceSeen: false; citySeen: false; lookbackDays: number; loginsCompared: number }
  | { failedLogins: number; windowMinutes: number; threshold: number };

export interface LoginRuleHit {
  ruleId: string;
  kind: LoginRuleKind;
  /** A shadow rule records its hit and acts on nothing. */
  shadow: boolean;
  action: 'NONE' | 'SUSPEND';
  figures: LoginFigures;
}

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

export const isLoginRule = (rule: RiskRule): rule is LoginRule => rule.kind === 'NEW_DEVICE_NEW_CITY' || rule.kind === 'FAILED_LOGINS';

/**
 * How far back before a login its rules look: the caller reads the customer's logins from
 * `occurredAt − lookbackMs` up to `occurredAt` and no further. Zero when no login rule is configured.
 */
export function loginLookbackMs(rules: readonly RiskRule[]): number {
  return rules.filter(isLoginRule).reduce((longest, rule) => Math.max(longest, rule.kind === 'NEW_DEVICE_NEW_CITY' ? rule.lookbackDays * DAY_MS : rule.windowMinutes * MINUTE_MS), 0);
}

/** The platform's cities are typed text: " Shanghai" and "shanghai" are one city. */
const sameCity = (city: string) => city.normalize('NFKC').trim().toLowerCase();

const instant = (iso: string): number => {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`not an ISO-8601 instant: ${iso}`);
  return ms;
};

/**
 * The hits of the login rules (enforced and shadow alike, in the order configured) for `login`,
 * given the customer's other logins (`history`: any order, the login itself left out; logins outside
 * a rule's window are ignored, so a longer history is harmless). Other kinds of rules are skipped.
 */
export function loginRuleHits(history: readonly Login[], login: Login, rules: readonly RiskRule[]): LoginRuleHit[] {
  const at = instant(login.occurredAt);
  const earlier = history.map((h) => ({ ...h, at: instant(h.occurredAt) }));
  const hits: LoginRuleHit[] = [];
  for (const rule of rules) {
    if (!isLoginRule(rule)) continue;
    const figures = rule.kind === 'NEW_DEVICE_NEW_CITY' ? newDeviceNewCity(earlier, login, at, rule.lookbackDays) : failedLogins(earlier, login, at, rule);
    if (!figures) continue;
    const shadow = rule.mode === 'shadow';
    hits.push({ ruleId: rule.id, kind: rule.kind, shadow, action: shadow ? 'NONE' : 'SUSPEND', figures });
  }
  return hits;
}

function newDeviceNewCity(earlier: (Login & { at: number })[], login: Login, at: number, lookbackDays: number): LoginFigures | null {
  if (!login.success) return null;
  // Only successful logins show where the customer really is: an intruder's failed attempts must
  // not make their device or city "known" before the attempt that gets in.
  // Another login at the same moment counts as before it (reported in the same second, it is no less
  // the customer's): only logins after this one are left out.
  const compared = earlier.filter((h) => h.success && h.at >= at - lookbackDays * DAY_MS && h.at <= at);
  if (compared.length === 0) return null;
  const deviceSeen = compared.some((h) => h.deviceId === login.deviceId);
  const city = sameCity(login.city);
  const citySeen = compared.some((h) => sameCity(h.city) === city);
  if (deviceSeen || citySeen) return null;
  return { deviceSeen: false, citySeen: false, lookbackDays, loginsCompared: compared.length };
}

function failedLogins(earlier: (Login & { at: number })[], login: Login, at: number, rule: Extract<LoginRule, { kind: 'FAILED_LOGINS' }>): LoginFigures | null {
  // The window is closed at both ends: failures 15 minutes apart are "within 15 minutes".
  const failed = earlier.filter((h) => !h.success && h.at >= at - rule.windowMinutes * MINUTE_MS && h.at <= at).length + (login.success ? 0 : 1);
  return failed >= rule.count ? { failedLogins: failed, windowMinutes: rule.windowMinutes, threshold: rule.count } : null;
}
