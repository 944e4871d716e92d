/**
 * Detection on one frame's averaged PSD, the simplest correct use of the dsp package's detection
 * parts for a duty-cycled edge: the robust noise floor of the frame (`estimateNoiseFloor`), bins
 * above the band's `threshold_db` over that floor joined into runs (`hotRuns`), each run kept only
 * when its summed power also passes the CFAR test of `cfar.ts` (so averaging few segments does not
 * turn noise peaks into detections), then measured (`measureSpectrum`: 99 % occupied band, power,
 * SNR) and classified (`classify`) from what one frame can show.
 *
 * Why not the StreamingDetector: it needs the continuous IQ stream, while the edge takes a few
 * Welch segments per frame (and stitched sweeps have no stream at all).
 */
import {
  binSumShape,
  classify,
  estimateNoiseFloor,
  gammaUpperQuantile,
  hotRuns,
  measureSpectrum,
  type SignalClass,
  type WindowCorrelation,
} from '@heimdall/dsp';

export interface FrameDetection {
  /** Fine bins [from, to) searched for this signal. */
  readonly from: number;
  readonly to: number;
  /** Occupied band edges and centroid, fine-bin positions (bin j spans j - 0.5 .. j + 0.5). */
  readonly lowerBin: number;
  readonly upperBin: number;
  readonly centroidBin: number;
  readonly snrDb: number;
  /** In-band signal power (noise subtracted), dBFS. */
  readonly powerDbfs: number;
  readonly label: SignalClass;
}

export interface FrameDetectorOptions {
  /** Gamma shape of one averaged noise-only bin (see `averagedShape`). */
  readonly shape: number;
  readonly correlation: WindowCorrelation;
  /** Bins above the floor by this much are candidates, dB (the band's `threshold_db`). */
  readonly thresholdDb: number;
  /** Width of one bin, Hz (for powers and classes). */
  readonly binHz: number;
  /** Probability that a noise-only frame yields a detection (default 1e-3). */
  readonly pfa?: number;
}

const DB = 10 / Math.LN10;
/** A pure tone measures about 3 Hann bins at 99 %; below 4.5 bins a signal is a line. */
const LINE_BINS = 4.5;
const HANN_ENBW = 1.5;

/** Signals in a linear PSD (fine bins, fftshifted, density per Hz of [-1, 1) samples). */
export function detectInFrame(psd: Float64Array, o: FrameDetectorOptions): FrameDetection[] {
  const n = psd.length;
  if (n < 16) return [];
  const floor = estimateNoiseFloor(psd, { shape: o.shape }).density;
  const t = 10 ** (o.thresholdDb / 10);
  const hot = new Uint8Array(n);
  for (let k = 0; k < n; k++) hot[k] = (psd[k] as number) > t * (floor[k] as number) ? 1 : 0;
  const pfa = (o.pfa ?? 1e-3) / n;
  const out: FrameDetection[] = [];
  for (const run of hotRuns(hot, 2)) {
    let p = 0;
    let f = 0;
    for (let k = run.from; k < run.to; k++) {
      p += psd[k] as number;
      f += floor[k] as number;
    }
    const width = run.to - run.from;
    if (!(f > 0) || p / f < t || p / f < gammaUpperQuantile(binSumShape(o.correlation, o.shape, width), pfa))
      continue;
    // measure on the run and a margin for its skirts
    const margin = Math.max(2, width >> 1);
    const from = Math.max(0, run.from - margin);
    const to = Math.min(n, run.to + margin);
    const m = measureSpectrum(psd.subarray(from, to), floor.subarray(from, to), 0.99, 30, o.shape);
    if (m === undefined) continue;
    const measured = m.upperBin - m.lowerBin;
    const noiseBins = measured < LINE_BINS ? HANN_ENBW : Math.max(1, Math.round(measured));
    const snrDb = DB * Math.log(m.signalSum / ((m.noiseSum / m.bandBinCount) * noiseBins));
    if (!Number.isFinite(snrDb) || snrDb < o.thresholdDb) continue;
    const cls = classify({
      bandwidthHz: measured * o.binHz,
      bandwidthBins: measured,
      flatness: m.flatness,
      carrierFraction: m.carrierFraction,
      symmetry: m.symmetry,
      peakOffset: m.peakOffset,
      centreDip: m.centreDip,
      frameWidthRatio: 1,
      sweepFraction: 0,
      sweepR2: 0,
      envelopeRatio: Number.NaN,
      frames: 1,
    });
    out.push({
      from,
      to,
      lowerBin: from + m.lowerBin,
      upperBin: from + m.upperBin,
      centroidBin: from + m.centroidBin,
      snrDb,
      powerDbfs: DB * Math.log(Math.max(m.signalSum * o.binHz, 1e-30)),
      label: cls.class,
    });
  }
  return out;
}
