import { describe, expect, it } from 'vitest';
import { STANDARD_PRODUCT, type Product } from '../../domain/product';
import { loginLookbackMs, loginRuleHits, type Login } from '../../domain/risk/login';

const RULES = STANDARD_PRODUCT.risk.rules;
const NOW = '2027-03-10T12:00:00.000+08:00';
const at = (minutesBefore: number, base = NOW) => new Date(Date.parse(base) - minutesBefore * 60_000).toISOString();
const daysBefore = (days: number, extraMs = 0) => new Date(Date.parse(NOW) - days * 86_400_000 - extraMs).toISOString();

const login = (over: Partial<Login> = {}): Login => ({ deviceId: 'dev-home', city: 'Shanghai', success: true, occurredAt: NOW, ...over });
const usual = [
  login({ occurredAt: daysBefore(30) }),
  login({ occurredAt: daysBefore(10), deviceId: 'dev-phone' }),
  login({ occurredAt: daysBefore(1) }),
];
const stranger = login({ deviceId: 'dev-unknown', city: 'Urumqi' });
const failure = (minutesBefore: number) => login({ success: false, occurredAt: at(minutesBefore), deviceId: 'dev-x', city: 'Harbin' });

describe('loginRuleHits: a new device in a new city', () => {
  it('a first login has nothing to compare with: it only records', () => {
    expect(loginRuleHits([], stranger, RULES)).toEqual([]);
  });

  it('a successful login from a device and a city neither seen in 90 days hits, enforced: suspend', () => {
    expect(loginRuleHits(usual, stranger, RULES)).toEqual([{
      ruleId: 'login-new-device-new-city', kind: 'NEW_DEVICE_NEW_CITY', shadow: false, action: 'SUSPEND',
      figures: { deviceSeen: false, citySeen: false, lookbackDays: 90, loginsCompared: 3 },
    }]);
  });

  it('the figures carry no device, IP or city', () => {
    const [hit] = loginRuleHits(usual, stranger, RULES);
    const text = JSON.stringify(hit);
    for (const personal of ['dev-unknown', 'dev-home', 'Urumqi', 'Shanghai']) expect(text).not.toContain(personal);
  });

  it('a new device in a city seen: no hit', () => {
    expect(loginRuleHits(usual, login({ deviceId: 'dev-new' }), RULES)).toEqual([]);
  });

  it('a device seen in a new city: no hit', () => {
    expect(loginRuleHits(usual, login({ deviceId: 'dev-phone', city: 'Urumqi' }), RULES)).toEqual([]);
  });

  it('cities are compared as typed text: case and surrounding spaces do not make a new city', () => {
    expect(loginRuleHits(usual, login({ deviceId: 'dev-new', city: '  shanghai ' }), RULES)).toEqual([]);
  });

  it('a failed login from a new device in a new city is not this rule (failures have their own)', () => {
    expect(loginRuleHits(usual, { ...stranger, success: false }, RULES)).toEqual([]);
  });

  it('the 90-day boundary: a login exactly 90 days before is seen, one a second older is not', () => {
    const seenAtBoundary = [login({ occurredAt: daysBefore(90), deviceId: 'dev-old', city: 'Urumqi' }), login({ occurredAt: daysBefore(1) })];
    expect(loginRuleHits(seenAtBoundary, login({ deviceId: 'dev-old', city: 'Urumqi' }), RULES)).toEqual([]);

    const pastBoundary = [login({ occurredAt: daysBefore(90, 1000), deviceId: 'dev-old', city: 'Urumqi' }), login({ occurredAt: daysBefore(1) })];
    expect(loginRuleHits(pastBoundary, login({ deviceId: 'dev-old', city: 'Urumqi' }), RULES)).toMatchObject([
      { ruleId: 'login-new-device-new-city', figures: { loginsCompared: 1 } },
    ]);
  });

  it('with every earlier login older than 90 days there is nothing to compare with: no hit', () => {
    expect(loginRuleHits([login({ occurredAt: daysBefore(91) })], stranger, RULES)).toEqual([]);
  });

  it("failed logins do not make a device or city known: an intruder's attempts before getting in still hit", () => {
    const attempts = [failure(3), login({ ...stranger, success: false, occurredAt: at(2) })];
    expect(loginRuleHits([...usual, ...attempts], stranger, RULES)).toMatchObject([{ ruleId: 'login-new-device-new-city', figures: { loginsCompared: 3 } }]);
  });

  it('another login at the same moment is compared with: two logins in one second are not two first logins', () => {
    const sameSecond = [login({ occurredAt: NOW })];
    expect(loginRuleHits(sameSecond, stranger, RULES)).toMatchObject([{ ruleId: 'login-new-device-new-city', figures: { loginsCompared: 1 } }]);
    expect(loginRuleHits(sameSecond, login(), RULES)).toEqual([]);
  });

  it('logins after this one (a late report) are not compared with', () => {
    const later = [login({ occurredAt: at(-5), deviceId: 'dev-unknown', city: 'Urumqi' })];
    expect(loginRuleHits(later, stranger, RULES)).toEqual([]);
  });
});

