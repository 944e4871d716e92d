/**
 * Single-pass detection for live streams (the edge agent): frames are seen once, memory is
 * bounded, and detections come out a bounded time after their burst ends.
 *
 * The stream is surveyed in windows of `windowFrames` frames. At the end of each window the
 * {@link Survey} of that window updates the running noise floor (each window's estimate blended in
 * with weight 1/4) and finds the channels the window holds against it. A channel that no tracker covers yet gets a {@link BurstTracker}, which is first fed the
 * last two windows' frames again from a ring buffer, so a burst that made its channel visible (even
 * one that began in the window before) is not lost.
 * Idle trackers are rebuilt when the floor under them moved by more than 1 dB; trackers idle for
 * `retireWindows` windows are retired. Trackers see every frame as it arrives, so bursts are timed to the frame like in the
 * two-pass {@link Analyzer}; all channels share the survey's FFT size (one FFT per frame).
 *
 * Latency: a detection is emitted once its burst has ended (after the hangover) and one more
 * window has passed (to resolve products of coincident bursts, see `coincident.ts`).
 * Memory: the ring of 2 x `windowFrames` spectra, the survey (7 spectra) and the trackers.
 */
import type { DspEngine } from '../fft.ts';
import { bytesPerSample } from '../iq-format.ts';
import { Spectrogram } from '../spectrogram.ts';
import { makeWindow } from '../window.ts';
import type { RecordingParams } from './analyzer.ts';
import { checkDetectorOptions } from './analyzer.ts';
import { BurstTracker, framesToAverage, hangoverFor } from './burst.ts';
import type { Channel } from './cfar.ts';
import { resolveCoincident } from './coincident.ts';
import { bridgeGuard, dcGuardRange } from './dc-guard.ts';
import { describeBurst } from './describe.ts';
import type { Detection } from './detection.ts';
import type { BinRange, NoiseFloor } from './noise-floor.ts';
import type { WindowCorrelation } from './noise-stats.ts';
import { averagedShape, windowCorrelation } from './noise-stats.ts';
import { Survey } from './survey.ts';

export interface StreamingDetectorOptions {
  /** FFT size (default: bins of about 1.5 kHz, see `defaultFftSize`). */
  readonly fftSize?: number;
  /** Frames per survey window: the floor's update interval and the detection latency (default 64). */
  readonly windowFrames?: number;
  /** Probability that noise alone yields a channel in one window's search (default 1e-3). */
  readonly pfa?: number;
  /** Detections with a lower in-band SNR are dropped (default 6 dB). */
  readonly minSnrDb?: number;
  /** Half-width in bins of the DC guard; -1 turns it off (default 1). */
  readonly dcGuardBins?: number;
  /** Quiet frames a burst survives (default: 2 frames or 2 ms, whichever is longer). */
  readonly hangoverFrames?: number;
  /** Windows without a burst after which a channel's tracker is retired (default 8). */
  readonly retireWindows?: number;
  /** The occupied band counts only the spectrum within this many dB of its peak (default 30). */
  readonly bandRangeDb?: number;
  readonly engine?: DspEngine;
}

interface Track {
  tracker: BurstTracker;
  /** The channel's burst level when it was found (sets the tracker's averaging). */
  readonly level: number;
  /** Frames seen since the channel was found, and active frames of earlier trackers (duty cycle). */
  frames: number;
  activeBefore: number;
  /** Windows since its last burst. */
  idleWindows: number;
  /** Floor summed over the span when the tracker was made. */
  floorSum: number;
}

export class StreamingDetector {
  readonly params: RecordingParams;
  readonly fftSize: number;
  private readonly opts: StreamingDetectorOptions;
  private readonly spectrogram: Spectrogram;
  private readonly corr: WindowCorrelation;
  private readonly guard: BinRange | undefined;
  private readonly survey: Survey;
  private readonly windowFrames: number;
  /** The last 2 x windowFrames frames, oldest at `ringHead` once full. */
  private readonly ring: { psd: Float64Array; start: number; count: number }[];
  private ringHead = 0;
  private ringCount = 0;
  /** Frames of the current window so far. */
  private ringFill = 0;
  private readonly psd: Float64Array;
  private tracks: Track[] = [];
  /** Spans of trackers retired or rebuilt recently, and the last sample they had seen. */
  private retired: { span: Channel; until: number }[] = [];
  private floorNow: NoiseFloor | undefined;
  private floorDensity: Float64Array | undefined;
  private marginDb = 0;
  private pending: Detection[] = [];
  private bytesIn = 0;
  private lastFrameEnd = 0;

