/**
 * Weighted nonlinear least squares for a horizontal position (east, north) plus nuisance
 * parameters, by Levenberg-Marquardt from several starts, with the solution covariance and GDOP.
 * Shared by the TDOA and power solvers, which supply the measurement model.
 */
import { invert, mulVec, normalEquations, quadratic } from './matrix.ts';

export interface Model {
  /** Number of measurements. */
  readonly rows: number;
  /** Number of parameters: east, north, then nuisance parameters. */
  readonly cols: number;
  /** Residuals (measured - predicted) and the Jacobian of the prediction at `p`. */
  evaluate(p: Float64Array, residual: Float64Array, jacobian: Float64Array): void;
  /** Weight matrix (inverse measurement covariance), rows x rows. */
  readonly weight: Float64Array;
}

export interface Solution {
  readonly p: Float64Array;
  readonly cost: number;
  /** Covariance of the parameters, cols x cols. */
  readonly covariance: Float64Array;
  readonly residual: Float64Array;
}

export function levenbergMarquardt(model: Model, start: Float64Array): Solution | undefined {
  const { rows, cols, weight } = model;
  const p = Float64Array.from(start);
  const e = new Float64Array(rows);
  const j = new Float64Array(rows * cols);
  model.evaluate(p, e, j);
  let cost = quadratic(weight, e, rows);
  let lambda = 1e-3;
  for (let iter = 0; iter < 100; iter++) {
    const { h, g } = normalEquations(j, weight, e, rows, cols);
    const damped = Float64Array.from(h);
    for (let i = 0; i < cols; i++) damped[i * cols + i] = (h[i * cols + i] as number) * (1 + lambda) + 1e-12;
    const inv = invert(damped, cols);
    if (!inv) return undefined;
    const step = mulVec(inv, g, cols);
    const trial = new Float64Array(cols);
    for (let i = 0; i < cols; i++) trial[i] = (p[i] as number) + (step[i] as number);
    const te = new Float64Array(rows);
    const tj = new Float64Array(rows * cols);
    model.evaluate(trial, te, tj);
    const tc = quadratic(weight, te, rows);
    if (tc <= cost) {
      const done = cost - tc < 1e-10 * (1 + cost) && Math.hypot(step[0] ?? 0, step[1] ?? 0) < 1e-4;
      p.set(trial);
      e.set(te);
      j.set(tj);
      cost = tc;
      lambda = Math.max(lambda / 10, 1e-9);
      if (done) break;
    } else {
      lambda *= 10;
      if (lambda > 1e9) break;
    }
  }
  const { h } = normalEquations(j, weight, e, rows, cols);
  const covariance = invert(h, cols);
  if (!covariance) return undefined;
  return { p, cost, covariance, residual: e };
}

/** Horizontal GDOP: sqrt of the east-north trace of (JᵀJ)^-1 with unit weights. */
export function gdop(model: Model, p: Float64Array): number {
  const { rows, cols } = model;
  const e = new Float64Array(rows);
  const j = new Float64Array(rows * cols);
  model.evaluate(p, e, j);
  const eye = new Float64Array(rows * rows);
  for (let i = 0; i < rows; i++) eye[i * rows + i] = 1;
  const { h } = normalEquations(j, eye, e, rows, cols);
  const inv = invert(h, cols);
  if (!inv) return Number.POSITIVE_INFINITY;
  return Math.sqrt((inv[0] as number) + (inv[cols + 1] as number));
}

/**
 * Solves from every start and returns the best solution, plus whether another distinct minimum
 * fits almost as well (an ambiguous fix, e.g. the twin solution of three-node TDOA).
 */
export function solveFromStarts(
  model: Model,
  starts: readonly Float64Array[],
): { readonly best: Solution; readonly ambiguous: boolean } | undefined {
  const sols: Solution[] = [];
  for (const s of starts) {
    const sol = levenbergMarquardt(model, s);
    if (sol && Number.isFinite(sol.cost)) sols.push(sol);
  }
  sols.sort((a, b) => a.cost - b.cost);
  const best = sols[0];
  if (!best) return undefined;
  const sigma = Math.sqrt((best.covariance[0] as number) + (best.covariance[model.cols + 1] as number));
  const ambiguous = sols.some(
    (s) =>
      s.cost < best.cost + 1 &&
      Math.hypot((s.p[0] as number) - (best.p[0] as number), (s.p[1] as number) - (best.p[1] as number)) >
        5 * sigma + 1,
  );
  return { best, ambiguous };
}
