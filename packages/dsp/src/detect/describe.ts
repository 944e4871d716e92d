/**
 * From a finished burst to a {@link Detection}: spectral features of its mean spectrum (see
 * `features.ts`), SNR, powers, occupied band in absolute frequency, and the class.
 *
 * - The window widens every line by its own occupied bandwidth (about 3 Hann bins for a pure
 *   tone); widths combine roughly in quadrature, so that much is taken out of the measured band,
 *   around its middle. A tone then reports a bandwidth near 0.
 * - An unresolved line (under 4.5 bins) has no bandwidth of its own: its SNR uses the noise in the
 *   window's equivalent noise bandwidth (1.5 bins, what a spectrum analyser's RBW shows).
 * - `envelopeRatio` compares the frame-to-frame variation of the in-band power with what a
 *   Gaussian signal of the same width and SNR would show (Gamma laws of the bins involved).
 */
import { db, dbfs, hz, samples } from '../units.ts';
import type { BurstRecord } from './burst.ts';
import type { ClassFeatures } from './classify.ts';
import { classify } from './classify.ts';
import type { Detection } from './detection.ts';
import { measureSpectrum } from './features.ts';
import type { WindowCorrelation } from './noise-stats.ts';
import { averagedShape, binSumShape } from './noise-stats.ts';

const DB = 10 / Math.LN10;
/** Occupied bandwidth (99 %) of a pure tone through the Hann window, in bins (measured: 2.9-3.1). */
const LINE_BINS_99 = 3;
/** Below this occupied bandwidth (bins) a signal is an unresolved line. */
const LINE_BINS = 4.5;
/** Equivalent noise bandwidth of the Hann window, in bins. */
const HANN_ENBW = 1.5;

export interface DescribeContext {
  readonly sampleRate: number;
  readonly centerFrequency: number;
  /** FFT size of the frames the burst was tracked on. */
  readonly fftSize: number;
  readonly correlation: WindowCorrelation;
  /** Gamma shape of one noise-only bin of one frame. */
  readonly frameShape: number;
  /** Duty cycle of the burst's channel, 0..1. */
  readonly dutyCycle: number;
  /** Samples in the recording (or seen so far): ends are clipped to it. */
  readonly totalSamples: number;
  /** Bursts with a lower in-band SNR are dropped. */
  readonly minSnrDb: number;
  /** The occupied band counts only the spectrum within this many dB of its peak. */
  readonly bandRangeDb: number;
}

/** The detection for a burst, or undefined when it has no excess power or too low an SNR. */
export function describeBurst(b: BurstRecord, ctx: DescribeContext): Detection | undefined {
  const noiseShape = averagedShape(ctx.correlation, b.frames) * ctx.frameShape;
  const f = measureSpectrum(b.meanPsd, b.floor, 0.99, ctx.bandRangeDb, noiseShape);
  if (f === undefined) return undefined;
  const binHz = ctx.sampleRate / ctx.fftSize;
  const offset = (bin: number): number => (b.span.from + bin - ctx.fftSize / 2) * binHz;
  const measured = f.upperBin - f.lowerBin;
  const noiseBins = measured < LINE_BINS ? HANN_ENBW : Math.max(1, Math.round(measured));
  const snr = DB * Math.log(f.signalSum / ((f.noiseSum / f.bandBinCount) * noiseBins));
  if (!(snr >= ctx.minSnrDb)) return undefined;
  const start = Math.max(0, Math.round(b.startSample));
  const end = Math.min(ctx.totalSamples, Math.max(start + 1, Math.round(b.endSample)));
  const width = Math.sqrt(Math.max(0, measured * measured - LINE_BINS_99 * LINE_BINS_99));
  const mid = (f.upperBin + f.lowerBin) / 2;
  const lower = ctx.centerFrequency + offset(mid - width / 2);
  const upper = ctx.centerFrequency + offset(mid + width / 2);

  const spanBins = b.span.to - b.span.from;
  const bandCount = Math.min(spanBins, Math.max(1, Math.round(measured)));
  const inBand = Math.min(1, f.noiseSum / b.noiseSum);
  const e = b.meanExcess;
  const gaussVar =
    (e + inBand) ** 2 / binSumShape(ctx.correlation, ctx.frameShape, bandCount) +
    (spanBins > bandCount
      ? (1 - inBand) ** 2 / binSumShape(ctx.correlation, ctx.frameShape, spanBins - bandCount)
      : 0);
  const gaussCv = e > 0 ? Math.sqrt(gaussVar) / e : Number.NaN;
  const evidence: ClassFeatures = {
    bandwidthHz: upper - lower,
    bandwidthBins: measured,
    flatness: f.flatness,
    carrierFraction: f.carrierFraction,
    symmetry: f.symmetry,
    peakOffset: f.peakOffset,
    centreDip: f.centreDip,
    frameWidthRatio: f.rmsWidthBins > 0 ? b.meanFrameWidthBins / f.rmsWidthBins : 1,
    sweepFraction:
      measured > 0 ? (Math.abs(b.peakSlopeBinsPerSample) * (b.endSample - b.startSample)) / measured : 0,
    sweepR2: b.peakFitR2,
    envelopeRatio: b.excessCv / gaussCv,
    frames: b.frames,
  };
  const cls = classify(evidence);
  return {
    sampleStart: samples(start),
    sampleCount: samples(end - start),
    freqLowerHz: hz(lower),
    freqUpperHz: hz(upper),
    centerHz: hz(ctx.centerFrequency + offset(f.centroidBin)),
    bandwidthHz: hz(upper - lower),
    peakPowerDbfs: dbfs(DB * Math.log(Math.max(b.maxExcess, 1e-30) * b.noiseSum * binHz)),
    powerDbfs: dbfs(DB * Math.log(f.signalSum * binHz)),
    snrDb: db(snr),
    noiseFloorDbfsPerHz: DB * Math.log(f.noiseSum / f.bandBinCount),
    flatness: f.flatness,
    dutyCycle: ctx.dutyCycle,
    class: cls.class,
    classConfidence: cls.confidence,
    evidence,
  };
}
