/**
 * Logistic regression by iteratively reweighted least squares (Newton's method on the log-likelihood),
 * the standard fit for a scorecard's handful of WoE columns. The linear algebra (the Newton step's
 * symmetric positive-definite solve and the covariance for standard errors) is ml-matrix's.
 *
 * Why not ml-logistic-regression: it fits by plain batch gradient descent with a fixed learning rate
 * and step count (no intercept, no convergence test, no standard errors), which on tens of thousands
 * of rows either crawls or diverges. Newton converges in a few exact steps. See model/README.md.
 */
import { CholeskyDecomposition, inverse, Matrix } from 'ml-matrix';

export interface LogisticFit {
  /** [intercept, β1, …, βk]: log-odds of the outcome = intercept + Σ βj·xj. */
  coefficients: number[];
  standardErrors: number[];
  iterations: number;
  logLikelihood: number;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Fits P(y = 1 | x) = σ(β0 + β·x). Rows of `x` hold the k predictors (no intercept column: it is added). */
export function fitLogistic(x: number[][], y: boolean[], opts: { maxIterations?: number; tolerance?: number } = {}): LogisticFit {
  const maxIterations = opts.maxIterations ?? 50;
  const tolerance = opts.tolerance ?? 1e-10;
  if (x.length !== y.length || x.length === 0) throw new RangeError('x and y must be non-empty and of equal length');
  const k = (x[0]?.length ?? 0) + 1;
  const rows = x.map((r) => [1, ...r]);
  let beta = new Array<number>(k).fill(0);
  let logLikelihood = -Infinity;
  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    // Gradient Xᵀ(y − p) and Hessian XᵀWX with W = p(1 − p), accumulated row by row.
    const gradient = new Array<number>(k).fill(0);
    const hessian = Array.from({ length: k }, () => new Array<number>(k).fill(0));
    let ll = 0;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const p = sigmoid(row.reduce((s, v, j) => s + v * beta[j]!, 0));
      const yi = y[i] ? 1 : 0;
      ll += yi ? Math.log(p) : Math.log(1 - p);
      const w = p * (1 - p);
      for (let a = 0; a < k; a++) {
        gradient[a]! += row[a]! * (yi - p);
        for (let b = 0; b <= a; b++) hessian[a]![b]! += w * row[a]! * row[b]!;
      }
    }
    for (let a = 0; a < k; a++) for (let b = a + 1; b < k; b++) hessian[a]![b] = hessian[b]![a]!;
    const cholesky = new CholeskyDecomposition(new Matrix(hessian));
    if (!cholesky.isPositiveDefinite()) throw new Error('the information matrix is singular: a predictor is constant or collinear');
    const step = cholesky.solve(Matrix.columnVector(gradient)).to1DArray();
    beta = beta.map((b, j) => b + step[j]!);
    const converged = Math.abs(ll - logLikelihood) < tolerance * (1 + Math.abs(ll));
    logLikelihood = ll;
    if (converged) {
      const covariance = inverse(new Matrix(hessian));
      return { coefficients: beta, standardErrors: beta.map((_, j) => Math.sqrt(covariance.get(j, j))), iterations: iteration, logLikelihood };
    }
  }
  throw new Error(`logistic regression did not converge in ${maxIterations} iterations`);
}