describe('loginRuleHits: failed logins', () => {
  it('5 failures within 15 minutes (this one the fifth) hit, enforced: suspend', () => {
    const history = [failure(15), failure(10), failure(5), failure(1)];
    expect(loginRuleHits(history, failure(0), RULES)).toEqual([{
      ruleId: 'login-failed-attempts', kind: 'FAILED_LOGINS', shadow: false, action: 'SUSPEND',
      figures: { failedLogins: 5, windowMinutes: 15, threshold: 5 },
    }]);
  });

  it('5 failures spread over 16 minutes: the first is outside the window, no hit', () => {
    const history = [failure(16), failure(12), failure(8), failure(4)];
    expect(loginRuleHits(history, failure(0), RULES)).toEqual([]);
  });

  it('4 failures are not enough; successes in between do not count', () => {
    const history = [failure(9), login({ occurredAt: at(8) }), failure(6), failure(3)];
    expect(loginRuleHits(history, failure(0), RULES)).toEqual([]);
  });

  it('a successful login counts the failures before it in the window (this one not being one)', () => {
    const history = [failure(14), failure(10), failure(6), failure(3), failure(1)];
    expect(loginRuleHits(history, login({ deviceId: 'dev-x', city: 'Harbin', occurredAt: at(0) }), RULES)).toMatchObject([
      { ruleId: 'login-failed-attempts', figures: { failedLogins: 5 } },
    ]);
    expect(loginRuleHits(history.slice(1), login({ occurredAt: at(0) }), RULES)).toEqual([]);
  });

  it('a sixth failure hits again, with its own count', () => {
    const history = [failure(14), failure(10), failure(6), failure(3), failure(1)];
    expect(loginRuleHits(history, failure(0), RULES)).toMatchObject([{ figures: { failedLogins: 6, threshold: 5 } }]);
  });

  it('a history out of order is read the same', () => {
    const history = [failure(1), failure(15), failure(5), failure(10)];
    expect(loginRuleHits(history, failure(0), RULES)).toHaveLength(1);
  });
});

describe('loginRuleHits: shadow rules and configuration', () => {
  const trial: Product['risk']['rules'] = [
    ...RULES,
    { id: 'login-failed-attempts-trial', mode: 'shadow', kind: 'FAILED_LOGINS', count: 3, windowMinutes: 10 },
    { id: 'login-new-device-new-city-trial', mode: 'shadow', kind: 'NEW_DEVICE_NEW_CITY', lookbackDays: 180 },
  ];

  it('a shadow rule with another threshold is evaluated beside the enforced one and recorded as shadow, acting on nothing', () => {
    const history = [failure(8), failure(4)];
    expect(loginRuleHits(history, failure(0), trial)).toEqual([{
      ruleId: 'login-failed-attempts-trial', kind: 'FAILED_LOGINS', shadow: true, action: 'NONE',
      figures: { failedLogins: 3, windowMinutes: 10, threshold: 3 },
    }]);
  });

  it('both hit when both thresholds are crossed, the enforced one suspending, the shadow one not', () => {
    const history = [failure(9), failure(7), failure(4), failure(2)];
    expect(loginRuleHits(history, failure(0), trial).map((h) => [h.ruleId, h.shadow, h.action])).toEqual([
      ['login-failed-attempts', false, 'SUSPEND'],
      ['login-failed-attempts-trial', true, 'NONE'],
    ]);
  });

  it('a longer shadow lookback sees what the enforced one no longer does', () => {
    const history = [login({ occurredAt: daysBefore(120), deviceId: 'dev-unknown', city: 'Urumqi' }), ...usual];
    expect(loginRuleHits(history, stranger, trial).map((h) => [h.ruleId, h.action])).toEqual([['login-new-device-new-city', 'SUSPEND']]);
  });

  it('velocity rules are not login rules: skipped', () => {
    const velocityOnly = RULES.filter((r) => r.kind === 'VELOCITY');
    expect(loginRuleHits(usual, stranger, velocityOnly)).toEqual([]);
    expect(loginRuleHits([failure(4), failure(3), failure(2), failure(1)], failure(0), velocityOnly)).toEqual([]);
  });

  it('the lookback to read is the longest login window', () => {
    expect(loginLookbackMs(RULES)).toBe(90 * 86_400_000);
    expect(loginLookbackMs(trial)).toBe(180 * 86_400_000);
    expect(loginLookbackMs(RULES.filter((r) => r.kind === 'FAILED_LOGINS'))).toBe(15 * 60_000);
    expect(loginLookbackMs([])).toBe(0);
  });

  it('an occurredAt that is not an instant is a programming error, not a silent miss', () => {
    expect(() => loginRuleHits([], login({ occurredAt: 'yesterday' }), RULES)).toThrow(RangeError);
  });
});
