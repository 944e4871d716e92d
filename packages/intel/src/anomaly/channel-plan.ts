/**
 * Channelized power: bins summed into channels of about `channelHz` (12.5 kHz by default, a
 * narrowband voice channel), so baselines stay small (a 2.4 MHz node: 192 channels, not 4096
 * bins) and one channel's level is the average of many bins (less estimation noise).
 */
import { UserError } from '@heimdall/errors';
import type { PsdFrame } from './types.ts';

export interface ChannelPlan {
  /** Centre of the first input bin, Hz. */
  readonly startHz: number;
  readonly binHz: number;
  /** Input bins per frame. */
  readonly bins: number;
  /** Input bins per channel (the last channel may hold fewer). */
  readonly binsPerChannel: number;
  readonly channels: number;
}

export function makeChannelPlan(frame: PsdFrame, channelHz: number): ChannelPlan {
  const binsPerChannel = Math.max(1, Math.round(channelHz / frame.binHz));
  return {
    startHz: frame.startHz,
    binHz: frame.binHz,
    bins: frame.db.length,
    binsPerChannel,
    channels: Math.ceil(frame.db.length / binsPerChannel),
  };
}

/** Lower edge of channel c, Hz. */
export function channelLowHz(plan: ChannelPlan, c: number): number {
  return plan.startHz + (c * plan.binsPerChannel - 0.5) * plan.binHz;
}

/** Upper edge of channel c, Hz. */
export function channelHighHz(plan: ChannelPlan, c: number): number {
  const lastBin = Math.min(plan.bins, (c + 1) * plan.binsPerChannel) - 1;
  return plan.startHz + (lastBin + 0.5) * plan.binHz;
}

function close(a: number, b: number, tol: number): boolean {
  return Math.abs(a - b) <= tol;
}

/** Throws a UserError naming `source` when the frame does not fit the plan. */
export function checkFrame(plan: ChannelPlan, frame: PsdFrame, source: string): void {
  if (
    frame.db.length !== plan.bins ||
    !close(frame.binHz, plan.binHz, plan.binHz * 1e-6) ||
    !close(frame.startHz, plan.startHz, plan.binHz * 0.01)
  ) {
    const describe = (startHz: number, binHz: number, bins: number): string =>
      `${(startHz / 1e6).toFixed(6)} MHz + ${bins} bins of ${binHz} Hz`;
    throw new UserError(
      `has a different frequency plan (${describe(frame.startHz, frame.binHz, frame.db.length)}) from the model (${describe(plan.startHz, plan.binHz, plan.bins)})`,
      {
        source,
        field: 'frequency plan',
        fix: 'score inputs tuned and binned like the training data, or train a model on this plan',
      },
    );
  }
}

/**
 * Channel levels of a frame in dB: the mean linear power of the channel's bins (NaN bins skipped;
 * a channel with no measured bin is NaN). Writes into `out` (length `plan.channels`).
 */
export function channelize(plan: ChannelPlan, db: Float32Array, out: Float32Array): Float32Array {
  channelPass(plan, db, out, undefined);
  return out;
}

/**
 * Power-weighted centre of each channel's bins, Hz from the channel's centre (NaN when the channel
 * has no measured bin). A carrier that drifts by less than a channel moves it; the levels do not.
 */
export function channelCentroids(plan: ChannelPlan, db: Float32Array, out: Float32Array): Float32Array {
  channelPass(plan, db, undefined, out);
  return out;
}

/** {@link channelize} and {@link channelCentroids} of one frame in one pass (one power per bin). */
export function channelizeWithCentroids(
  plan: ChannelPlan,
  db: Float32Array,
  levels: Float32Array,
  centroids: Float32Array,
): void {
  channelPass(plan, db, levels, centroids);
}

/** ln(10) / 10: `10 ** (v / 10)` is `Math.exp(v * DB_TO_NEPER)`, and exp is the cheaper call. */
const DB_TO_NEPER = Math.LN10 / 10;

function channelPass(
  plan: ChannelPlan,
  db: Float32Array,
  levels: Float32Array | undefined,
  centroids: Float32Array | undefined,
): void {
  const k = plan.binsPerChannel;
  for (let c = 0; c < plan.channels; c++) {
    let sum = 0;
    let moment = 0;
    let n = 0;
    const end = Math.min(plan.bins, (c + 1) * k);
    const mid = (c * k + end - 1) / 2;
    for (let i = c * k; i < end; i++) {
      const v = db[i] as number;
      if (v === v) {
        const p = Math.exp(v * DB_TO_NEPER);
        sum += p;
        moment += p * (i - mid);
        n++;
      }
    }
    if (levels !== undefined) levels[c] = n === 0 ? NaN : 10 * Math.log10(sum / n);
    if (centroids !== undefined) centroids[c] = sum > 0 ? (moment / sum) * plan.binHz : NaN;
  }
}
