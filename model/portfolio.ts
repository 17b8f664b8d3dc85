/**
 * A synthetic portfolio of applicants with a known truth: each applicant's features are drawn from
 * plausible, correlated distributions, and whether they default is drawn from a logistic function of
 * those features (with non-linear effects, so binning matters) plus an unobserved noise term. The
 * scorecard is trained and tested on it; model/README.md describes it in words. Seeded (pure-rand):
 * the same seed gives the same portfolio, so the committed model can be retrained byte for byte.
 */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import type { ApplicantFeatures } from '../domain/scoring/features';

export interface PortfolioApplicant {
  features: ApplicantFeatures;
  /** The true probability of default given the features and this applicant's unobserved noise. */
  trueProbabilityOfDefault: number;
  defaulted: boolean;
}

/** The truth's intercept: sets the portfolio's default rate at about 10%. */
export const TRUE_INTERCEPT = -4.55;
/** Standard deviation of what no feature captures (life events, character…), on the log-odds scale. */
export const NOISE_SD = 0.7;
const MEDIAN_INCOME_YUAN = 6000;

/** The known true relationship: the log-odds of default from the features, before the noise. */
export function trueLogOdds(f: ApplicantFeatures): number {
  const { declared: d, platform: p, bureau: b } = f;
  const incomeYuan = Math.max(d.monthlyIncome / 100, 100);
  const relativeIncome = Math.log(MEDIAN_INCOME_YUAN / incomeYuan);
  const debtToIncome = d.monthlyIncome > 0 ? b.outstandingDebt / d.monthlyIncome : 10;
  return TRUE_INTERCEPT
    // Below the median income risk climbs steeply; above it, it falls gently.
    + (relativeIncome > 0 ? 2.0 * relativeIncome : 0.5 * relativeIncome)
    // The first year in a job is the risky one; after that it hardly matters.
    + 1.3 * Math.exp(-d.employmentMonths / 12)
    // U-shaped in age.
    + (d.age < 22 ? 0.7 : d.age < 26 ? 0.35 : d.age <= 50 ? 0 : d.age < 60 ? 0.15 : 0.5)
    + 0.8 * Math.exp(-p.accountAgeMonths / 8)
    + (p.ordersLast12Months === 0 ? 0.6 : p.ordersLast12Months <= 3 ? 0.35 : p.ordersLast12Months <= 10 ? 0.1 : 0)
    - 0.3 * Math.min(p.onTimeRepayments, 12) / 12
    + 0.55 * Math.min(p.lateRepayments, 4)
    // No accounts at all is a thin file; many is overextension.
    + (b.openCreditAccounts === 0 ? 0.35 : b.openCreditAccounts <= 4 ? 0 : b.openCreditAccounts <= 7 ? 0.25 : 0.6)
    + 0.9 * Math.min(b.delinquencies24Months, 3)
    // A couple of inquiries is shopping around; more is a scramble for credit.
    + (b.inquiries6Months <= 2 ? 0.12 * b.inquiries6Months : 0.24 + 0.4 * (b.inquiries6Months - 2))
    + 0.3 * Math.min(Math.max(debtToIncome - 3, 0), 6);
}

/** Random draws over one seeded generator (pure-rand's xoroshiro128+). */
export class Draws {
  private readonly rng: RandomGenerator;
  constructor(seed: number) {
    this.rng = xoroshiro128plus(seed);
  }
  /** Uniform in [0, 1). */
  uniform(): number {
    return uniformFloat64(this.rng);
  }
  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.uniform());
  }
  /** Poisson (Knuth's product of uniforms: fine for the small means used here). */
  poisson(mean: number): number {
    const limit = Math.exp(-Math.min(mean, 60));
    let k = 0;
    for (let product = this.uniform(); product > limit; product *= this.uniform()) k++;
    return k;
  }
  binomial(n: number, p: number): number {
    let k = 0;
    for (let i = 0; i < n; i++) if (this.uniform() < p) k++;
    return k;
  }
  /** Exponential with the given mean. */
  exponential(mean: number): number {
    return -Math.log(1 - this.uniform()) * mean;
  }
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** One applicant. `reliability` is a latent trait that makes the behaviour features move together. */
function drawApplicant(r: Draws): PortfolioApplicant {
  const reliability = r.normal();
  const age = clamp(Math.round(34 + 10 * r.normal()), 18, 70);
  const incomeYuan = MEDIAN_INCOME_YUAN * Math.exp(0.012 * (clamp(age, 18, 50) - 34) + 0.1 * reliability + 0.55 * r.normal());
  // Declared income is a round number of hundreds of yuan.
  const monthlyIncome = Math.max(5, Math.round(incomeYuan / 100)) * 10_000;
  const employmentMonths = r.uniform() < 0.1
    ? Math.floor(r.uniform() * 3)
    : Math.min((age - 17) * 12, Math.floor(r.exponential(12 + 2 * (age - 18))));

  const accountAgeMonths = r.uniform() < 0.12 ? Math.floor(r.uniform() * 6) : Math.min(180, 6 + Math.floor(r.exponential(40)));
  const activeMonths = Math.min(accountAgeMonths, 12);
  const ordersLast12Months = r.uniform() < 0.08
    ? 0
    : r.poisson(Math.exp(Math.log(12) + 0.25 * Math.log(incomeYuan / MEDIAN_INCOME_YUAN) + 0.3 * r.normal()) * Math.max(activeMonths, 1) / 12);
  const repaymentsDue = r.uniform() < 0.55 ? r.poisson(Math.min(accountAgeMonths, 24) * 0.6) : 0;
  const lateRepayments = r.binomial(repaymentsDue, sigmoid(-3.2 - 0.9 * reliability));

  const openCreditAccounts = r.poisson(Math.exp(0.8 + 0.2 * Math.log(incomeYuan / MEDIAN_INCOME_YUAN) + 0.3 * r.normal() - 0.1 * reliability));
  const delinquencies24Months = r.poisson(Math.exp(-2.6 - 1.0 * reliability));
  const inquiries6Months = r.poisson(Math.exp(-0.2 - 0.5 * reliability + 0.3 * r.normal()));
  const debtMultiple = openCreditAccounts === 0 ? 0 : Math.sqrt(openCreditAccounts) * Math.exp(Math.log(0.7) + 0.7 * r.normal());
  // Debt is reported to the yuan.
  const outstandingDebt = Math.round((monthlyIncome * debtMultiple) / 100) * 100;

  const features: ApplicantFeatures = {
    declared: { monthlyIncome, employmentMonths, age },
    platform: { source: 'synthetic', accountAgeMonths, ordersLast12Months, onTimeRepayments: repaymentsDue - lateRepayments, lateRepayments },
    bureau: { source: 'synthetic', openCreditAccounts, delinquencies24Months, inquiries6Months, outstandingDebt },
  };
  const trueProbabilityOfDefault = sigmoid(trueLogOdds(features) + NOISE_SD * r.normal());
  return { features, trueProbabilityOfDefault, defaulted: r.uniform() < trueProbabilityOfDefault };
}

/** `size` applicants drawn from `seed`: the same arguments always give the same portfolio. */
export function generatePortfolio(opts: { seed: number; size: number }): PortfolioApplicant[] {
  const draws = new Draws(opts.seed);
  return Array.from({ length: opts.size }, () => drawApplicant(draws));
}
