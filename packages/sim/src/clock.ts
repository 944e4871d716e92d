/**
 * Receiver clocks by sync quality. A node stamps sample n of a capture at T0 + n / fs on its own
 * clock; its clock error (own reading minus true time) is offset + drift * t:
 *
 * - gps: offset ~ N(0, 20 ns), drawn anew for every capture (PPS alignment jitter), no drift
 * - ntp: offset ~ N(0, 2 ms) per node plus N(0, 0.5 ms) per capture, no drift
 * - none: offset uniform in +-2 s per node, drift ~ N(0, 10 ppm) (a free-running crystal)
 */
import { deriveKey, gaussianAt, uniformAt } from './prng.ts';
import type { SyncQuality } from './scenario.schema.ts';

export interface ClockError {
  /** Seconds, at simulation time 0. */
  readonly offsetS: number;
  /** Parts per million (seconds gained per second). */
  readonly driftPpm: number;
}

export function nodeClockError(seed: number, node: string, sync: SyncQuality, capture: number): ClockError {
  const key = deriveKey(seed, `clock:${node}`);
  switch (sync) {
    case 'gps':
      return { offsetS: 20e-9 * gaussianAt(key, capture, 1), driftPpm: 0 };
    case 'ntp':
      return { offsetS: 2e-3 * gaussianAt(key, 0, 2) + 0.5e-3 * gaussianAt(key, capture, 3), driftPpm: 0 };
    case 'none':
      return { offsetS: 4 * (uniformAt(key, 0, 4) - 0.5), driftPpm: 10 * gaussianAt(key, 0, 5) };
  }
}

/** The node's clock error at simulation time t (its reading minus true time). */
export function clockErrorAt(c: ClockError, t: number): number {
  return c.offsetS + c.driftPpm * 1e-6 * t;
}
