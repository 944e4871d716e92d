/**
 * A modulation, defined in continuous time: what the transmitter sends `t` seconds into a burst.
 * The receiver evaluates it at its own control points (emitter time = receiver time minus the
 * link delay), interpolates the complex envelope and the frequency linearly between them and
 * integrates the frequency into its oscillator phase. Random content (symbols, syllables, notes)
 * is a pure function of (emitter key, burst number, time), so every node hears the same
 * transmission, however the samples are cut into blocks.
 *
 * Each waveform fills whole runs of control points in one call (`points`): one call per link and
 * chunk, with the per-point work in a loop the JIT can specialise for that waveform.
 */
import type { SimKernel } from '../kernel.ts';

export abstract class Waveform {
  /** Occupied band relative to the carrier, Hz: [lowest, highest]. */
  abstract readonly occupied: readonly [number, number];
  /** Evaluation rate the waveform needs for faithful interpolation, Hz (Infinity: every sample). */
  abstract readonly controlRate: number;
  /** True when the frequency offset is always 0 (pure envelope modulations). */
  readonly fixedFrequency: boolean = false;

  /**
   * Fills `count` control points at burst-relative times t, t + dt, ...: amp * complex envelope
   * (mean power 1 while keyed; peak power 1 for SSB and pulses) into re/im and the instantaneous
   * frequency offset in Hz into f, starting at index `at`.
   */
  abstract points(
    t: number,
    dt: number,
    count: number,
    burst: number,
    amp: number,
    re: Float32Array,
    im: Float32Array,
    f: Float32Array,
    at: number,
  ): void;

  /** One point as [I, Q, frequency offset] (tests, truth; not for hot paths). */
  evaluate(t: number, burst: number): [number, number, number] {
    const re = new Float32Array(1);
    const im = new Float32Array(1);
    const f = new Float32Array(1);
    this.points(t, 0, 1, burst, 1, re, im, f, 0);
    return [re[0] ?? 0, im[0] ?? 0, f[0] ?? 0];
  }
}

/** Parameters shared by every waveform factory. */
export interface WaveformContext {
  /** The receiver's kernel, when the waveform renders into it directly (OFDM). */
  readonly kernel?: SimKernel;
  /** The emitter's random key (content is a function of it). */
  readonly key: number;
  /** Sample rate of the receiver that will evaluate this instance (for precomputed tables). */
  readonly sampleRate: number;
}
