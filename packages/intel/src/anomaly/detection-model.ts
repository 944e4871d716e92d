/**
 * The detection model: an isolation forest over the features of a node's detected signals
 * (centre, bandwidth, power, SNR, class, duration, time of day), calibrated on held-out normal
 * detections, so that a signal unlike anything the node usually sees gets a score near 1
 * whatever its level. Complements the spectrum baseline: a strange signal on a busy channel (a
 * different class or bandwidth at the repeater's frequency) raises no level anomaly, but is
 * isolated quickly here.
 */
import { UserError } from '@heimdall/errors';
import { buildIsolationForest, isolationScore, type IsolationForest } from './isolation-forest.ts';

/** A detected signal as the server stores it. */
export interface DetectionLike {
  readonly startMs: number;
  readonly endMs: number;
  readonly freqLowHz: number;
  readonly freqHighHz: number;
  readonly snrDb: number;
  readonly powerDbfs: number;
  readonly class: string;
}

export interface DetectionModel {
  readonly version: 1;
  /** Classes seen in training, in the order of their feature code. */
  readonly classes: readonly string[];
  readonly forest: IsolationForest;
  /** Sorted isolation scores of held-out normal detections. */
  readonly normalScores: readonly number[];
  readonly trainedOn: number;
}

export const DETECTION_FEATURES = [
  'centre_mhz',
  'log10_bandwidth_hz',
  'power_dbfs',
  'snr_db',
  'class',
  'log10_duration_s',
  'hour_sin',
  'hour_cos',
] as const;

export function detectionFeatures(d: DetectionLike, classes: readonly string[]): Float64Array {
  const hour = ((d.startMs / 3_600_000) % 24) / 24;
  const cls = classes.indexOf(d.class);
  return Float64Array.from([
    (d.freqLowHz + d.freqHighHz) / 2e6,
    Math.log10(Math.max(1, d.freqHighHz - d.freqLowHz)),
    d.powerDbfs,
    d.snrDb,
    cls < 0 ? classes.length + 1 : cls,
    Math.log10(Math.max(1e-3, (d.endMs - d.startMs) / 1000)),
    Math.sin(2 * Math.PI * hour),
    Math.cos(2 * Math.PI * hour),
  ]);
}

/** Trains on detections (the latest fifth held out to calibrate). */
export function trainDetectionModel(detections: readonly DetectionLike[], seed = 1): DetectionModel {
  if (detections.length < 50) {
    throw new UserError(`has ${detections.length} detections, too few to learn what is usual`, {
      fix: 'give at least 50 detections (a day of a node is typical)',
    });
  }
  const classes = [...new Set(detections.map((d) => d.class))].sort();
  const split = Math.floor(detections.length * 0.8);
  const rows = detections.map((d) => detectionFeatures(d, classes));
  const forest = buildIsolationForest(rows.slice(0, split), { seed });
  const normalScores = rows
    .slice(split)
    .map((r) => isolationScore(forest, r))
    .sort((a, b) => a - b);
  return { version: 1, classes, forest, normalScores, trainedOn: split };
}

/** Isolation score and its calibration: the fraction of held-out normal detections scoring lower (tail extrapolated). */
export function scoreDetection(model: DetectionModel, d: DetectionLike): { raw: number; score: number } {
  const raw = isolationScore(model.forest, detectionFeatures(d, model.classes));
  const s = model.normalScores;
  const n = s.length;
  const max = s[n - 1] ?? 0.5;
  if (raw > max) {
    const p90 = s[Math.floor(0.9 * (n - 1))] ?? max;
    return { raw, score: 1 - Math.exp(-(raw - max) / Math.max(0.01, max - p90)) / (n + 1) };
  }
  let below = 0;
  while (below < n && (s[below] as number) < raw) below++;
  return { raw, score: below / (n + 1) };
}
