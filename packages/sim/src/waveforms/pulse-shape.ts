/**
 * Pulse shapes sampled into tables (built once per waveform, read with linear interpolation, or
 * as polyphase weights for fast evaluation): the Gaussian-filtered rectangular frequency pulse of
 * GFSK and the raised-cosine pulse of PSK.
 */

import { CHUNK, type SimKernel } from '../kernel.ts';

/** Sub-symbol positions of the polyphase tables (timing within 1/2048 symbol: about -60 dB). */
export const PHASES = 1024;

/**
 * A polyphase pulse and symbol windows in a receiver's kernel memory, for evaluating pulse-shaped
 * symbols there (kernel pulseSum): the host writes the symbols a run needs, the kernel the points.
 */
export class KernelPulse {
  /** Byte offsets of the weights and of the I (and Q) symbol windows. */
  readonly poly: number;
  readonly symA: number;
  readonly symB: number;
  /** Symbols a window holds. */
  readonly capacity: number;
  private viewA: Float32Array;
  private viewB: Float32Array;

  constructor(
    private readonly kernel: SimKernel,
    poly: Float32Array,
    symbolRate: number,
    sampleRate: number,
    span: number,
    complex: boolean,
  ) {
    // one chunk plus the longest control step, in symbols, and the pulse's reach either side
    this.capacity = Math.ceil(((CHUNK + 1024) * symbolRate * 1.01) / sampleRate) + 2 * span + 8;
    this.poly = kernel.alloc(4 * poly.length);
    this.symA = kernel.alloc(4 * this.capacity);
    this.symB = complex ? kernel.alloc(4 * this.capacity) : 0;
    kernel.f32(this.poly, poly.length).set(poly);
    this.viewA = kernel.f32(this.symA, this.capacity);
    this.viewB = complex ? kernel.f32(this.symB, this.capacity) : this.viewA;
  }

  /** View of the I window (renewed if the kernel's memory has grown). */
  windowA(): Float32Array {
    this.renew();
    return this.viewA;
  }

  /** View of the Q window (the I window for real symbols). */
  windowB(): Float32Array {
    this.renew();
    return this.viewB;
  }

  private renew(): void {
    if (this.viewA.length === 0 || this.viewA.buffer !== this.kernel.k.memory.buffer) {
      this.viewA = this.kernel.f32(this.symA, this.capacity);
      this.viewB = this.symB === 0 ? this.viewA : this.kernel.f32(this.symB, this.capacity);
    }
  }
}

/** Tabulated symmetric pulse over [-span, span] symbols. */
export class PulseTable {
  private readonly table: Float64Array;
  private readonly perSymbol: number;
  constructor(
    readonly span: number,
    shape: (x: number) => number,
    perSymbol = 64,
  ) {
    this.perSymbol = perSymbol;
    const n = 2 * span * perSymbol + 2;
    this.table = new Float64Array(n);
    for (let i = 0; i < n; i++) this.table[i] = shape(i / perSymbol - span);
  }
  /**
   * Polyphase form for evaluation at many points: for each of `phases` sub-symbol positions u
   * (centres of equal bins of [-0.5, 0.5)), the 2 span + 1 weights pulse(u + span - j) of
   * symbols m - span + j around a point at m + u, as float32 (phase-major).
   */
  polyphase(phases: number): Float32Array {
    const taps = 2 * this.span + 1;
    const out = new Float32Array(phases * taps);
    for (let ph = 0; ph < phases; ph++) {
      const u = (ph + 0.5) / phases - 0.5;
      for (let j = 0; j < taps; j++) out[ph * taps + j] = this.at(u + this.span - j);
    }
    return out;
  }

  /** Pulse value at x symbols from its centre (0 outside the span). */
  at(x: number): number {
    const p = (x + this.span) * this.perSymbol;
    if (p < 0 || p >= this.table.length - 1) return 0;
    const i = Math.floor(p);
    const a = this.table[i] ?? 0;
    return a + ((this.table[i + 1] ?? 0) - a) * (p - i);
  }
}

/** Error function (Abramowitz and Stegun 7.1.26, |error| < 1.5e-7). */
export function erf(x: number): number {
  const s = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-a * a);
  return s * y;
}

/** GFSK frequency pulse: a one-symbol rectangle through a Gaussian filter of bandwidth-time bt. */
export function gaussianFrequencyPulse(bt: number): (x: number) => number {
  if (bt <= 0) return (x) => (x >= -0.5 && x < 0.5 ? 1 : 0);
  const sigma = Math.sqrt(Math.log(2)) / (2 * Math.PI * bt);
  const k = 1 / (Math.SQRT2 * sigma);
  return (x) => 0.5 * (erf((x + 0.5) * k) - erf((x - 0.5) * k));
}

/** Raised-cosine pulse (Nyquist: 1 at 0, 0 at other whole symbols), roll-off beta. */
export function raisedCosine(beta: number): (x: number) => number {
  return (x) => {
    const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
    const d = 1 - (2 * beta * x) ** 2;
    if (Math.abs(d) < 1e-9) return (Math.PI / 4) * (x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x));
    return (sinc * Math.cos(Math.PI * beta * x)) / d;
  };
}
