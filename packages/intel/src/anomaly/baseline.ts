/**
 * What is normal for each channel of one node at each hour of the day: a decayed histogram of
 * channel levels per (channel, UTC hour), from which the engine reads robust levels (median,
 * 0.1 % and 99.9 % quantiles) and occupancy. Quantiles, not means, so the rare strange frames
 * that slip into training move the baseline by at most a bin. Counts decay with a half-life
 * (30 days by default) applied once per day of data, so the baseline follows seasonal change.
 * An hour with too few frames falls back to the channel's all-hours histogram.
 */
import type { ChannelPlan } from './channel-plan.ts';
import { histogramFractionAbove, histogramQuantile, levelBin, type LevelAxis } from './level-histogram.ts';

export const HOURS = 24;
const DAY_MS = 86_400_000;

export interface BaselineParams {
  readonly axis: LevelAxis;
  /** Counts halve over this many days of data. */
  readonly halfLifeDays: number;
  /** An hour bucket with fewer (decayed) frames uses the all-hours statistics. */
  readonly minHourFrames: number;
}

/** Statistics read from the histograms (see {@link Baseline.refresh}). */
export interface BaselineStats {
  /** Per (channel, hour), index c * 24 + h: 99.9 % level, 0.1 % level, median, occupancy. */
  readonly upper: Float32Array;
  readonly lower: Float32Array;
  readonly median: Float32Array;
  readonly occupancy: Float32Array;
  /** 1 where the hour had enough frames, 0 where the values are the all-hours ones. */
  readonly hourly: Uint8Array;
  /** Per channel: noise floor (dB), all-hours 99.9 % level, all-hours occupancy. */
  readonly floor: Float32Array;
  readonly upperAll: Float32Array;
  readonly occupancyAll: Float32Array;
  /** Spread of the noise floor, dB (the unit of raw scores). */
  readonly noiseScaleDb: number;
  /** Per channel, from frames where it is strongly occupied: median centroid (Hz from the channel centre), its spread (Hz), frames. */
  readonly centroidMedian: Float32Array;
  readonly centroidSpread: Float32Array;
  readonly centroidFrames: Float32Array;
}

/** Bins of the centroid histogram, across one channel. */
export const CENTROID_BINS = 64;
/** A channel counts as strongly occupied (its centroid means something) this far above its floor, dB. */
export const STRONG_DB = 10;

/** Level above the floor that counts as occupied, dB. */
export const OCCUPIED_DB = 6;

export function hourOf(timeMs: number): number {
  return Math.floor(timeMs / 3_600_000) % HOURS;
}

export class Baseline {
  readonly plan: ChannelPlan;
  readonly params: BaselineParams;
  /** Counts, index ((c * 24 + h) * bins + level). */
  readonly hist: Float32Array;
  /** Frames per (channel, hour). */
  readonly counts: Float32Array;
  /** Centroid counts, index (c * CENTROID_BINS + bin) over [-width / 2, width / 2) of a channel. */
  readonly centroidHist: Float32Array;
  private lastDecayMs: number | undefined;
  private statsCache: BaselineStats | undefined;

  constructor(
    plan: ChannelPlan,
    params: BaselineParams,
    hist?: Float32Array,
    counts?: Float32Array,
    centroidHist?: Float32Array,
  ) {
    this.plan = plan;
    this.params = params;
    this.hist = hist ?? new Float32Array(plan.channels * HOURS * params.axis.bins);
    this.counts = counts ?? new Float32Array(plan.channels * HOURS);
    this.centroidHist = centroidHist ?? new Float32Array(plan.channels * CENTROID_BINS);
  }

  private get channelWidthHz(): number {
    return this.plan.binsPerChannel * this.plan.binHz;
  }

  /** Bin of a centroid offset in the centroid histogram. */
  centroidBin(offsetHz: number): number {
    const w = this.channelWidthHz;
    const i = Math.floor((offsetHz / w + 0.5) * CENTROID_BINS);
    return i < 0 ? 0 : i >= CENTROID_BINS ? CENTROID_BINS - 1 : i;
  }

