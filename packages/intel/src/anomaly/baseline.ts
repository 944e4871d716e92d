/**
 * What is normal for each channel of one node at each hour of the week: a decayed histogram of
 * channel levels per (channel, UTC hour of the week), from which the engine reads robust levels
 * (median, 0.1 % and 99.9 % quantiles) and occupancy. Quantiles, not means, so the rare strange
 * frames that slip into training move the baseline by at most a bin. Counts decay with a
 * half-life (30 days by default) applied once per day of data, so the baseline follows seasonal
 * change.
 *
 * With D days of data each hour of the week has seen only D / 7 of them, so the statistics fall
 * back step by step: the hour of the week when it was seen in at least `minHourWeeks` different
 * weeks (one Tuesday is an anecdote, not a schedule) and has `minHourFrames` frames, else the hour
 * of the day (the sum of its seven weekly histograms) when that has `minHourFrames` frames, else
 * all hours. Only the weekly histograms are stored: the daily and all-hours ones are their sums.
 */
import type { ChannelPlan } from './channel-plan.ts';
import type { BaselineBucket } from './types.ts';
import { histogramFractionAbove, histogramQuantile, levelBin, type LevelAxis } from './level-histogram.ts';

export const HOURS = 24;
/** Hours of the week: buckets 0..167, Sunday 00:00 UTC first. */
export const HOURS_OF_WEEK = 168;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** Where the statistics of a (channel, hour of week) cell came from. */
export const BUCKET_ALL = 0;
export const BUCKET_DAY = 1;
export const BUCKET_WEEK = 2;

export interface BaselineParams {
  readonly axis: LevelAxis;
  /** Counts halve over this many days of data. */
  readonly halfLifeDays: number;
  /** An hour bucket with fewer (decayed) frames uses a coarser bucket (see the module comment). */
  readonly minHourFrames: number;
  /** An hour-of-week bucket needs data from this many different weeks, else the hour of day is used. */
  readonly minHourWeeks: number;
}

