/**
 * Burst segmentation of one channel on short-time frames, streaming with bounded memory.
 *
 * Each frame's power summed over the channel's bins, E, is compared with the power the baseline
 * (noise floor plus any steady DC spike) predicts there, E0. The decision statistic is the mean
 * of E / E0 over the last `averageFrames` frames (1 for strong signals; more for weak ones, so a
 * weak steady carrier is one detection rather than a flicker). For noise alone it follows a Gamma
 * law with the shape of a sum of correlated bins and frames, so both thresholds are false-alarm
 * probabilities:
 * - a burst starts when the statistic exceeds the start threshold (`startPfa` per frame);
 * - it continues while the statistic stays above the lower end threshold (`endPfa`), and
 *   survives up to `hangoverFrames` quieter frames in a row;
 * - when it ends, it is kept only if its mean E / E0 passes the strict test (`burstPfa`), which
 *   rejects the rare noise frame that crossed the start threshold;
 * - a burst that follows the previous one of the same channel after a gap shorter than half of
 *   the shorter of the two is the same transmission (long runs of off-bits of on-off keying) and
 *   is joined.
 *
 * Start and end are refined below one frame step: the frame energy of a step onset, as a function
 * of the frame's centre, is the step smoothed by a symmetric kernel (the window's energy
 * profile, and the moving average), so it passes half of the burst's level exactly at the onset.
 * The tracker interpolates that crossing between frame centres.
 *
 * While a burst is open the tracker accumulates what the features need: the channel's summed
 * spectrum over the burst, per-frame excess statistics (envelope variation, peak power) and the
 * per-frame peak position (for chirps). Memory is O(averageFrames x channel bins).
 */
import type { Channel } from './cfar.ts';
import type { Spectrum } from './noise-floor.ts';
import type { WindowCorrelation } from './noise-stats.ts';
import { averagedShape, binSumShape, gammaUpperQuantile } from './noise-stats.ts';

export interface BurstTrackerOptions {
  /** The channel's bins in the frames this tracker is fed. */
  readonly span: Channel;
  /** Expected noise-only density of every bin of the frames (length = frame length). */
  readonly floor: Spectrum;
  /** Gamma shape of one noise-only bin of one frame. */
  readonly frameShape: number;
  /** Correlations of the frames' window (bins) and of consecutive frames (segments). */
  readonly correlation: WindowCorrelation;
  /** Frames averaged by the decision statistic (default 1). */
  readonly averageFrames?: number;
  /** Per-frame false-alarm probability of a burst start (default 1e-4). */
  readonly startPfa?: number;
  /** Per-frame probability that noise keeps a burst going (default min(0.05, 0.1 / hangoverFrames)). */
  readonly endPfa?: number;
  /** False-alarm probability of a whole burst (default 1e-6). */
  readonly burstPfa?: number;
  /** Quiet frames in a row a burst survives (default 2; see {@link hangoverFor}). */
  readonly hangoverFrames?: number;
  /** Extra margin on the thresholds, in dB (floor uncertainty; default 0). */
  readonly marginDb?: number;
  /**
   * Whether the first frame pushed is the first of the data (default true): a burst already on
   * then starts at sample 0. Trackers started mid-stream set false.
   */
  readonly atDataStart?: boolean;
}

/** Running sums of one burst; joinable, so that split pieces of one transmission can be merged. */
interface BurstSums {
  startSample: number;
  endSample: number;
  /** Frames from the first to the last active one (including quiet ones inside). */
  frames: number;
  spectrum: Float64Array;
  /** Moments of the per-frame excess (E - E0) / E0 over all frames, and over interior frames. */
  all: Moments;
  inner: Moments;
  maxExcess: number;
  widthSum: number;
  widthCount: number;
  /** Peak position (bins) against frame centre time (samples, relative to t0): regression sums. */
  t0: number;
  reg: Regression;
}

