/**
 * Coarse signal class from features that can be explained, with a confidence in [0, 1].
 *
 * Features (all measured on one detection, see `features.ts` and `burst.ts`):
 * - `bandwidthBins`: occupied bandwidth in bins of the spectrum it was measured on, before the
 *   window's own width is taken out; a pure tone measures about 3 Hann bins.
 * - `carrierFraction`, `symmetry`, `peakOffset`, `centreDip`: AM keeps a strong carrier in the
 *   middle of two mirrored sidebands; 2-FSK has two tones with a dip between them.
 * - `frameWidthRatio`: mean RMS width of single frames over the RMS width of the detection. A
 *   sweep occupies a narrow slice at any instant.
 * - `sweepFraction`, `sweepR2`: how far the per-frame peak moves along a straight line in time,
 *   as a fraction of the bandwidth, and how well a line fits. A chirp sweeps its band linearly.
 * - `envelopeRatio`: variation of the in-band power from frame to frame over what a Gaussian,
 *   noise-like signal of the same width and SNR would show. Constant-envelope modulations (FM,
 *   FSK, chirps) sit well below 1 (about 0.2-0.4), noise-like ones (OFDM, filtered PSK) near
 *   0.6-1, on-off keying above 1.1. NaN for detections of fewer than 3 interior frames.
 * - `flatness`: a flat top (OFDM, noise-like) is near 1; lines and two-tone spectra are low.
 *
 * Decision list, first match wins; the confidence is the smallest of the soft margins (0..1)
 * by which the matched rule's conditions hold, so a signal near a boundary gets a low value.
 * 1. cw: unresolved (bandwidthBins <= 4.5) with the power in the peak bins (carrier >= 0.8).
 * 2. chirp: sweeps >= 50 % of its band linearly (R2 >= 0.8), narrow per frame (ratio <= 0.5).
 * 3. digital-narrow (ASK/OOK): keyed envelope (ratio >= 1.05), bandwidth < 300 kHz.
 * 4. digital-narrow (FSK): constant envelope, a dip in the middle of the band (dip >= 0.4).
 * 5. am: carrier >= 0.3 in the centre (offset < 0.25) with mirrored sidebands (symmetry >= 0.5).
 * 6. fm: constant envelope (ratio <= 0.45), no dominant carrier, resolved.
 * 7. wideband: noise-like flat top (flatness >= 0.6, carrier < 0.3), bandwidth >= 300 kHz.
 * 8. digital-narrow: resolved, no dominant carrier, bandwidth < 300 kHz.
 * 9. unknown.
 */
import type { SignalClass } from './detection.ts';

export interface ClassFeatures {
  readonly bandwidthHz: number;
  readonly bandwidthBins: number;
  readonly flatness: number;
  readonly carrierFraction: number;
  readonly symmetry: number;
  readonly peakOffset: number;
  readonly centreDip: number;
  readonly frameWidthRatio: number;
  readonly sweepFraction: number;
  readonly sweepR2: number;
  /** NaN when the detection is too short to tell. */
  readonly envelopeRatio: number;
  readonly frames: number;
}

export interface Classification {
  readonly class: SignalClass;
  readonly confidence: number;
}

/** Bandwidth that separates `wideband` from `digital-narrow`. */
export const WIDEBAND_HZ = 300e3;

/**
 * Soft margin of `x >= t` (or `x <= t` for `below`): 0.5 at the threshold, 1 once x is `span`
 * beyond it on the right side, 0 as far on the wrong side. NaN (unknown) counts as 0.5.
 */
function above(x: number, t: number, span: number): number {
  if (Number.isNaN(x)) return 0.5;
  return Math.max(0, Math.min(1, 0.5 + (x - t) / (2 * span)));
}
function below(x: number, t: number, span: number): number {
  if (Number.isNaN(x)) return 0.5;
  return Math.max(0, Math.min(1, 0.5 + (t - x) / (2 * span)));
}

interface Rule {
  readonly class: SignalClass;
  readonly margins: (f: ClassFeatures) => number[];
}

const RULES: readonly Rule[] = [
  { class: 'cw', margins: (f) => [below(f.bandwidthBins, 4.5, 1.5), above(f.carrierFraction, 0.8, 0.15)] },
  {
    class: 'chirp',
    margins: (f) => [
      above(f.frames, 4, 2),
      above(f.sweepFraction, 0.5, 0.3),
      above(f.sweepR2, 0.8, 0.15),
      below(f.frameWidthRatio, 0.5, 0.3),
    ],
  },
  {
    class: 'digital-narrow',
    margins: (f) => [above(f.envelopeRatio, 1.05, 0.25), below(f.bandwidthHz, WIDEBAND_HZ, WIDEBAND_HZ / 2)],
  },
  {
    class: 'digital-narrow',
    margins: (f) => [
      below(f.envelopeRatio, 0.45, 0.2),
      above(f.centreDip, 0.4, 0.25),
      above(f.bandwidthBins, 4.5, 1.5),
      below(f.bandwidthHz, WIDEBAND_HZ, WIDEBAND_HZ / 2),
    ],
  },
  {
    class: 'am',
    margins: (f) => [
      above(f.carrierFraction, 0.3, 0.2),
      below(f.peakOffset, 0.25, 0.2),
      above(f.symmetry, 0.5, 0.3),
      above(f.bandwidthBins, 4.5, 1.5),
    ],
  },
  {
    class: 'fm',
    margins: (f) => [
      below(f.envelopeRatio, 0.45, 0.2),
      below(f.carrierFraction, 0.5, 0.3),
      above(f.bandwidthBins, 4.5, 1.5),
    ],
  },
  {
    class: 'wideband',
    margins: (f) => [
      above(f.flatness, 0.6, 0.3),
      below(f.carrierFraction, 0.3, 0.2),
      above(f.bandwidthHz, WIDEBAND_HZ, WIDEBAND_HZ / 2),
    ],
  },
  {
    class: 'digital-narrow',
    margins: (f) => [
      above(f.bandwidthBins, 4.5, 1.5),
      below(f.carrierFraction, 0.5, 0.3),
      below(f.bandwidthHz, WIDEBAND_HZ, WIDEBAND_HZ / 2),
    ],
  },
];

export function classify(f: ClassFeatures): Classification {
  let best = 0;
  for (const rule of RULES) {
    const m = Math.min(...rule.margins(f));
    if (m > 0.5) return { class: rule.class, confidence: 2 * (m - 0.5) };
    best = Math.max(best, m);
  }
  // Confidence in `unknown`: how far the closest rule was from matching.
  return { class: 'unknown', confidence: 1 - best };
}
