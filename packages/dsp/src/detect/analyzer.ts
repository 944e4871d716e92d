/**
 * Signal detection on a recording, in two streaming passes over its IQ bytes with bounded memory.
 *
 * Pass 1 (`survey`): short-time spectra of `fftSize` bins feed a {@link Survey} (average and
 * max-holds). At the end of the pass (`plan`) it gives the noise floor and the channels, found
 * at one false-alarm probability in the average (steady signals) and in the max-holds (short
 * bursts that barely raise the average).
 *
 * Pass 2 (`segment`): every channel gets a short-time spectrogram with the FFT size that gives it
 * about `channelBins` bins (wide channels get fine time resolution, narrow ones finer frequency
 * resolution), and a {@link BurstTracker} finds the start and end of each burst in it. `finish`
 * turns bursts into {@link Detection}s with their features and class, and resolves detections
 * that start and end together (see `coincident.ts`).
 *
 * ```ts
 * const analyzer = new Analyzer({ format, sampleRate, centerFrequency });
 * for (const { bytes } of recording.chunks()) analyzer.survey(bytes);
 * analyzer.plan();
 * for (const { bytes } of recording.chunks()) analyzer.segment(bytes);
 * const detections = analyzer.finish();
 * ```
 *
 * Memory: the survey holds 7 spectra of `fftSize` bins; pass 2 holds one spectrogram per distinct
 * FFT size and O(averaged frames x channel bins) per channel. Nothing grows with the recording.
 */
import { UserError } from '@heimdall/errors';
import type { DspEngine } from '../fft.ts';
import { checkFftSize } from '../fft-size.ts';
import type { SampleFormat } from '../iq-format.ts';
import { bytesPerSample } from '../iq-format.ts';
import { Spectrogram } from '../spectrogram.ts';
import { checkSampleRate } from '../welch.ts';
import { makeWindow } from '../window.ts';
import { BurstTracker, framesToAverage, hangoverFor } from './burst.ts';
import type { Channel } from './cfar.ts';
import { resolveCoincident } from './coincident.ts';
import { bridgeGuard, dcGuardRange } from './dc-guard.ts';
import { describeBurst } from './describe.ts';
import type { Detection } from './detection.ts';
import type { BinRange } from './noise-floor.ts';
import type { WindowCorrelation } from './noise-stats.ts';
import { averagedShape, windowCorrelation } from './noise-stats.ts';
import { Survey } from './survey.ts';
import type { SurveyPlan } from './survey.ts';

export interface RecordingParams {
  readonly format: SampleFormat;
  /** Samples per second. */
  readonly sampleRate: number;
  /** Centre frequency of the capture in Hz (0 when unknown: frequencies are then offsets). */
  readonly centerFrequency: number;
}

export interface AnalyzerOptions {
  /** FFT size of the survey spectra (default {@link defaultFftSize}: bins of about 1.5 kHz). */
  readonly fftSize?: number;
  /** Segments averaged per short-time frame in pass 2 (default 1). */
  readonly segmentsPerFrame?: number;
  /** Probability that noise alone yields a channel in one spectrum search (default 1e-3). */
  readonly pfa?: number;
  /** Detections with a lower in-band SNR are dropped (default 6 dB). */
  readonly minSnrDb?: number;
  /** Half-width in bins of the DC guard around the centre bin; -1 turns it off (default 1). */
  readonly dcGuardBins?: number;
  /** Quiet frames a burst survives (default: 2 frames or 2 ms, whichever is longer). */
  readonly hangoverFrames?: number;
  /** Bins a channel gets in its pass-2 spectrogram, about (default 64). */
  readonly channelBins?: number;
  /** The occupied band counts only the spectrum within this many dB of its peak (default 30). */
  readonly bandRangeDb?: number;
  /** Hot-loop implementation of the spectrograms (default `wasm`). */
  readonly engine?: DspEngine;
}

/** A power of two giving bins of about 1.5 kHz, clamped to 256..65536. */
export function defaultFftSize(sampleRate: number): number {
  const n = 2 ** Math.round(Math.log2(sampleRate / 1500));
  return Math.max(256, Math.min(65536, n));
}

