/**
 * The streaming anomaly monitor of one node: frames in, closed anomaly events out. Each frame is
 * channelized and scored against the model's baseline ({@link FrameScorer}); channels whose
 * calibrated score passes the threshold are grouped into clusters of neighbouring channels, and
 * clusters are followed from frame to frame into events. An event closes after `gapFrames`
 * frames without its cluster; then it gets its kind (by weighted vote of its frames), score,
 * severity and explanation.
 */
import { UserError } from '@heimdall/errors';
import { autoencoderInput, AutoencoderScorer, calibrateError } from './autoencoder.ts';
import {
  BUCKET_ALL,
  bucketName,
  hourOfWeek,
  HOURS_OF_WEEK,
  OCCUPIED_DB,
  type BaselineStats,
} from './baseline.ts';
import { calibrate } from './calibration.ts';
import { channelHighHz, channelizeWithCentroids, channelLowHz, checkFrame } from './channel-plan.ts';
import { explain } from './explain.ts';
import { FrameScorer, type ChannelDeviation } from './frame-scorer.ts';
import { modelBaseline, type AnomalyModel } from './model.ts';
import type { AnomalyEvent, AnomalyKind, BaselineBucket, PsdFrame, Severity } from './types.ts';

export interface MonitorOptions {
  /** Node name used in events (default: the model's). */
  readonly node?: string;
  /** Names the input in errors. */
  readonly source?: string;
  /** Keep learning: frames without anomalies update the baseline (statistics refresh hourly). */
  readonly adapt?: boolean;
}

interface OpenEvent {
  readonly up: boolean;
  lo: number;
  hi: number;
  startMs: number;
  lastMs: number;
  frames: number;
  misses: number;
  wide: boolean;
  peakRaw: number;
  /** Peak calibrated score. */
  peakScore: number;
  /** Peak calibrated autoencoder score over the event's frames. */
  peakAe: number;
  peakExcess: number;
  peakDelta: number;
  peakUsual: number;
  /** Which baseline bucket the peak was scored against. */
  peakBaseline: BaselineBucket;
  /** Centroid shift at the peak, Hz (0 unless the peak came from the centroid). */
  peakDriftHz: number;
  votes: Map<AnomalyKind, number>;
  /** Events of the opposite direction merged into this one (a carrier that moved: drift). */
  absorbed: OpenEvent[];
}

/** Energy that left one place and appeared within this distance at the same time is one drift. */
const DRIFT_PAIR_HZ = 100_000;

interface Cluster {
  readonly up: boolean;
  /** Raised by the occupancy score alone (levels ordinary, but on for too long for the hour). */
  readonly byOccupancy: boolean;
  /** Raised by the centroid alone (the carrier moved inside its channel). */
  readonly byDrift: boolean;
  readonly startMs: number;
  readonly lo: number;
  readonly hi: number;
  readonly peakC: number;
  readonly peakRaw: number;
  readonly kind: AnomalyKind;
}

const KNOWN_OCCUPANCY = 0.01;

export class AnomalyMonitor {
  readonly model: AnomalyModel;
  private readonly node: string;
  private readonly source: string;
  private readonly adapt: boolean;
  private readonly scorer: FrameScorer;
  private readonly levels: Float32Array;
  private readonly centroids: Float32Array;
  private open: OpenEvent[] = [];
  private lastTimeMs: number | undefined;
  private periodMs = 0;
  private lastRefreshHour = -1;
  private frameCount = 0;
  private readonly ae: AutoencoderScorer;
  private readonly aeInput: Float64Array;

  constructor(model: AnomalyModel, opts: MonitorOptions = {}) {
    this.model = model;
    this.node = opts.node ?? model.node;
    this.source = opts.source ?? 'input';
    this.adapt = opts.adapt ?? false;
    this.scorer = new FrameScorer(
      modelBaseline(model),
      model.params.persistFrames,
      model.params.occupancyFrames,
    );
    this.ae = new AutoencoderScorer(model.autoencoder);
    this.aeInput = new Float64Array(model.plan.channels);
    this.levels = new Float32Array(model.plan.channels);
    this.centroids = new Float32Array(model.plan.channels);
  }

