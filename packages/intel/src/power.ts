/**
 * Power-only localization for nodes without synchronized clocks: the received powers are fitted to a
 * log-distance path-loss model, P_k = P0 - 10 n log10(d_k / 1 m) + shadowing, for the emitter's
 * position and its power at 1 m (EIRP less the 1 m loss), with the exponent n given or fitted
 * (under a weak prior, n ~ N(2.8, 1), so four nodes still determine a fix).
 */
import { chiSquare999, errorEllipse, type Fix, type FixQuality } from './fix.ts';
import type { Enu, GeoPosition } from './geodesy.ts';
import { nodeGeometry } from './nodes.ts';
import { gdop, solveFromStarts, type Model } from './solver.ts';
import { UserError } from '@heimdall/errors';

export interface PowerReading {
  /** Recording path or node id, for messages. */
  readonly name: string;
  readonly position: GeoPosition | undefined;
  /** Received power of the signal in dB (any consistent reference: dBm, or dBFS of identical receivers). */
  readonly powerDb: number;
}

export interface PowerOptions {
  /** Path-loss exponent; fitted when absent. */
  readonly exponent?: number;
  /** Standard deviation of the shadowing (and power measurement) per node, dB; default 6. */
  readonly shadowingDb?: number;
  /** Emitter height above the ellipsoid, metres (default: the nodes' mean height). */
  readonly emitterAltitude?: number;
}

export interface PowerFix extends Fix {
  /** Fitted power at 1 m, dB in the readings' reference (EIRP minus the 1 m path loss). */
  readonly powerAt1mDb: number;
  readonly exponent: number;
}

const PRIOR_EXPONENT = 2.8;
const PRIOR_EXPONENT_SIGMA = 1;
const LN10 = Math.log(10);

export function localizePower(readings: readonly PowerReading[], opts: PowerOptions = {}): PowerFix {
  const geo = nodeGeometry(readings, 4, 'power-only');
  for (const r of readings)
    if (!Number.isFinite(r.powerDb))
      throw new UserError(`the received power is not a number (${r.powerDb})`, {
        source: r.name,
        fix: 'measure the signal in every recording',
      });
  const sigma = opts.shadowingDb ?? 6;
  if (!(sigma > 0))
    throw new UserError(`the shadowing deviation must be positive (got ${sigma} dB)`, {
      field: 'shadowingDb',
      fix: 'give the spread of received power about the path-loss model, e.g. 6 dB',
    });
  const z =
    opts.emitterAltitude === undefined
      ? 0
      : geo.frame.toEnu({ ...geo.frame.origin, altitude: opts.emitterAltitude })[2];
  const fit = opts.exponent === undefined;
  const n = readings.length;
  const rows = n + (fit ? 1 : 0);
  const cols = fit ? 4 : 3;
  const weight = new Float64Array(rows * rows);
  for (let k = 0; k < n; k++) weight[k * rows + k] = 1 / (sigma * sigma);
  if (fit) weight[n * rows + n] = 1 / PRIOR_EXPONENT_SIGMA ** 2;
  const powers = readings.map((r) => r.powerDb);
  const model: Model = {
    rows,
    cols,
    weight,
    evaluate(p, residual, jacobian) {
      const x = p[0] as number;
      const y = p[1] as number;
      const p0 = p[2] as number;
      const ex = fit ? (p[3] as number) : (opts.exponent as number);
      for (let k = 0; k < n; k++) {
        const s = geo.enu[k] as Enu;
        const d2 = Math.max((x - s[0]) ** 2 + (y - s[1]) ** 2 + (z - s[2]) ** 2, 1);
        const l = 5 * Math.log10(d2);
        residual[k] = (powers[k] as number) - (p0 - ex * l);
        jacobian[k * cols] = (-10 * ex * (x - s[0])) / (LN10 * d2);
        jacobian[k * cols + 1] = (-10 * ex * (y - s[1])) / (LN10 * d2);
        jacobian[k * cols + 2] = 1;
        if (fit) jacobian[k * cols + 3] = -l;
      }
      if (fit) {
        residual[n] = PRIOR_EXPONENT - ex;
        jacobian[n * cols] = 0;
        jacobian[n * cols + 1] = 0;
        jacobian[n * cols + 2] = 0;
        jacobian[n * cols + 3] = 1;
      }
    },
  };
  const starts = gridStarts(geo.enu, z, powers, opts.exponent ?? PRIOR_EXPONENT, geo.maxSpacing, fit);
  const solved = solveFromStarts(model, starts);
  if (!solved)
    throw new UserError('no position fits the received powers', {
      fix: 'check the node positions and that every power is of the same signal',
    });
  const sol = solved.best;
  const dof = n - (fit ? 3 : 3);
  const chi2 = sol.cost;
  let cov = [
    sol.covariance[0] as number,
    sol.covariance[1] as number,
    sol.covariance[cols] as number,
    sol.covariance[cols + 1] as number,
  ] as const;
  let quality: FixQuality = 'good';
  let reason = 'received powers consistent with the path-loss model';
  if (dof > 0 && chi2 > chiSquare999(dof)) {
    const k = chi2 / dof;
    cov = [cov[0] * k, cov[1] * k, cov[2] * k, cov[3] * k];
    quality = 'fair';
    reason = `powers scatter more than ${sigma} dB about the model (chi-square ${chi2.toFixed(1)} for ${dof} degrees of freedom); ellipse widened`;
  }
  const exponent = fit ? (sol.p[3] as number) : (opts.exponent as number);
  // Dimensionless: horizontal error per dB of power noise over the range error one dB means.
  let meanRange = 0;
  for (const s of geo.enu)
    meanRange += Math.hypot((sol.p[0] as number) - s[0], (sol.p[1] as number) - s[1]) / n;
  const g = (gdop(model, sol.p) * 10 * exponent) / (LN10 * Math.max(meanRange, 1));
  const ellipse = errorEllipse(cov[0], cov[1], cov[3]);
  if (g > 10 || ellipse.semiMajor > 2 * geo.maxSpacing) {
    quality = 'poor-geometry';
    reason = `the emitter is poorly placed for these nodes (GDOP ${g.toFixed(1)}); add nodes around it`;
  }
  if (solved.ambiguous) {
    quality = 'insufficient';
    reason = 'several positions fit the received powers equally well; add nodes';
  }
  return {
    position: geo.frame.toGeodetic([sol.p[0] as number, sol.p[1] as number, z]),
    ellipse,
    confidence: 0.95,
    covariance: [cov[0], cov[1], cov[2], cov[3]],
    gdop: g,
    method: 'power',
    quality,
    qualityReason: reason,
    residuals: Array.from(sol.residual.subarray(0, n)),
    used: readings.map((_, k) => k),
    chiSquare: chi2,
    degreesOfFreedom: dof,
    powerAt1mDb: sol.p[2] as number,
    exponent,
  };
}

