/**
 * The product configuration's schema: every number of a credit product (PRODUCT.md) validated, with
 * the cross-field rules. Used where configuration enters (worker start-up, tests, a product loaded
 * from JSON); kept out of workflow code so the workflow bundle carries no validation library.
 *
 * Rates are decimal strings ("0.005") parsed exactly by `money.parseRate`; money is integer fen.
 */
import { z } from 'zod';
import { isDecimalRate, parseRate } from './money';
import { COLLECTION_ACTIONS } from './collection-actions';

const fen = z.number().int().nonnegative().refine(Number.isSafeInteger, 'must be a safe integer (fen)');
const rate = z.string().refine(isDecimalRate, 'must be a decimal rate string such as "0.005"');
const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24h)');


const ladderStep = z.object({
  /** Days past due at which the step runs. */
  dpd: z.number().int().positive(),
  /** Stable name of the stage the line is in from this step on (a search attribute value). */
  stage: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
  actions: z.array(z.enum(COLLECTION_ACTIONS)).min(1),
});

export const ProductSchema = z
  .object({
    id: z.string().min(1),
    name: z.string().min(1),
    currency: z.literal('CNY'),
    /** Rounding of fees and penalties (money.roundFen). */
    rounding: z.enum(['HALF_UP', 'DOWN', 'UP']),
    statement: z.object({
      cycle: z.literal('MONTHLY'),
      /** Statement days a line may choose: 1–28 so that every month has one. */
      minStatementDay: z.number().int().min(1).max(28),
      maxStatementDay: z.number().int().min(1).max(28),
      /** Due date = statement date + this many days. */
      dueDateOffsetDays: z.number().int().positive(),
      /** Longest interest-free period (purchase day → due date); checked against the offset below. */
      maxInterestFreeDays: z.number().int().positive(),
    }),
    installments: z.object({
      allowedCounts: z.array(z.number().int().min(2).max(24)).min(1),
      /** Fee per month on the converted principal, charged with each installment. */
      monthlyFeeRate: rate,
    }),
    penalty: z.object({
      /** Per day on overdue principal, from DPD 1. */
      dailyRate: rate,
      /** Over any 365 days the penalties on an overdue principal never exceed this × that principal. */
      annualCapRate: rate,
    }),
    reminders: z.object({
      /** Days before the due date (0 = on the due date) to remind while something is owed. */
      offsetsDays: z.array(z.number().int().nonnegative()).min(1),
      localTime: timeOfDay,
    }),
    sms: z.object({
      /** No SMS from `start` (inclusive) to `end` (exclusive), Asia/Shanghai; waits for `end`. */
      quietHours: z.object({ start: timeOfDay, end: timeOfDay }),
      maxCollectionSmsPerDay: z.number().int().positive(),
    }),
    collections: z.object({
      ladder: z.array(ladderStep).min(1),
      /** The longest collection pause staff may set, in days from the moment they set it (PRODUCT §10). */
      maxPauseDays: z.number().int().positive(),
    }),
    /** Field names match `UnderwritingPolicy` in domain/underwriting.ts so this block can be passed as is. */
    underwriting: z.object({
      approveBelowPd: z.number().min(0).max(1),
      declineFromPd: z.number().min(0).max(1),
      manualReviewDays: z.number().int().positive(),
      /** How long scoring waits for the applicant's data (a bureau down) before a person decides instead. */
      applicantDataWaitMinutes: z.number().int().positive(),
      minLimit: fen,
      maxLimit: fen,
      /** Limits are rounded down to a multiple of this (fen). */
      limitStep: fen.refine((v) => v > 0, 'must be positive'),
      incomeMultiple: z.number().positive(),
      minimumAge: z.number().int().positive(),
      /** Re-score for a limit rise after this many on-time cycles. */
      rescoreAfterOnTimeCycles: z.number().int().positive(),
    }),
    merchants: z.object({
      eligible: z.array(z.string().min(1)).min(1),
    }),
    risk: z.object({
      /**
       * Monitoring rules (PRODUCT §8), each `enforce` (acts) or `shadow` (records its hits, acts on
       * nothing), so a new threshold can be tried on live traffic beside the enforced one.
       */
      rules: z.array(z.discriminatedUnion('kind', [
        z.object({
          id: z.string().regex(/^[a-z0-9-]{1,60}$/), mode: z.enum(['enforce', 'shadow']), kind: z.literal('VELOCITY'),
          /** The purchase that makes `count` purchases of at most `maxAmount` within the window is declined. */
          count: z.number().int().min(2), maxAmount: fen, windowMinutes: z.number().int().positive(),
        }),
        z.object({
          id: z.string().regex(/^[a-z0-9-]{1,60}$/), mode: z.enum(['enforce', 'shadow']), kind: z.literal('NEW_DEVICE_NEW_CITY'),
          /** A successful login from a device and a city neither seen in this many days. */
          lookbackDays: z.number().int().positive(),
        }),
        z.object({
          id: z.string().regex(/^[a-z0-9-]{1,60}$/), mode: z.enum(['enforce', 'shadow']), kind: z.literal('FAILED_LOGINS'),
          count: z.number().int().min(2), windowMinutes: z.number().int().positive(),
        }),
      ])),
    }),
    closure: z.object({
      otpDigits: z.number().int().min(4).max(10),
      otpTtlMinutes: z.number().int().positive(),
      otpMaxAttempts: z.number().int().positive(),
      otpResendAfterSeconds: z.number().int().positive(),
    }),
    /** A hardship plan's monthly installments (PRODUCT §10: up to 12). */
    hardship: z.object({ minInstallments: z.number().int().positive(), maxInstallments: z.number().int().positive() }),
    /** Maker–checker requests (PRODUCT §10): how long one waits for a second person before it expires. */
    approvals: z.object({ expiresAfterHours: z.number().int().positive().max(24 * 90) }),
  })
  .superRefine((p, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    if (p.statement.minStatementDay > p.statement.maxStatementDay) {
      issue(['statement', 'minStatementDay'], 'must not exceed maxStatementDay');
    }
    // The longest interest-free period is a purchase the day after a statement date in a 31-day
    // month: 30 days to the next statement date, then the due date offset.
    if (30 + p.statement.dueDateOffsetDays > p.statement.maxInterestFreeDays) {
      issue(['statement', 'dueDateOffsetDays'], 'a purchase could stay interest-free longer than maxInterestFreeDays');
    }
    if (new Set(p.installments.allowedCounts).size !== p.installments.allowedCounts.length) {
      issue(['installments', 'allowedCounts'], 'must not repeat');
    }
    const dpds = p.collections.ladder.map((s) => s.dpd);
    if (dpds.some((d, i) => i > 0 && d <= (dpds[i - 1] ?? 0))) {
      issue(['collections', 'ladder'], 'DPD steps must be strictly increasing');
    }
    const u = p.underwriting;
    if (u.approveBelowPd > u.declineFromPd) issue(['underwriting', 'approveBelowPd'], 'must not exceed declineFromPd');
    if (u.minLimit > u.maxLimit) issue(['underwriting', 'minLimit'], 'must not exceed maxLimit');
    if (u.minLimit % u.limitStep !== 0 || u.maxLimit % u.limitStep !== 0) {
      issue(['underwriting', 'limitStep'], 'minLimit and maxLimit must be multiples of limitStep');
    }
    if (new Set(p.merchants.eligible).size !== p.merchants.eligible.length) {
      issue(['merchants', 'eligible'], 'must not repeat');
    }
    if (parseRate(p.penalty.annualCapRate).num === 0) issue(['penalty', 'annualCapRate'], 'must be positive');
    if (p.hardship.minInstallments > p.hardship.maxInstallments) issue(['hardship', 'minInstallments'], 'must not exceed maxInstallments');
  });

export type Product = z.infer<typeof ProductSchema>;

/** Validates a product configuration (e.g. loaded from JSON); throws a ZodError listing every problem. */
export function parseProduct(json: unknown): Product {
  return ProductSchema.parse(json);
}

