/**
 * Raw anomaly scores turned into a calibrated score in [0, 1], per channel: held-out normal frames
 * (not seen by the baseline) tell how often each channel starts an episode (a run of frames with
 * raw score > 0) that reaches a raw score; the score of a raw value x in channel c is
 * 1 - (episodes of channel c reaching x per normal frame). 0.999 means such an episode starts
 * in that channel once in a thousand normal frames. Episodes, not frames, because one unusual
 * hour of normal traffic is one surprise, not 360. Per channel, because channels differ: a
 * station that switches on and off by the hour makes big raw scores in normal data, a beacon
 * never does, and the same raw score means little in the first and a lot in the second. Beyond
 * the largest normal value the tail is extrapolated exponentially, so stronger anomalies still
 * rank higher.
 */

export interface Calibration {
  /** Normal frames scored. */
  readonly frames: number;
  /** Per channel: the peak raw scores of the largest normal episodes, ascending, at most {@link TOP}. */
  readonly top: readonly (readonly number[])[];
}

/** Largest values kept per channel. */
export const TOP = 64;

/** Collects per-channel raw scores of normal frames. */
export class CalibrationBuilder {
  private readonly top: number[][];
  private readonly runMax: Float64Array;
  private frames = 0;

  constructor(channels: number) {
    this.top = Array.from({ length: channels }, () => []);
    this.runMax = new Float64Array(channels);
  }

  /** Adds a normal frame's raw scores; `gap` = true when this frame does not follow the previous one. */
  add(raw: Float32Array, gap = false): void {
    this.frames++;
    if (gap) this.endRuns();
    for (let c = 0; c < this.top.length; c++) {
      const v = raw[c] as number;
      if (v > 0) {
        if (v > (this.runMax[c] as number)) this.runMax[c] = v;
      } else if ((this.runMax[c] as number) > 0) {
        this.record(c, this.runMax[c] as number);
        this.runMax[c] = 0;
      }
    }
  }

  private endRuns(): void {
    for (let c = 0; c < this.top.length; c++) {
      if ((this.runMax[c] as number) > 0) this.record(c, this.runMax[c] as number);
      this.runMax[c] = 0;
    }
  }

  private record(c: number, v: number): void {
    const t = this.top[c] as number[];
    if (t.length === TOP && v <= (t[0] as number)) return;
    // insert in ascending order, dropping the smallest when full
    let i = t.length;
    t.push(v);
    while (i > 0 && (t[i - 1] as number) > v) {
      t[i] = t[i - 1] as number;
      i--;
    }
    t[i] = v;
    if (t.length > TOP) t.shift();
  }

  build(): Calibration {
    this.endRuns();
    return { frames: this.frames, top: this.top.map((t) => t.map((v) => Math.round(v * 1000) / 1000)) };
  }
}

/** Chance that a normal frame starts an episode in channel c that reaches a raw score of at least `raw`. */
export function channelTail(cal: Calibration, c: number, raw: number): number {
  const t = cal.top[c] ?? [];
  const n = cal.frames + 1;
  const max = t.length === 0 ? 0 : (t[t.length - 1] as number);
  if (raw > max) {
    const mid = t.length === 0 ? 0 : (t[Math.floor((t.length - 1) / 2)] as number);
    const scale = Math.max(1, max - mid);
    return Math.exp(-(raw - max) / scale) / n;
  }
  let count = 0;
  for (let i = t.length - 1; i >= 0 && (t[i] as number) >= raw; i--) count++;
  // below the kept values: at least as common as the smallest kept one
  if (count === t.length && t.length === TOP) count = Math.max(count, TOP);
  return Math.max(count, 1) / n;
}

/** Calibrated score of a raw score in channel c. */
export function calibrate(cal: Calibration, c: number, raw: number): number {
  if (!(raw > 0)) return 0;
  return Math.max(0, 1 - channelTail(cal, c, raw));
}