/** What a finished burst hands to feature extraction. */
export interface BurstRecord {
  readonly span: Channel;
  /** Refined first sample of the burst (may be fractional). */
  readonly startSample: number;
  /** Refined end (exclusive) of the burst. */
  readonly endSample: number;
  /** Frames summed into meanPsd. */
  readonly frames: number;
  /** Mean PSD over the burst's frames, one value per span bin. */
  readonly meanPsd: Float64Array;
  /** Baseline density of the span bins. */
  readonly floor: Float64Array;
  /** Mean and largest per-frame excess power ratio (E - E0) / E0 over the burst's frames. */
  readonly meanExcess: number;
  readonly maxExcess: number;
  /** Coefficient of variation of the per-frame excess over interior frames (NaN if fewer than 3). */
  readonly excessCv: number;
  /** Per-frame peak position (span bins) against frame centre time (samples): least-squares fit. */
  readonly peakSlopeBinsPerSample: number;
  readonly peakFitR2: number;
  /** Mean over frames of the RMS width (bins) of each frame's excess spectrum. */
  readonly meanFrameWidthBins: number;
  /** Sum over the span of the baseline density (E0 per frame, in density units). */
  readonly noiseSum: number;
}

class Moments {
  n = 0;
  s = 0;
  ss = 0;
  add(x: number): void {
    this.n++;
    this.s += x;
    this.ss += x * x;
  }
  join(o: Moments): void {
    this.n += o.n;
    this.s += o.s;
    this.ss += o.ss;
  }
}

class Regression {
  n = 0;
  t = 0;
  y = 0;
  tt = 0;
  ty = 0;
  yy = 0;
  add(t: number, y: number): void {
    this.n++;
    this.t += t;
    this.y += y;
    this.tt += t * t;
    this.ty += t * y;
    this.yy += y * y;
  }
  /** Adds another regression whose times are `shift` later than ours. */
  join(o: Regression, shift: number): void {
    this.n += o.n;
    this.t += o.t + o.n * shift;
    this.y += o.y;
    this.tt += o.tt + 2 * shift * o.t + o.n * shift * shift;
    this.ty += o.ty + shift * o.y;
    this.yy += o.yy;
  }
}

/** One frame as the tracker remembers it. */
interface Frame {
  centre: number;
  start: number;
  end: number;
  /** E / E0 of this frame. */
  ratio: number;
  spectrum: Float64Array;
}

/** One decision point: the moving average ending at a frame. */
interface Mark {
  readonly centre: number;
  readonly excess: number;
}

export class BurstTracker {
  readonly span: Channel;
  private readonly floor: Float64Array;
  private readonly noiseSum: number;
  private readonly tStart: number;
  private readonly tEnd: number;
  private readonly frameSumShape: number;
  private readonly burstPfa: number;
  private readonly margin: number;
  private readonly hangover: number;
  private readonly k: number;
  private readonly ring: Frame[];
  private ringCount = 0;
  private ringHead = 0;
  private ratioSum = 0;
  private centreSum = 0;

  private open = false;
  private cur: BurstSums | undefined;
  private pending: Frame[] = [];
  private misses = 0;
  private held: number | undefined;
  private prevMark: Mark | undefined;
  private atDataStart = false;
  private hadPrev = false;
  /** First sample of the oldest frame in the window when the burst began. */
  private windowStart = 0;
  private readonly trackerAtDataStart: boolean;
  /** Decision marks from just before the burst on (for the onset), and the latest ones (for the end). */
  private lead: Mark[] = [];
  private recent: Mark[] = [];
  /** Index in `recent` of the last active mark: the end is searched up to the mark after it. */
  private recentActive = 0;
  private after: Mark | undefined;
  private lastFrameEnd = 0;
  private lastActiveEnd = 0;

  private waiting: BurstSums | undefined;
  private activeFramesTotal = 0;
  private readonly finished: BurstRecord[] = [];

