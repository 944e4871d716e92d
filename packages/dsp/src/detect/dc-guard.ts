/**
 * The DC guard: direct-conversion receivers (RTL-SDR, HackRF, ...) put a steady spike at the
 * centre bin (LO leakage, IQ offset; `cu8` data has one by construction when its offset is not
 * exactly 127.5). The guard replaces the centre bin and `bins` bins either side by a straight
 * line between their neighbours, so the spike is neither a detection nor part of a signal's
 * power. A narrowband signal sitting exactly on the centre frequency is hidden with it: set
 * `bins` to -1 to turn the guard off.
 */
import type { BinRange, Spectrum } from './noise-floor.ts';

/** Bins [from, to) of the guard for an fftshifted spectrum of `fftSize` bins, or undefined when off. */
export function dcGuardRange(fftSize: number, bins: number): BinRange | undefined {
  if (bins < 0 || fftSize < 2 * bins + 3) return undefined;
  const c = fftSize >> 1;
  return { from: c - bins, to: c + bins + 1 };
}

/** Overwrites `range` in `psd` with the straight line (in dB) between the bins just outside it. */
export function bridgeGuard(psd: Spectrum, range: BinRange | undefined): void {
  if (range === undefined) return;
  const left = psd[range.from - 1];
  const right = psd[range.to];
  if (left === undefined || right === undefined) return;
  const l = Math.log(Math.max(left, 1e-300));
  const r = Math.log(Math.max(right, 1e-300));
  const span = range.to - range.from + 1;
  for (let k = range.from; k < range.to; k++) psd[k] = Math.exp(l + ((r - l) * (k - range.from + 1)) / span);
}
