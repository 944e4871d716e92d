/**
 * PSK data (BPSK, QPSK, 8PSK) with raised-cosine pulses: the complex envelope is the sum of the
 * neighbouring symbols times the pulse. Mean power 1. In a receiver, the points are evaluated in
 * its WebAssembly kernel (the host draws the symbols).
 */
import type { SimKernel } from '../kernel.ts';
import { hash32 as hash32Import } from '../prng.ts';
import { KernelPulse, PHASES, PulseTable, raisedCosine } from './pulse-shape.ts';
import { Waveform } from './waveform.ts';

const hash32 = hash32Import;
const SPAN = 3;
const TAPS = 2 * SPAN + 1;

/** Occupied band of PSK relative to the carrier, Hz. */
export function pskOccupied(symbolRate: number, rolloff: number): readonly [number, number] {
  const half = (symbolRate * (1 + rolloff)) / 2;
  return [-half, half];
}

export class PskWaveform extends Waveform {
  readonly occupied: readonly [number, number];
  readonly controlRate: number;
  override readonly fixedFrequency = true;
  /** Polyphase pulse weights: PHASES rows of TAPS. */
  private readonly poly: Float32Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  private readonly norm: number;
  /** The symbols a run needs (I and Q of symbol kLo + i), when evaluated here. */
  private symRe = new Float64Array(64);
  private symIm = new Float64Array(64);
  private readonly inKernel: KernelPulse | undefined;

  constructor(
    private readonly key: number,
    private readonly symbolRate: number,
    private readonly order: 2 | 4 | 8,
    rolloff: number,
    sampleRate: number,
    private readonly kernel?: SimKernel,
  ) {
    super();
    const rc = raisedCosine(rolloff);
    const pulse = new PulseTable(SPAN, (x) => rc(x) * (0.5 + 0.5 * Math.cos((Math.PI * x) / SPAN)));
    this.poly = pulse.polyphase(PHASES);
    this.occupied = pskOccupied(symbolRate, rolloff);
    this.controlRate = 8 * symbolRate;
    this.re = new Float64Array(order);
    this.im = new Float64Array(order);
    const offset = order === 4 ? Math.PI / 4 : 0;
    for (let i = 0; i < order; i++) {
      this.re[i] = Math.cos((2 * Math.PI * i) / order + offset);
      this.im[i] = Math.sin((2 * Math.PI * i) / order + offset);
    }
    this.norm = 1 / Math.sqrt(1 - rolloff / 4);
    this.inKernel =
      kernel === undefined
        ? undefined
        : new KernelPulse(kernel, this.poly, symbolRate, sampleRate, SPAN, true);
  }

  /** Writes symbols kLo..kHi of the burst into re/im (none before symbol 0). */
  private window(
    burst: number,
    kLo: number,
    kHi: number,
    re: Float64Array | Float32Array,
    im: Float64Array | Float32Array,
  ): void {
    for (let i = 0; i <= kHi - kLo; i++) {
      const k = kLo + i;
      if (k < 0) {
        re[i] = 0;
        im[i] = 0;
      } else {
        const s = hash32(this.key, burst, k, 0x95) % this.order;
        re[i] = this.re[s]!;
        im[i] = this.im[s]!;
      }
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
    const a = amp * this.norm;
    const rs = this.symbolRate;
    const kLo = Math.floor(t * rs + 0.5) - SPAN;
    const kHi = Math.floor((t + (count - 1) * dt) * rs + 0.5) + SPAN;
    f.fill(0, at, at + count);
    const k = this.inKernel;
    if (k !== undefined && re === this.kernel?.envReView && kHi - kLo < k.capacity) {
      this.window(burst, kLo, kHi, k.windowA(), k.windowB());
      this.kernel.pulseSum(k.symA, k.symB, k.poly, PHASES, SPAN, t * rs - kLo, dt * rs, count, a, at, false);
      return;
    }
    if (kHi - kLo + 1 > this.symRe.length) {
      this.symRe = new Float64Array(2 * (kHi - kLo + 1));
      this.symIm = new Float64Array(2 * (kHi - kLo + 1));
    }
    const sr = this.symRe;
    const si = this.symIm;
    this.window(burst, kLo, kHi, sr, si);
    const poly = this.poly;
    for (let i = 0; i < count; i++) {
      const x = (t + i * dt) * rs;
      const m = Math.floor(x + 0.5); // Math.round, without its -0 (which deoptimizes)
      const o = Math.min(PHASES - 1, ((x - m + 0.5) * PHASES) | 0) * TAPS;
      const b = m - SPAN - kLo;
      let vr = 0;
      let vi = 0;
      for (let j = 0; j < TAPS; j++) {
        vr += poly[o + j]! * sr[b + j]!;
        vi += poly[o + j]! * si[b + j]!;
      }
      re[at + i] = a * vr;
      im[at + i] = a * vi;
    }
  }
}
