/**
 * Robust deviation of each channel from its baseline for the hour: how far (dB) the level sits
 * above the 99.9 % level or below the 0.1 % level, held for `persistFrames` consecutive frames
 * (the minimum over them, so a single noisy frame never counts). The raw score of a channel is
 * that persistent excess in units of the noise floor's spread.
 */
import { hourOfWeek, HOURS_OF_WEEK, OCCUPIED_DB, STRONG_DB, type Baseline } from './baseline.ts';

/** A centroid baseline needs this many strongly occupied frames. */
const MIN_CENTROID_FRAMES = 50;

/**
 * The occupancy score looks only at channels quiet at this hour (occupied less than this): busy
 * channels have long runs of legitimate traffic, and their anomalies show in the levels.
 */
const QUIET_OCCUPANCY = 0.15;

/** K * KL(q || p) for Bernoulli rates, nats. */
function klTail(k: number, n: number, p: number): number {
  const q = k / n;
  const pp = Math.min(0.999, Math.max(1e-3, p));
  if (q <= pp) return 0;
  const a = q * Math.log(q / pp);
  const b = q >= 1 ? 0 : (1 - q) * Math.log((1 - q) / (1 - pp));
  return n * (a + b);
}

export interface ChannelDeviation {
  /** Persistent excess above the upper envelope, dB (<= 0: inside). Per channel. */
  readonly up: Float32Array;
  /** Persistent excess below the lower envelope, dB. */
  readonly down: Float32Array;
  /** Raw score per channel: max(up, down, 0) / noise scale. */
  readonly raw: Float32Array;
  /** Largest raw score of the frame. */
  readonly frameRaw: number;
  /**
   * Occupancy surprise per channel: over the last `occupancyFrames` frames, k were occupied where
   * the hour's occupancy p predicts fewer: K * KL(k/K || p) (nats, the log-probability of so many
   * occupied frames), counted only when at least 80 % of the window is occupied and the channel is usually quiet at this hour. A repeater keyed
   * for ten minutes at 3 a.m. is loud in this score even though each frame's level is ordinary.
   */
  readonly occupancy: Float32Array;
  /** Largest occupancy score of the frame. */
  readonly frameOccupancy: number;
  /** Occupied frames in the window, per channel. */
  readonly occupiedFrames: Uint16Array;
  /** Start of the current run of occupied frames, per channel (NaN when not occupied). */
  readonly runStartMs: Float64Array;
  /**
   * Persistent shift of the channel's centroid from its usual place beyond 3 spreads, Hz (0 when
   * inside, the channel not strongly occupied, or no centroid baseline), and as a raw score in
   * tenths of a bin. Catches a carrier that drifts by less than a channel.
   */
  readonly driftHz: Float32Array;
  readonly drift: Float32Array;
  /** Whether `persistFrames` frames have been seen (before that every score is 0). */
  readonly ready: boolean;
  /** Time of the oldest frame in the persistence window. */
  readonly windowStartMs: number;
  /** UTC hour of the week of the frame (the baseline cell it was scored against). */
  readonly hour: number;
}

export class FrameScorer {
  private readonly baseline: Baseline;
  private readonly persist: number;
  private readonly upRing: Float32Array[];
  private readonly downRing: Float32Array[];
  private readonly times: number[] = [];
  private seen = 0;
  private readonly up: Float32Array;
  private readonly down: Float32Array;
  private readonly raw: Float32Array;
  private readonly occWindow: number;
  private readonly occRing: Uint8Array;
  private readonly occCount: Uint16Array;
  private readonly occ: Float32Array;
  private readonly runStart: Float64Array;
  private readonly driftRing: Float32Array[];
  private readonly driftHz: Float32Array;
  private readonly drift: Float32Array;

  constructor(baseline: Baseline, persistFrames: number, occupancyFrames = 30) {
    this.baseline = baseline;
    this.persist = Math.max(1, persistFrames);
    const c = baseline.plan.channels;
    this.upRing = Array.from({ length: this.persist }, () => new Float32Array(c));
    this.downRing = Array.from({ length: this.persist }, () => new Float32Array(c));
    this.up = new Float32Array(c);
    this.down = new Float32Array(c);
    this.raw = new Float32Array(c);
    this.occWindow = Math.max(1, occupancyFrames);
    this.occRing = new Uint8Array(this.occWindow * c);
    this.occCount = new Uint16Array(c);
    this.occ = new Float32Array(c);
    this.runStart = new Float64Array(c).fill(NaN);
    this.driftRing = Array.from({ length: this.persist }, () => new Float32Array(c));
    this.driftHz = new Float32Array(c);
    this.drift = new Float32Array(c);
  }

