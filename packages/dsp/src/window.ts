/**
 * Spectral windows, computed exactly like `scipy.signal.get_window(name, n, fftbins=True)`:
 * periodic (DFT-even) by default, i.e. the symmetric window of length n + 1 without its last
 * point. Values are computed in float64 and stored as float32.
 */
import { UserError } from '@heimdall/errors';

export const WINDOW_NAMES = ['hann', 'hamming', 'blackmanharris', 'flattop', 'kaiser'] as const;
export type WindowName = (typeof WINDOW_NAMES)[number];

/** Kaiser beta used when none is given (a sidelobe level of about -100 dB). */
export const DEFAULT_KAISER_BETA = 14;

export interface WindowOptions {
  /** Kaiser shape parameter (default {@link DEFAULT_KAISER_BETA}); ignored by other windows. */
  readonly beta?: number;
  /** `true` for the symmetric window used in filter design; default periodic (for spectra). */
  readonly symmetric?: boolean;
}

/** A parsed `--window` value such as `hann` or `kaiser:8.6`. */
export interface WindowSpec {
  readonly name: WindowName;
  readonly beta?: number;
}

/** Cosine-sum coefficients a0, a1, ... of `sum (-1)^k a_k cos(2 pi k n / (M - 1))` (scipy's general_cosine). */
const COSINE_SUMS: Readonly<Record<Exclude<WindowName, 'kaiser'>, readonly number[]>> = {
  hann: [0.5, 0.5],
  hamming: [0.54, 0.46],
  blackmanharris: [0.35875, 0.48829, 0.14128, 0.01168],
  flattop: [0.21557895, 0.41663158, 0.277263158, 0.083578947, 0.006947368],
};

/** Modified Bessel function of the first kind, order 0 (power series; exact to double precision for |x| < 700). */
export function besselI0(x: number): number {
  const q = (x * x) / 4;
  let term = 1;
  let sum = 1;
  for (let k = 1; k < 1000; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/**
 * A window of `n` points. Periodic by default (what spectral analysis wants): the same values
 * as `scipy.signal.get_window(name, n)`; `{ symmetric: true }` gives `get_window(name, n, fftbins=False)`.
 */
export function makeWindow(name: WindowName, n: number, opts: WindowOptions = {}): Float32Array {
  return Float32Array.from(makeWindow64(name, n, opts));
}

/**
 * {@link makeWindow} in float64, as scipy computes it. Welch uses these values: a window rounded
 * to float32 modulates a strong tone by about 1e-7 and raises the floor around it where scipy's
 * stays at the quantization noise of the recording.
 */
export function makeWindow64(name: WindowName, n: number, opts: WindowOptions = {}): Float64Array {
  if (!Number.isInteger(n) || n < 1) {
    throw new UserError(`window length must be a positive whole number (got ${n})`, {
      field: 'window',
      fix: 'use the FFT size, e.g. 1024 or 4096',
    });
  }
  const out = new Float64Array(n);
  if (n === 1) {
    out[0] = 1;
    return out;
  }
  // M points of the symmetric window; the periodic window is its first n points.
  const m = opts.symmetric === true ? n : n + 1;
  if (name === 'kaiser') {
    const beta = opts.beta ?? DEFAULT_KAISER_BETA;
    if (!Number.isFinite(beta) || beta < 0) {
      throw new UserError(`kaiser beta must be a number >= 0 (got ${beta})`, {
        field: 'window',
        fix: 'write e.g. kaiser:8.6',
      });
    }
    const alpha = (m - 1) / 2;
    const norm = besselI0(beta);
    for (let i = 0; i < n; i++) {
      const r = (i - alpha) / alpha;
      out[i] = besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / norm;
    }
    return out;
  }
  const a = COSINE_SUMS[name];
  const step = (2 * Math.PI) / (m - 1);
  for (let i = 0; i < n; i++) {
    // scipy evaluates cos(k * fac) with fac = linspace(-pi, pi, M); (-1)^k cos(k * 2 pi i / (M-1)) is the same.
    const fac = -Math.PI + i * step;
    let w = 0;
    for (let k = 0; k < a.length; k++) w += (a[k] as number) * Math.cos(k * fac);
    out[i] = w;
  }
  return out;
}

/**
 * Parses a `--window` value: one of {@link WINDOW_NAMES}, optionally `kaiser:BETA`
 * (also accepts `blackman-harris`, `flat-top`, `hanning`). Throws a {@link UserError} otherwise.
 */
export function parseWindowSpec(s: string): WindowSpec {
  const [rawName = '', param, ...rest] = s.trim().toLowerCase().split(':');
  const aliases: Record<string, WindowName> = {
    hanning: 'hann',
    'blackman-harris': 'blackmanharris',
    'flat-top': 'flattop',
  };
  const name = aliases[rawName] ?? rawName;
  const fix = `use one of ${WINDOW_NAMES.join(', ')} (kaiser takes an optional beta: kaiser:8.6)`;
  if (!(WINDOW_NAMES as readonly string[]).includes(name) || rest.length > 0) {
    throw new UserError(`unknown window "${s}"`, { field: '--window', fix });
  }
  if (param === undefined) return { name: name as WindowName };
  const beta = Number(param);
  if (name !== 'kaiser' || param === '' || !Number.isFinite(beta) || beta < 0) {
    throw new UserError(`bad window parameter in "${s}"`, { field: '--window', fix });
  }
  return { name: name as WindowName, beta };
}
