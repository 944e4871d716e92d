/**
 * Path loss. Free space: FSPL = 20 log10(d) + 20 log10(f) - 147.55 dB (d in m, f in Hz).
 * Log-distance: free space up to a reference distance d0, then 10 n log10(d / d0) beyond it.
 * Shadowing: a log-normal term per link (zero-mean Gaussian in dB), drawn once from the scenario
 * seed and the link, so it is stable over time.
 */
import type { Db } from '@heimdall/dsp';
import { gaussianAt, hashString } from './prng.ts';

export type PathLossModel =
  | { readonly model: 'free-space'; readonly shadowingSigmaDb: number }
  | {
      readonly model: 'log-distance';
      readonly exponent: number;
      readonly referenceDistanceM: number;
      readonly shadowingSigmaDb: number;
    };

/** Free-space path loss in dB (never below 0: distances under a wavelength are clamped). */
export function freeSpacePathLoss(distanceM: number, frequencyHz: number): Db {
  const lambda = 299_792_458 / frequencyHz;
  const d = Math.max(distanceM, lambda / (4 * Math.PI));
  return (20 * Math.log10(d) + 20 * Math.log10(frequencyHz) - 147.55) as Db;
}

/** Median path loss (without shadowing) in dB. */
export function pathLoss(model: PathLossModel, distanceM: number, frequencyHz: number): Db {
  if (model.model === 'free-space' || distanceM <= model.referenceDistanceM) {
    return freeSpacePathLoss(distanceM, frequencyHz);
  }
  const ref = freeSpacePathLoss(model.referenceDistanceM, frequencyHz);
  return (ref + 10 * model.exponent * Math.log10(distanceM / model.referenceDistanceM)) as Db;
}

/** The link's shadowing in dB (positive = extra loss), fixed for a seed, emitter and node. */
export function shadowing(model: PathLossModel, seed: number, emitter: string, node: string): Db {
  if (model.shadowingSigmaDb === 0) return 0 as Db;
  return (model.shadowingSigmaDb * gaussianAt(seed, hashString(emitter), hashString(node))) as Db;
}