  /** Scores one frame of channel levels (frames in time order). The result's arrays are reused. */
  score(levels: Float32Array, timeMs: number, centroids?: Float32Array): ChannelDeviation {
    const stats = this.baseline.stats();
    const h = hourOfWeek(timeMs);
    const slot = this.seen % this.persist;
    const upNow = this.upRing[slot] as Float32Array;
    const driftNow = this.driftRing[slot] as Float32Array;
    const binHz = this.baseline.plan.binHz;
    const downNow = this.downRing[slot] as Float32Array;
    const channels = this.baseline.plan.channels;
    for (let c = 0; c < channels; c++) {
      const v = levels[c] as number;
      const cell = c * HOURS_OF_WEEK + h;
      if (v !== v) {
        upNow[c] = -Infinity;
        downNow[c] = -Infinity;
        continue;
      }
      upNow[c] = v - (stats.upper[cell] as number);
      downNow[c] = (stats.lower[cell] as number) - v;
      const x = centroids?.[c] ?? NaN;
      // only where the level is as usual: a carrier that moved keeps its power, while a second
      // signal joining the channel (which also moves the centroid) raises it
      if (
        x === x &&
        (stats.centroidFrames[c] as number) >= MIN_CENTROID_FRAMES &&
        v > (stats.floor[c] as number) + STRONG_DB &&
        Math.abs(v - (stats.median[cell] as number)) <= 3
      ) {
        const shift = x - (stats.centroidMedian[c] as number);
        const beyond = Math.abs(shift) - 3 * (stats.centroidSpread[c] as number);
        driftNow[c] = beyond > 0 ? Math.sign(shift) * beyond : 0;
      } else driftNow[c] = 0;
    }
    const oslot = (this.seen % this.occWindow) * channels;
    const hPrev = (h + HOURS_OF_WEEK - 1) % HOURS_OF_WEEK;
    let frameOccupancy = 0;
    const filled = Math.min(this.seen + 1, this.occWindow);
    for (let c = 0; c < channels; c++) {
      const v = levels[c] as number;
      const on = v === v && v > (stats.floor[c] as number) + OCCUPIED_DB ? 1 : 0;
      const old = this.occRing[oslot + c] as number;
      this.occRing[oslot + c] = on;
      const k = (this.occCount[c] as number) - old + on;
      this.occCount[c] = k;
      if (on === 0) this.runStart[c] = NaN;
      else if (Number.isNaN(this.runStart[c] as number)) this.runStart[c] = timeMs;
      // the window may reach back into the previous hour: expect the busier of the two
      const p = Math.max(
        stats.occupancy[c * HOURS_OF_WEEK + h] as number,
        stats.occupancy[c * HOURS_OF_WEEK + hPrev] as number,
      );
      const score =
        filled < this.occWindow || k < 0.8 * filled || p >= QUIET_OCCUPANCY ? 0 : klTail(k, filled, p);
      this.occ[c] = score;
      if (score > frameOccupancy) frameOccupancy = score;
    }
    this.seen++;
    this.times.push(timeMs);
    if (this.times.length > this.persist) this.times.shift();
    const ready = this.seen >= this.persist;
    let frameRaw = 0;
    const scale = stats.noiseScaleDb;
    for (let c = 0; c < channels; c++) {
      let u = Infinity;
      let d = Infinity;
      for (let k = 0; k < this.persist; k++) {
        u = Math.min(u, (this.upRing[k] as Float32Array)[c] as number);
        d = Math.min(d, (this.downRing[k] as Float32Array)[c] as number);
      }
      if (!ready) {
        u = -Infinity;
        d = -Infinity;
      }
      this.up[c] = u;
      this.down[c] = d;
      // persistent drift: the smallest shift over the window, if all frames shift the same way
      let lo = Infinity;
      let hi = -Infinity;
      for (let k = 0; k < this.persist; k++) {
        const s = (this.driftRing[k] as Float32Array)[c] as number;
        if (s < lo) lo = s;
        if (s > hi) hi = s;
      }
      const dz = !ready ? 0 : lo > 0 ? lo : hi < 0 ? hi : 0;
      this.driftHz[c] = dz;
      this.drift[c] = Math.abs(dz) / (binHz / 10);
      const r = Math.max(u, d, 0) / scale;
      this.raw[c] = r;
      if (r > frameRaw) frameRaw = r;
    }
    return {
      up: this.up,
      down: this.down,
      raw: this.raw,
      frameRaw,
      occupancy: this.occ,
      driftHz: this.driftHz,
      drift: this.drift,
      frameOccupancy,
      occupiedFrames: this.occCount,
      runStartMs: this.runStart,
      ready,
      windowStartMs: this.times[0] ?? timeMs,
      hour: h,
    };
  }
}
