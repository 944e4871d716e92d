/**
 * A survey of short-time spectra: their average (Welch) and max-holds at three time scales (1, 2
 * and 4 frames averaged), and from them the noise floor and the channels worth segmenting. The
 * two-pass {@link Analyzer} surveys a whole recording; the single-pass {@link StreamingDetector}
 * surveys one window of frames at a time.
 *
 * Channels come from the average (steady signals) and from each max-hold (short bursts that
 * barely raise the average), all at the same false-alarm probability; the margin on the
 * thresholds is three times the floor's uncertainty plus 0.25 dB. For every channel the survey
 * also estimates how far its bursts stand above the noise (see {@link burstLevel}), which sets
 * how many frames the burst tracker averages.
 */
import type { Channel } from './cfar.ts';
import { findChannels, findPeakChannels, mergeChannels } from './cfar.ts';
import { bridgeGuard } from './dc-guard.ts';
import type { BinRange, NoiseFloor } from './noise-floor.ts';
import { estimateNoiseFloor } from './noise-floor.ts';
import type { WindowCorrelation } from './noise-stats.ts';
import { averagedShape, maxHoldQuantile } from './noise-stats.ts';

export const MAX_HOLD_SCALES = [1, 2, 4] as const;

/** What a survey found. */
export interface SurveyPlan {
  readonly fftSize: number;
  /** Frames surveyed. */
  readonly frames: number;
  /** Mean PSD (linear density, fftshifted, DC guard bridged). */
  readonly meanPsd: Float64Array;
  readonly floor: NoiseFloor;
  /** Channels to segment, in bins of the survey spectra, ascending. */
  readonly channels: readonly Channel[];
  /** Per channel: estimated in-burst excess power ratio (signal over noise in the channel). */
  readonly levels: readonly number[];
  /** Sum over the guard's bins of the steady DC spike density the guard hid (times the bin width: its power). */
  readonly dcSpikeDensitySum: number;
  /** Margin used on thresholds, dB. */
  readonly marginDb: number;
}

export class Survey {
  readonly fftSize: number;
  private readonly corr: WindowCorrelation;
  private readonly guard: BinRange | undefined;
  private readonly sum: Float64Array;
  private readonly hold: Float64Array[];
  private readonly blockSum: Float64Array[];
  private readonly blockFill: number[];
  private count = 0;

  constructor(fftSize: number, correlation: WindowCorrelation, guard: BinRange | undefined) {
    this.fftSize = fftSize;
    this.corr = correlation;
    this.guard = guard;
    this.sum = new Float64Array(fftSize);
    this.hold = MAX_HOLD_SCALES.map(() => new Float64Array(fftSize));
    this.blockSum = MAX_HOLD_SCALES.map(() => new Float64Array(fftSize));
    this.blockFill = MAX_HOLD_SCALES.map(() => 0);
  }

  get frames(): number {
    return this.count;
  }

  /** Adds one frame (linear PSD, fftshifted, fftSize bins). */
  add(psd: Float32Array | Float64Array): void {
    const n = this.fftSize;
    this.count++;
    for (let k = 0; k < n; k++) this.sum[k] = (this.sum[k] as number) + (psd[k] as number);
    MAX_HOLD_SCALES.forEach((scale, i) => {
      const acc = this.blockSum[i] as Float64Array;
      for (let k = 0; k < n; k++) acc[k] = (acc[k] as number) + (psd[k] as number);
      const fill = (this.blockFill[i] as number) + 1;
      if (fill < scale) {
        this.blockFill[i] = fill;
        return;
      }
      const hold = this.hold[i] as Float64Array;
      for (let k = 0; k < n; k++) hold[k] = Math.max(hold[k] as number, (acc[k] as number) / scale);
      acc.fill(0);
      this.blockFill[i] = 0;
    });
  }

  /**
   * Floor and channels of what was added so far; `pfa` is the false-alarm probability of each
   * search. `useFloor` may replace the survey's own floor estimate by another (a running floor
   * built from several surveys) before channels are searched against it.
   */
  result(pfa: number, useFloor: (own: NoiseFloor) => NoiseFloor = (own) => own): SurveyPlan {
    const n = this.fftSize;
    const frames = this.count;
    const meanPsd = new Float64Array(n);
    if (frames > 0) for (let k = 0; k < n; k++) meanPsd[k] = (this.sum[k] as number) / frames;
    const raw = Float64Array.from(meanPsd);
    bridgeGuard(meanPsd, this.guard);
    let spike = 0;
    if (this.guard !== undefined) {
      for (let k = this.guard.from; k < this.guard.to; k++)
        spike += Math.max(0, (raw[k] as number) - (meanPsd[k] as number));
    }
    const shape = averagedShape(this.corr, frames);
    let max = 0;
    for (const v of meanPsd) max = Math.max(max, v);
    if (frames === 0 || !(max > 0)) {
      const floor: NoiseFloor = {
        density: new Float64Array(n),
        levelDb: -Infinity,
        uncertaintyDb: 0,
        quietLevelDb: -Infinity,
        occupancy: 0,
      };
      return {
        fftSize: n,
        frames,
        meanPsd,
        floor,
        channels: [],
        levels: [],
        dcSpikeDensitySum: 0,
        marginDb: 0,
      };
    }
    const floor = useFloor(estimateNoiseFloor(meanPsd, { shape }));
    const marginDb = 3 * floor.uncertaintyDb + 0.25;
    const found = findChannels(meanPsd, floor.density, { shape, correlation: this.corr, pfa, marginDb });
    const holds: Float64Array[] = [];
    MAX_HOLD_SCALES.forEach((scale, i) => {
      const count = Math.floor(frames / scale);
      if (count === 0) return;
      const hold = Float64Array.from(this.hold[i] as Float64Array);
      bridgeGuard(hold, this.guard);
      holds[i] = hold;
      const frameShape = averagedShape(this.corr, scale);
      found.push(...findPeakChannels(hold, floor.density, { shape: frameShape, count, pfa, marginDb }));
    });
    const channels = mergeChannels(found);
    const levels = channels.map((c) => this.burstLevel(c, meanPsd, floor.density, holds, frames));
    return { fftSize: n, frames, meanPsd, floor, channels, levels, dcSpikeDensitySum: spike, marginDb };
  }

  /**
   * A lower estimate of a channel's in-burst excess power ratio: from the average (exact for
   * steady signals) and from each max-hold divided by the median maximum that noise reaches there
   * (bursts). The tracker uses it to choose how many frames its decision averages.
   */
  private burstLevel(
    c: Channel,
    mean: Float64Array,
    floor: Float64Array,
    holds: Float64Array[],
    frames: number,
  ): number {
    let e0 = 0;
    let em = 0;
    for (let k = c.from; k < c.to; k++) {
      e0 += floor[k] as number;
      em += (mean[k] as number) - (floor[k] as number);
    }
    let best = em / e0;
    MAX_HOLD_SCALES.forEach((scale, i) => {
      const hold = holds[i];
      if (hold === undefined) return;
      const median = maxHoldQuantile(averagedShape(this.corr, scale), Math.floor(frames / scale), 0.5);
      let eh = 0;
      for (let k = c.from; k < c.to; k++) eh += (hold[k] as number) / median - (floor[k] as number);
      best = Math.max(best, eh / e0);
    });
    return Math.max(0, best);
  }

  /** Forgets everything added. */
  reset(): void {
    this.count = 0;
    this.sum.fill(0);
    for (const h of this.hold) h.fill(0);
    for (const b of this.blockSum) b.fill(0);
    this.blockFill.fill(0);
  }
}
