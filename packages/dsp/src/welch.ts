/**
 * Welch power spectral density, exactly the architecture contract:
 * `scipy.signal.welch(x, fs, window='hann', nperseg=N, noverlap=N/2, return_onesided=False,
 * detrend=False, scaling='density')` - a periodic window, full segments only starting at sample 0
 * with step N - overlap, |FFT|^2 averaged and divided by fs * sum(w^2).
 *
 * Streaming: bytes can be pushed in any sizes; the segment grid counts from the first sample
 * pushed. To split one recording across workers, give each worker a range from
 * {@link splitForWorkers} and {@link Welch.merge} their {@link Welch.state}s: the result equals
 * the single-pass result.
 */
import { UserError } from '@heimdall/errors';
import type { DspEngine } from './fft.ts';
import { checkFftSize } from './fft-size.ts';
import type { SampleFormat } from './iq-format.ts';
import { bytesPerSample } from './iq-format.ts';
import type { DspPrecision } from './kernel.ts';
import { PsdAccumulator } from './psd-accumulator.ts';
import { makeWindow64 } from './window.ts';
import type { WindowName } from './window.ts';

export interface WelchOptions {
  /** Segment length N, a power of two 2..2^20. */
  readonly fftSize: number;
  /** Fraction of a segment shared with the next, in [0, 1); default 0.5. step = fftSize - round(overlap * fftSize). */
  readonly overlap?: number;
  /** Window name (default `hann`) or explicit window values of length fftSize. */
  readonly window?: WindowName | Float32Array | Float64Array;
  /** Kaiser beta (default 14). */
  readonly windowBeta?: number;
  /** Format of the bytes pushed. */
  readonly format: SampleFormat;
  /** Hot-loop implementation: `wasm` (default, SIMD) or `js` (reference). */
  readonly engine?: DspEngine;
  /** FFT arithmetic of the wasm engine: `double` (default, matches scipy at any dynamic range) or `single` (faster). */
  readonly precision?: DspPrecision;
}

/** Partial Welch sums: the per-bin sum of |X|^2 (natural FFT order) and the number of segments. */
export interface WelchState {
  readonly sum: Float64Array;
  readonly segments: number;
}

export interface WelchResult {
  /** Absolute frequencies, ascending: center + (k - N/2) * fs / N. */
  readonly frequencyHz: Float64Array;
  /** 10 log10 of the density, fftshifted to match frequencyHz. */
  readonly psdDb: Float64Array;
}

/** Step between segment starts for an overlap fraction, validated. */
export function segmentStep(fftSize: number, overlap = 0.5): number {
  if (!Number.isFinite(overlap) || overlap < 0 || overlap >= 1) {
    throw new UserError(`overlap must be a fraction from 0 up to (not including) 1 (got ${overlap})`, {
      field: '--overlap',
      fix: 'use e.g. 0.5 for 50% overlap',
    });
  }
  const step = fftSize - Math.round(overlap * fftSize);
  if (step < 1) {
    throw new UserError(`overlap ${overlap} leaves no step between segments of ${fftSize} samples`, {
      field: '--overlap',
      fix: 'use a smaller overlap such as 0.5 or 0.75',
    });
  }
  return step;
}

/** Number of full segments in `totalSamples` samples. */
export function segmentCount(totalSamples: number, fftSize: number, step: number): number {
  return totalSamples < fftSize ? 0 : Math.floor((totalSamples - fftSize) / step) + 1;
}

/** A range of samples [start, end) for one worker. */
export interface SampleRange {
  readonly start: number;
  readonly end: number;
  /** Segments of the whole-file grid that fall in this range. */
  readonly segments: number;
}

/**
 * Splits a recording of `totalSamples` into at most `parts` ranges for parallel Welch: range i
 * starts on a segment of the whole-file grid and holds whole segments only, so a {@link Welch}
 * fed exactly the bytes of each range (its own grid starts at the range start) computes a state
 * whose {@link Welch.merge} over all ranges is the whole-file result. Ranges overlap by
 * fftSize - step samples when segments overlap; empty ranges are left out.
 */
export function splitForWorkers(
  totalSamples: number,
  fftSize: number,
  step: number,
  parts: number,
): SampleRange[] {
  const total = segmentCount(totalSamples, fftSize, step);
  const p = Math.max(1, Math.min(Math.floor(parts), total));
  const out: SampleRange[] = [];
  let first = 0;
  for (let i = 0; i < p; i++) {
    const count = Math.floor((total * (i + 1)) / p) - Math.floor((total * i) / p);
    if (count === 0) continue;
    const start = first * step;
    out.push({ start, end: start + (count - 1) * step + fftSize, segments: count });
    first += count;
  }
  return out;
}

