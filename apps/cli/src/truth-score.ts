/**
 * Scores detections against a simulator's ground truth: which transmissions that a detector should
 * find (in band, strong enough) it found, which it missed, and which detections match nothing.
 */
export interface Interval {
  /** First sample and sample count in the recording. */
  readonly sampleStart: number;
  readonly sampleCount: number;
  /** Occupied band, absolute Hz. */
  readonly freqLowerHz: number;
  readonly freqUpperHz: number;
}

export interface TruthItem extends Interval {
  readonly name: string;
  readonly snrDb: number;
}

export interface Score<T extends TruthItem, D extends Interval> {
  /** Truth items at or above the SNR bar and inside the captured band. */
  readonly expected: readonly T[];
  readonly found: readonly T[];
  readonly missed: readonly T[];
  /** Detections that overlap no truth item at all (whatever its SNR). */
  readonly unmatched: readonly D[];
}

function overlaps(a: Interval, b: Interval, freqSlackHz: number): boolean {
  const time = a.sampleStart < b.sampleStart + b.sampleCount && b.sampleStart < a.sampleStart + a.sampleCount;
  const freq = a.freqLowerHz - freqSlackHz <= b.freqUpperHz && b.freqLowerHz - freqSlackHz <= a.freqUpperHz;
  return time && freq;
}

/**
 * @param band the captured band [lower, upper] Hz; truth outside it cannot be expected.
 * @param freqSlackHz tolerance on band edges (one or two analysis bins).
 */
export function scoreDetections<T extends TruthItem, D extends Interval>(
  truth: readonly T[],
  detections: readonly D[],
  opts: { minSnrDb: number; band: readonly [number, number]; freqSlackHz: number },
): Score<T, D> {
  const [lo, hi] = opts.band;
  const expected = truth.filter(
    (t) => t.snrDb >= opts.minSnrDb && t.freqLowerHz >= lo && t.freqUpperHz <= hi,
  );
  // a detection finds a transmission when they overlap and it is not much wider (a detection
  // spanning the whole band overlaps everything and finds nothing)
  const fits = (t: T, d: D) =>
    overlaps(t, d, opts.freqSlackHz) &&
    d.freqUpperHz - d.freqLowerHz <= 3 * (t.freqUpperHz - t.freqLowerHz) + 4 * opts.freqSlackHz;
  const found = expected.filter((t) => detections.some((d) => fits(t, d)));
  const missed = expected.filter((t) => !found.includes(t));
  const unmatched = detections.filter((d) => !truth.some((t) => overlaps(t, d, opts.freqSlackHz)));
  return { expected, found, missed, unmatched };
}
