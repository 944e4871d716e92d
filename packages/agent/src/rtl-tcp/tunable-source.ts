/**
 * What the rtl_tcp server streams from: a receiver that can be tuned like an RTL-SDR. Setters
 * return false when the receiver cannot do what was asked (the server then ignores the command,
 * as librtlsdr's rtl_tcp does when the tuner refuses).
 */
export interface TunableSource {
  readonly sampleRate: number;
  readonly centerFrequency: number;
  setCenterFrequency(hz: number): boolean;
  setSampleRate(hz: number): boolean;
  /** Manual gain in dB, or 'auto' for the receiver's own gain setting. */
  setGain(db: number | 'auto'): boolean;
  setFrequencyCorrection(ppm: number): boolean;
  /** Fills `out` with cu8 samples (I, Q interleaved). */
  readCu8(out: Uint8Array): void;
  /** Drops n samples without producing them (the client is too slow). */
  skip(samples: number): void;
}