/** The float64 window values for Welch options: a named window (scipy's values) or the caller's own. */
export function resolveWindow(
  fftSize: number,
  window: WindowName | Float32Array | Float64Array | undefined,
  beta: number | undefined,
): Float64Array {
  if (typeof window === 'object') {
    if (window.length !== fftSize) {
      throw new UserError(`window has ${window.length} values but the FFT size is ${fftSize}`, {
        field: 'window',
        fix: 'give one window value per FFT bin',
      });
    }
    return Float64Array.from(window);
  }
  return makeWindow64(window ?? 'hann', fftSize, beta === undefined ? {} : { beta });
}

export class Welch {
  readonly fftSize: number;
  readonly step: number;
  readonly format: SampleFormat;
  private readonly acc: PsdAccumulator;
  private readonly windowPower: number;

  constructor(opts: WelchOptions) {
    checkFftSize(opts.fftSize);
    this.fftSize = opts.fftSize;
    this.step = segmentStep(opts.fftSize, opts.overlap);
    this.format = opts.format;
    bytesPerSample(opts.format);
    const window = resolveWindow(opts.fftSize, opts.window, opts.windowBeta);
    this.acc = new PsdAccumulator({
      fftSize: this.fftSize,
      step: this.step,
      window,
      format: opts.format,
      engine: opts.engine ?? 'wasm',
      ...(opts.precision === undefined ? {} : { precision: opts.precision }),
    });
    this.windowPower = this.acc.windowPower;
  }

  /** Adds bytes of any length and alignment; partial samples and segments carry over to the next call. */
  push(bytes: Uint8Array): void {
    const chunk = Math.max(1 << 20, this.fftSize * 16);
    for (let off = 0; off < bytes.length; off += chunk) {
      const part = bytes.subarray(off, Math.min(bytes.length, off + chunk));
      this.inputBuffer(part.length).set(part);
      this.pushInput(part.length);
    }
  }

  /**
   * Zero-copy input: a view of up to `maxBytes` (in kernel memory) that the caller fills, e.g.
   * with `fs.readSync(fd, view)`, then passes to {@link pushInput}. The view is valid until the
   * next call on this object.
   */
  inputBuffer(maxBytes: number): Uint8Array {
    return this.acc.inputBuffer(maxBytes);
  }

  /** Processes `byteCount` bytes written at the start of the last {@link inputBuffer}. */
  pushInput(byteCount: number): void {
    this.acc.commit(byteCount);
    this.acc.drain();
  }

  /** Segments averaged so far (including merged states). */
  get segments(): number {
    return this.acc.segments;
  }

  /** Whole samples pushed so far (including the tail waiting for its segment to fill). */
  get samplesConsumed(): number {
    return this.acc.samplesReceived;
  }

  /** Linear PSD (per Hz), natural FFT order (bin 0 = DC, not shifted). All zeros before the first segment. */
  density(sampleRate: number): Float64Array {
    checkSampleRate(sampleRate);
    const sum = this.acc.sum();
    const out = new Float64Array(this.fftSize);
    const segs = this.acc.segments;
    if (segs === 0) return out;
    const scale = 1 / (sampleRate * this.windowPower * segs);
    for (let k = 0; k < out.length; k++) out[k] = (sum[k] as number) * scale;
    return out;
  }

  /** fftshifted PSD in dB with absolute frequencies center + (k - N/2) * fs / N. */
  result(sampleRate: number, centerHz: number): WelchResult {
    const d = this.density(sampleRate);
    const n = this.fftSize;
    const half = n >> 1;
    const frequencyHz = new Float64Array(n);
    const psdDb = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      frequencyHz[k] = centerHz + ((k - half) * sampleRate) / n;
      psdDb[k] = 10 * Math.log10(d[(k + half) & (n - 1)] as number);
    }
    return { frequencyHz, psdDb };
  }

  /** A copy of the partial sums, to {@link merge} into another Welch (e.g. across workers). */
  state(): WelchState {
    return { sum: Float64Array.from(this.acc.sum()), segments: this.acc.segments };
  }

  /** Adds another Welch's partial sums (same fftSize, window and overlap). */
  merge(state: WelchState): void {
    if (state.sum.length !== this.fftSize) {
      throw new RangeError(
        `cannot merge a Welch state of ${state.sum.length} bins into one of ${this.fftSize}`,
      );
    }
    this.acc.addSum(state.sum, state.segments);
  }

  /** Starts over: no sums, no kept bytes; the next byte pushed is sample 0 of a new grid. */
  reset(): void {
    this.acc.reset();
  }

  /** Frees kernel memory; the object cannot be used afterwards. */
  dispose(): void {
    this.acc.dispose();
  }
}

export function checkSampleRate(sampleRate: number, field = 'core:sample_rate'): void {
  if (!Number.isFinite(sampleRate) || sampleRate <= 0) {
    throw new UserError(`sample rate must be a positive number of samples per second (got ${sampleRate})`, {
      field,
      fix: 'give the sample rate in Hz, e.g. 2048000',
    });
  }
}
