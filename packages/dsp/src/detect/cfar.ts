/**
 * CFAR-style channel search on averaged spectra.
 *
 * The noise floor (see `noise-floor.ts`) gives the expected noise density in every bin; noise-only
 * bins of a PSD averaged to Gamma shape `a` exceed `floor * t` with probability p, where t is the
 * upper p-quantile of the mean-1 Gamma(a) law. So every threshold here comes from a false-alarm
 * probability and the number of averaged segments, widened by a margin for the uncertainty of
 * the floor itself.
 *
 * 1. Candidate bins exceed the loose per-bin threshold (`candidatePfa`).
 * 2. Runs of candidates are merged across gaps (a signal's spectrum dips between FSK tones or
 *    OFDM pilots): gaps up to `maxGapBins`, or up to the width of the narrower run. Two separate
 *    signals that close are one channel; bursts at different times still become separate
 *    detections, each with its own band.
 * 3. Each run is widened while its bins stay above a low threshold (a 20 % false-alarm level), so
 *    the channel spans the signal's skirts; features later measure the occupied bandwidth inside.
 * 4. A run is kept only if the summed power of its bins passes the strict test: with `pfa` the
 *    probability that a noise-only spectrum of N bins yields any channel, each run is tested at
 *    pfa / N against the Gamma law of a sum of correlated adjacent bins.
 */
import type { BinRange, Spectrum } from './noise-floor.ts';
import type { WindowCorrelation } from './noise-stats.ts';
import { binSumShape, gammaUpperQuantile, maxHoldQuantile } from './noise-stats.ts';

/** Bins [from, to) of an fftshifted spectrum that hold one signal (and its skirts). */
export interface Channel {
  readonly from: number;
  readonly to: number;
}

export interface ChannelSearchOptions {
  /** Gamma shape of one noise-only bin of the spectrum searched. */
  readonly shape: number;
  /** Window correlations (for the shape of sums of adjacent bins). */
  readonly correlation: WindowCorrelation;
  /** Probability that a noise-only spectrum yields any channel (default 1e-3). */
  readonly pfa?: number;
  /** Per-bin false-alarm probability of candidate bins (default 1e-3). */
  readonly candidatePfa?: number;
  /** Added to every threshold, in dB, for the uncertainty of the floor (default 0). */
  readonly marginDb?: number;
  /** Gaps of up to this many bins between candidate runs are bridged (default 2). */
  readonly maxGapBins?: number;
  /** Bins never part of a channel (e.g. the DC guard when it is not bridged). */
  readonly exclude?: BinRange;
}

const fromDb = (db: number): number => 10 ** (db / 10);

/** Runs of `hot` bins [from, to), merged across gaps of up to max(maxGap, the narrower run's width). */
export function hotRuns(hot: Uint8Array, maxGap: number): Channel[] {
  const runs: Channel[] = [];
  let start = -1;
  for (let k = 0; k <= hot.length; k++) {
    const on = k < hot.length && hot[k] === 1;
    if (on && start < 0) start = k;
    else if (!on && start >= 0) {
      const last = runs[runs.length - 1];
      const gap = last === undefined ? Infinity : start - last.to;
      const allowed = last === undefined ? 0 : Math.max(maxGap, Math.min(last.to - last.from, k - start));
      if (last !== undefined && gap <= allowed) runs[runs.length - 1] = { from: last.from, to: k };
      else runs.push({ from: start, to: k });
      start = -1;
    }
  }
  return runs;
}

/** Widens `c` while neighbouring bins have ratio above `t`, then returns it. */
function widen(c: Channel, ratio: (k: number) => number, t: number, n: number): Channel {
  let from = c.from;
  let to = c.to;
  while (from > 0 && ratio(from - 1) > t) from--;
  while (to < n && ratio(to) > t) to++;
  return { from, to };
}

/** Sorts and merges channels that overlap or touch. */
export function mergeChannels(channels: readonly Channel[]): Channel[] {
  const sorted = [...channels].sort((a, b) => a.from - b.from);
  const out: Channel[] = [];
  for (const c of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && c.from <= last.to)
      out[out.length - 1] = { from: last.from, to: Math.max(last.to, c.to) };
    else out.push(c);
  }
  return out;
}

/** Channels in an averaged spectrum `psd` over its noise floor `floor` (same unit). */
export function findChannels(psd: Spectrum, floor: Spectrum, opts: ChannelSearchOptions): Channel[] {
  const n = psd.length;
  const margin = fromDb(opts.marginDb ?? 0);
  const pfa = opts.pfa ?? 1e-3;
  const ratio = (k: number): number =>
    opts.exclude !== undefined && k >= opts.exclude.from && k < opts.exclude.to
      ? 0
      : (psd[k] as number) / (floor[k] as number);
  const tCand = gammaUpperQuantile(opts.shape, opts.candidatePfa ?? 1e-3) * margin;
  const tEdge = gammaUpperQuantile(opts.shape, 0.2) * margin;
  const hot = new Uint8Array(n);
  for (let k = 0; k < n; k++) hot[k] = ratio(k) > tCand ? 1 : 0;
  const kept: Channel[] = [];
  for (const run of hotRuns(hot, opts.maxGapBins ?? 2)) {
    let p = 0;
    let f = 0;
    for (let k = run.from; k < run.to; k++) {
      if (ratio(k) === 0) continue;
      p += psd[k] as number;
      f += floor[k] as number;
    }
    const shape = binSumShape(opts.correlation, opts.shape, run.to - run.from);
    if (f > 0 && p / f > gammaUpperQuantile(shape, pfa / n) * margin) kept.push(widen(run, ratio, tEdge, n));
  }
  return mergeChannels(kept);
}

export interface PeakSearchOptions {
  /** Gamma shape of one noise-only bin of one of the spectra the max-hold was taken over. */
  readonly shape: number;
  /** Number of spectra the max-hold was taken over. */
  readonly count: number;
  /** Probability that a noise-only max-hold spectrum yields any channel (default 1e-3). */
  readonly pfa?: number;
  readonly marginDb?: number;
  readonly maxGapBins?: number;
  readonly exclude?: BinRange;
}

/**
 * Channels in a max-hold spectrum: bins whose maximum over `count` spectra is beyond what noise
 * reaches with probability pfa / N, which finds short bursts that barely raise the average.
 */
export function findPeakChannels(maxHold: Spectrum, floor: Spectrum, opts: PeakSearchOptions): Channel[] {
  const n = maxHold.length;
  const margin = fromDb(opts.marginDb ?? 0);
  const t = maxHoldQuantile(opts.shape, opts.count, (opts.pfa ?? 1e-3) / n) * margin;
  const tEdge = maxHoldQuantile(opts.shape, opts.count, 0.5) * margin;
  const ratio = (k: number): number =>
    opts.exclude !== undefined && k >= opts.exclude.from && k < opts.exclude.to
      ? 0
      : (maxHold[k] as number) / (floor[k] as number);
  const hot = new Uint8Array(n);
  for (let k = 0; k < n; k++) hot[k] = ratio(k) > t ? 1 : 0;
  return mergeChannels(hotRuns(hot, opts.maxGapBins ?? 2).map((c) => widen(c, ratio, tEdge, n)));
}
