/**
 * Welch-like spectra for tests and benchmarks of spectrum history: a noise floor with a receiver's
 * filter roll-off, a few steady carriers, optionally a bursty one, and about 0.6 dB of estimation
 * noise (a Welch average of ~50 segments). Real spectra compress and roll up like these, not like a
 * repeated pattern. Seeded: the same arguments give the same spectra.
 */
import { prng } from '@heimdall/intel';
import { referenceDbFor } from '@heimdall/protocol';

export interface SyntheticSpectraOptions {
  /** Steady carriers (default 3). */
  readonly carriers?: number;
  /** A 20 dB carrier 120 bins wide that is on 5 spectra out of 20 (default false). */
  readonly burst?: boolean;
  /** Quantization step the reference is rounded to, dB (default 0.5). */
  readonly stepDb?: number;
}

/** `count` spectra of `bins` bins in dB, each with the reference an agent would quantize it against. */
export function syntheticSpectra(
  seed: number,
  count: number,
  bins: number,
  options: SyntheticSpectraOptions = {},
): { psd: Float32Array; refDb: number }[] {
  const { uniform, gauss } = prng(seed);
  const shape = new Float32Array(bins);
  const carriers = Array.from({ length: options.carriers ?? 3 }, () => ({
    at: Math.floor(uniform() * bins),
    width: 1 + Math.floor(uniform() * 30),
    level: 10 + uniform() * 40,
  }));
  for (let i = 0; i < bins; i++) {
    const x = (i - bins / 2) / (bins / 2);
    shape[i] = -110 - 8 * x ** 8;
    for (const c of carriers) if (Math.abs(i - c.at) <= c.width) shape[i] = (shape[i] as number) + c.level;
  }
  const burstAt = Math.floor(uniform() * bins);
  return Array.from({ length: count }, (_, k) => {
    const burst = options.burst === true && k % 20 < 5;
    const psd = new Float32Array(bins);
    for (let i = 0; i < bins; i++)
      psd[i] = (shape[i] as number) + 0.6 * gauss() + (burst && Math.abs(i - burstAt) < 60 ? 20 : 0);
    return { psd, refDb: referenceDbFor(psd, options.stepDb ?? 0.5) };
  });
}
