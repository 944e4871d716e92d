/** A localization result with its uncertainty, shared by every method. */
import type { Meters } from '@heimdall/dsp';
import type { GeoPosition } from './geodesy.ts';

export type FixMethod = 'tdoa' | 'power';
export type FixQuality = 'good' | 'fair' | 'poor-geometry' | 'insufficient';

/** Chi-square quantile for 2 degrees of freedom at 95 %: the 95 % error ellipse scale. */
export const CHI2_2DOF_95 = 5.991;

export interface ErrorEllipse {
  readonly semiMajor: Meters;
  readonly semiMinor: Meters;
  /** Direction of the major axis, degrees clockwise from north in [0, 180). */
  readonly orientationDeg: number;
}

export interface Fix {
  readonly position: GeoPosition;
  /** 95 % error ellipse from the solution covariance. */
  readonly ellipse: ErrorEllipse;
  /** Confidence level of the ellipse (0.95). */
  readonly confidence: number;
  /** Covariance of the (east, north) estimate, m², row-major 2 x 2. */
  readonly covariance: readonly [number, number, number, number];
  /** Geometric dilution of precision of the horizontal fix (unit measurement noise). */
  readonly gdop: number;
  readonly method: FixMethod;
  readonly quality: FixQuality;
  /** Why the quality flag is what it is, in words. */
  readonly qualityReason: string;
  /** Per-node residuals (metres of range for TDOA, dB for power), in input order; NaN for nodes not used. */
  readonly residuals: readonly number[];
  /** Nodes (input indexes) the fix used after outlier rejection. */
  readonly used: readonly number[];
  /** Weighted sum of squared residuals and its degrees of freedom. */
  readonly chiSquare: number;
  readonly degreesOfFreedom: number;
}

/** The 95 % ellipse of a 2 x 2 (east, north) covariance. */
export function errorEllipse(cee: number, cen: number, cnn: number): ErrorEllipse {
  const tr = (cee + cnn) / 2;
  const d = Math.sqrt(((cee - cnn) / 2) ** 2 + cen * cen);
  const l1 = tr + d;
  const l2 = Math.max(tr - d, 0);
  // Major-axis direction (east, north) = eigenvector of l1.
  const angle = 0.5 * Math.atan2(2 * cen, cee - cnn); // from east, counter-clockwise
  const e = Math.cos(angle);
  const n = Math.sin(angle);
  let bearing = (Math.atan2(e, n) * 180) / Math.PI;
  bearing = ((bearing % 180) + 180) % 180;
  return {
    semiMajor: Math.sqrt(CHI2_2DOF_95 * l1) as Meters,
    semiMinor: Math.sqrt(CHI2_2DOF_95 * l2) as Meters,
    orientationDeg: bearing,
  };
}

/** Whether an (east, north) error lies inside the 95 % ellipse of the covariance. */
export function insideEllipse(
  errEast: number,
  errNorth: number,
  cov: readonly [number, number, number, number],
): boolean {
  const [a, b, , d] = cov;
  const det = a * d - b * b;
  if (!(det > 0)) return false;
  const m = (d * errEast * errEast - 2 * b * errEast * errNorth + a * errNorth * errNorth) / det;
  return m <= CHI2_2DOF_95;
}

/** Upper chi-square quantile at 99.9 % (Wilson-Hilferty), for residual consistency tests. */
export function chiSquare999(dof: number): number {
  if (dof <= 0) return Number.POSITIVE_INFINITY;
  const z = 3.0902;
  const h = 2 / (9 * dof);
  return dof * (1 - h + z * Math.sqrt(h)) ** 3;
}
