/**
 * Detections that start and end together belong to one transmission. A strong burst comes with
 * weaker products at the same instants: spectral regrowth, intermodulation, receiver spurs, and
 * the parts of its own spectrum that fell into neighbouring channels. This step
 * - drops a detection at least `spurDb` weaker than a coincident one (a product of it), and
 * - merges coincident detections whose bands are close (within the wider bandwidth), or that
 *   are twins (within 3 dB, start and end within 5 % of their duration plus one FFT length) up to
 *   16 bandwidths apart: one signal that spectrum gaps split into two channels, like the two
 *   tones of an FSK whose deviation is large next to its bit rate.
 * Signals present for the whole recording all "coincide" and are left alone.
 */
import { db, dbfs, hz, samples } from '../units.ts';
import type { Detection } from './detection.ts';

export interface CoincidenceOptions {
  /** Samples in the recording; detections covering 95 % of it are left alone. */
  readonly totalSamples: number;
  /** Start and end may differ by this many samples plus 20 % of the shorter duration (one frame step). */
  readonly slackSamples: number;
  /** A coincident detection this many dB weaker is a product of the stronger one (default 15). */
  readonly spurDb?: number;
}

const DB = 10 / Math.LN10;
const lin = (d: number): number => 10 ** (d / 10);

function coincide(a: Detection, b: Detection, slack: number, fraction = 0.2): boolean {
  const tol = slack + fraction * Math.min(a.sampleCount, b.sampleCount);
  const endA = a.sampleStart + a.sampleCount;
  const endB = b.sampleStart + b.sampleCount;
  return Math.abs(a.sampleStart - b.sampleStart) <= tol && Math.abs(endA - endB) <= tol;
}

function merge(a: Detection, b: Detection): Detection {
  const pa = lin(a.powerDbfs);
  const pb = lin(b.powerDbfs);
  const na = pa / lin(a.snrDb);
  const nb = pb / lin(b.snrDb);
  const lower = Math.min(a.freqLowerHz, b.freqLowerHz);
  const upper = Math.max(a.freqUpperHz, b.freqUpperHz);
  const start = Math.min(a.sampleStart, b.sampleStart);
  const end = Math.max(a.sampleStart + a.sampleCount, b.sampleStart + b.sampleCount);
  return {
    ...a,
    sampleStart: samples(start),
    sampleCount: samples(end - start),
    freqLowerHz: hz(lower),
    freqUpperHz: hz(upper),
    centerHz: hz((a.centerHz * pa + b.centerHz * pb) / (pa + pb)),
    bandwidthHz: hz(upper - lower),
    peakPowerDbfs: dbfs(Math.max(a.peakPowerDbfs, b.peakPowerDbfs)),
    powerDbfs: dbfs(DB * Math.log(pa + pb)),
    snrDb: db(DB * Math.log((pa + pb) / (na + nb))),
    flatness: (a.flatness * pa + b.flatness * pb) / (pa + pb),
    dutyCycle: Math.max(a.dutyCycle, b.dutyCycle),
  };
}

export function resolveCoincident(detections: readonly Detection[], opts: CoincidenceOptions): Detection[] {
  const spurDb = opts.spurDb ?? 15;
  const whole = (d: Detection): boolean => d.sampleCount >= 0.95 * opts.totalSamples;
  const byPower = [...detections].sort((a, b) => b.powerDbfs - a.powerDbfs);
  const out: Detection[] = [];
  for (const d of byPower) {
    if (whole(d)) {
      out.push(d);
      continue;
    }
    let absorbed = false;
    for (let i = 0; i < out.length; i++) {
      const s = out[i] as Detection;
      if (whole(s) || !coincide(s, d, opts.slackSamples)) continue;
      if (d.powerDbfs <= s.powerDbfs - spurDb) {
        absorbed = true;
        break;
      }
      const gap = Math.max(s.freqLowerHz, d.freqLowerHz) - Math.min(s.freqUpperHz, d.freqUpperHz);
      const wider = Math.max(s.bandwidthHz, d.bandwidthHz);
      const twins = d.powerDbfs >= s.powerDbfs - 3 && coincide(s, d, opts.slackSamples, 0.05);
      if (gap <= wider || (twins && gap <= 16 * wider)) {
        out[i] = merge(s, d);
        absorbed = true;
        break;
      }
    }
    if (!absorbed) out.push(d);
  }
  return out.sort((a, b) => a.sampleStart - b.sampleStart || a.centerHz - b.centerHz);
}
