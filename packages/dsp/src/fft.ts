/**
 * Complex FFT of power-of-two sizes 2..2^20 on interleaved (re, im) float32 data, computed in
 * float64 by default.
 */
import { JsFft } from './fft-js.ts';
import { checkFftSize } from './fft-size.ts';
import { KERNEL_MIN_SIZE, KernelInstance, kernelAvailable } from './kernel.ts';
import type { DspPrecision } from './kernel.ts';

export { checkFftSize, MAX_FFT_SIZE, MIN_FFT_SIZE } from './fft-size.ts';
export { kernelAvailable, preloadKernel } from './kernel.ts';
export type { DspPrecision } from './kernel.ts';

/** Which implementation runs the hot loops: the WebAssembly SIMD kernel (default) or plain TypeScript. */
export type DspEngine = 'wasm' | 'js';

export interface FftOptions {
  /** Default `wasm`. */
  readonly engine?: DspEngine;
  /** Arithmetic of the wasm engine, default `double` (the js engine always computes in float64). */
  readonly precision?: DspPrecision;
}

/**
 * A complex FFT of one size. The WebAssembly SIMD kernel runs it for sizes >= 16 (plain
 * TypeScript below that, or with `engine: 'js'`). Data is interleaved (re, im) float32, length
 * 2 * size, transformed in place.
 */
export class Fft {
  readonly size: number;
  readonly engine: DspEngine;
  private readonly js: JsFft | null;
  private readonly k: KernelInstance | null;
  private jsBuf: Float64Array | undefined;

  /** Throws a {@link UserError} naming `--fft` unless `size` is a power of two in 2..2^20. */
  constructor(size: number, opts: FftOptions = {}) {
    checkFftSize(size);
    this.size = size;
    const wasm = (opts.engine ?? 'wasm') === 'wasm' && size >= KERNEL_MIN_SIZE && kernelAvailable();
    this.engine = wasm ? 'wasm' : 'js';
    this.k = wasm ? new KernelInstance(size, opts.precision ?? 'double') : null;
    this.js = wasm ? null : new JsFft(size);
    if (this.k !== null) this.k.real(this.k.win, size).fill(1);
  }

  /** In place: X[k] = sum_n x[n] e^(-2 pi i k n / N), unnormalized (numpy.fft.fft). */
  forward(inout: Float32Array): void {
    this.run(inout, false, 1);
  }

  /** In place: x[n] = sum_k X[k] e^(+2 pi i k n / N), unnormalized (N times numpy.fft.ifft). */
  inverseUnnormalized(inout: Float32Array): void {
    this.run(inout, true, 1);
  }

  /** In place: the true inverse, x[n] = (1/N) sum_k X[k] e^(+2 pi i k n / N) (numpy.fft.ifft). */
  inverse(inout: Float32Array): void {
    this.run(inout, true, 1 / this.size);
  }

  private run(x: Float32Array, inverse: boolean, scale: number): void {
    const n = this.size;
    if (x.length < 2 * n)
      throw new RangeError(`FFT buffer holds ${x.length >> 1} complex values, needs ${n}`);
    if (this.k === null) {
      const js = this.js as JsFft;
      const buf = (this.jsBuf ??= new Float64Array(2 * n));
      for (let i = 0; i < 2 * n; i++) buf[i] = x[i] as number;
      if (inverse) js.inverse(buf);
      else js.forward(buf);
      for (let i = 0; i < 2 * n; i++) x[i] = (buf[i] as number) * scale;
      return;
    }
    const k = this.k;
    const buf = k.floats(k.staging, 2 * n);
    buf.set(x.subarray(0, 2 * n));
    // inverse(x) = conj(forward(conj(x))).
    if (inverse) k.conjugateScale(k.staging, 1);
    k.fftInterleaved(k.staging, k.staging);
    if (inverse) k.conjugateScale(k.staging, scale);
    x.set(k.floats(k.staging, 2 * n));
  }

  dispose(): void {}
}
