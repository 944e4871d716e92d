/**
 * FSK data bursts (GFSK with Gaussian-shaped frequency pulses; 2 or 4 levels): each burst opens
 * with 32 symbols of alternating preamble, then random symbols. Constant envelope. In a receiver,
 * the frequency at the points is evaluated in its WebAssembly kernel (the host draws the symbols).
 */
import type { SimKernel } from '../kernel.ts';
import { hash32 as hash32Import } from '../prng.ts';
import { gaussianFrequencyPulse, KernelPulse, PHASES, PulseTable } from './pulse-shape.ts';
import { Waveform } from './waveform.ts';

const hash32 = hash32Import;
const PREAMBLE = 32;

/** Occupied band of FSK relative to the carrier, Hz. */
export function fskOccupied(symbolRate: number, deviation: number): readonly [number, number] {
  const half = deviation + symbolRate / 2;
  return [-half, half];
}

export class FskWaveform extends Waveform {
  readonly occupied: readonly [number, number];
  readonly controlRate: number;
  /** Polyphase pulse weights: PHASES rows of 2 span + 1. */
  private readonly poly: Float32Array;
  /** Symbols either side whose pulses reach a point (the Gaussian filter's reach). */
  private readonly span: number;
  /** The symbols a run needs (symbol kLo + i), when evaluated here. */
  private sym = new Float64Array(64);
  private readonly inKernel: KernelPulse | undefined;

  constructor(
    private readonly key: number,
    private readonly symbolRate: number,
    private readonly deviation: number,
    private readonly levels: 2 | 4,
    bt: number,
    sampleRate: number,
    private readonly kernel?: SimKernel,
  ) {
    super();
    // the filtered pulse is negligible (< 1e-4) beyond 0.5 + 4 sigma symbols
    const sigma = bt > 0 ? Math.sqrt(Math.log(2)) / (2 * Math.PI * bt) : 0;
    this.span = Math.max(1, Math.ceil(0.5 + 4 * sigma));
    this.poly = new PulseTable(this.span, gaussianFrequencyPulse(bt)).polyphase(PHASES);
    this.occupied = fskOccupied(symbolRate, deviation);
    this.controlRate = 8 * symbolRate;
    this.inKernel =
      kernel === undefined
        ? undefined
        : new KernelPulse(kernel, this.poly, symbolRate, sampleRate, this.span, false);
  }

  /** Writes symbols kLo..kHi of the burst into sym: none before 0, the preamble, then data. */
  private window(burst: number, kLo: number, kHi: number, sym: Float64Array | Float32Array): void {
    for (let i = 0; i <= kHi - kLo; i++) {
      const k = kLo + i;
      let v: number;
      if (k < 0) v = 0;
      else if (k < PREAMBLE) v = k & 1 ? 1 : -1;
      else {
        const h = hash32(this.key, burst, k, 0xf5);
        v = this.levels === 2 ? (h & 1 ? 1 : -1) : ((h & 3) - 1.5) / 1.5;
      }
      sym[i] = v;
    }
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
    const rs = this.symbolRate;
    const span = this.span;
    const taps = 2 * span + 1;
    // symbol k is centred at k + 0.5
    const kLo = Math.floor(t * rs) - span;
    const kHi = Math.floor((t + (count - 1) * dt) * rs) + span;
    re.fill(amp, at, at + count);
    im.fill(0, at, at + count);
    const k = this.inKernel;
    if (k !== undefined && f === this.kernel?.freqsView && kHi - kLo < k.capacity) {
      this.window(burst, kLo, kHi, k.windowA());
      this.kernel.pulseSum(
        k.symA,
        0,
        k.poly,
        PHASES,
        span,
        t * rs - 0.5 - kLo,
        dt * rs,
        count,
        this.deviation,
        at,
        true,
      );
      return;
    }
    if (kHi - kLo + 1 > this.sym.length) this.sym = new Float64Array(2 * (kHi - kLo + 1));
    const sym = this.sym;
    this.window(burst, kLo, kHi, sym);
    const poly = this.poly;
    const dev = this.deviation;
    for (let i = 0; i < count; i++) {
      const x = (t + i * dt) * rs - 0.5;
      const m = Math.floor(x + 0.5); // Math.round, without its -0 (which deoptimizes)
      const o = Math.min(PHASES - 1, ((x - m + 0.5) * PHASES) | 0) * taps;
      const b = m - span - kLo;
      let v = 0;
      for (let j = 0; j < taps; j++) v += poly[o + j]! * sym[b + j]!;
      f[at + i] = dev * v;
    }
  }
}