  constructor(params: RecordingParams, opts: StreamingDetectorOptions = {}) {
    const n = checkDetectorOptions(params, opts);
    this.params = params;
    this.fftSize = n;
    this.opts = opts;
    this.spectrogram = new Spectrogram({
      fftSize: n,
      format: params.format,
      segmentsPerFrame: 1,
      sampleRate: params.sampleRate,
      ...(opts.engine === undefined ? {} : { engine: opts.engine }),
    });
    this.corr = windowCorrelation(makeWindow('hann', n), this.spectrogram.step);
    this.guard = dcGuardRange(n, opts.dcGuardBins ?? 1);
    this.survey = new Survey(n, this.corr, this.guard);
    this.windowFrames = Math.max(8, Math.floor(opts.windowFrames ?? 64));
    this.ring = Array.from({ length: 2 * this.windowFrames }, () => ({
      psd: new Float64Array(n),
      start: 0,
      count: 0,
    }));
    this.psd = new Float64Array(n);
  }

  /** The floor of the last complete window (undefined before the first). */
  get noiseFloor(): NoiseFloor | undefined {
    return this.floorNow;
  }

  /** Feeds bytes of any size; calls `onDetection` for every detection that is final. */
  push(bytes: Uint8Array, onDetection: (d: Detection) => void): void {
    this.bytesIn += bytes.length;
    this.spectrogram.push(bytes, (f) => {
      this.psd.set(f.psd);
      bridgeGuard(this.psd, this.guard);
      this.lastFrameEnd = f.startSample + f.sampleCount;
      const slot = this.ring[this.ringHead] as { psd: Float64Array; start: number; count: number };
      slot.psd.set(this.psd);
      slot.start = f.startSample;
      slot.count = f.sampleCount;
      this.ringHead = (this.ringHead + 1) % this.ring.length;
      this.ringCount = Math.min(this.ring.length, this.ringCount + 1);
      this.ringFill++;
      for (const t of this.tracks) {
        t.tracker.push(this.psd, f.startSample, f.sampleCount);
        t.frames++;
      }
      this.survey.add(f.psd);
      if (this.ringFill === this.windowFrames) {
        this.endWindow();
        this.emit(false, onDetection);
      }
    });
  }

  /** Ends the stream: surveys the last partial window, closes open bursts and emits everything left. */
  flush(onDetection: (d: Detection) => void): void {
    if (this.ringFill >= 8) this.endWindow();
    const total = Math.floor(this.bytesIn / bytesPerSample(this.params.format));
    for (const t of this.tracks) {
      t.tracker.flush(total);
      this.collect(t, total);
    }
    this.tracks = [];
    this.emit(true, onDetection);
    this.spectrogram.dispose();
  }

  private endWindow(): void {
    const plan = this.survey.result(this.opts.pfa ?? 1e-3, (own) => this.runningFloor(own));
    this.survey.reset();
    this.ringFill = 0;
    if (plan.floor.levelDb === -Infinity) return;
    this.floorNow = plan.floor;
    this.marginDb = plan.marginDb;
    const now = this.lastFrameEnd;
    const retire = this.opts.retireWindows ?? 8;
    // Finished bursts; idle trackers are retired, or rebuilt when the floor under them moved.
    const kept: Track[] = [];
    for (const t of this.tracks) {
      const had = this.collect(t, now);
      t.idleWindows = had || t.tracker.isOpen ? 0 : t.idleWindows + 1;
      if (t.tracker.isOpen) {
        kept.push(t);
        continue;
      }
      const moved = Math.abs(10 * Math.log10(spanSum(plan.floor.density, t.tracker.span) / t.floorSum)) > 1;
      if (t.idleWindows < retire && !moved) {
        kept.push(t);
        continue;
      }
      t.tracker.flush(now);
      this.collect(t, now);
      this.retired.push({ span: t.tracker.span, until: now });
      if (t.idleWindows < retire) {
        kept.push({
          ...t,
          tracker: this.makeTracker(t.tracker.span, t.level, false),
          floorSum: spanSum(plan.floor.density, t.tracker.span),
          activeBefore: t.activeBefore + t.tracker.activeFrames,
        });
      }
    }
    this.tracks = kept;
    // New channels: a tracker each, fed this window's frames first.
    const oldest = (this.ringHead - this.ringCount + this.ring.length) % this.ring.length;
    const first = this.ring[oldest];
    const ringStart = first?.start ?? 0;
    this.retired = this.retired.filter((r) => r.until > ringStart);
    plan.channels.forEach((found, i) => {
      // A channel already tracked is left alone; one much wider than the trackers it overlaps
      // (a wide burst around a narrow spur) replaces them.
      let c = found;
      const ov = this.tracks.filter((t) => overlaps(t.tracker.span, c));
      if (ov.length > 0) {
        const widest = Math.max(...ov.map((t) => t.tracker.span.to - t.tracker.span.from));
        if (c.to - c.from <= 1.5 * widest) return;
        for (const t of ov) {
          t.tracker.flush(now);
          this.collect(t, now);
          c = { from: Math.min(c.from, t.tracker.span.from), to: Math.max(c.to, t.tracker.span.to) };
        }
        this.tracks = this.tracks.filter((t) => !ov.includes(t));
      }
      const level = plan.levels[i] ?? 0;
      // Frames a retired tracker of these bins already saw are not replayed (no burst twice).
      const seen = Math.max(-1, ...this.retired.filter((r) => overlaps(r.span, c)).map((r) => r.until));
      const tracker = this.makeTracker(c, level, first !== undefined && first.start === 0 && seen < 0);
      for (let j = 0; j < this.ringCount; j++) {
        const slot = this.ring[(oldest + j) % this.ring.length] as {
          psd: Float64Array;
          start: number;
          count: number;
        };
        if (slot.start + slot.count <= seen) continue;
        tracker.push(slot.psd, slot.start, slot.count);
      }
      this.tracks.push({
        tracker,
        level,
        frames: this.ringCount,
        activeBefore: 0,
        idleWindows: 0,
        floorSum: spanSum(plan.floor.density, c),
      });
    });
  }

