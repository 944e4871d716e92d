/**
 * Jamming and interference waveforms: band-limited Gaussian noise (complex white noise at the
 * bandwidth's rate, interpolated) and a swept tone (saw-tooth sweep across a span).
 */
import { hash32 as hash32Import, mix32 as mix32Import } from '../prng.ts';
import { gaussianTable } from '../tables.ts';
import { Waveform } from './waveform.ts';

const hash32 = hash32Import;
const mix32 = mix32Import;

export class NoiseWaveform extends Waveform {
  readonly occupied: readonly [number, number];
  readonly controlRate: number;
  override readonly fixedFrequency = true;
  private readonly gauss = gaussianTable();

  constructor(
    private readonly key: number,
    private readonly bandwidth: number,
  ) {
    super();
    this.occupied = [-bandwidth / 2, bandwidth / 2];
    this.controlRate = 2 * bandwidth;
  }

  points(
    t: number,
    dt: number,
    count: number,
    burst: number,
    amp: number,
    re: Float32Array,
    im: Float32Array,
    f: Float32Array,
    at: number,
  ): void {
    const g = this.gauss;
    const bw = this.bandwidth;
    // noise sample n of the burst: a Weyl sequence through the mixer (one round per sample)
    const kb = hash32(this.key, burst, 0, 0x1a);
    // linear interpolation of unit-power complex noise keeps 2/3 of the power: restore it
    const k = amp * 0.8660254037844386;
    let index = NaN;
    let r0 = 0;
    let i0 = 0;
    let r1 = 0;
    let i1 = 0;
    for (let i = 0; i < count; i++) {
      const x = (t + i * dt) * bw;
      const n = Math.floor(x);
      if (n !== index) {
        if (n === index + 1) {
          r0 = r1;
          i0 = i1;
        } else {
          const h = mix32(kb + Math.imul(n | 0, 0x9e3779b9));
          r0 = g[h >>> 16]!;
          i0 = g[h & 0xffff]!;
        }
        const h = mix32(kb + Math.imul((n + 1) | 0, 0x9e3779b9));
        r1 = g[h >>> 16]!;
        i1 = g[h & 0xffff]!;
        index = n;
      }
      const u = x - n;
      re[at + i] = k * (r0 + (r1 - r0) * u);
      im[at + i] = k * (i0 + (i1 - i0) * u);
      f[at + i] = 0;
    }
  }
}

export class SweepWaveform extends Waveform {
  readonly occupied: readonly [number, number];
  readonly controlRate: number;

  constructor(
    private readonly span: number,
    private readonly period: number,
  ) {
    super();
    this.occupied = [-span / 2, span / 2];
    this.controlRate = Math.max(200_000, 40 / period);
  }

  points(
    t: number,
    dt: number,
    count: number,
    _b: number,
    amp: number,
    re: Float32Array,
    im: Float32Array,
    f: Float32Array,
    at: number,
  ): void {
    for (let i = 0; i < count; i++) {
      const u = (t + i * dt) / this.period;
      re[at + i] = amp;
      im[at + i] = 0;
      f[at + i] = this.span * (u - Math.floor(u) - 0.5);
    }
  }
}
