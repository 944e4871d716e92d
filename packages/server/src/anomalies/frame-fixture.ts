/**
 * Synthetic spectrum frames for the anomaly engine's tests: one every 10 s from 2024-06-03, a noise
 * floor at -100 dB, a carrier at bins 60-63, and on demand an intruder (a new emitter) at 180-183.
 */
import type { SpectrumFrame } from '@heimdall/protocol';

export const START_NS = BigInt(Date.UTC(2024, 5, 3)) * 1_000_000n;
export const FFT = 256;
export const RATE = 800_000;
export const CENTRE = 433.92e6;

/** Deterministic noise in [-1, 1). */
export function noise(i: number, j: number): number {
  let x = Math.imul(i * 7919 + j * 104729 + 1, 0x9e3779b1) >>> 0;
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b) >>> 0;
  return ((x ^ (x >>> 16)) >>> 0) / 2147483648 - 1;
}

/** Frame i (10 s apart): floor -100 dB, a carrier at bins 60-63; `intruder` adds a signal at bins 180-183. */
export function frame(i: number, intruder: boolean, nodeId: string): SpectrumFrame {
  const bins = new Uint8Array(FFT);
  for (let b = 0; b < FFT; b++) {
    let db = -100 + 0.6 * noise(i, b);
    if (b >= 60 && b < 64) db = -60 + 0.8 * noise(i, b + 999);
    if (intruder && b >= 180 && b < 184) db = -75 + 0.6 * noise(i, b + 77);
    bins[b] = Math.round((db + 120) / 0.5);
  }
  return {
    kind: 'spectrum',
    nodeId,
    sequence: i,
    captureTimeNs: START_NS + BigInt(i) * 10_000_000_000n,
    centerHz: CENTRE,
    sampleRateHz: RATE,
    fftSize: FFT,
    refDb: -120,
    stepDb: 0.5,
    bins,
  };
}