/** Best cells of a grid over three times the nodes' extent, P0 eliminated per cell. */
function gridStarts(
  enu: readonly Enu[],
  z: number,
  powers: readonly number[],
  exponent: number,
  extent: number,
  fit: boolean,
): Float64Array[] {
  const cells = 48;
  const half = 1.5 * extent;
  let cx = 0;
  let cy = 0;
  for (const s of enu) {
    cx += s[0] / enu.length;
    cy += s[1] / enu.length;
  }
  const found: { p: Float64Array; cost: number }[] = [];
  const l = new Float64Array(enu.length);
  for (let a = 0; a <= cells; a++)
    for (let b = 0; b <= cells; b++) {
      const x = cx - half + (2 * half * a) / cells;
      const y = cy - half + (2 * half * b) / cells;
      let p0 = 0;
      for (let k = 0; k < enu.length; k++) {
        const s = enu[k] as Enu;
        l[k] = 5 * Math.log10(Math.max((x - s[0]) ** 2 + (y - s[1]) ** 2 + (z - s[2]) ** 2, 1));
        p0 += ((powers[k] as number) + exponent * (l[k] as number)) / enu.length;
      }
      let cost = 0;
      for (let k = 0; k < enu.length; k++)
        cost += ((powers[k] as number) - (p0 - exponent * (l[k] as number))) ** 2;
      found.push({ p: fit ? Float64Array.of(x, y, p0, exponent) : Float64Array.of(x, y, p0), cost });
    }
  found.sort((p, q) => p.cost - q.cost);
  const picked: Float64Array[] = [];
  for (const f of found) {
    if (picked.length >= 4) break;
    if (
      picked.every(
        (q) =>
          Math.hypot((q[0] as number) - (f.p[0] as number), (q[1] as number) - (f.p[1] as number)) > half / 6,
      )
    )
      picked.push(f.p);
  }
  return picked;
}
