/**
 * Time difference of arrival between two IQ snippets of one transmission: band-pass in the FFT
 * domain, GCC-PHAT (phase-transform weighted cross-correlation) for the coarse peak, then a
 * continuous-delay Newton refinement of the same correlation (exact band-limited interpolation,
 * better than a parabola through three samples), and the delay's standard deviation from the
 * scatter of the cross-spectrum phase about the fitted delay (a sandwich estimate, so it follows the
 * real SNR, bandwidth and duration of the snippets).
 */
import { Fft } from '@heimdall/dsp';

/** The in-band part of one snippet's spectrum, on a zero-padded FFT grid. */
export interface BandSpectrum {
  /** FFT size (zero-padded to at least twice the snippet length). */
  readonly nfft: number;
  readonly sampleRate: number;
  /** Samples in the snippet. */
  readonly length: number;
  /** FFT bin index (0..nfft-1) of each in-band bin. */
  readonly bins: Int32Array;
  /** Angular frequency of each in-band bin relative to the band centre, rad/s. */
  readonly omega: Float64Array;
  readonly re: Float64Array;
  readonly im: Float64Array;
}

/** FFT size for snippets of `length` samples: a power of two of at least twice the length. */
export function correlationSize(length: number): number {
  let n = 16;
  while (n < 2 * length) n *= 2;
  return n;
}

/**
 * The spectrum of `iq` (interleaved re, im) restricted to [lowHz, highHz], offsets from the capture
 * centre frequency.
 */
export function bandSpectrum(
  iq: Float32Array,
  sampleRate: number,
  lowHz: number,
  highHz: number,
  nfft: number,
): BandSpectrum {
  const length = iq.length >> 1;
  const buf = new Float32Array(2 * nfft);
  buf.set(iq.subarray(0, 2 * Math.min(length, nfft)));
  new Fft(nfft).forward(buf);
  const centre = (lowHz + highHz) / 2;
  const idx: number[] = [];
  for (let k = 0; k < nfft; k++) {
    const f = ((k < nfft / 2 ? k : k - nfft) * sampleRate) / nfft;
    if (f >= lowHz && f <= highHz) idx.push(k);
  }
  const bins = Int32Array.from(idx);
  const omega = new Float64Array(bins.length);
  const re = new Float64Array(bins.length);
  const im = new Float64Array(bins.length);
  for (let i = 0; i < bins.length; i++) {
    const k = bins[i] as number;
    const f = ((k < nfft / 2 ? k : k - nfft) * sampleRate) / nfft;
    omega[i] = 2 * Math.PI * (f - centre);
    re[i] = buf[2 * k] as number;
    im[i] = buf[2 * k + 1] as number;
  }
  return { nfft, sampleRate, length, bins, omega, re, im };
}

export interface DelayEstimate {
  /** Lag of `a` behind `b` in seconds: a(t) ~ b(t - delay) on the snippets' own sample clocks. */
  readonly delay: number;
  /** Standard deviation of `delay`, seconds. */
  readonly sigma: number;
  /** PHAT peak height over the number of in-band bins, 0..1 (1 = perfectly coherent). */
  readonly peak: number;
  /** Height a noise-only peak would reach over the searched lags (detection threshold). */
  readonly threshold: number;
}

/**
 * GCC-PHAT of `a` against `b` over delays in [minDelay, maxDelay] seconds. Returns undefined when
 * the snippets do not share enough band to correlate.
 */
