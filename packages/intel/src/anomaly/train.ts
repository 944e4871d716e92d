/**
 * Training: frames (in time order) become a baseline, then the last `holdoutFraction` of them,
 * which the baseline has not seen, are scored to calibrate (what raw scores normal data reaches)
 * and to measure false alarms; finally the held-out frames join the baseline too. The
 * autoencoder trains on the frames the baseline saw and is calibrated on the held-out ones too.
 */
import { UserError } from '@heimdall/errors';
import {
  autoencoderInput,
  AutoencoderScorer,
  buildErrorCalibration,
  trainAutoencoder,
} from './autoencoder.ts';
import { Baseline, hourOfWeek, HOURS_OF_WEEK } from './baseline.ts';
import { CalibrationBuilder } from './calibration.ts';
import { channelizeWithCentroids, checkFrame, makeChannelPlan, type ChannelPlan } from './channel-plan.ts';
import { DEFAULT_ENGINE_PARAMS, type EngineParams } from './engine-params.ts';
import { FrameScorer } from './frame-scorer.ts';
import type { LevelAxis } from './level-histogram.ts';
import { AnomalyMonitor } from './monitor.ts';
import type { AnomalyModel } from './model.ts';
import type { PsdFrame } from './types.ts';

export interface TrainOptions {
  readonly node: string;
  /** Names the input in errors. */
  readonly source?: string;
  /** Fraction of the frames (the latest) held out to calibrate (default 0.2). */
  readonly holdoutFraction?: number;
  readonly params?: Partial<EngineParams>;
  /** Seed of the autoencoder's initial weights and sample order (default 1: same input, same model). */
  readonly seed?: number;
}

/** Frames the autoencoder trains on (spread over the training window). */
const AE_FRAMES = 2500;

/** Largest level histogram of a model (floats): 8 Mi, 32 MB. */
const MAX_CELLS = 8 * 1024 * 1024;

/** Collects frames, channelized, for {@link ModelTrainer.finish}. Memory: one float per channel per frame. */
export class ModelTrainer {
  private readonly opts: TrainOptions;
  private readonly params: EngineParams;
  private plan: ChannelPlan | undefined;
  private readonly levels: Float32Array[] = [];
  private readonly centroids: Float32Array[] = [];
  private readonly times: number[] = [];
  private min = Infinity;
  private max = -Infinity;

  constructor(opts: TrainOptions) {
    this.opts = opts;
    this.params = { ...DEFAULT_ENGINE_PARAMS, ...opts.params };
  }

  get frames(): number {
    return this.levels.length;
  }

  /** Adds a frame; `source` names it in errors (e.g. `file.csv:120`). */
  push(frame: PsdFrame, source = this.opts.source ?? 'input'): void {
    this.plan ??= makeChannelPlan(frame, this.params.channelHz);
    checkFrame(this.plan, frame, source);
    const last = this.times[this.times.length - 1];
    if (last !== undefined && frame.timeMs < last) {
      throw new UserError(
        `goes back in time: ${new Date(frame.timeMs).toISOString()} comes after ${new Date(last).toISOString()}`,
        { source, field: 'time', fix: 'give the inputs in time order (oldest first)' },
      );
    }
    const out = new Float32Array(this.plan.channels);
    const centroids = new Float32Array(this.plan.channels);
    channelizeWithCentroids(this.plan, frame.db, out, centroids);
    for (const v of out) {
      if (v === v) {
        if (v < this.min) this.min = v;
        if (v > this.max) this.max = v;
      }
    }
    this.levels.push(out);
    this.centroids.push(centroids);
    this.times.push(frame.timeMs);
  }