  /** Running floor: each window's estimate blended in with weight 1/4 (a few windows of memory). */
  private runningFloor(own: NoiseFloor): NoiseFloor {
    const run = this.floorDensity;
    if (run === undefined || own.levelDb === -Infinity) {
      this.floorDensity = Float64Array.from(own.density);
      return own;
    }
    for (let k = 0; k < run.length; k++)
      run[k] = 0.75 * (run[k] as number) + 0.25 * (own.density[k] as number);
    const sorted = Float64Array.from(run).sort();
    return {
      ...own,
      density: Float64Array.from(run),
      levelDb: 10 * Math.log10(sorted[run.length >> 1] as number),
    };
  }

  private makeTracker(span: Channel, level: number, atDataStart: boolean): BurstTracker {
    const frameShape = averagedShape(this.corr, 1);
    return new BurstTracker({
      span,
      atDataStart,
      floor: this.floorNow?.density ?? new Float64Array(this.fftSize),
      frameShape,
      correlation: this.corr,
      marginDb: this.marginDb,
      averageFrames: framesToAverage(this.corr, frameShape, span.to - span.from, level),
      hangoverFrames: this.opts.hangoverFrames ?? hangoverFor(this.params.sampleRate, this.spectrogram.step),
    });
  }

  /** Turns a tracker's finished bursts into pending detections; true if there were any. */
  private collect(t: Track, totalSamples: number): boolean {
    const bursts = t.tracker.take();
    for (const b of bursts) {
      const d = describeBurst(b, {
        sampleRate: this.params.sampleRate,
        centerFrequency: this.params.centerFrequency,
        fftSize: this.fftSize,
        correlation: this.corr,
        frameShape: averagedShape(this.corr, 1),
        dutyCycle: t.frames > 0 ? Math.min(1, (t.activeBefore + t.tracker.activeFrames) / t.frames) : 0,
        totalSamples: Math.max(totalSamples, Math.ceil(b.endSample)),
        minSnrDb: this.opts.minSnrDb ?? 6,
        bandRangeDb: this.opts.bandRangeDb ?? 30,
      });
      if (d !== undefined) this.pending.push(d);
    }
    return bursts.length > 0;
  }

  /** Emits pending detections that ended at least one window ago (all of them when `all`). */
  private emit(all: boolean, onDetection: (d: Detection) => void): void {
    if (this.pending.length === 0) return;
    const total = Math.floor(this.bytesIn / bytesPerSample(this.params.format));
    const resolved = resolveCoincident(this.pending, {
      totalSamples: Math.max(total, 1),
      slackSamples: this.fftSize,
    });
    const horizon = this.lastFrameEnd - this.windowFrames * this.spectrogram.step;
    this.pending = [];
    for (const d of resolved) {
      if (all || d.sampleStart + d.sampleCount <= horizon) onDetection(d);
      else this.pending.push(d);
    }
  }
}

function spanSum(density: Float64Array, c: Channel): number {
  let s = 0;
  for (let k = c.from; k < c.to; k++) s += density[k] as number;
  return s;
}

function overlaps(a: Channel, b: Channel): boolean {
  return a.from < b.to && b.from < a.to;
}