  /** Scores one frame; returns the events that closed with it. `source` names the frame in errors. */
  push(frame: PsdFrame, source = this.source): AnomalyEvent[] {
    checkFrame(this.model.plan, frame, source);
    if (this.lastTimeMs !== undefined) {
      if (frame.timeMs < this.lastTimeMs) {
        throw new UserError(
          `goes back in time: ${new Date(frame.timeMs).toISOString()} comes after ${new Date(this.lastTimeMs).toISOString()}`,
          { source, field: 'time', fix: 'give the inputs in time order (oldest first)' },
        );
      }
    }
    channelizeWithCentroids(this.model.plan, frame.db, this.levels, this.centroids);
    return this.step(frame.timeMs);
  }

  /** Scores a frame already reduced to channel levels and centroids (see {@link channelize}, {@link channelCentroids}). */
  pushChannels(
    timeMs: number,
    levels: Float32Array,
    centroids: Float32Array,
    source = this.source,
  ): AnomalyEvent[] {
    if (this.lastTimeMs !== undefined && timeMs < this.lastTimeMs) {
      throw new UserError(
        `goes back in time: ${new Date(timeMs).toISOString()} comes after ${new Date(this.lastTimeMs).toISOString()}`,
        { source, field: 'time', fix: 'give the inputs in time order (oldest first)' },
      );
    }
    this.levels.set(levels);
    this.centroids.set(centroids);
    return this.step(timeMs);
  }

  private step(timeMs: number): AnomalyEvent[] {
    if (this.lastTimeMs !== undefined) this.periodMs = timeMs - this.lastTimeMs;
    this.lastTimeMs = timeMs;
    this.frameCount++;
    const dev = this.scorer.score(this.levels, timeMs, this.centroids);
    const clusters = this.clusters(dev, this.levels);
    // the autoencoder only adds to events the robust scores open, so it runs only on their frames
    const ae = clusters.length === 0 ? 0 : this.autoencoderScore(timeMs);
    const closed = this.track(clusters, dev, timeMs, ae);
    if (this.adapt && clusters.length === 0) this.learn(timeMs);
    return closed;
  }

  /** Calibrated autoencoder score of the current frame (how unusual the frame is as a whole). */
  private autoencoderScore(timeMs: number): number {
    const median = modelBaseline(this.model).stats().median;
    autoencoderInput(this.levels, median, hourOfWeek(timeMs), HOURS_OF_WEEK, this.aeInput);
    return calibrateError(this.model.autoencoder.calibration, this.ae.error(this.aeInput));
  }

  /** Closes and returns every open event (end of input). */
  flush(): AnomalyEvent[] {
    const closing = this.open;
    this.open = [];
    return this.close(closing, []);
  }

  private learn(timeMs: number): void {
    const baseline = modelBaseline(this.model);
    baseline.add(this.levels, timeMs);
    baseline.addCentroids(this.levels, this.centroids);
    const hour = Math.floor(timeMs / 3_600_000);
    if (hour !== this.lastRefreshHour) {
      if (this.lastRefreshHour >= 0) baseline.refresh();
      this.lastRefreshHour = hour;
    }
  }