  constructor(opts: BurstTrackerOptions) {
    this.span = opts.span;
    const bins = opts.span.to - opts.span.from;
    this.floor = Float64Array.from(opts.floor.subarray(opts.span.from, opts.span.to));
    let e0 = 0;
    for (const v of this.floor) e0 += v;
    this.noiseSum = e0;
    this.k = Math.max(1, Math.floor(opts.averageFrames ?? 1));
    this.frameSumShape = binSumShape(opts.correlation, opts.frameShape, bins);
    const decisionShape = binSumShape(
      opts.correlation,
      opts.frameShape * averagedShape(opts.correlation, this.k),
      bins,
    );
    this.margin = 10 ** ((opts.marginDb ?? 0) / 10);
    this.tStart = gammaUpperQuantile(decisionShape, opts.startPfa ?? 1e-4) * this.margin;
    this.hangover = opts.hangoverFrames ?? 2;
    // Noise should rarely revive a burst during its whole hangover, however long.
    const endPfa = opts.endPfa ?? Math.min(0.05, 0.1 / this.hangover);
    this.tEnd = Math.min(this.tStart, gammaUpperQuantile(decisionShape, endPfa) * this.margin);
    this.burstPfa = opts.burstPfa ?? 1e-6;
    this.trackerAtDataStart = opts.atDataStart ?? true;
    this.ring = Array.from({ length: this.k }, () => ({
      centre: 0,
      start: 0,
      end: 0,
      ratio: 0,
      spectrum: new Float64Array(bins),
    }));
  }

  /** Whether a burst is in progress (it may still end and be dropped by the final test). */
  get isOpen(): boolean {
    return this.open;
  }

  /** Frames in which this channel was inside a burst, over everything pushed so far. */
  get activeFrames(): number {
    return this.activeFramesTotal;
  }

  /** Feeds one frame (full-length PSD, same bins as the floor). */
  push(psd: Spectrum, startSample: number, sampleCount: number): void {
    const { from, to } = this.span;
    const slot = this.ring[this.ringHead] as Frame;
    if (this.ringCount === this.k) {
      // The oldest frame leaves the window; the last decision on a window holding it decides.
      this.ratioSum -= slot.ratio;
      this.centreSum -= slot.centre;
      if (this.open) this.retire(slot);
    } else this.ringCount++;
    let e = 0;
    for (let j = from; j < to; j++) {
      const v = psd[j] as number;
      slot.spectrum[j - from] = v;
      e += v;
    }
    slot.ratio = this.noiseSum > 0 ? e / this.noiseSum : 0;
    slot.centre = startSample + sampleCount / 2;
    slot.start = startSample;
    slot.end = startSample + sampleCount;
    this.ratioSum += slot.ratio;
    this.centreSum += slot.centre;
    this.ringHead = (this.ringHead + 1) % this.k;
    this.lastFrameEnd = slot.end;
    if (this.ringCount < this.k) return;

    const stat = this.ratioSum / this.k;
    const mark: Mark = { centre: this.centreSum / this.k, excess: stat - 1 };
    if (!this.open) {
      if (stat > this.tStart) this.begin(mark);
      else this.prevMark = mark;
      return;
    }
    if (this.lead.length < this.k + 3) this.lead.push(mark);
    this.recent.push(mark);
    if (this.recent.length > this.k + 2 * this.hangover + 3) {
      this.recent.shift();
      this.recentActive--;
    }
    if (stat > this.tEnd) {
      this.recentActive = this.recent.length - 1;
      this.misses = 0;
      for (const f of this.pending) this.commit(f);
      this.pending = [];
      this.after = undefined;
      this.lastActiveEnd = this.lastFrameEnd;
      return;
    }
    if (this.after === undefined) this.after = mark;
    if (++this.misses > this.hangover) this.close(undefined, mark);
  }

  /** Ends an open burst at the end of the data (`endSample`); call once after the last frame. */
  flush(endSample: number): void {
    if (this.open) {
      // Frames still in the window belong to the burst if it was active at the end.
      if (this.after === undefined) for (let i = 0; i < this.ringCount; i++) this.retireAt(i);
      this.close(this.after === undefined ? endSample : undefined, undefined);
    }
    this.emitWaiting();
  }

  /** Bursts finished since the last call. */
  take(): BurstRecord[] {
    return this.finished.splice(0, this.finished.length);
  }

  /** A frame leaves the moving-average window while a burst is open: it joins the burst or waits. */
  private retire(f: Frame): void {
    if (this.misses === 0) this.commit(f);
    else this.pending.push({ ...f, spectrum: Float64Array.from(f.spectrum) });
  }

  private retireAt(i: number): void {
    const idx = (this.ringHead + i) % this.k;
    this.commit(this.ring[idx] as Frame);
  }

