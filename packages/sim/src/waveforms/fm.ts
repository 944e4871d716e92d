/**
 * Frequency modulation. Narrowband voice (repeaters, PMR, marine): deviation * audio, plus an
 * optional CTCSS sub-tone. Wideband broadcast: the stereo multiplex (L+R, 19 kHz pilot, L-R on a
 * 38 kHz suppressed carrier, RDS-like data at 57 kHz) at 75 kHz deviation. Constant envelope.
 */
import { hash32 as hash32Import } from '../prng.ts';
import { sincosTables, tcos as tcosImport } from '../tables.ts';
import { createAudio, type AudioKind, type AudioSource } from './audio.ts';
import { Waveform } from './waveform.ts';

// module-local aliases: hot loops call these directly
const tcos = tcosImport;
const hash32 = hash32Import;
const { cos: COS } = sincosTables();

export class NbfmWaveform extends Waveform {
  readonly occupied: readonly [number, number];
  readonly controlRate = 32_000;
  private readonly audio: AudioSource;
  private buf = new Float64Array(256);

  constructor(
    key: number,
    kind: AudioKind,
    private readonly deviation: number,
    private readonly ctcss: number | undefined,
  ) {
    super();
    this.audio = createAudio(kind, key, 3000);
    const half = deviation + 3000;
    this.occupied = [-half, half];
  }

  points(
    t: number,
    dt: number,
    count: number,
    burst: number,
    amp: number,
    re: Float32Array,
    im: Float32Array,
    f: Float32Array,
    at: number,
  ): void {
    if (this.buf.length < count) this.buf = new Float64Array(2 * count);
    const a = this.buf;
    this.audio.fillReal(t, dt, count, burst, a, 0);
    const tone = this.ctcss;
    const dev = this.deviation;
    for (let i = 0; i < count; i++) {
      let m = 0.85 * a[i]!;
      if (tone !== undefined) m += 0.15 * tcos(tone * (t + i * dt), COS);
      re[at + i] = amp;
      im[at + i] = 0;
      f[at + i] = dev * m;
    }
  }
}

/** Rate of the grid the programme audio of wideband FM is evaluated on (15 kHz audio). */
const GRID = 64_000;

export class WbfmWaveform extends Waveform {
  readonly occupied: readonly [number, number];
  readonly controlRate: number;
  private readonly sum: AudioSource;
  private readonly diff: AudioSource | undefined;
  private gridSum = new Float64Array(256);
  private gridDiff = new Float64Array(256);
  private rdsIndex = NaN;
  private rdsBurst = NaN;
  private rdsBit = 1;

  constructor(
    private readonly key: number,
    kind: AudioKind,
    private readonly deviation: number,
    stereo: boolean,
  ) {
    super();
    // programme audio (to 15 kHz) on a 64 kHz grid, interpolated; the multiplex is built at the
    // control rate
    this.sum = createAudio(kind, key, 15_000);
    this.diff = stereo ? createAudio(kind, hash32(key, 0x5ee0), 15_000) : undefined;
    const top = stereo ? 60_000 : 15_000;
    this.occupied = [-(deviation + top), deviation + top];
    this.controlRate = stereo ? 128_000 : 64_000;
  }

  points(
    t: number,
    dt: number,
    count: number,
    burst: number,
    amp: number,
    re: Float32Array,
    im: Float32Array,
    f: Float32Array,
    at: number,
  ): void {
    // the grid points around this run, evaluated once
    const g0 = Math.floor(t * GRID);
    const n = Math.floor((t + (count - 1) * dt) * GRID) + 2 - g0;
    if (this.gridSum.length < n) {
      this.gridSum = new Float64Array(2 * n);
      this.gridDiff = new Float64Array(2 * n);
    }
    const gs = this.gridSum;
    const gd = this.gridDiff;
    this.sum.fillReal(g0 / GRID, 1 / GRID, n, burst, gs, 0);
    const diff = this.diff;
    const dev = this.deviation;
    if (diff === undefined) {
      for (let i = 0; i < count; i++) {
        const x = (t + i * dt) * GRID;
        const gi = Math.floor(x);
        const a = gs[gi - g0]!;
        re[at + i] = amp;
        im[at + i] = 0;
        f[at + i] = dev * (a + (gs[gi - g0 + 1]! - a) * (x - gi));
      }
      return;
    }
    diff.fillReal(g0 / GRID, 1 / GRID, n, burst, gd, 0);
    // the 19 kHz pilot as a rotating phasor; 38 and 57 kHz from it (cos 2a, cos 3a)
    const cyc = 19_000 * t;
    const a0 = 2 * Math.PI * (cyc - Math.floor(cyc));
    let pr = Math.cos(a0);
    let pi = Math.sin(a0);
    const wr = Math.cos(2 * Math.PI * 19_000 * dt);
    const wi = Math.sin(2 * Math.PI * 19_000 * dt);
    for (let i = 0; i < count; i++) {
      const ti = t + i * dt;
      const x = ti * GRID;
      const gi = Math.floor(x);
      const fr = x - gi;
      const k = gi - g0;
      const s0 = gs[k]!;
      const d0 = gd[k]!;
      const mono = s0 + (gs[k + 1]! - s0) * fr;
      const side = d0 + (gd[k + 1]! - d0) * fr;
      const c = pr;
      const c2 = 2 * c * c - 1;
      const c3 = c * (4 * c * c - 3);
      const bitIndex = Math.floor(ti * 1187.5);
      if (bitIndex !== this.rdsIndex || burst !== this.rdsBurst) {
        this.rdsIndex = bitIndex;
        this.rdsBurst = burst;
        this.rdsBit = hash32(this.key, burst, bitIndex, 0x4d5) & 1 ? 1 : -1;
      }
      re[at + i] = amp;
      im[at + i] = 0;
      f[at + i] = dev * (0.45 * mono + 0.2 * side * c2 + 0.09 * c + 0.04 * this.rdsBit * c3);
      const r = pr * wr - pi * wi;
      pi = pr * wi + pi * wr;
      pr = r;
    }
  }
}
