/**
 * How noise-only PSD values are distributed, so that every threshold in detection comes from a
 * false-alarm probability instead of a magic number.
 *
 * A Welch PSD bin of complex white Gaussian noise averaged over K segments is, to a very good
 * approximation, Gamma distributed with mean equal to the noise density and shape
 * a = K / (1 + 2 sum_m (1 - m/K) c_m), where c_m is the squared correlation of segments m steps
 * apart (Welch 1967; 0.0278 for Hann at 50 % overlap, so a is about 0.95 K). A sum of B adjacent
 * bins is again close to Gamma with shape a B / (1 + 2 sum_d (1 - d/B) r_d), where r_d is the
 * squared correlation of bins d apart (4/9 for Hann at d = 1). All functions here work on
 * mean-normalized Gamma variables (mean 1): multiply by the noise level to get a threshold.
 */

const LN_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** ln Gamma(x) for x > 0: Stirling's series after shifting x up to at least 8. */
export function lnGamma(x: number): number {
  if (!(x > 0)) return Number.NaN;
  let shift = 0;
  let z = x;
  while (z < 8) {
    shift += Math.log(z);
    z += 1;
  }
  const z2 = 1 / (z * z);
  const series = (1 / z) * (1 / 12 - z2 * (1 / 360 - z2 * (1 / 1260 - z2 * (1 / 1680 - z2 / 1188))));
  return (z - 0.5) * Math.log(z) - z + LN_SQRT_2PI + series - shift;
}

/** ln of e^-x x^a / Gamma(a), the common factor of both incomplete gamma expansions. */
function lnPrefactor(a: number, x: number): number {
  return a * Math.log(x) - x - lnGamma(a);
}

/** Lower series: P(a, x) = e^-x x^a / Gamma(a+1) * sum x^n / ((a+1)...(a+n)); converges fast for x < a + 1. */
function lowerSeries(a: number, x: number): number {
  let term = 1 / a;
  let sum = term;
  for (let n = 1; n < 100000; n++) {
    term *= x / (a + n);
    sum += term;
    if (term < sum * 1e-16) break;
  }
  return Math.exp(lnPrefactor(a, x) + Math.log(sum));
}

/** ln Q(a, x) from the continued fraction for the upper tail (modified Lentz); for x >= a + 1. */
function lnUpperFraction(a: number, x: number): number {
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 100000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return lnPrefactor(a, x) + Math.log(h);
}

/** Regularized lower incomplete gamma P(a, x) = Pr(X <= x) for X ~ Gamma(shape a, scale 1). */
export function gammaP(a: number, x: number): number {
  if (x <= 0) return 0;
  if (x < a + 1) return lowerSeries(a, x);
  return 1 - Math.exp(lnUpperFraction(a, x));
}

/** Regularized upper incomplete gamma Q(a, x) = Pr(X > x); accurate deep into the tail. */
export function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  if (x < a + 1) return 1 - lowerSeries(a, x);
  return Math.exp(lnUpperFraction(a, x));
}

/** Solves increasing f(x) = 0 for x > 0 by bracketing and bisection in log x. */
function solveIncreasing(f: (x: number) => number, guess: number): number {
  let lo = guess;
  let hi = guess;
  while (f(lo) > 0 && lo > 1e-300) lo /= 2;
  while (f(hi) < 0 && hi < 1e300) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-13 * hi; i++) {
    const mid = Math.sqrt(lo * hi);
    if (f(mid) < 0) lo = mid;
    else hi = mid;
  }
  return Math.sqrt(lo * hi);
}

/**
 * The value t exceeded with probability `p` by a mean-1 Gamma variable of shape `shape`:
 * Pr(X > t) = p. This is the CFAR threshold factor: noise-only bins of a PSD averaged to that
 * shape exceed `floor * t` with probability p.
 */
