/**
 * FSK data bursts (GFSK with Gaussian-shaped frequency pulses; 2 or 4 levels): each burst opens
 * with 32 symbols of alternating preamble, then random symbols. Constant envelope.
 */
import { hash32 as hash32Import } from '../prng.ts';
import { gaussianFrequencyPulse, PulseTable } from './pulse-shape.ts';
import { Waveform } from './waveform.ts';

const hash32 = hash32Import;
const PREAMBLE = 32;

export class FskWaveform extends Waveform {
  readonly occupied: readonly [number, number];
  readonly controlRate: number;
  private readonly pulse: PulseTable;
  /** Symbols either side whose pulses reach a point (the Gaussian filter's reach). */
  private readonly span: number;
  /** Recently used symbols (index k & 31), valid for cacheBurst. */
  private readonly cacheK = new Float64Array(32).fill(NaN);
  private readonly cacheV = new Float64Array(32);
  private cacheBurst = NaN;

  constructor(
    private readonly key: number,
    private readonly symbolRate: number,
    private readonly deviation: number,
    private readonly levels: 2 | 4,
    bt: number,
  ) {
    super();
    // the filtered pulse is negligible (< 1e-4) beyond 0.5 + 4 sigma symbols
    const sigma = bt > 0 ? Math.sqrt(Math.log(2)) / (2 * Math.PI * bt) : 0;
    this.span = Math.max(1, Math.ceil(0.5 + 4 * sigma));
    this.pulse = new PulseTable(this.span, gaussianFrequencyPulse(bt));
    const half = deviation + symbolRate / 2;
    this.occupied = [-half, half];
    this.controlRate = 8 * symbolRate;
  }

  private symbol(burst: number, k: number): number {
    if (burst !== this.cacheBurst) {
      this.cacheK.fill(NaN);
      this.cacheBurst = burst;
    }
    const slot = k & 31;
    if (this.cacheK[slot] === k) return this.cacheV[slot]!;
    let v: number;
    if (k < 0) v = 0;
    else if (k < PREAMBLE) v = k & 1 ? 1 : -1;
    else {
      const h = hash32(this.key, burst, k, 0xf5);
      v = this.levels === 2 ? (h & 1 ? 1 : -1) : ((h & 3) - 1.5) / 1.5;
    }
    this.cacheK[slot] = k;
    this.cacheV[slot] = v;
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
    for (let i = 0; i < count; i++) {
      const x = (t + i * dt) * this.symbolRate - 0.5; // symbol k is centred at k + 0.5
      const m = Math.round(x);
      let v = 0;
      for (let k = m - this.span; k <= m + this.span; k++) v += this.symbol(burst, k) * this.pulse.at(x - k);
      re[at + i] = amp;
      im[at + i] = 0;
      f[at + i] = this.deviation * v;
    }
  }
}
