/**
 * Robust noise-floor estimation on an averaged PSD, for bands that may be mostly occupied and
 * floors that are not flat (RTL-SDR roll-off at the band edges, front-end filter humps).
 *
 * Method, in four steps that each have a reason:
 * 1. The band is cut into blocks of `blockBins` bins. In each block the `quantile`-th smallest
 *    value (default the 25 % point) is divided by the same quantile of the mean-1 Gamma law that
 *    noise-only bins follow (shape from the number of averaged segments), which gives an unbiased
 *    estimate of the mean noise density even when up to three quarters of the block is occupied.
 * 2. The quiet level of the whole band is the same estimate over all bins (its 20 % point).
 *    Blocks within `riseDb` of it are floor; blocks reachable from those through steps no larger
 *    than `stepDb` (and at most `maxRiseDb` above the quiet level) are floor too. Real floors roll off
 *    smoothly; a signal rises in a cliff, so a wide signal (a TV or OFDM channel covering half the
 *    band) is not mistaken for floor, while a gentle roll-off of several dB is.
 * 3. Occupied blocks, and the floor blocks right next to them (which hold the signal's edges),
 *    get the floor interpolated (in dB) between the nearest floor blocks; a
 *    morphological opening then removes bumps narrower than a few blocks, and a short smoothing
 *    leaves a floor that varies smoothly across frequency.
 * 4. Block values are interpolated to every bin.
 *
 * Pure: works on any PSD in any linear unit; the returned floor is in the same unit.
 */
import { gammaDensity, gammaLowerQuantile } from './noise-stats.ts';

/** A linear PSD (or sum of PSDs), one value per bin, fftshifted. */
export type Spectrum = Float32Array | Float64Array;

export interface NoiseFloorOptions {
  /** Gamma shape of one noise-only bin: about 0.95 x the number of averaged Hann segments (see `averagedShape`). */
  readonly shape: number;
  /** Quantile taken in each block (default 0.25: blocks stay right when up to 75 % occupied). */
  readonly quantile?: number;
  /** Bins per block (default max(8, N / 64)). */
  readonly blockBins?: number;
  /** Bins [from, to) left out of every estimate, e.g. the DC spike of a direct-conversion receiver. */
  readonly exclude?: BinRange;
  /** Variance inflation of a sum of adjacent bins by window overlap (Hann: about 1.94); default 1.94. */
  readonly binCorrelation?: number;
  /** Blocks within this many dB of the quiet level are floor (default 3 dB). */
  readonly riseDb?: number;
  /** The floor grows through gentle steps up to this many dB above the quiet level (default 12 dB). */
  readonly maxRiseDb?: number;
  /** Largest step between adjacent blocks through which the floor may grow (default 2 dB, more for noisy estimates). */
  readonly stepDb?: number;
}

export interface BinRange {
  readonly from: number;
  readonly to: number;
}

export interface NoiseFloor {
  /** Mean noise density in every bin (same unit as the input), smooth across frequency. */
  readonly density: Float64Array;
  /** Median over bins of the floor, in dB of the input unit. */
  readonly levelDb: number;
  /** One-sigma uncertainty of the per-bin floor, in dB (statistics plus misfit of the smooth curve). */
  readonly uncertaintyDb: number;
  /** The quiet level of the whole band (step 2), in dB. */
  readonly quietLevelDb: number;
  /** Fraction of blocks judged occupied by signals. */
  readonly occupancy: number;
}

const DB = 10 / Math.LN10;

/** Linear-interpolated q-quantile of the first n values of a sorted array. */
function sortedQuantile(sorted: Float64Array, n: number, q: number): number {
  const pos = q * (n - 1);
  const i = Math.floor(pos);
  const frac = pos - i;
  const a = sorted[i] as number;
  return i + 1 < n ? a + frac * ((sorted[i + 1] as number) - a) : a;
}

function inRange(k: number, r: BinRange | undefined): boolean {
  return r !== undefined && k >= r.from && k < r.to;
}