  finish(): AnomalyModel {
    const plan = this.plan;
    const n = this.levels.length;
    const minFrames = 4 * this.params.persistFrames;
    if (plan === undefined || n < minFrames) {
      throw new UserError(`has ${n} frames, too few to learn a baseline`, {
        source: this.opts.source ?? 'training input',
        fix: `give at least ${minFrames} frames (a day or more of history makes hourly baselines)`,
      });
    }
    // 0.5 dB level bins, coarser for very many channels so a model stays under MAX_CELLS floats
    const lowDb = Math.floor(this.min - 20);
    let stepDb = 0.5;
    const binsFor = (step: number): number => Math.min(400, Math.ceil((this.max - lowDb + 40) / step));
    while (stepDb < 4 && plan.channels * HOURS_OF_WEEK * binsFor(stepDb) > MAX_CELLS) stepDb *= 2;
    const axis: LevelAxis = { lowDb, stepDb, bins: binsFor(stepDb) };
    const baselineParams = {
      axis,
      halfLifeDays: this.params.halfLifeDays,
      minHourFrames: this.params.minHourFrames,
      minHourWeeks: this.params.minHourWeeks,
    };
    const baseline = new Baseline(plan, baselineParams);
    const holdout = Math.min(
      n - 2 * this.params.persistFrames,
      Math.max(2 * this.params.persistFrames, Math.round(n * (this.opts.holdoutFraction ?? 0.2))),
    );
    const startMs = this.times[0] as number;
    const endMs = this.times[n - 1] as number;
    // Two days or more: hold out every fifth hour, so calibration sees every time of day (a tail
    // holdout would be all night or all morning). Shorter inputs: hold out the tail.
    const interleaved = endMs - startMs >= 2 * 86_400_000;
    const held = (i: number): boolean =>
      interleaved ? Math.floor((this.times[i] as number) / 3_600_000) % 5 === 2 : i >= n - holdout;
    for (let i = 0; i < n; i++)
      if (!held(i)) baseline.add(this.levels[i] as Float32Array, this.times[i] as number);
    baseline.refresh();
    // the autoencoder learns the frames the baseline saw, relative to the baseline's medians, and
    // its error is calibrated on the held-out frames
    const median = baseline.stats().median;
    const aeInput = (i: number): Float64Array =>
      autoencoderInput(
        this.levels[i] as Float32Array,
        median,
        hourOfWeek(this.times[i] as number),
        HOURS_OF_WEEK,
        new Float64Array(plan.channels),
      );
    const seen: number[] = [];
    for (let i = 0; i < n; i++) if (!held(i)) seen.push(i);
    // frames spread evenly over the window (more would only cost time)
    const stride = Math.max(1, seen.length / AE_FRAMES);
    const aeTrain: Float64Array[] = [];
    for (let k = 0; k < seen.length && aeTrain.length < AE_FRAMES; k += stride)
      aeTrain.push(aeInput(seen[Math.floor(k)] as number));
    const aeWeights = trainAutoencoder(aeTrain, { seed: this.opts.seed ?? 1 });
    const aeScorer = new AutoencoderScorer(aeWeights);
    const aeErrors: number[] = [];
    for (let i = 0; i < n; i++) if (held(i)) aeErrors.push(aeScorer.error(aeInput(i)));
    const autoencoder = { ...aeWeights, calibration: buildErrorCalibration(aeErrors) };
    // centroids need the floor, so they go in once the levels are in
    for (let i = 0; i < n; i++) {
      if (!held(i)) baseline.addCentroids(this.levels[i] as Float32Array, this.centroids[i] as Float32Array);
    }
    baseline.refresh();
    const raws = new CalibrationBuilder(plan.channels);
    const occ = new CalibrationBuilder(plan.channels);
    const drift = new CalibrationBuilder(plan.channels);
    // each held-out stretch is scored from a fresh start (persistence and occupancy windows refill)
    let scorer: FrameScorer | undefined;
    const heldIdx: number[] = [];
    for (let i = 0; i < n; i++) {
      if (!held(i)) {
        scorer = undefined;
        continue;
      }
      heldIdx.push(i);
      const gap = scorer === undefined;
      scorer ??= new FrameScorer(baseline, this.params.persistFrames, this.params.occupancyFrames);
      const d = scorer.score(
        this.levels[i] as Float32Array,
        this.times[i] as number,
        this.centroids[i] as Float32Array,
      );
      if (d.ready) {
        raws.add(d.raw, gap);
        occ.add(d.occupancy, gap);
        drift.add(d.drift, gap);
      }
    }
    const calibration = raws.build();
    const draft: AnomalyModel = {
      id: `${this.opts.node}@${new Date(endMs).toISOString()}`,
      node: this.opts.node,
      createdAt: new Date().toISOString(),
      training: { startMs, endMs, frames: n },
      plan,
      params: this.params,
      baselineParams,
      calibration,
      occupancyCalibration: occ.build(),
      driftCalibration: drift.build(),
      metrics: {
        holdoutFrames: heldIdx.length,
        holdoutEvents: { low: 0, medium: 0, high: 0 },
        holdoutEventsPerDay: 0,
      },
      autoencoder,
      hist: baseline.hist,
      counts: baseline.counts,
      centroidHist: baseline.centroidHist,
      weekHours: baseline.weekHours,
    };
    // false alarms on the held-out normal data, with the calibrated thresholds
    const counts = { low: 0, medium: 0, high: 0 };
    let m: AnomalyMonitor | undefined;
    let prev = -2;
    let heldMs = 0;
    for (const i of heldIdx) {
      if (i !== prev + 1 && m !== undefined) {
        for (const e of m.flush()) counts[e.severity]++;
        m = undefined;
      }
      m ??= new AnomalyMonitor(draft, { node: this.opts.node });
      const levels = this.levels[i] as Float32Array;
      for (const e of m.pushChannels(this.times[i] as number, levels, this.centroids[i] as Float32Array)) {
        counts[e.severity]++;
      }
      if (i === prev + 1) heldMs += (this.times[i] as number) - (this.times[prev] as number);
      prev = i;
    }
    for (const e of m?.flush() ?? []) counts[e.severity]++;
    for (const i of heldIdx) baseline.add(this.levels[i] as Float32Array, this.times[i] as number);
    baseline.refresh();
    for (const i of heldIdx)
      baseline.addCentroids(this.levels[i] as Float32Array, this.centroids[i] as Float32Array);
    baseline.refresh();
    const days = Math.max(heldMs / 86_400_000, 1 / 24);
    return {
      ...draft,
      metrics: {
        holdoutFrames: heldIdx.length,
        holdoutEvents: counts,
        holdoutEventsPerDay: Math.round(((counts.low + counts.medium + counts.high) / days) * 100) / 100,
      },
    };
  }
}

/** Trains a model from frames in time order. */
export function trainAnomalyModel(frames: Iterable<PsdFrame>, opts: TrainOptions): AnomalyModel {
  const t = new ModelTrainer(opts);
  for (const f of frames) t.push(f);
  return t.finish();
}
