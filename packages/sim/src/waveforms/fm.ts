/**
 * Frequency modulation. Narrowband voice (repeaters, PMR, marine): deviation * audio, plus an
 * optional CTCSS sub-tone. Wideband broadcast: the stereo multiplex (L+R, 19 kHz pilot, L-R on a
 * 38 kHz suppressed carrier, RDS-like data at 57 kHz) at 75 kHz deviation. Constant envelope.
 */
import { hash32 as hash32Import } from '../prng.ts';
import { sincosTables, tcos as tcosImport } from '../tables.ts';
import { createAudio, SampledAudio, type AudioKind, type AudioSource } from './audio.ts';
import { Waveform } from './waveform.ts';

// module-local aliases: hot loops call these directly
const tcos = tcosImport;
const hash32 = hash32Import;
const { cos: COS } = sincosTables();

export class NbfmWaveform extends Waveform {
  readonly occupied: readonly [number, number];
  readonly controlRate = 32_000;
  private readonly audio: AudioSource;

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
    const tone = this.ctcss;
    for (let i = 0; i < count; i++) {
      const ti = t + i * dt;
      let m = 0.85 * this.audio.real(ti, burst);
      if (tone !== undefined) m += 0.15 * tcos(tone * ti, COS);
      re[at + i] = amp;
      im[at + i] = 0;
      f[at + i] = this.deviation * m;
    }
  }
}

export class WbfmWaveform extends Waveform {
  readonly occupied: readonly [number, number];
  readonly controlRate: number;
  private readonly sum: AudioSource;
  private readonly diff: AudioSource | undefined;
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
    // programme audio (to 15 kHz) on a 64 kHz grid; the multiplex is built at the control rate
    this.sum = new SampledAudio(createAudio(kind, key, 15_000), 64_000);
    this.diff = stereo ? new SampledAudio(createAudio(kind, hash32(key, 0x5ee0), 15_000), 64_000) : undefined;
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
    const dev = this.deviation;
    const diff = this.diff;
    for (let i = 0; i < count; i++) {
      const ti = t + i * dt;
      re[at + i] = amp;
      im[at + i] = 0;
      const mono = this.sum.real(ti, burst);
      if (diff === undefined) {
        f[at + i] = dev * mono;
        continue;
      }
      const pilot = 19_000 * ti;
      const stereo = 0.5 * diff.real(ti, burst) * tcos(2 * pilot, COS);
      const bitIndex = Math.floor(ti * 1187.5);
      if (bitIndex !== this.rdsIndex || burst !== this.rdsBurst) {
        this.rdsIndex = bitIndex;
        this.rdsBurst = burst;
        this.rdsBit = hash32(this.key, burst, bitIndex, 0x4d5) & 1 ? 1 : -1;
      }
      const bit = this.rdsBit;
      const rds = bit * tcos(3 * pilot, COS);
      f[at + i] = dev * (0.45 * mono + 0.4 * stereo + 0.09 * tcos(pilot, COS) + 0.04 * rds);
    }
  }
}
