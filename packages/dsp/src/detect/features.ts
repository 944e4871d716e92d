/**
 * Spectral features of one signal from its mean PSD over a span of bins and the noise floor
 * under it. Conventions, so the numbers can be checked by hand:
 *
 * - Signal spectrum: the excess e[j] = psd[j] - floor[j], kept signed so that noise averages out
 *   instead of piling up as a positive bias.
 * - Occupied bandwidth: the band holding `occupied` (default 99 %) of the signal power, leaving
 *   half the rest on each side (ITU-R SM.328 "occupied bandwidth"), interpolated inside bins,
 *   counting only bins within `rangeDb` (default 30 dB) of the strongest and more than five
 *   standard deviations of averaged noise (`noiseShape`: Gamma shape of the averaged bins) above
 *   the floor: averaged noise in the empty bins of the span would otherwise move the edges at
 *   random, and far-down skirts (window sidelobes, transmitter pedestals) would count.
 * - Powers: density times bin width summed over the band. With the PSD scaled as Welch density of
 *   samples in [-1, 1), a full-scale complex tone (|x| = 1) integrates to 1, i.e. 0 dBFS.
 * - SNR: signal power in the band over noise power (floor) in the same band.
 * - Flatness: geometric over arithmetic mean of the excess in the band (1 = flat, near 0 = a line).
 * - Carrier fraction: power of the strongest bin and its two neighbours over the band's power
 *   (close to 1 for an unmodulated carrier, large for AM, small for FM and digital signals).
 * - Symmetry: 1 - sum|e[p+d] - e[p-d]| / sum(e[p+d] + e[p-d]) around the strongest bin's
 *   interpolated position p, d >= 2.5 bins, on the excess smoothed over 3 bins (AM sidebands
 *   mirror each other about the carrier).
 * - Peak offset: how far the strongest bin sits from the centroid, over half the bandwidth (two
 *   FSK tones put it near 1, a carrier in the middle near 0).
 * - Centre dip: 1 - (level around the centroid) / (strongest level), both averaged over 1/8 of
 *   the band: two FSK tones leave a hole in the middle, FM and noise-like signals do not.
 */
import type { Spectrum } from './noise-floor.ts';

export interface SpectralFeatures {
  /** Occupied band edges in span bins, as positions on the bin axis (bin j spans j - 0.5 .. j + 0.5). */
  readonly lowerBin: number;
  readonly upperBin: number;
  /** Power-weighted centroid in span bins. */
  readonly centroidBin: number;
  /** RMS width of the excess around the centroid, in bins. */
  readonly rmsWidthBins: number;
  /** Signal and noise power in the band: sums of density over bins (multiply by the bin width). */
  readonly signalSum: number;
  readonly noiseSum: number;
  /** Number of whole bins the sums run over. */
  readonly bandBinCount: number;
  readonly flatness: number;
  readonly carrierFraction: number;
  readonly symmetry: number;
  /** Distance of the strongest bin from the centroid over half the occupied bandwidth (0 = centred, 1 = at an edge). */
  readonly peakOffset: number;
  /** 1 - level at the centroid / strongest level, both averaged over 1/8 of the band (two-tone FSK: high). */
  readonly centreDip: number;
}

