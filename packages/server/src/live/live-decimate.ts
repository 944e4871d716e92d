/**
 * Fits a spectrum frame to what one live viewer shows: the bins of its frequency range, reduced to
 * at most `maxBins` by max-hold (each output bin is the highest of the `k` input bins it covers, so
 * a narrow carrier never disappears between pixels). A browser draws a waterfall a few hundred to a
 * few thousand pixels wide: a 4096-bin frame at 10 frames/s is about 330 kbit/s, cut to the visible
 * band and to 1024 bins it is under 90 kbit/s.
 *
 * The result is a valid frame of the same resolution bandwidth: bin width, and so `sampleRateHz /
 * fftSize`, are kept; centre, span and FFT size describe the cut-out (`fftSize` stays a multiple of
 * the bin count, as the codec requires). The last output bin may cover a little beyond the input
 * frame (fewer than `k` input bins); its value is the maximum of the bins that exist.
 */
import type { SpectrumFrame } from '@heimdall/protocol';

export interface LiveView {
  readonly freqMinHz?: number | undefined;
  readonly freqMaxHz?: number | undefined;
  readonly maxBins: number;
}

/** The frame unchanged when it already fits, otherwise a new, cropped and max-hold decimated one. */
export function fitFrameToView(frame: SpectrumFrame, view: LiveView): SpectrumFrame {
  const n = frame.bins.length;
  const binHz = frame.sampleRateHz / n;
  const low = frame.centerHz - frame.sampleRateHz / 2;
  let i0 = 0;
  let i1 = n;
  if (view.freqMinHz !== undefined)
    i0 = Math.max(0, Math.min(n - 1, Math.floor((view.freqMinHz - low) / binHz)));
  if (view.freqMaxHz !== undefined)
    i1 = Math.max(i0 + 1, Math.min(n, Math.ceil((view.freqMaxHz - low) / binHz)));
  const span = i1 - i0;
  const maxBins = Math.max(1, Math.floor(view.maxBins));
  if (span === n && n <= maxBins) return frame;
  const k = Math.ceil(span / maxBins);
  const m = Math.ceil(span / k);
  const out = frame.bins instanceof Uint16Array ? new Uint16Array(m) : new Uint8Array(m);
  const src = frame.bins;
  for (let j = 0; j < m; j++) {
    const a = i0 + j * k;
    const b = Math.min(i1, a + k);
    let best = src[a] as number;
    for (let i = a + 1; i < b; i++) {
      const v = src[i] as number;
      if (v > best) best = v;
    }
    out[j] = best;
  }
  const group = frame.fftSize / n;
  const coveredHz = m * k * binHz;
  return {
    ...frame,
    centerHz: low + i0 * binHz + coveredHz / 2,
    sampleRateHz: coveredHz,
    fftSize: m * k * group,
    bins: out,
  };
}
