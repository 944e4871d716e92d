/**
 * OFDM-like wideband carrier (DAB, DVB-T, Wi-Fi-like): QPSK on every subcarrier but the centre one,
 * symbols with a cyclic prefix. Each link renders a pool of 16 symbols once (an oversampled inverse
 * FFT) and picks one per symbol period from the emitter's key, so the spectrum, the symbol timing
 * and the cyclic-prefix correlation are those of OFDM at the cost of a table read per sample.
 */
import { hash32 as hash32Import } from '../prng.ts';
import type { SimKernel } from '../kernel.ts';
import { Waveform } from './waveform.ts';

const hash32 = hash32Import;

const POOL = 16;

/** In-place radix-2 inverse FFT without scaling: x[n] = sum_k X[k] e^{+j 2 pi k n / N}. */
export function inverseFft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      const tr = re[i] ?? 0;
      re[i] = re[j] ?? 0;
      re[j] = tr;
      const ti = im[i] ?? 0;
      im[i] = im[j] ?? 0;
      im[j] = ti;
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = (2 * Math.PI) / len;
    const wr = Math.cos(ang);
    const wi = Math.sin(ang);
    for (let i = 0; i < n; i += len) {
      let cr = 1;
      let ci = 0;
      for (let j = 0; j < len / 2; j++) {
        const a = i + j;
        const b = a + len / 2;
        const br = re[b] ?? 0;
        const bi = im[b] ?? 0;
        const xr = br * cr - bi * ci;
        const xi = br * ci + bi * cr;
        re[b] = (re[a] ?? 0) - xr;
        im[b] = (im[a] ?? 0) - xi;
        re[a] = (re[a] ?? 0) + xr;
        im[a] = (im[a] ?? 0) + xi;
        const ncr = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = ncr;
      }
    }
  }
}

export class OfdmWaveform extends Waveform {
  readonly occupied: readonly [number, number];
  readonly controlRate = Infinity;
  override readonly fixedFrequency = true;
  private readonly n: number;
  private readonly pool: Float32Array[] = [];
  private readonly tu: number;
  private readonly tg: number;
  private readonly ts: number;

  constructor(
    private readonly key: number,
    bandwidth: number,
    subcarriers: number,
    guardFraction: number,
    sampleRate: number,
    private readonly kernel?: SimKernel,
  ) {
    super();
    const spacing = bandwidth / subcarriers;
    this.tu = 1 / spacing;
    this.tg = guardFraction * this.tu;
    this.ts = this.tu + this.tg;
    this.occupied = [-bandwidth / 2, bandwidth / 2];
    let base = 1;
    while (base < subcarriers + 2) base <<= 1;
    // oversample so that linear interpolation at the receiver's rate stays clean
    let os = 2;
    while (os < 16 && base * os * spacing < 4 * sampleRate && base * os < 65536) os <<= 1;
    this.n = base * os;
    const re = new Float64Array(this.n);
    const im = new Float64Array(this.n);
    const amp = Math.SQRT1_2 / Math.sqrt(subcarriers);
    const half = subcarriers / 2;
    for (let p = 0; p < POOL; p++) {
      re.fill(0);
      im.fill(0);
      for (let k = -Math.floor(half); k <= Math.ceil(half); k++) {
        if (k === 0) continue;
        const bin = (k + this.n) % this.n;
        const h = hash32(key, p, k + 100_000, 0x0f);
        re[bin] = h & 1 ? amp : -amp;
        im[bin] = h & 2 ? amp : -amp;
      }
      inverseFft(re, im);
      const sym = new Float32Array(2 * (this.n + 1));
      for (let i = 0; i < this.n; i++) {
        sym[2 * i] = re[i] ?? 0;
        sym[2 * i + 1] = im[i] ?? 0;
      }
      sym[2 * this.n] = re[0] ?? 0;
      sym[2 * this.n + 1] = im[0] ?? 0;
      this.pool.push(sym);
    }
    if (kernel !== undefined) {
      // a copy in the kernel's memory: runs are then rendered there
      const stride = 2 * (this.n + 1);
      this.kernelPool = kernel.alloc(4 * stride * POOL);
      const view = kernel.f32(this.kernelPool, stride * POOL);
      this.pool.forEach((sym, i) => view.set(sym, i * stride));
    }
  }

  /** Byte offset of the pool in the kernel's memory (-1: none). */
  private readonly kernelPool: number = -1;

  points(
    t: number,
    dt: number,
    n: number,
    burst: number,
    amp: number,
    re: Float32Array,
    im: Float32Array,
    fq: Float32Array,
    at: number,
  ): void {
    fq.fill(0, at, at + n);
    const ts = this.ts;
    const scale = this.n / this.tu;
    const guard = this.tg * scale;
    const step = dt * scale;
    let i = 0;
    while (i < n) {
      const ti = t + i * dt;
      const m = Math.floor(ti / ts);
      const sym = this.pool[hash32(this.key, burst, m, 0x0e) & (POOL - 1)]!;
      // samples left in this symbol, and the position in the pool symbol (cyclic prefix first)
      const left = dt > 0 ? Math.min(n - i, Math.max(1, Math.ceil(((m + 1) * ts - ti) / dt))) : n - i;
      let pos = (ti - m * ts) * scale - guard;
      if (pos < 0) pos += this.n;
      const kernel = this.kernel;
      if (kernel !== undefined && this.kernelPool >= 0 && re === kernel.envReView) {
        const index = hash32(this.key, burst, m, 0x0e) & (POOL - 1);
        kernel.ofdmRun(this.kernelPool + index * 8 * (this.n + 1), this.n, pos, step, left, amp, at + i);
        i += left;
        continue;
      }
      for (let e = i + left; i < e; i++) {
        if (pos >= this.n) pos -= this.n;
        const k = pos | 0;
        const f = pos - k;
        const a = sym[2 * k]!;
        const b = sym[2 * k + 1]!;
        re[at + i] = amp * (a + (sym[2 * k + 2]! - a) * f);
        im[at + i] = amp * (b + (sym[2 * k + 3]! - b) * f);
        pos += step;
      }
    }
  }
}