/** Validates what every detector takes; throws {@link UserError} naming the field. */
export function checkDetectorOptions(params: RecordingParams, opts: AnalyzerOptions): number {
  checkSampleRate(params.sampleRate);
  bytesPerSample(params.format);
  const n = opts.fftSize ?? defaultFftSize(params.sampleRate);
  checkFftSize(n, 'fftSize');
  if (n < 16)
    throw new UserError(`FFT size ${n} is too small for detection`, {
      field: 'fftSize',
      fix: 'use 256 or more',
    });
  const spf = opts.segmentsPerFrame ?? 1;
  if (!Number.isInteger(spf) || spf < 1) {
    throw new UserError(`segments per frame must be a whole number >= 1 (got ${spf})`, {
      field: 'segmentsPerFrame',
      fix: 'use 1 for one FFT per frame, or more to average',
    });
  }
  const pfa = opts.pfa ?? 1e-3;
  if (!(pfa > 0 && pfa < 1)) {
    throw new UserError(`false-alarm probability must be between 0 and 1 (got ${pfa})`, {
      field: 'pfa',
      fix: 'use e.g. 0.001',
    });
  }
  return n;
}

interface Group {
  readonly fftSize: number;
  readonly spectrogram: Spectrogram;
  readonly trackers: BurstTracker[];
  readonly psd: Float64Array;
  readonly guard: BinRange | undefined;
  readonly frameShape: number;
  readonly correlation: WindowCorrelation;
  frames: number;
}

export class Analyzer {
  readonly params: RecordingParams;
  readonly fftSize: number;
  private readonly opts: AnalyzerOptions;
  private readonly spectrogram: Spectrogram;
  private readonly survey1: Survey;
  private surveyBytes = 0;
  private segmentBytes = 0;
  private surveyPlan: SurveyPlan | undefined;
  private groups: Group[] = [];
  private done = false;

  constructor(params: RecordingParams, opts: AnalyzerOptions = {}) {
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
    this.survey1 = new Survey(
      n,
      windowCorrelation(makeWindow('hann', n), this.spectrogram.step),
      dcGuardRange(n, opts.dcGuardBins ?? 1),
    );
  }

  /** Pass 1: feed the recording's bytes in order, in chunks of any size. */
  survey(bytes: Uint8Array): void {
    if (this.surveyPlan !== undefined) throw new Error('survey() after plan(): start a new Analyzer');
    this.surveyBytes += bytes.length;
    this.spectrogram.push(bytes, (f) => this.survey1.add(f.psd));
  }

  /** Ends pass 1: estimates the floor and finds the channels pass 2 will segment. */
  plan(): SurveyPlan {
    if (this.surveyPlan !== undefined) return this.surveyPlan;
    this.surveyPlan = this.survey1.result(this.opts.pfa ?? 1e-3);
    this.groups = this.makeGroups(this.surveyPlan);
    this.spectrogram.dispose();
    return this.surveyPlan;
  }

  private makeGroups(plan: SurveyPlan): Group[] {
    const n = this.fftSize;
    const fs = this.params.sampleRate;
    const minBins = this.opts.channelBins ?? 64;
    const spf = this.opts.segmentsPerFrame ?? 1;
    const guardBins = this.opts.dcGuardBins ?? 1;
    const spikePower = (plan.dcSpikeDensitySum * fs) / n;
    const byN = new Map<number, { channel: Channel; level: number }[]>();
    plan.channels.forEach((c, i) => {
      const n2 = channelFftSize(n, c.to - c.from, minBins);
      byN.set(n2, [...(byN.get(n2) ?? []), { channel: c, level: plan.levels[i] ?? 0 }]);
    });
    return [...byN.entries()].map(([n2, channels]) => {
      const ratio = n / n2;
      const floor = resample(plan.floor.density, n2);
      const spectrogram = new Spectrogram({
        fftSize: n2,
        format: this.params.format,
        segmentsPerFrame: spf,
        sampleRate: fs,
        ...(this.opts.engine === undefined ? {} : { engine: this.opts.engine }),
      });
      const correlation = windowCorrelation(makeWindow('hann', n2), spectrogram.step);
      const frameShape = averagedShape(correlation, spf);
      // DC spike: bridged like in pass 1 when it stands out at this resolution; otherwise (there
      // is none, or a wide bin dilutes it) it is expected power, added to the baseline, and a
      // signal crossing the centre keeps all its bins.
      let guard = dcGuardRange(
        n2,
        guardBins < 0 || ratio >= 1 ? guardBins : Math.ceil((guardBins + 0.5) / ratio - 0.5),
      );
      const c2 = n2 >> 1;
      const centre = ((2 / 3) * spikePower) / (fs / n2);
      if (guard !== undefined && centre < 0.25 * (floor[c2] as number)) {
        floor[c2] = (floor[c2] as number) + centre;
        floor[c2 - 1] = (floor[c2 - 1] as number) + centre / 4;
        floor[c2 + 1] = (floor[c2 + 1] as number) + centre / 4;
        guard = undefined;
      }
      const trackers = channels.map(({ channel: c, level }) => {
        const from = Math.max(0, Math.round((c.from - 0.5 - n / 2) / ratio + n2 / 2));
        const to = Math.max(from + 1, Math.min(n2, Math.round((c.to - 0.5 - n / 2) / ratio + n2 / 2)));
        return new BurstTracker({
          span: { from, to },
          floor,
          frameShape,
          correlation,
          marginDb: plan.marginDb,
          averageFrames: framesToAverage(correlation, frameShape, to - from, level),
          hangoverFrames: this.opts.hangoverFrames ?? hangoverFor(fs, spectrogram.step * spf),
        });
      });
      return {
        fftSize: n2,
        spectrogram,
        trackers,
        psd: new Float64Array(n2),
        guard,
        frameShape,
        correlation,
        frames: 0,
      };
    });
  }

