/**
 * Pulsed radar: pulses of `pulseWidth` every `pri` seconds, plain or with a linear FM sweep inside
 * the pulse. Power = peak pulse power. Between pulses the points are zero, which the kernel skips.
 */
import { Waveform } from './waveform.ts';

export class RadarWaveform extends Waveform {
  readonly occupied: readonly [number, number];
  readonly controlRate: number;

  constructor(
    private readonly pulseWidth: number,
    private readonly pri: number,
    private readonly chirp: number,
  ) {
    super();
    const half = chirp / 2 + 1 / pulseWidth;
    this.occupied = [-half, half];
    this.controlRate = 8 / pulseWidth;
  }

  points(
    t: number,
    dt: number,
    count: number,
    _b: number,
    amp: number,
    re: Float32Array,
    im: Float32Array,
    f: Float32Array,
    at: number,
  ): void {
    re.fill(0, at, at + count);
    im.fill(0, at, at + count);
    f.fill(0, at, at + count);
    if (dt <= 0) {
      const u = t - Math.floor(t / this.pri) * this.pri;
      if (u < this.pulseWidth) {
        re[at] = amp;
        f[at] = this.chirp * (u / this.pulseWidth - 0.5);
      }
      return;
    }
    // visit only the points inside pulses
    const end = t + count * dt;
    for (let p = Math.floor(t / this.pri); p * this.pri < end; p++) {
      const start = p * this.pri;
      const i0 = Math.max(0, Math.ceil((start - t) / dt));
      for (let i = i0; i < count; i++) {
        const u = t + i * dt - start;
        if (u >= this.pulseWidth) break;
        if (u < 0) continue;
        re[at + i] = amp;
        f[at + i] = this.chirp * (u / this.pulseWidth - 0.5);
      }
    }
  }
}