  private begin(mark: Mark): void {
    this.open = true;
    this.misses = 0;
    this.pending = [];
    this.held = undefined;
    this.atDataStart = this.prevMark === undefined && this.trackerAtDataStart;
    this.hadPrev = this.prevMark !== undefined;
    this.windowStart = (this.ring[this.ringHead] as Frame).start;
    this.lead = this.prevMark === undefined ? [mark] : [this.prevMark, mark];
    this.recent = [mark];
    this.recentActive = 0;
    this.after = undefined;
    this.lastActiveEnd = this.lastFrameEnd;
    const bins = this.span.to - this.span.from;
    this.cur = {
      startSample: 0,
      endSample: 0,
      frames: 0,
      spectrum: new Float64Array(bins),
      all: new Moments(),
      inner: new Moments(),
      maxExcess: 0,
      widthSum: 0,
      widthCount: 0,
      t0: mark.centre,
      reg: new Regression(),
    };
  }

  /** Adds one frame to the open burst's sums. */
  private commit(f: Frame): void {
    const b = this.cur;
    if (b === undefined) return;
    const bins = f.spectrum.length;
    const excess = f.ratio - 1;
    b.frames++;
    b.all.add(excess);
    if (this.held !== undefined) b.inner.add(this.held);
    this.held = b.frames > 1 ? excess : undefined;
    b.maxExcess = Math.max(b.maxExcess, excess);
    let sum = 0;
    let peak = -Infinity;
    let peakAt = 0;
    for (let j = 0; j < bins; j++) {
      const p = f.spectrum[j] as number;
      b.spectrum[j] = (b.spectrum[j] as number) + p;
      const x = p - (this.floor[j] as number);
      if (x > peak) {
        peak = x;
        peakAt = j;
      }
      if (x > 0) sum += x;
    }
    if (excess <= 0 || sum <= 0) return;
    let c = 0;
    for (let j = 0; j < bins; j++)
      c += j * Math.max(0, (f.spectrum[j] as number) - (this.floor[j] as number));
    c /= sum;
    let v = 0;
    for (let j = 0; j < bins; j++)
      v += (j - c) ** 2 * Math.max(0, (f.spectrum[j] as number) - (this.floor[j] as number));
    b.widthSum += Math.sqrt(v / sum);
    b.widthCount++;
    const x = (j: number): number => (f.spectrum[j] as number) - (this.floor[j] as number);
    const l = peakAt > 0 ? x(peakAt - 1) : peak;
    const r = peakAt < bins - 1 ? x(peakAt + 1) : peak;
    const den = l - 2 * peak + r;
    b.reg.add(f.centre - b.t0, peakAt + (den < 0 ? (0.5 * (l - r)) / den : 0));
  }

  private close(endAt: number | undefined, last: Mark | undefined): void {
    this.open = false;
    const b = this.cur;
    this.cur = undefined;
    this.prevMark = last;
    this.pending = [];
    if (b === undefined || b.frames === 0) return;
    const inner = b.inner;
    const level = inner.n > 0 ? inner.s / inner.n : b.maxExcess;
    const half = level / 2;
    const first = this.lead[this.hadPrev ? 1 : 0] as Mark;
    b.startSample = this.atDataStart
      ? 0
      : (crossing(this.lead, half, 'rising') ?? (this.hadPrev ? first.centre : this.windowStart));
    b.endSample =
      endAt ??
      crossing(this.recent.slice(0, Math.max(0, this.recentActive) + 2), half, 'falling') ??
      this.lastActiveEnd;
    if (b.endSample <= b.startSample) b.endSample = b.startSample + 1;

    const w = this.waiting;
    if (w !== undefined) {
      const gap = b.startSample - w.endSample;
      if (gap <= 0.5 * Math.min(w.endSample - w.startSample, b.endSample - b.startSample)) {
        this.waiting = joinSums(w, b);
        return;
      }
      this.emitWaiting();
    }
    this.waiting = b;
  }

