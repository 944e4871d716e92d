/**
 * Plain-TypeScript radix-2 complex FFT on interleaved (re, im) data, float64 or float32 arrays
 * (arithmetic in float64, rounded to the array's type after every stage). It is the reference
 * the WebAssembly kernel is tested against and the fallback where WebAssembly SIMD is missing;
 * it is many times slower than the kernel.
 */
import { checkFftSize, log2Int } from './fft-size.ts';

export class JsFft {
  readonly size: number;
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  private readonly rev: Uint32Array;

  constructor(size: number) {
    checkFftSize(size);
    this.size = size;
    const half = size >> 1;
    this.cos = new Float64Array(half);
    this.sin = new Float64Array(half);
    for (let k = 0; k < half; k++) {
      this.cos[k] = Math.cos((2 * Math.PI * k) / size);
      this.sin[k] = Math.sin((2 * Math.PI * k) / size);
    }
    const bits = log2Int(size);
    this.rev = new Uint32Array(size);
    for (let i = 0; i < size; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.rev[i] = r;
    }
  }

  /** In place, X[k] = sum x[n] e^(-2 pi i k n / N), unnormalized. `inout` holds N interleaved complex values. */
  forward(inout: Float32Array | Float64Array): void {
    this.transform(inout, -1);
  }

  /** In place, x[n] = sum X[k] e^(+2 pi i k n / N), unnormalized (N times the true inverse). */
  inverse(inout: Float32Array | Float64Array): void {
    this.transform(inout, 1);
  }

  private transform(x: Float32Array | Float64Array, sign: 1 | -1): void {
    const n = this.size;
    if (x.length < 2 * n) throw new RangeError(`FFT buffer holds ${x.length / 2} complex values, needs ${n}`);
    const rev = this.rev;
    for (let i = 0; i < n; i++) {
      const j = rev[i] as number;
      if (j > i) {
        const re = x[2 * i] as number;
        const im = x[2 * i + 1] as number;
        x[2 * i] = x[2 * j] as number;
        x[2 * i + 1] = x[2 * j + 1] as number;
        x[2 * j] = re;
        x[2 * j + 1] = im;
      }
    }
    for (let len = 2; len <= n; len <<= 1) {
      const half = len >> 1;
      const tstep = n / len;
      for (let start = 0; start < n; start += len) {
        for (let k = 0; k < half; k++) {
          const wr = this.cos[k * tstep] as number;
          const wi = sign * (this.sin[k * tstep] as number);
          const a = 2 * (start + k);
          const b = 2 * (start + k + half);
          const br = x[b] as number;
          const bi = x[b + 1] as number;
          const tr = br * wr - bi * wi;
          const ti = br * wi + bi * wr;
          const ar = x[a] as number;
          const ai = x[a + 1] as number;
          x[a] = ar + tr;
          x[a + 1] = ai + ti;
          x[b] = ar - tr;
          x[b + 1] = ai - ti;
        }
      }
    }
  }
}
