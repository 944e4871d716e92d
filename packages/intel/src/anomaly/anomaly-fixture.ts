/**
 * Synthetic spectra for the engine's tests: a band of 64 channels of 12.5 kHz (4 bins each) with a
 * noise floor, a carrier that is always on, and a channel busy only in office hours; plus whatever
 * a test adds. Deterministic (a small counter-based generator).
 */
import type { PsdFrame } from './types.ts';

export const START_MS = Date.UTC(2024, 5, 3, 0, 0, 0);
export const BIN_HZ = 3125;
export const BINS = 256;
export const START_HZ = 144e6;
/** Bins of the steady carrier and of the office-hours channel. */
export const CARRIER_BIN = 100;
export const OFFICE_BIN = 180;

function gauss(i: number, j: number): number {
  const h = (x: number): number => {
    let v = Math.imul(x ^ (x >>> 16), 0x7feb352d);
    v = Math.imul(v ^ (v >>> 15), 0x846ca68b);
    return ((v ^ (v >>> 16)) >>> 0) / 4294967296;
  };
  const u1 = h(i * 7919 + j * 104729 + 1) + 1e-12;
  const u2 = h(i * 15485863 + j * 32452843 + 2);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

export interface Extra {
  /** First and last bin, level in dB (replaces the floor there). */
  readonly bins: readonly [number, number];
  readonly db: number;
}

/** Frame `i` (10 s apart from START_MS + offsetMs): floor -100 dB, carrier -60 dB, office channel -70 dB 08-17 UTC. */
export function frame(
  i: number,
  offsetMs = 0,
  extra: readonly Extra[] = [],
  carrierDb: number | null = -60,
): PsdFrame {
  const timeMs = START_MS + offsetMs + i * 10_000;
  const hour = Math.floor(timeMs / 3_600_000) % 24;
  const db = new Float32Array(BINS);
  const seed = Math.round((offsetMs + i * 10_000) / 10_000);
  for (let b = 0; b < BINS; b++) {
    let v = -100 + 0.5 * gauss(seed, b);
    if (carrierDb !== null && b >= CARRIER_BIN && b < CARRIER_BIN + 4)
      v = carrierDb + 0.7 * gauss(seed, b + 999);
    if (hour >= 8 && hour < 17 && b >= OFFICE_BIN && b < OFFICE_BIN + 4) v = -70 + 0.7 * gauss(seed, b + 555);
    for (const e of extra) if (b >= e.bins[0] && b <= e.bins[1]) v = e.db + 0.5 * gauss(seed, b + 77);
    db[b] = v;
  }
  return { timeMs, startHz: START_HZ, binHz: BIN_HZ, db };
}

/** `days` of frames from START_MS. */
export function days(n: number): PsdFrame[] {
  return Array.from({ length: Math.round((n * 86_400) / 10) }, (_, i) => frame(i));
}