  private clusters(dev: ChannelDeviation, levels: Float32Array): Cluster[] {
    if (!dev.ready) return [];
    const p = this.model.params;
    const stats = modelBaseline(this.model).stats();
    const cal = this.model.calibration;
    const out: Cluster[] = [];
    const n = this.model.plan.channels;
    const occCal = this.model.occupancyCalibration;
    const byLevel = (c: number, up: boolean): boolean => {
      const excess = up ? (dev.up[c] as number) : (dev.down[c] as number);
      if (!(excess >= p.minExcessDb)) return false;
      const other = up ? (dev.down[c] as number) : (dev.up[c] as number);
      if (other > excess) return false;
      return calibrate(cal, c, dev.raw[c] as number) >= p.openScore;
    };
    // occupied for too long, and still on now (so the event ends when the transmission does)
    const byOccupancy = (c: number): boolean =>
      (dev.occupancy[c] as number) > 0 &&
      !Number.isNaN(dev.runStartMs[c] as number) &&
      calibrate(occCal, c, dev.occupancy[c] as number) >= p.openScore;
    const driftCal = this.model.driftCalibration;
    const minDriftHz = this.model.plan.binHz / 4;
    // the carrier sits persistently away from its usual place in the channel (reported as up)
    const byDrift = (c: number): boolean =>
      Math.abs(dev.driftHz[c] as number) >= minDriftHz &&
      calibrate(driftCal, c, dev.drift[c] as number) >= p.openScore;
    const active = (c: number, up: boolean): boolean =>
      byLevel(c, up) || (up && (byOccupancy(c) || byDrift(c)));
    const channelScore = (c: number, up: boolean): number =>
      Math.max(
        byLevel(c, up) ? calibrate(cal, c, dev.raw[c] as number) : 0,
        up && byOccupancy(c) ? calibrate(occCal, c, dev.occupancy[c] as number) : 0,
        up && byDrift(c) ? calibrate(driftCal, c, dev.drift[c] as number) : 0,
      );
    for (const up of [true, false]) {
      let c = 0;
      while (c < n) {
        if (!active(c, up)) {
          c++;
          continue;
        }
        let hi = c;
        let peakC = c;
        // neighbouring channels (one quiet channel may sit between) belong to the same cluster
        while (hi + 1 < n && (active(hi + 1, up) || (hi + 2 < n && active(hi + 2, up)))) {
          hi = active(hi + 1, up) ? hi + 1 : hi + 2;
          if (channelScore(hi, up) > channelScore(peakC, up)) peakC = hi;
        }
        let occOnly = true;
        let driftOnly = true;
        let startMs = dev.windowStartMs;
        for (let k = c; k <= hi; k++) {
          if (byLevel(k, up)) {
            occOnly = false;
            driftOnly = false;
          }
          if (up && byOccupancy(k)) driftOnly = false;
          if (!(up && byDrift(k))) driftOnly = false;
          const run = dev.runStartMs[k] as number;
          if (up && byOccupancy(k) && run === run) startMs = Math.min(startMs, run);
        }
        if (driftOnly) occOnly = false;
        out.push({
          up,
          byOccupancy: occOnly,
          byDrift: driftOnly,
          startMs,
          lo: c,
          hi,
          peakC,
          peakRaw: channelScore(peakC, up),
          kind: driftOnly
            ? 'frequency_drift'
            : this.classify(up, c, hi, peakC, dev.hour, levels, stats, occOnly),
        });
        c = hi + 1;
      }
    }
    return out;
  }

  private classify(
    up: boolean,
    lo: number,
    hi: number,
    c: number,
    hour: number,
    levels: Float32Array,
    s: BaselineStats,
    occupancyOnly: boolean,
  ): AnomalyKind {
    const p = this.model.params;
    const plan = this.model.plan;
    const x = levels[c] as number;
    const floor = s.floor[c] as number;
    if (!up) return x < floor + 3 ? 'missing_emitter' : 'power_jump';
    const widthHz = channelHighHz(plan, hi) - channelLowHz(plan, lo);
    if (hi - lo + 1 >= p.wideChannels && widthHz >= p.wideHz) {
      // wide and mostly over channels that are usually empty: noise, not a known wideband station
      let quiet = 0;
      for (let k = lo; k <= hi; k++) if ((s.occupancyAll[k] as number) < KNOWN_OCCUPANCY) quiet++;
      if (2 * quiet >= hi - lo + 1) return 'wideband_noise';
    }
    const cell = c * HOURS_OF_WEEK + hour;
    const known = (s.occupancyAll[c] as number) >= KNOWN_OCCUPANCY;
    if (occupancyOnly) {
      return s.bucket[cell] !== BUCKET_ALL && (s.occupancy[cell] as number) < 2 * KNOWN_OCCUPANCY
        ? 'out_of_schedule'
        : known
          ? 'occupancy_change'
          : 'new_emitter';
    }
    if (known) {
      if (s.bucket[cell] !== BUCKET_ALL && (s.occupancy[cell] as number) < KNOWN_OCCUPANCY)
        return 'out_of_schedule';
      if (x > (s.upperAll[c] as number) + 3) return 'power_jump';
      return 'occupancy_change';
    }
    // a quiet channel lights up next to a known emitter that is on: the emitter moved
    for (let k = Math.max(0, lo - 2); k <= Math.min(plan.channels - 1, hi + 2); k++) {
      if (k >= lo && k <= hi) continue;
      const v = levels[k] as number;
      if ((s.occupancyAll[k] as number) >= 5 * KNOWN_OCCUPANCY && v > (s.floor[k] as number) + OCCUPIED_DB) {
        return 'frequency_drift';
      }
    }
    return 'new_emitter';
  }

