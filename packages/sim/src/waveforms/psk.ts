/**
 * PSK data (BPSK, QPSK, 8PSK) with raised-cosine pulses: the complex envelope is the sum of the
 * neighbouring symbols times the pulse. Mean power 1.
 */
import { hash32 as hash32Import } from '../prng.ts';
import { PulseTable, raisedCosine } from './pulse-shape.ts';
import { Waveform } from './waveform.ts';

const hash32 = hash32Import;
const SPAN = 3;

export class PskWaveform extends Waveform {
  readonly occupied: readonly [number, number];
  readonly controlRate: number;
  override readonly fixedFrequency = true;
  private readonly pulse: PulseTable;
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  private readonly norm: number;
  /** Recently used symbols (index k & 31), valid for cacheBurst. */
  private readonly cacheK = new Float64Array(32).fill(NaN);
  private readonly cacheS = new Int32Array(32);
  private cacheBurst = NaN;

  constructor(
    private readonly key: number,
    private readonly symbolRate: number,
    private readonly order: 2 | 4 | 8,
    rolloff: number,
  ) {
    super();
    const rc = raisedCosine(rolloff);
    this.pulse = new PulseTable(SPAN, (x) => rc(x) * (0.5 + 0.5 * Math.cos((Math.PI * x) / SPAN)));
    const half = (symbolRate * (1 + rolloff)) / 2;
    this.occupied = [-half, half];
    this.controlRate = 8 * symbolRate;
    this.re = new Float64Array(order);
    this.im = new Float64Array(order);
    const offset = order === 4 ? Math.PI / 4 : 0;
    for (let i = 0; i < order; i++) {
      this.re[i] = Math.cos((2 * Math.PI * i) / order + offset);
      this.im[i] = Math.sin((2 * Math.PI * i) / order + offset);
    }
    this.norm = 1 / Math.sqrt(1 - rolloff / 4);
  }

  private symbol(burst: number, k: number): number {
    if (burst !== this.cacheBurst) {
      this.cacheK.fill(NaN);
      this.cacheBurst = burst;
    }
    const slot = k & 31;
    if (this.cacheK[slot] === k) return this.cacheS[slot]!;
    const v = hash32(this.key, burst, k, 0x95) % this.order;
    this.cacheK[slot] = k;
    this.cacheS[slot] = v;
    return v;
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
    const a = amp * this.norm;
    for (let i = 0; i < count; i++) {
      const x = (t + i * dt) * this.symbolRate;
      const m = Math.round(x);
      let sr = 0;
      let si = 0;
      for (let k = Math.max(0, m - SPAN); k <= m + SPAN; k++) {
        const p = this.pulse.at(x - k);
        if (p === 0) continue;
        const s = this.symbol(burst, k);
        sr += p * this.re[s]!;
        si += p * this.im[s]!;
      }
      re[at + i] = a * sr;
      im[at + i] = a * si;
      f[at + i] = 0;
    }
  }
}
