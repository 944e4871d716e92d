/**
 * The shapes the anomaly engine reads and writes. Frames are power spectra from any source
 * (Welch PSD of IQ, an rtl_power / hackrf_sweep sweep, a simulated frame); events are what an
 * operator is told.
 */

/** One power spectrum: `db[i]` is the level of the bin centred at `startHz + i * binHz`. */
export interface PsdFrame {
  /** Unix milliseconds of the frame (start of its integration). */
  readonly timeMs: number;
  /** Centre of bin 0, Hz. */
  readonly startHz: number;
  /** Bin spacing, Hz. */
  readonly binHz: number;
  /** Level per bin in dB (dBFS/Hz, dBm, or the tool's dB: the model only compares like with like). NaN = not measured. */
  readonly db: Float32Array;
}

/**
 * Which baseline an event was compared with: `week` (that hour of that weekday, e.g. Tuesday
 * 03:00), `hour` (that hour of any day: too few weeks of data for the weekday) or `all` (all hours:
 * too few frames for the hour).
 */
export type BaselineBucket = 'week' | 'hour' | 'all';

/** What changed. */
export type AnomalyKind =
  | 'new_emitter'
  | 'missing_emitter'
  | 'power_jump'
  | 'frequency_drift'
  | 'wideband_noise'
  | 'occupancy_change'
  | 'out_of_schedule';

export const ANOMALY_KINDS: readonly AnomalyKind[] = [
  'new_emitter',
  'missing_emitter',
  'power_jump',
  'frequency_drift',
  'wideband_noise',
  'occupancy_change',
  'out_of_schedule',
];

export type Severity = 'low' | 'medium' | 'high';

/** One anomaly: a departure from the node's baseline over a time span and frequency range. */
export interface AnomalyEvent {
  readonly kind: AnomalyKind;
  /** The node that saw it first (or most strongly). */
  readonly node: string;
  /** Every node that saw it (one unless merged across nodes). */
  readonly nodes: readonly string[];
  readonly startMs: number;
  /** End of the last anomalous frame. */
  readonly endMs: number;
  readonly freqLowHz: number;
  readonly freqHighHz: number;
  /** Calibrated: the fraction of normal frames less unusual than this event's peak, in [0, 1]. */
  readonly score: number;
  readonly severity: Severity;
  /** One sentence a person understands. */
  readonly explanation: string;
  readonly details: AnomalyDetails;
}

export interface AnomalyDetails {
  /** Peak level minus the usual (median) level for that hour, dB (negative: below). */
  readonly deltaDb: number;
  /** Peak distance beyond the normal envelope (99.9 % / 0.1 % level for the hour), dB. */
  readonly excessDb: number;
  /** The usual (median) level for that hour at the peak channel, dB. */
  readonly usualDb: number;
  /** Frames in which it was seen. */
  readonly frames: number;
  /** Bucket the baseline came from (see {@link BaselineBucket}). */
  readonly baseline: BaselineBucket;
}
