/**
 * The storage and ingest benches' spectra: synthetic Welch spectra with a bursty carrier
 * (packages/server/src/spectrum/synthetic-spectra.ts), quantized to 0.5 dB steps with a per-frame
 * reference, as an agent sends them.
 */
import { quantizeDb } from '@heimdall/protocol';
import { syntheticSpectra as spectra } from '../../packages/server/src/spectrum/synthetic-spectra.ts';

export const BINS = 4096;

/** `count` quantized 4096-bin spectra of one node. */
export function syntheticSpectra(seed: number, count: number): { codes: Uint8Array; refDb: number }[] {
  return spectra(seed, count, BINS, { burst: true }).map(({ psd, refDb }) => ({
    codes: quantizeDb(psd, 0.5, refDb),
    refDb,
  }));
}
