/**
 * What detection reports: one signal (a burst, or a signal present for the whole recording) with
 * its place in time and frequency and its features. The CLI writes each as a SigMF annotation:
 * `core:sample_start`/`core:sample_count`, `core:freq_lower_edge`/`core:freq_upper_edge`,
 * `core:label` (the class), `heimdall:snr_db`, `heimdall:power_dbfs`, `heimdall:class`.
 */
import type { Db, Dbfs, Hz, Samples } from '../units.ts';
import type { ClassFeatures } from './classify.ts';

export const SIGNAL_CLASSES = ['cw', 'am', 'fm', 'digital-narrow', 'wideband', 'chirp', 'unknown'] as const;

/**
 * Coarse signal class: `cw` an unmodulated carrier (narrower than the analysis resolution);
 * `am` a carrier with symmetric sidebands; `fm` constant-envelope analog modulation; `digital-narrow`
 * a narrowband data signal (FSK, PSK, ASK, ... up to about 300 kHz); `wideband` a flat, noise-like
 * wide signal (OFDM, spread spectrum, ...); `chirp` a linear frequency sweep; `unknown` otherwise.
 */
export type SignalClass = (typeof SIGNAL_CLASSES)[number];

export interface Detection {
  /** First sample of the signal (from the start of the recording). */
  readonly sampleStart: Samples;
  readonly sampleCount: Samples;
  /** Lower and upper edge of the occupied bandwidth (99 % of the signal power), absolute. */
  readonly freqLowerHz: Hz;
  readonly freqUpperHz: Hz;
  /** Power-weighted centroid of the signal's spectrum inside the occupied band, absolute. */
  readonly centerHz: Hz;
  /** freqUpperHz - freqLowerHz: the 99 % occupied bandwidth. */
  readonly bandwidthHz: Hz;
  /** Largest in-band signal power of one short-time frame (noise subtracted), dBFS. */
  readonly peakPowerDbfs: Dbfs;
  /** Mean in-band signal power over the detection (noise subtracted), dBFS: 0 dBFS is a full-scale complex tone, |x| = 1. */
  readonly powerDbfs: Dbfs;
  /** In-band signal power over the noise power in the same band, dB. */
  readonly snrDb: Db;
  /** Mean noise density in the band, dBFS per Hz. */
  readonly noiseFloorDbfsPerHz?: number;
  /** Spectral flatness (geometric over arithmetic mean) of the signal spectrum in the band, 0..1. */
  readonly flatness: number;
  /** Fraction of the recording's frames in which this signal's channel was active, 0..1. */
  readonly dutyCycle: number;
  readonly class: SignalClass;
  /** How clearly the features point to `class`, 0..1. */
  readonly classConfidence: number;
  /** The features the class was chosen from (see `classify.ts`). */
  readonly evidence?: ClassFeatures;
}