/** Features of the excess of `psd` over `floor` (same length: the span). Undefined when there is no excess. */
export function measureSpectrum(
  psd: Spectrum,
  floor: Spectrum,
  occupied = 0.99,
  rangeDb = 30,
  noiseShape = Infinity,
): SpectralFeatures | undefined {
  const n = psd.length;
  const all = new Float64Array(n);
  let top = 0;
  for (let j = 0; j < n; j++) {
    all[j] = (psd[j] as number) - (floor[j] as number);
    top = Math.max(top, all[j] as number);
  }
  // The occupied band is measured on the part of the spectrum within rangeDb of its peak and
  // clear of the noise: five standard deviations of an averaged noise-only bin.
  const least = top * 10 ** (-rangeDb / 10);
  const noiseSd = 5 / Math.sqrt(noiseShape);
  const e = all.map((v, j) => (v >= least && v >= noiseSd * (floor[j] as number) ? v : 0));
  let total = 0;
  for (let j = 0; j < n; j++) total += e[j] as number;
  if (!(total > 0)) return undefined;
  const tail = ((1 - occupied) / 2) * total;

  let lowerBin = -0.5;
  let acc = 0;
  for (let j = 0; j < n; j++) {
    const v = e[j] as number;
    if (acc + v >= tail && v > 0) {
      lowerBin = j - 0.5 + (tail - acc) / v;
      break;
    }
    acc += v;
  }
  let upperBin = n - 0.5;
  acc = 0;
  for (let j = n - 1; j >= 0; j--) {
    const v = e[j] as number;
    if (acc + v >= tail && v > 0) {
      upperBin = j + 0.5 - (tail - acc) / v;
      break;
    }
    acc += v;
  }
  if (upperBin < lowerBin) [lowerBin, upperBin] = [upperBin, lowerBin];
  const lo = Math.max(0, Math.round(lowerBin));
  const hi = Math.min(n - 1, Math.round(upperBin));

  let sig = 0;
  let noise = 0;
  let moment = 0;
  let peak = -Infinity;
  let peakAt = lo;
  for (let j = lo; j <= hi; j++) {
    const v = all[j] as number;
    sig += v;
    noise += floor[j] as number;
    moment += j * v;
    if (v > peak) {
      peak = v;
      peakAt = j;
    }
  }
  // Centroid over the whole span of the in-range spectrum (the same values the band edges come
  // from), so a band edge that falls inside a bin does not pull it.
  let eMoment = 0;
  for (let j = 0; j < n; j++) eMoment += j * (e[j] as number);
  const centroidBin = total > 0 ? eMoment / total : sig > 0 ? moment / sig : (lowerBin + upperBin) / 2;
  let spread = 0;
  let pos = 0;
  for (let j = lo; j <= hi; j++) {
    const v = Math.max(0, all[j] as number);
    spread += (j - centroidBin) ** 2 * v;
    pos += v;
  }
  const rmsWidthBins = pos > 0 ? Math.sqrt(spread / pos) : 0;

  const tiny = peak * 1e-6;
  let logSum = 0;
  let linSum = 0;
  for (let j = lo; j <= hi; j++) {
    const v = Math.max(tiny, all[j] as number);
    logSum += Math.log(v);
    linSum += v;
  }
  const m = hi - lo + 1;
  const flatness = linSum > 0 ? Math.min(1, Math.exp(logSum / m) / (linSum / m)) : 0;

  let carrier = 0;
  for (let j = Math.max(lo, peakAt - 1); j <= Math.min(hi, peakAt + 1); j++)
    carrier += Math.max(0, all[j] as number);
  const carrierFraction = sig > 0 ? Math.min(1, carrier / sig) : 0;

  // Mirror the spectrum (smoothed over 3 bins, so that lines falling between bins still match)
  // about the interpolated peak position.
  const smooth = (x: number): number => {
    const i = Math.floor(x);
    const frac = x - i;
    const at = (k: number): number =>
      k < lo || k > hi
        ? 0
        : (Math.max(0, all[k - 1] ?? 0) + Math.max(0, all[k] as number) + Math.max(0, all[k + 1] ?? 0)) / 3;
    return at(i) * (1 - frac) + at(i + 1) * frac;
  };
  const pl = Math.max(0, all[peakAt - 1] ?? 0);
  const pr = Math.max(0, all[peakAt + 1] ?? 0);
  const pc = Math.max(0, peak);
  const curv = pl - 2 * pc + pr;
  const peakPos = peakAt + (curv < 0 ? (0.5 * (pl - pr)) / curv : 0);
  let diff = 0;
  let both = 0;
  for (let d = 2.5; peakPos - d >= lo && peakPos + d <= hi; d++) {
    const a = smooth(peakPos - d);
    const b = smooth(peakPos + d);
    diff += Math.abs(a - b);
    both += a + b;
  }
  const symmetry = both > 0 ? 1 - diff / both : 0;
  const halfWidth = Math.max(0.5, (upperBin - lowerBin) / 2);
  const peakOffset = Math.min(1, Math.abs(peakPos - centroidBin) / halfWidth);
  // Dip at the centroid relative to the strongest part, both smoothed over 1/8 of the band.
  const reach = Math.max(1, Math.round((hi - lo + 1) / 16));
  const level = (c: number): number => {
    let sum = 0;
    let cnt = 0;
    for (let j = Math.max(lo, Math.round(c) - reach); j <= Math.min(hi, Math.round(c) + reach); j++) {
      sum += all[j] as number;
      cnt++;
    }
    return cnt > 0 ? sum / cnt : 0;
  };
  let strongest = 0;
  for (let j = lo; j <= hi; j++) strongest = Math.max(strongest, level(j));
  const centreDip = strongest > 0 ? Math.max(0, Math.min(1, 1 - level(centroidBin) / strongest)) : 0;

  return {
    lowerBin,
    upperBin,
    centroidBin,
    rmsWidthBins,
    signalSum: sig,
    noiseSum: noise,
    bandBinCount: m,
    flatness,
    carrierFraction,
    symmetry,
    peakOffset,
    centreDip,
  };
}
