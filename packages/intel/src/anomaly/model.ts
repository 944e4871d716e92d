/**
 * An anomaly model: one node's baseline (per-channel, per-hour-of-week level histograms), the calibration
 * of its scores, the engine parameters it was trained with, its training window and the metrics
 * measured on held-out normal data. Versioned: a file from another format version is refused.
 */
import type { AutoencoderWeights, ErrorCalibration } from './autoencoder.ts';
import { Baseline, type BaselineParams } from './baseline.ts';
import type { Calibration } from './calibration.ts';
import type { ChannelPlan } from './channel-plan.ts';
import type { EngineParams } from './engine-params.ts';

/** Version of the model format (bump when the meaning of a stored field changes). */
export const MODEL_FORMAT_VERSION = 3;
export const MODEL_FORMAT = 'heimdall-anomaly-model';

export interface ModelMetrics {
  /** Frames held out from the baseline to calibrate scores. */
  readonly holdoutFrames: number;
  /** Events the model raises on that held-out normal data (false alarms), by severity. */
  readonly holdoutEvents: { readonly low: number; readonly medium: number; readonly high: number };
  /** Held-out events per day of data (all severities). */
  readonly holdoutEventsPerDay: number;
}

/** The spectrum autoencoder of a model and the calibration of its per-frame reconstruction error. */
export interface AnomalyAutoencoder extends AutoencoderWeights {
  readonly calibration: ErrorCalibration;
}

export interface AnomalyModel {
  /** Model identity: node name plus training end, e.g. `twente@2024-06-10T06:00:00.000Z`. */
  readonly id: string;
  readonly node: string;
  readonly createdAt: string;
  readonly training: { readonly startMs: number; readonly endMs: number; readonly frames: number };
  readonly plan: ChannelPlan;
  readonly params: EngineParams;
  readonly baselineParams: BaselineParams;
  /** Calibration of the level score (robust deviation from the hour's envelope). */
  readonly calibration: Calibration;
  /** Calibration of the occupancy score. */
  readonly occupancyCalibration: Calibration;
  /** Calibration of the centroid drift score. */
  readonly driftCalibration: Calibration;
  readonly metrics: ModelMetrics;
  /**
   * Autoencoder over the normalized channel levels (see autoencoder.ts); its calibrated
   * reconstruction-error score is combined into each event's score (the larger of the two).
   */
  readonly autoencoder: AnomalyAutoencoder;
  /** Histogram counts, see {@link Baseline}. */
  readonly hist: Float32Array;
  readonly counts: Float32Array;
  /** Centroid histograms, see {@link Baseline}. */
  readonly centroidHist: Float32Array;
  /** Weeks seen per hour of the week, see {@link Baseline.weekHours}. */
  readonly weekHours: Float32Array;
}

const baselines = new WeakMap<AnomalyModel, Baseline>();

/** The model's baseline (one live object per model: monitors that adapt share what they learn). */
export function modelBaseline(model: AnomalyModel): Baseline {
  let b = baselines.get(model);
  if (b === undefined) {
    b = new Baseline(
      model.plan,
      model.baselineParams,
      model.hist,
      model.counts,
      model.centroidHist,
      model.weekHours,
    );
    baselines.set(model, b);
  }
  return b;
}