  private track(clusters: Cluster[], dev: ChannelDeviation, timeMs: number, ae: number): AnomalyEvent[] {
    const stats = modelBaseline(this.model).stats();
    const matched = new Set<OpenEvent>();
    for (const cl of clusters) {
      let ev = this.open.find((e) => e.up === cl.up && cl.lo <= e.hi + 1 && cl.hi >= e.lo - 1);
      if (ev === undefined) {
        ev = {
          up: cl.up,
          lo: cl.lo,
          hi: cl.hi,
          startMs: cl.startMs,
          lastMs: timeMs,
          frames: 0,
          misses: 0,
          wide: false,
          peakRaw: 0,
          peakScore: 0,
          peakAe: 0,
          peakExcess: 0,
          peakDelta: 0,
          peakUsual: 0,
          peakBaseline: 'all',
          peakDriftHz: 0,
          votes: new Map(),
          absorbed: [],
        };
        this.open.push(ev);
      }
      if (!matched.has(ev)) {
        ev.frames++;
        matched.add(ev);
      }
      ev.startMs = Math.min(ev.startMs, cl.startMs);
      ev.lo = Math.min(ev.lo, cl.lo);
      ev.hi = Math.max(ev.hi, cl.hi);
      ev.lastMs = timeMs;
      ev.misses = 0;
      if (ae > ev.peakAe) ev.peakAe = ae;
      if (cl.kind === 'wideband_noise') ev.wide = true;
      ev.votes.set(cl.kind, (ev.votes.get(cl.kind) ?? 0) + cl.peakRaw);
      if (cl.peakRaw > ev.peakRaw) {
        const cell = cl.peakC * HOURS_OF_WEEK + hourOfWeek(timeMs);
        const usual = stats.median[cell] as number;
        ev.peakRaw = cl.peakRaw;
        ev.peakUsual = usual;
        ev.peakDelta = (this.levels[cl.peakC] as number) - usual;
        // an occupancy anomaly's strength is how far above the usual level it sits while on
        // a carrier that moved within its channel: as loud as the medium threshold, no louder
        ev.peakDriftHz = cl.byDrift ? (dev.driftHz[cl.peakC] as number) : 0;
        ev.peakExcess = cl.byDrift
          ? this.model.params.mediumExcessDb
          : cl.byOccupancy
            ? ev.peakDelta
            : cl.up
              ? (dev.up[cl.peakC] as number)
              : (dev.down[cl.peakC] as number);
        ev.peakBaseline = bucketName(stats.bucket[cell] ?? BUCKET_ALL);
      }
    }
    const closing: OpenEvent[] = [];
    const still: OpenEvent[] = [];
    for (const ev of this.open) {
      if (!matched.has(ev)) ev.misses++;
      if (ev.misses > this.model.params.gapFrames) closing.push(ev);
      else still.push(ev);
    }
    this.open = still;
    return this.close(closing, still);
  }

