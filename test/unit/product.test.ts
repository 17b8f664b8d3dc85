import { describe, expect, it } from 'vitest';
import { parseRate } from '../../domain/money';
import { STANDARD_PRODUCT } from '../../domain/product';
import { parseProduct, ProductSchema } from '../../domain/product-schema';

describe('product configuration', () => {
  it('holds every number of the standard product', () => {
    const p = STANDARD_PRODUCT;
    expect(p.currency).toBe('CNY');
    expect(p.statement).toMatchObject({ cycle: 'MONTHLY', dueDateOffsetDays: 30, maxInterestFreeDays: 60 });
    expect(p.installments).toEqual({ allowedCounts: [3], monthlyFeeRate: '0.005' });
    expect(p.penalty).toEqual({ dailyRate: '0.0005', annualCapRate: '0.24' });
    expect(p.reminders).toEqual({ offsetsDays: [3, 1, 0], localTime: '10:00' });
    expect(p.sms.quietHours).toEqual({ start: '21:00', end: '08:00' });
    expect(p.collections.ladder.map((s) => s.dpd)).toEqual([1, 3, 7, 15, 30, 90]);
    expect(p.collections.ladder[0]?.actions).toContain('SUSPEND_OVERDUE');
    expect(p.collections.ladder[5]?.actions).toEqual(['CHARGE_OFF']);
    expect(p.underwriting).toMatchObject({
      approveBelowPd: 0.08,
      declineFromPd: 0.15,
      manualReviewDays: 7,
      minLimit: 50_000,
      maxLimit: 5_000_000,
      limitStep: 10_000,
      rescoreAfterOnTimeCycles: 6,
    });
    expect(p.merchants.eligible).toEqual(['self-operated', 'affiliate-001', 'affiliate-002', 'affiliate-003']);
    const enforced = p.risk.rules.filter((r) => r.mode === 'enforce');
    expect(enforced).toContainEqual({ id: 'login-failed-attempts', mode: 'enforce', kind: 'FAILED_LOGINS', count: 5, windowMinutes: 15 });
    expect(enforced).toContainEqual({ id: 'velocity-small-purchases', mode: 'enforce', kind: 'VELOCITY', count: 5, maxAmount: 5_000, windowMinutes: 10 });
    expect(enforced).toContainEqual({ id: 'login-new-device-new-city', mode: 'enforce', kind: 'NEW_DEVICE_NEW_CITY', lookbackDays: 90 });
    expect(parseRate(p.installments.monthlyFeeRate)).toEqual({ num: 1, den: 200 });
  });

  it('is plain JSON and round-trips through the schema', () => {
    const json = JSON.parse(JSON.stringify(STANDARD_PRODUCT)) as unknown;
    expect(parseProduct(json)).toEqual(STANDARD_PRODUCT);
  });

  it('a second product is only configuration', () => {
    const six = parseProduct({
      ...STANDARD_PRODUCT,
      id: 'six-months',
      installments: { allowedCounts: [3, 6], monthlyFeeRate: '0.006' },
    });
    expect(six.installments.allowedCounts).toEqual([3, 6]);
  });

  it('names every problem of an invalid configuration', () => {
    const bad = {
      ...STANDARD_PRODUCT,
      currency: 'USD',
      installments: { allowedCounts: [3, 3], monthlyFeeRate: '0,5%' },
      collections: { ...STANDARD_PRODUCT.collections, ladder: [{ dpd: 7, stage: 'A', actions: ['SMS_REMINDER'] }, { dpd: 3, stage: 'B', actions: ['SMS_REMINDER'] }] },
      underwriting: { ...STANDARD_PRODUCT.underwriting, approveBelowPd: 0.2, minLimit: 55_000 },
      reminders: { offsetsDays: [3], localTime: '25:00' },
    };
    const result = ProductSchema.safeParse(bad);
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((i) => i.path.join('.')) ?? [];
    expect(paths).toEqual(expect.arrayContaining(['currency', 'installments.monthlyFeeRate', 'reminders.localTime']));
    // Refinements run only once the shape is valid: check them on a well-shaped product.
    const shaped = ProductSchema.safeParse({
      ...STANDARD_PRODUCT,
      installments: { allowedCounts: [3, 3], monthlyFeeRate: '0.005' },
      collections: bad.collections,
      underwriting: bad.underwriting,
    });
    const refined = shaped.error?.issues.map((i) => i.path.join('.')) ?? [];
    expect(refined).toEqual(
      expect.arrayContaining(['installments.allowedCounts', 'collections.ladder', 'underwriting.approveBelowPd', 'underwriting.limitStep']),
    );
  });
});