export function gccPhat(
  a: BandSpectrum,
  b: BandSpectrum,
  minDelay: number,
  maxDelay: number,
): DelayEstimate | undefined {
  const { nfft, sampleRate: fs } = a;
  if (b.nfft !== nfft || b.bins.length !== a.bins.length) return undefined;
  const k = a.bins.length;
  if (k < 4) return undefined;
  // Unit-magnitude cross-spectrum (the phase transform).
  const gr = new Float64Array(k);
  const gi = new Float64Array(k);
  const buf = new Float32Array(2 * nfft);
  for (let i = 0; i < k; i++) {
    const xr = (a.re[i] as number) * (b.re[i] as number) + (a.im[i] as number) * (b.im[i] as number);
    const xi = (a.im[i] as number) * (b.re[i] as number) - (a.re[i] as number) * (b.im[i] as number);
    const m = Math.hypot(xr, xi) || 1;
    gr[i] = xr / m;
    gi[i] = xi / m;
    const bin = a.bins[i] as number;
    buf[2 * bin] = gr[i] as number;
    buf[2 * bin + 1] = gi[i] as number;
  }
  new Fft(nfft).inverseUnnormalized(buf);
  const lo = Math.max(Math.ceil(minDelay * fs) - 1, -nfft / 2 + 1);
  const hi = Math.min(Math.floor(maxDelay * fs) + 1, nfft / 2 - 1);
  if (hi < lo) return undefined;
  let best = lo;
  let bestMag = -1;
  for (let m = lo; m <= hi; m++) {
    const j = m < 0 ? m + nfft : m;
    const mag = Math.hypot(buf[2 * j] as number, buf[2 * j + 1] as number);
    if (mag > bestMag) {
      bestMag = mag;
      best = m;
    }
  }
  // Newton on |R(tau)|^2, R(tau) = sum_k G_k exp(i w_k tau), within one sample of the coarse peak.
  let tau = best / fs;
  const step = 1 / fs;
  for (let iter = 0; iter < 20; iter++) {
    let r0 = 0;
    let i0 = 0;
    let r1 = 0;
    let i1 = 0;
    let r2 = 0;
    let i2 = 0;
    for (let i = 0; i < k; i++) {
      const w = a.omega[i] as number;
      const c = Math.cos(w * tau);
      const s = Math.sin(w * tau);
      const pr = (gr[i] as number) * c - (gi[i] as number) * s;
      const pi = (gr[i] as number) * s + (gi[i] as number) * c;
      r0 += pr;
      i0 += pi;
      // d/dtau: i w P ; d2: -w^2 P
      r1 -= w * pi;
      i1 += w * pr;
      r2 -= w * w * pr;
      i2 -= w * w * pi;
    }
    const d1 = 2 * (r0 * r1 + i0 * i1);
    const d2 = 2 * (r1 * r1 + i1 * i1 + r0 * r2 + i0 * i2);
    if (!(d2 < 0)) break;
    let dt = -d1 / d2;
    if (Math.abs(dt) > step / 2) dt = Math.sign(dt) * (step / 2);
    tau += dt;
    if (Math.abs(tau - best / fs) > step) tau = best / fs + Math.sign(tau - best / fs) * step;
    if (Math.abs(dt) < 1e-13) break;
  }
  // Phase residuals about the fit: the sandwich variance of the PHAT delay estimator.
  let sr = 0;
  let si = 0;
  for (let i = 0; i < k; i++) {
    const w = a.omega[i] as number;
    const c = Math.cos(w * tau);
    const s = Math.sin(w * tau);
    sr += (gr[i] as number) * c - (gi[i] as number) * s;
    si += (gr[i] as number) * s + (gi[i] as number) * c;
  }
  const theta = Math.atan2(si, sr);
  // Score u_k = w_k sin(e_k) and curvature w_k^2 cos(e_k); zero padding correlates neighbouring
  // bins, so the score variance is summed over bin lags up to a few times the padding factor
  // (a heteroskedasticity-and-autocorrelation-consistent sandwich).
  const u = new Float64Array(k);
  let den = 0;
  for (let i = 0; i < k; i++) {
    const w = a.omega[i] as number;
    const ph = Math.atan2(gi[i] as number, gr[i] as number) + w * tau - theta;
    const e = Math.atan2(Math.sin(ph), Math.cos(ph));
    u[i] = w * Math.sin(e);
    den += w * w * Math.cos(e);
  }
  const padding = nfft / Math.min(a.length, b.length);
  const span = Math.ceil(3 * padding);
  let num = 0;
  for (let d = 0; d <= span; d++) {
    let s = 0;
    for (let i = 0; i + d < k; i++) s += (u[i] as number) * (u[i + d] as number);
    num += (d === 0 ? 1 : 2 * (1 - d / (span + 1))) * s;
  }
  const sigma = den > 0 && num > 0 ? Math.sqrt(num / (den * den)) : Number.POSITIVE_INFINITY;
  const lags = hi - lo + 1;
  const independent = k / padding;
  return {
    delay: tau,
    sigma,
    peak: Math.hypot(sr, si) / k,
    threshold: Math.sqrt((Math.log(lags) + 3) / independent),
  };
}