export function gammaUpperQuantile(shape: number, p: number): number {
  checkShape(shape);
  if (!(p > 0 && p < 1)) throw new RangeError(`probability must be in (0, 1) (got ${p})`);
  const lnP = Math.log(p);
  const x = solveIncreasing((v) => {
    const q = gammaQ(shape, v);
    return q > 0 ? lnP - Math.log(q) : 1;
  }, shape);
  return x / shape;
}

/** The q-quantile of a mean-1 Gamma variable of shape `shape`: Pr(X <= t) = q. */
export function gammaLowerQuantile(shape: number, q: number): number {
  checkShape(shape);
  if (!(q > 0 && q < 1)) throw new RangeError(`probability must be in (0, 1) (got ${q})`);
  return solveIncreasing((v) => gammaP(shape, v) - q, shape) / shape;
}

/** Density of a mean-1 Gamma variable of shape `shape` at t. */
export function gammaDensity(shape: number, t: number): number {
  if (t <= 0) return 0;
  const x = t * shape;
  return Math.exp(lnPrefactor(shape, x) - Math.log(t));
}

function checkShape(shape: number): void {
  if (!(shape > 0) || !Number.isFinite(shape))
    throw new RangeError(`gamma shape must be positive (got ${shape})`);
}

/**
 * Correlations that set the shape of averaged periodograms for one window and segment step:
 * `segment[m - 1]` is the squared correlation of the |X|^2 of segments m steps apart and
 * `bin[d - 1]` that of bins d apart, for white noise. Negligible terms (< 1e-4) are left out.
 */
export interface WindowCorrelation {
  readonly segment: Float64Array;
  readonly bin: Float64Array;
}

export function windowCorrelation(window: Float32Array, step: number): WindowCorrelation {
  const n = window.length;
  let energy = 0;
  for (let i = 0; i < n; i++) energy += (window[i] as number) ** 2;
  const segment: number[] = [];
  for (let lag = step; lag < n && step > 0; lag += step) {
    let s = 0;
    for (let i = 0; i + lag < n; i++) s += (window[i] as number) * (window[i + lag] as number);
    const c = (s / energy) ** 2;
    if (c < 1e-4) break;
    segment.push(c);
  }
  const bin: number[] = [];
  for (let d = 1; d < n; d++) {
    let re = 0;
    let im = 0;
    for (let i = 0; i < n; i++) {
      const w2 = (window[i] as number) ** 2;
      const ph = (-2 * Math.PI * d * i) / n;
      re += w2 * Math.cos(ph);
      im += w2 * Math.sin(ph);
    }
    const c = (re * re + im * im) / (energy * energy);
    if (c < 1e-4) break;
    bin.push(c);
  }
  return { segment: Float64Array.from(segment), bin: Float64Array.from(bin) };
}

/** Gamma shape of a PSD bin averaged over `segments` consecutive segments (Welch's equivalent degrees of freedom / 2). */
export function averagedShape(corr: WindowCorrelation, segments: number): number {
  if (segments <= 0) return 0;
  let s = 0;
  for (let m = 1; m < segments && m <= corr.segment.length; m++)
    s += (1 - m / segments) * (corr.segment[m - 1] as number);
  return segments / (1 + 2 * s);
}

/** Gamma shape of the sum of `bins` adjacent PSD bins, each of shape `shape`. */
export function binSumShape(corr: WindowCorrelation, shape: number, bins: number): number {
  if (bins <= 1) return shape;
  let s = 0;
  for (let d = 1; d < bins && d <= corr.bin.length; d++) s += (1 - d / bins) * (corr.bin[d - 1] as number);
  return (shape * bins) / (1 + 2 * s);
}

/**
 * Threshold factor for the maximum of `count` independent mean-1 Gamma(shape) values (a max-hold
 * spectrum over `count` frames): Pr(max > t) = p.
 */
export function maxHoldQuantile(shape: number, count: number, p: number): number {
  const perValue = -Math.expm1(Math.log1p(-p) / Math.max(1, count));
  return gammaUpperQuantile(shape, perValue);
}