  /**
   * Finishes `closing` events, except those that pair with an event of the opposite direction
   * (one still open, or closing later in the list) at the same time and nearby: those join it,
   * and the pair is reported once as a frequency drift.
   */
  private close(closing: OpenEvent[], open: readonly OpenEvent[]): AnomalyEvent[] {
    const out: AnomalyEvent[] = [];
    const plan = this.model.plan;
    const centre = (e: OpenEvent): number => (channelLowHz(plan, e.lo) + channelHighHz(plan, e.hi)) / 2;
    for (let i = 0; i < closing.length; i++) {
      const ev = closing[i] as OpenEvent;
      const width = (e: OpenEvent): number => channelHighHz(plan, e.hi) - channelLowHz(plan, e.lo);
      // a wide raised band pairs too: a wideband station that moved leaves a wide "new" signal
      const partner = [...closing.slice(i + 1), ...open].find(
        (p) =>
          p.up !== ev.up &&
          p.startMs <= ev.lastMs &&
          ev.startMs <= p.lastMs &&
          Math.abs(centre(p) - centre(ev)) <= Math.max(DRIFT_PAIR_HZ, width(p) + width(ev)),
      );
      if (partner !== undefined) partner.absorbed.push(ev, ...ev.absorbed);
      else out.push(this.finish(ev));
    }
    return out;
  }

  private finish(ev: OpenEvent): AnomalyEvent {
    const p = this.model.params;
    const plan = this.model.plan;
    for (const a of ev.absorbed) {
      ev.lo = Math.min(ev.lo, a.lo);
      ev.hi = Math.max(ev.hi, a.hi);
      ev.startMs = Math.min(ev.startMs, a.startMs);
      ev.lastMs = Math.max(ev.lastMs, a.lastMs);
      ev.frames = Math.max(ev.frames, a.frames);
      ev.peakAe = Math.max(ev.peakAe, a.peakAe);
      if (a.peakRaw > ev.peakRaw) {
        ev.peakRaw = a.peakRaw;
        ev.peakExcess = a.peakExcess;
        ev.peakDelta = a.peakDelta;
        ev.peakUsual = a.peakUsual;
        ev.peakBaseline = a.peakBaseline;
        ev.peakDriftHz = a.peakDriftHz;
      }
    }
    let kind: AnomalyKind = ev.up ? 'new_emitter' : 'missing_emitter';
    if (ev.absorbed.length > 0) kind = 'frequency_drift';
    else if (ev.wide) kind = 'wideband_noise';
    else {
      let best = -1;
      for (const [k, w] of ev.votes) {
        if (w > best) {
          best = w;
          kind = k;
        }
      }
    }
    // one calibrated score: the larger of the robust deviation's and the autoencoder's
    const score = Math.max(ev.peakRaw, ev.peakAe);
    const severity: Severity =
      score >= p.highScore && ev.peakExcess >= p.highExcessDb && ev.frames >= 2 * p.persistFrames
        ? 'high'
        : score >= p.mediumScore && ev.peakExcess >= p.mediumExcessDb
          ? 'medium'
          : 'low';
    const freqLowHz = channelLowHz(plan, ev.lo);
    const freqHighHz = channelHighHz(plan, ev.hi);
    const nodes = [this.node];
    return {
      kind,
      node: this.node,
      nodes,
      startMs: ev.startMs,
      endMs: ev.lastMs + this.periodMs,
      freqLowHz,
      freqHighHz,
      score,
      severity,
      explanation: explain({
        kind,
        nodes,
        startMs: ev.startMs,
        freqLowHz,
        freqHighHz,
        deltaDb: ev.peakDelta,
        baseline: ev.peakBaseline,
        wide: ev.wide || ev.hi - ev.lo >= 3 || (kind === 'frequency_drift' && ev.peakDriftHz === 0),
        ...(ev.peakDriftHz === 0 ? {} : { driftHz: ev.peakDriftHz }),
      }),
      details: {
        deltaDb: round1(ev.peakDelta),
        excessDb: round1(ev.peakExcess),
        usualDb: round1(ev.peakUsual),
        frames: ev.frames,
        baseline: ev.peakBaseline,
      },
    };
  }
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