/** Estimates the noise floor of an averaged PSD. See the module comment for the method. */
export function estimateNoiseFloor(psd: Spectrum, opts: NoiseFloorOptions): NoiseFloor {
  const n = psd.length;
  const q = opts.quantile ?? 0.25;
  const w = Math.max(1, Math.min(n, opts.blockBins ?? Math.max(8, Math.floor(n / 64))));
  const blocks = Math.ceil(n / w);
  const corr = opts.binCorrelation ?? 1.94;
  const riseDb = opts.riseDb ?? 3;
  const maxRiseDb = opts.maxRiseDb ?? 12;
  const exclude = opts.exclude;
  const bias = gammaLowerQuantile(opts.shape, q);

  // Numerical floor: nothing 130 dB below the strongest bin is resolvable in float32 spectra.
  let max = 0;
  for (let k = 0; k < n; k++) if (!inRange(k, exclude)) max = Math.max(max, psd[k] as number);
  const tiny = max > 0 ? max * 1e-13 : 1e-30;

  // Step 1: block estimates (dB) and the quiet level.
  const scratch = new Float64Array(n);
  const blockDb = new Float64Array(blocks).fill(Number.NaN);
  const centre = new Float64Array(blocks);
  const count = new Int32Array(blocks);
  let all = 0;
  for (let b = 0; b < blocks; b++) {
    const start = b * w;
    const end = Math.min(n, start + w);
    let m = 0;
    let pos = 0;
    for (let k = start; k < end; k++) {
      if (inRange(k, exclude)) continue;
      scratch[m++] = psd[k] as number;
      pos += k;
    }
    count[b] = m;
    centre[b] = m > 0 ? pos / m : (start + end - 1) / 2;
    if (m < Math.min(3, w)) continue;
    const sorted = scratch.subarray(0, m).sort();
    blockDb[b] = DB * Math.log(Math.max(tiny, sortedQuantile(sorted, m, q) / bias));
  }
  for (let k = 0; k < n; k++) if (!inRange(k, exclude)) scratch[all++] = psd[k] as number;
  const quietQ = 0.2;
  const quietLevelDb =
    all > 0
      ? DB *
        Math.log(
          Math.max(
            tiny,
            sortedQuantile(scratch.subarray(0, all).sort(), all, quietQ) /
              gammaLowerQuantile(opts.shape, quietQ),
          ),
        )
      : DB * Math.log(tiny);

  // Step 2: which blocks are floor. Steps must clear the scatter of two block estimates.
  const statDb = blockScatterDb(opts.shape, q, w / corr);
  const stepDb = opts.stepDb ?? Math.max(2, 3 * Math.SQRT2 * statDb);
  const floor = new Uint8Array(blocks);
  let any = false;
  for (let b = 0; b < blocks; b++) {
    const v = blockDb[b] as number;
    if (v <= quietLevelDb + riseDb) {
      floor[b] = 1;
      any = true;
    }
  }
  for (let changed = true; changed;) {
    changed = false;
    for (let b = 0; b < blocks; b++) {
      const v = blockDb[b] as number;
      if (floor[b] === 1 || !(v <= quietLevelDb + maxRiseDb)) continue;
      for (const nb of [b - 1, b + 1]) {
        if (nb < 0 || nb >= blocks || floor[nb] !== 1) continue;
        if (Math.abs(v - (blockDb[nb] as number)) <= stepDb) {
          floor[b] = 1;
          changed = true;
          break;
        }
      }
    }
  }
  if (!any) for (let b = 0; b < blocks; b++) if (!Number.isNaN(blockDb[b] as number)) floor[b] = 1;
  // A block next to an occupied one usually holds the signal's edge: its quantile is raised, so
  // it does not anchor the interpolation (unless that would leave no floor at all).
  const edge = new Uint8Array(blocks);
  for (let b = 0; b < blocks; b++) {
    if (floor[b] !== 1) continue;
    if ((b > 0 && floor[b - 1] !== 1) || (b + 1 < blocks && floor[b + 1] !== 1)) edge[b] = 1;
  }
  let kept = 0;
  for (let b = 0; b < blocks; b++) if (floor[b] === 1 && edge[b] !== 1) kept++;
  if (kept >= 2) for (let b = 0; b < blocks; b++) if (edge[b] === 1) floor[b] = 0;
  let occupied = 0;
  for (let b = 0; b < blocks; b++) if (floor[b] !== 1) occupied++;

  // Step 3: interpolate across occupied blocks, open, smooth.
  const curve = new Float64Array(blocks);
  let prev = -1;
  for (let b = 0; b < blocks; b++) {
    if (floor[b] !== 1) continue;
    const v = blockDb[b] as number;
    curve[b] = v;
    if (prev < 0) for (let j = 0; j < b; j++) curve[j] = v;
    else {
      const pv = blockDb[prev] as number;
      for (let j = prev + 1; j < b; j++) curve[j] = pv + ((v - pv) * (j - prev)) / (b - prev);
    }
    prev = b;
  }
  if (prev < 0) curve.fill(quietLevelDb);
  else for (let j = prev + 1; j < blocks; j++) curve[j] = blockDb[prev] as number;
  const half = Math.max(1, Math.round(blocks / 32));
  const opened = dilate(erode(curve, half), half);
  const smooth = new Float64Array(blocks);
  for (let b = 0; b < blocks; b++) {
    const l = opened[Math.max(0, b - 1)] as number;
    const r = opened[Math.min(blocks - 1, b + 1)] as number;
    smooth[b] = 0.25 * l + 0.5 * (opened[b] as number) + 0.25 * r;
  }

  // Uncertainty: order-statistic spread of a block quantile, and misfit of floor blocks.
  const resid: number[] = [];
  for (let b = 0; b < blocks; b++)
    if (floor[b] === 1) resid.push(Math.abs((blockDb[b] as number) - (smooth[b] as number)));
  resid.sort((x, y) => x - y);
  const misfit = resid.length > 2 ? 1.4826 * (resid[Math.floor(resid.length / 2)] as number) : 0;
  const modelDb = Math.sqrt(Math.max(0, misfit * misfit - statDb * statDb));
  const uncertaintyDb = Math.sqrt((statDb * statDb) / 2.7 + modelDb * modelDb);

  // Step 4: to bins, linear in dB between block centres, extrapolated at the ends.
  const density = new Float64Array(n);
  let b = 0;
  for (let k = 0; k < n; k++) {
    while (b + 2 < blocks && k > (centre[b + 1] as number)) b++;
    let v: number;
    if (blocks === 1) v = smooth[0] as number;
    else {
      const x0 = centre[b] as number;
      const x1 = centre[b + 1] as number;
      const y0 = smooth[b] as number;
      const y1 = smooth[b + 1] as number;
      v = y0 + ((y1 - y0) * (k - x0)) / (x1 - x0);
    }
    density[k] = Math.exp(v / DB);
  }
  const sortedFloor = Float64Array.from(density).sort();
  const levelDb = DB * Math.log(sortedFloor[Math.floor(n / 2)] as number);
  return { density, levelDb, uncertaintyDb, quietLevelDb, occupancy: blocks > 0 ? occupied / blocks : 0 };
}

/** One-sigma scatter in dB of a block's bias-corrected q-quantile over `nEff` independent bins. */
function blockScatterDb(shape: number, q: number, nEff: number): number {
  const t = gammaLowerQuantile(shape, q);
  return (DB * Math.sqrt((q * (1 - q)) / Math.max(1, nEff))) / (gammaDensity(shape, t) * t);
}

function erode(x: Float64Array, h: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    let m = Infinity;
    for (let j = Math.max(0, i - h); j <= Math.min(x.length - 1, i + h); j++) m = Math.min(m, x[j] as number);
    out[i] = m;
  }
  return out;
}

function dilate(x: Float64Array, h: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    let m = -Infinity;
    for (let j = Math.max(0, i - h); j <= Math.min(x.length - 1, i + h); j++) m = Math.max(m, x[j] as number);
    out[i] = m;
  }
  return out;
}