  private emitWaiting(): void {
    const b = this.waiting;
    this.waiting = undefined;
    if (b === undefined) return;
    const mean = b.all.n > 0 ? b.all.s / b.all.n : 0;
    const shape = this.frameSumShape * b.frames;
    if (!(1 + mean > gammaUpperQuantile(shape, this.burstPfa) * this.margin)) return;
    this.activeFramesTotal += b.frames;
    const g = b.reg;
    let slope = 0;
    let r2 = 0;
    if (g.n >= 3) {
      const vt = g.tt - (g.t * g.t) / g.n;
      const vy = g.yy - (g.y * g.y) / g.n;
      const cty = g.ty - (g.t * g.y) / g.n;
      if (vt > 0) slope = cty / vt;
      if (vt > 0 && vy > 0) r2 = (cty * cty) / (vt * vy);
    }
    const inner = b.inner;
    const cv =
      inner.n >= 3 && inner.s > 0
        ? Math.sqrt(Math.max(0, inner.ss / inner.n - (inner.s / inner.n) ** 2)) / (inner.s / inner.n)
        : Number.NaN;
    const meanPsd = new Float64Array(b.spectrum.length);
    for (let j = 0; j < meanPsd.length; j++) meanPsd[j] = (b.spectrum[j] as number) / b.frames;
    this.finished.push({
      span: this.span,
      startSample: Math.max(0, b.startSample),
      endSample: b.endSample,
      frames: b.frames,
      meanPsd,
      floor: this.floor,
      meanExcess: mean,
      maxExcess: b.maxExcess,
      excessCv: cv,
      peakSlopeBinsPerSample: slope,
      peakFitR2: r2,
      meanFrameWidthBins: b.widthCount > 0 ? b.widthSum / b.widthCount : 0,
      noiseSum: this.noiseSum,
    });
  }
}

function joinSums(a: BurstSums, b: BurstSums): BurstSums {
  for (let j = 0; j < a.spectrum.length; j++)
    a.spectrum[j] = (a.spectrum[j] as number) + (b.spectrum[j] as number);
  a.endSample = b.endSample;
  a.frames += b.frames;
  a.all.join(b.all);
  a.inner.join(b.inner);
  a.maxExcess = Math.max(a.maxExcess, b.maxExcess);
  a.widthSum += b.widthSum;
  a.widthCount += b.widthCount;
  a.reg.join(b.reg, b.t0 - a.t0);
  return a;
}

/**
 * Time at which the excess crosses `level` between consecutive marks, linearly interpolated: the
 * first rising crossing, or the last falling one.
 */
function crossing(marks: readonly Mark[], level: number, dir: 'rising' | 'falling'): number | undefined {
  let found: number | undefined;
  for (let i = 0; i + 1 < marks.length; i++) {
    const a = marks[i] as Mark;
    const b = marks[i + 1] as Mark;
    const up = a.excess < level && b.excess >= level;
    const down = a.excess >= level && b.excess < level;
    if ((dir === 'rising' && up) || (dir === 'falling' && down)) {
      found = a.centre + ((b.centre - a.centre) * (level - a.excess)) / (b.excess - a.excess);
      if (dir === 'rising') return found;
    }
  }
  return found;
}

/**
 * Frames a tracker should average for a channel of `bins` bins whose bursts stand `level` (power
 * ratio) above its noise: the fewest (a power of two up to 64) for which the burst's average
 * clears the start threshold (`startPfa`) by two of its own standard deviations. Strong bursts get
 * 1 (finest timing); a weak steady carrier gets many, so it is one detection, not a flicker.
 */
export function framesToAverage(
  corr: WindowCorrelation,
  frameShape: number,
  bins: number,
  level: number,
  startPfa = 1e-4,
): number {
  let k = 1;
  for (; k < 64; k *= 2) {
    const shape = binSumShape(corr, frameShape * averagedShape(corr, k), bins);
    const t = gammaUpperQuantile(shape, startPfa);
    if (1 + level >= t + (2 * (1 + level)) / Math.sqrt(shape)) break;
  }
  return k;
}

/**
 * Quiet frames a burst survives: at least 2 frames and at least `seconds` (default 2 ms, longer
 * than the off-runs of slow on-off keying, shorter than the gaps between most repeated packets).
 */
export function hangoverFor(sampleRate: number, frameStep: number, seconds = 2e-3): number {
  return Math.max(2, Math.ceil((seconds * sampleRate) / frameStep));
}