  /** Pass 2: feed the same bytes again, from the start, in order. */
  segment(bytes: Uint8Array): void {
    if (this.surveyPlan === undefined) this.plan();
    this.segmentBytes += bytes.length;
    for (const g of this.groups) {
      g.spectrogram.push(bytes, (f) => {
        g.frames++;
        g.psd.set(f.psd);
        bridgeGuard(g.psd, g.guard);
        for (const t of g.trackers) t.push(g.psd, f.startSample, f.sampleCount);
      });
    }
  }

  /** Ends pass 2 and returns the detections, ordered by start. */
  finish(): Detection[] {
    if (this.surveyPlan === undefined) this.plan();
    if (this.done) throw new Error('finish() called twice');
    this.done = true;
    const totalSamples = Math.floor(
      Math.max(this.segmentBytes, this.surveyBytes) / bytesPerSample(this.params.format),
    );
    const out: Detection[] = [];
    for (const g of this.groups) {
      for (const t of g.trackers) {
        t.flush(totalSamples);
        for (const b of t.take()) {
          const d = describeBurst(b, {
            sampleRate: this.params.sampleRate,
            centerFrequency: this.params.centerFrequency,
            fftSize: g.fftSize,
            correlation: g.correlation,
            frameShape: g.frameShape,
            dutyCycle: g.frames > 0 ? t.activeFrames / g.frames : 0,
            totalSamples,
            minSnrDb: this.opts.minSnrDb ?? 6,
            bandRangeDb: this.opts.bandRangeDb ?? 30,
          });
          if (d !== undefined) out.push(d);
        }
      }
      g.spectrogram.dispose();
    }
    return resolveCoincident(out, { totalSamples, slackSamples: this.fftSize });
  }
}

/**
 * A density spectrum at another FFT size: averaged over the fine bins a coarse bin covers, or
 * interpolated linearly between bins for a finer size.
 */
function resample(density: Float64Array, n2: number): Float64Array {
  const n = density.length;
  const ratio = n / n2;
  const out = new Float64Array(n2);
  const at = (k: number): number => density[Math.min(n - 1, Math.max(0, k))] as number;
  for (let j = 0; j < n2; j++) {
    const x = (j - n2 / 2) * ratio + n / 2;
    if (ratio >= 1) {
      let s = 0;
      for (let k = Math.ceil(x - ratio / 2); k < Math.ceil(x + ratio / 2); k++) s += at(k);
      out[j] = s / ratio;
    } else {
      const k = Math.floor(x);
      out[j] = at(k) + (at(k + 1) - at(k)) * (x - k);
    }
  }
  return out;
}

/**
 * Pass-2 FFT size for a channel `width` bins wide at survey size `n`: the power of two that gives
 * it about `minBins` bins, down to 16 for wide channels (which then get fine time resolution) and
 * up to 4 n for narrow ones (whose bandwidth is then measured on more bins).
 */
export function channelFftSize(n: number, width: number, minBins: number): number {
  const shift = Math.floor(Math.log2(width / minBins));
  const n2 = shift >= 0 ? n / 2 ** shift : n * 2 ** Math.min(2, Math.ceil(Math.log2(minBins / width)));
  return Math.max(16, Math.min(65536, n2));
}

/** Both passes over an in-memory recording (tests, small files). */
export function analyzeBytes(
  bytes: Uint8Array,
  params: RecordingParams,
  opts: AnalyzerOptions = {},
): Detection[] {
  const a = new Analyzer(params, opts);
  a.survey(bytes);
  a.plan();
  a.segment(bytes);
  return a.finish();
}
