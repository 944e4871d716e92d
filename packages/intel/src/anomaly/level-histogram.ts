/**
 * Quantiles of a decayed fixed-bin histogram: robust (one wild value moves a quantile by at most
 * one bin), mergeable, constant memory, and cheap to decay (multiply the counts).
 */

export interface LevelAxis {
  /** Lower edge of bin 0, dB. */
  readonly lowDb: number;
  /** Bin width, dB. */
  readonly stepDb: number;
  readonly bins: number;
}

/** Bin of a level, clamped to the axis. */
export function levelBin(axis: LevelAxis, db: number): number {
  const i = Math.floor((db - axis.lowDb) / axis.stepDb);
  return i < 0 ? 0 : i >= axis.bins ? axis.bins - 1 : i;
}

/**
 * The q-quantile (0..1) of the histogram in `h[off .. off + axis.bins)` holding `total` counts,
 * interpolated linearly inside the bin. NaN when empty.
 */
export function histogramQuantile(
  h: Float32Array | Float64Array,
  off: number,
  axis: LevelAxis,
  total: number,
  q: number,
): number {
  if (!(total > 0)) return NaN;
  const target = q * total;
  let cum = 0;
  for (let i = 0; i < axis.bins; i++) {
    const v = h[off + i] as number;
    if (v > 0 && cum + v >= target) {
      const frac = Math.min(1, Math.max(0, (target - cum) / v));
      return axis.lowDb + (i + frac) * axis.stepDb;
    }
    cum += v;
  }
  return axis.lowDb + axis.bins * axis.stepDb;
}

/** Fraction of the histogram's mass at or above `db`. */
export function histogramFractionAbove(
  h: Float32Array | Float64Array,
  off: number,
  axis: LevelAxis,
  total: number,
  db: number,
): number {
  if (!(total > 0)) return 0;
  const from = levelBin(axis, db);
  let above = 0;
  for (let i = from; i < axis.bins; i++) above += h[off + i] as number;
  return above / total;
}