/** Statistics read from the histograms (see {@link Baseline.refresh}). */
export interface BaselineStats {
  /**
   * Per (channel, hour of week), index c * 168 + w (see {@link hourOfWeek}): 99.9 % level, 0.1 %
   * level, median, occupancy.
   */
  readonly upper: Float32Array;
  readonly lower: Float32Array;
  readonly median: Float32Array;
  readonly occupancy: Float32Array;
  /**
   * Per cell, which bucket the values come from: {@link BUCKET_WEEK} (that hour of the week),
   * {@link BUCKET_DAY} (that hour of any day) or {@link BUCKET_ALL} (all hours).
   */
  readonly bucket: Uint8Array;
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

/** The name of a bucket code, as events report it. */
export function bucketName(code: number): BaselineBucket {
  return code === BUCKET_WEEK ? 'week' : code === BUCKET_DAY ? 'hour' : 'all';
}

export function hourOf(timeMs: number): number {
  return Math.floor(timeMs / HOUR_MS) % HOURS;
}

/** UTC hour of the week, 0 = Sunday 00:00 (1970-01-01 was a Thursday). */
export function hourOfWeek(timeMs: number): number {
  const day = (Math.floor(timeMs / DAY_MS) + 4) % 7;
  return day * HOURS + hourOf(timeMs);
}

export class Baseline {
  readonly plan: ChannelPlan;
  readonly params: BaselineParams;
  /** Counts, index ((c * 168 + w) * bins + level), w the hour of the week. */
  readonly hist: Float32Array;
  /** Frames per (channel, hour of week). */
  readonly counts: Float32Array;
  /**
   * Per hour of the week: how many different clock hours (so, weeks) contributed frames. Not
   * decayed: it only says whether the weekly bucket has been seen often enough to mean a schedule.
   */
  readonly weekHours: Float32Array;
  private lastHourOfBucket = new Float64Array(HOURS_OF_WEEK).fill(-1);
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
    weekHours?: Float32Array,
  ) {
    this.plan = plan;
    this.params = params;
    this.hist = hist ?? new Float32Array(plan.channels * HOURS_OF_WEEK * params.axis.bins);
    this.counts = counts ?? new Float32Array(plan.channels * HOURS_OF_WEEK);
    this.centroidHist = centroidHist ?? new Float32Array(plan.channels * CENTROID_BINS);
    this.weekHours = weekHours ?? new Float32Array(HOURS_OF_WEEK);
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
    const w = hourOfWeek(timeMs);
    const clockHour = Math.floor(timeMs / HOUR_MS);
    if (this.lastHourOfBucket[w] !== clockHour) {
      // a model loaded from a file does not know its last hour: that hour may count twice
      this.lastHourOfBucket[w] = clockHour;
      this.weekHours[w] = (this.weekHours[w] as number) + 1;
    }
    const bins = this.params.axis.bins;
    for (let c = 0; c < this.plan.channels; c++) {
      const v = levels[c] as number;
      if (v !== v) continue;
      const cell = c * HOURS_OF_WEEK + w;
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
    const cells = channels * HOURS_OF_WEEK;
    const upper = new Float32Array(cells);
    const lower = new Float32Array(cells);
    const median = new Float32Array(cells);
    const occupancy = new Float32Array(cells);
    const bucket = new Uint8Array(cells);
    const floor = new Float32Array(channels);
    const upperAll = new Float32Array(channels);
    const occupancyAll = new Float32Array(channels);
    const all = new Float64Array(bins);
    const day = new Float64Array(HOURS * bins);
    const dayCounts = new Float64Array(HOURS);
    const blend = new Float64Array(bins);
    const q10 = new Float64Array(channels);
    const spread: number[] = [];
    const totals = new Float64Array(channels);
    /** Sums channel c's weekly histograms into `all` (and the hour-of-day ones into `day`); returns the frames. */
    const sumChannel = (c: number): number => {
      all.fill(0);
      day.fill(0);
      dayCounts.fill(0);
      let total = 0;
      for (let w = 0; w < HOURS_OF_WEEK; w++) {
        const cell = c * HOURS_OF_WEEK + w;
        const n = this.counts[cell] as number;
        if (!(n > 0)) continue;
        total += n;
        const h = w % HOURS;
        dayCounts[h] = (dayCounts[h] as number) + n;
        const off = cell * bins;
        const dOff = h * bins;
        for (let i = 0; i < bins; i++) {
          const v = this.hist[off + i] as number;
          all[i] = (all[i] as number) + v;
          day[dOff + i] = (day[dOff + i] as number) + v;
        }
      }
      return total;
    };
    for (let c = 0; c < channels; c++) {
      const total = sumChannel(c);
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
    // The envelope of an hour borrows half weight from the hours before and after: schedules are
    // smooth in time, and a station that was on at 04:00 on none of the training days but on at
    // 03:00 and 05:00 on some may well be on at 04:00 tomorrow.
    const envelope = (
      h: Float32Array | Float64Array,
      off: number,
      prev: number,
      next: number,
      n: number,
      nb: number,
      onDb: number,
      cell: number,
    ): void => {
      for (let i = 0; i < bins; i++) {
        blend[i] = (h[off + i] as number) + 0.5 * ((h[prev + i] as number) + (h[next + i] as number));
      }
      upper[cell] = histogramQuantile(blend, 0, axis, nb, 0.999);
      lower[cell] = histogramQuantile(blend, 0, axis, nb, 0.001);
      median[cell] = histogramQuantile(h, off, axis, n, 0.5);
      occupancy[cell] = histogramFractionAbove(h, off, axis, n, onDb);
    };
    const dayUpper = new Float32Array(HOURS);
    const dayLower = new Float32Array(HOURS);
    const dayMedian = new Float32Array(HOURS);
    const dayOccupancy = new Float32Array(HOURS);
    const { minHourFrames, minHourWeeks } = this.params;
    for (let c = 0; c < channels; c++) {
      const f = Math.min(q10[c] as number, bandFloor);
      floor[c] = f === f ? f : bandFloor;
      const total = sumChannel(c);
      const onDb = (floor[c] as number) + OCCUPIED_DB;
      const uAll = histogramQuantile(all, 0, axis, total, 0.999);
      const lAll = histogramQuantile(all, 0, axis, total, 0.001);
      const mAll = histogramQuantile(all, 0, axis, total, 0.5);
      const oAll = histogramFractionAbove(all, 0, axis, total, onDb);
      upperAll[c] = uAll;
      occupancyAll[c] = oAll;
      // hour of day: computed into the cell of Sunday, then copied into the hour's week cells
      const base = c * HOURS_OF_WEEK;
      for (let h = 0; h < HOURS; h++) {
        const n = dayCounts[h] as number;
        if (n < minHourFrames) {
          dayUpper[h] = NaN;
          continue;
        }
        const hp = (h + HOURS - 1) % HOURS;
        const hn = (h + 1) % HOURS;
        const nb = n + 0.5 * ((dayCounts[hp] as number) + (dayCounts[hn] as number));
        envelope(day, h * bins, hp * bins, hn * bins, n, nb, onDb, base + h);
        dayUpper[h] = upper[base + h] as number;
        dayLower[h] = lower[base + h] as number;
        dayMedian[h] = median[base + h] as number;
        dayOccupancy[h] = occupancy[base + h] as number;
      }
      for (let w = 0; w < HOURS_OF_WEEK; w++) {
        const cell = base + w;
        const n = this.counts[cell] as number;
        const h = w % HOURS;
        if (n >= minHourFrames && (this.weekHours[w] as number) >= minHourWeeks) {
          const wp = base + ((w + HOURS_OF_WEEK - 1) % HOURS_OF_WEEK);
          const wn = base + ((w + 1) % HOURS_OF_WEEK);
          const nb = n + 0.5 * ((this.counts[wp] as number) + (this.counts[wn] as number));
          envelope(this.hist, cell * bins, wp * bins, wn * bins, n, nb, onDb, cell);
          bucket[cell] = BUCKET_WEEK;
        } else if ((dayUpper[h] as number) === (dayUpper[h] as number)) {
          upper[cell] = dayUpper[h] as number;
          lower[cell] = dayLower[h] as number;
          median[cell] = dayMedian[h] as number;
          occupancy[cell] = dayOccupancy[h] as number;
          bucket[cell] = BUCKET_DAY;
        } else {
          upper[cell] = uAll;
          lower[cell] = lAll;
          median[cell] = mAll;
          occupancy[cell] = oAll;
          bucket[cell] = BUCKET_ALL;
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
      bucket,
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