  /**
   * Adds the centroids of channels that are strongly occupied in this frame (needs the floor from
   * the statistics: call after a first {@link refresh}).
   */
  addCentroids(levels: Float32Array, centroids: Float32Array): void {
    const floor = this.stats().floor;
    for (let c = 0; c < this.plan.channels; c++) {
      const v = levels[c] as number;
      const x = centroids[c] as number;
      if (!(v > (floor[c] as number) + STRONG_DB) || x !== x) continue;
      const i = c * CENTROID_BINS + this.centroidBin(x);
      this.centroidHist[i] = (this.centroidHist[i] as number) + 1;
    }
  }

  /** Adds one frame of channel levels (frames in time order). */
  add(levels: Float32Array, timeMs: number): void {
    this.decayTo(timeMs);
    const h = hourOf(timeMs);
    const bins = this.params.axis.bins;
    for (let c = 0; c < this.plan.channels; c++) {
      const v = levels[c] as number;
      if (v !== v) continue;
      const cell = c * HOURS + h;
      this.counts[cell] = (this.counts[cell] as number) + 1;
      const i = cell * bins + levelBin(this.params.axis, v);
      this.hist[i] = (this.hist[i] as number) + 1;
    }
  }

  private decayTo(timeMs: number): void {
    if (this.lastDecayMs === undefined) {
      this.lastDecayMs = timeMs;
      return;
    }
    const days = Math.floor((timeMs - this.lastDecayMs) / DAY_MS);
    if (days < 1) return;
    const f = 0.5 ** (days / this.params.halfLifeDays);
    for (let i = 0; i < this.hist.length; i++) this.hist[i] = (this.hist[i] as number) * f;
    for (let i = 0; i < this.counts.length; i++) this.counts[i] = (this.counts[i] as number) * f;
    for (let i = 0; i < this.centroidHist.length; i++)
      this.centroidHist[i] = (this.centroidHist[i] as number) * f;
    this.lastDecayMs += days * DAY_MS;
  }

  /**
   * Recomputes the statistics from the histograms on the next {@link stats} call. Explicit (not
   * after every frame) because it reads every histogram: a monitor that keeps learning refreshes
   * once per hour of data.
   */
  refresh(): void {
    this.statsCache = undefined;
  }

  /** The statistics as of the last {@link refresh}. */
  stats(): BaselineStats {
    this.statsCache ??= this.compute();
    return this.statsCache;
  }

