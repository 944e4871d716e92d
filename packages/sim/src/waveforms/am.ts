/** Double-sideband AM with carrier (broadcast, airband): envelope 1 + m * audio. Power = carrier power. */
import { createAudio, type AudioKind, type AudioSource } from './audio.ts';
import { Waveform } from './waveform.ts';

export class AmWaveform extends Waveform {
  readonly occupied: readonly [number, number];
  readonly controlRate: number;
  override readonly fixedFrequency = true;
  private readonly audio: AudioSource;
  private buf = new Float64Array(256);

  constructor(
    key: number,
    kind: AudioKind,
    private readonly depth: number,
    audioBandwidth: number,
  ) {
    super();
    this.audio = createAudio(kind, key, audioBandwidth);
    this.occupied = [-audioBandwidth, audioBandwidth];
    this.controlRate = Math.max(32_000, 10 * audioBandwidth);
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
    const m = amp * this.depth;
    for (let i = 0; i < count; i++) {
      re[at + i] = amp + m * a[i]!;
      im[at + i] = 0;
      f[at + i] = 0;
    }
  }
}