  private compute(): BaselineStats {
    const { channels } = this.plan;
    const axis = this.params.axis;
    const bins = axis.bins;
    const cells = channels * HOURS;
    const upper = new Float32Array(cells);
    const lower = new Float32Array(cells);
    const median = new Float32Array(cells);
    const occupancy = new Float32Array(cells);
    const hourly = new Uint8Array(cells);
    const floor = new Float32Array(channels);
    const upperAll = new Float32Array(channels);
    const occupancyAll = new Float32Array(channels);
    const all = new Float64Array(bins);
    const blend = new Float64Array(bins);
    const q10 = new Float64Array(channels);
    const spread: number[] = [];
    const totals = new Float64Array(channels);
    for (let c = 0; c < channels; c++) {
      all.fill(0);
      let total = 0;
      for (let h = 0; h < HOURS; h++) {
        const cell = c * HOURS + h;
        total += this.counts[cell] as number;
        for (let i = 0; i < bins; i++) all[i] = (all[i] as number) + (this.hist[cell * bins + i] as number);
      }
      totals[c] = total;
      q10[c] = histogramQuantile(all, 0, axis, total, 0.1);
      const q05 = histogramQuantile(all, 0, axis, total, 0.05);
      const q25 = histogramQuantile(all, 0, axis, total, 0.25);
      if (total > 0) spread.push((q25 - q05) / 0.97);
    }
    const sortedQ10 = [...q10].filter((v) => v === v).sort((a, b) => a - b);
    const bandFloor = sortedQ10[Math.floor(sortedQ10.length / 2)] ?? axis.lowDb;
    spread.sort((a, b) => a - b);
    const noiseScaleDb = Math.min(3, Math.max(0.3, spread[Math.floor(spread.length / 2)] ?? 1));
    for (let c = 0; c < channels; c++) {
      const f = Math.min(q10[c] as number, bandFloor);
      floor[c] = f === f ? f : bandFloor;
      all.fill(0);
      for (let h = 0; h < HOURS; h++) {
        const cell = c * HOURS + h;
        for (let i = 0; i < bins; i++) all[i] = (all[i] as number) + (this.hist[cell * bins + i] as number);
      }
      const total = totals[c] as number;
      const onDb = (floor[c] as number) + OCCUPIED_DB;
      const uAll = histogramQuantile(all, 0, axis, total, 0.999);
      const lAll = histogramQuantile(all, 0, axis, total, 0.001);
      const mAll = histogramQuantile(all, 0, axis, total, 0.5);
      const oAll = histogramFractionAbove(all, 0, axis, total, onDb);
      upperAll[c] = uAll;
      occupancyAll[c] = oAll;
      for (let h = 0; h < HOURS; h++) {
        const cell = c * HOURS + h;
        const n = this.counts[cell] as number;
        if (n >= this.params.minHourFrames) {
          // The envelope of hour h borrows half weight from hours h - 1 and h + 1: schedules are
          // smooth in time, and a station that was on at 04:00 on none of the training days but
          // on at 03:00 and 05:00 on some may well be on at 04:00 tomorrow.
          const prev = c * HOURS + ((h + HOURS - 1) % HOURS);
          const next = c * HOURS + ((h + 1) % HOURS);
          for (let i = 0; i < bins; i++) {
            blend[i] =
              (this.hist[cell * bins + i] as number) +
              0.5 * ((this.hist[prev * bins + i] as number) + (this.hist[next * bins + i] as number));
          }
          const nb = n + 0.5 * ((this.counts[prev] as number) + (this.counts[next] as number));
          upper[cell] = histogramQuantile(blend, 0, axis, nb, 0.999);
          lower[cell] = histogramQuantile(blend, 0, axis, nb, 0.001);
          median[cell] = histogramQuantile(this.hist, cell * bins, axis, n, 0.5);
          occupancy[cell] = histogramFractionAbove(this.hist, cell * bins, axis, n, onDb);
          hourly[cell] = 1;
        } else {
          upper[cell] = uAll;
          lower[cell] = lAll;
          median[cell] = mAll;
          occupancy[cell] = oAll;
        }
      }
    }
    const centroidMedian = new Float32Array(channels);
    const centroidSpread = new Float32Array(channels);
    const centroidFrames = new Float32Array(channels);
    const w = this.channelWidthHz;
    const cAxis: LevelAxis = { lowDb: -w / 2, stepDb: w / CENTROID_BINS, bins: CENTROID_BINS };
    for (let c = 0; c < channels; c++) {
      const off = c * CENTROID_BINS;
      let n = 0;
      for (let i = 0; i < CENTROID_BINS; i++) n += this.centroidHist[off + i] as number;
      centroidFrames[c] = n;
      if (n === 0) continue;
      centroidMedian[c] = histogramQuantile(this.centroidHist, off, cAxis, n, 0.5);
      const q05 = histogramQuantile(this.centroidHist, off, cAxis, n, 0.05);
      const q95 = histogramQuantile(this.centroidHist, off, cAxis, n, 0.95);
      centroidSpread[c] = (q95 - q05) / 3.29;
    }
    return {
      upper,
      lower,
      median,
      occupancy,
      hourly,
      floor,
      upperAll,
      occupancyAll,
      noiseScaleDb,
      centroidMedian,
      centroidSpread,
      centroidFrames,
    };
  }
}
