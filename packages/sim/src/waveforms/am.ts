/** Double-sideband AM with carrier (broadcast, airband): envelope 1 + m * audio. Power = carrier power. */
import { createAudio, type AudioKind, type AudioSource } from './audio.ts';
import { Waveform } from './waveform.ts';

export class AmWaveform extends Waveform {
  readonly occupied: readonly [number, number];
  readonly controlRate: number;
  override readonly fixedFrequency = true;
  private readonly audio: AudioSource;

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
    for (let i = 0; i < count; i++) {
      re[at + i] = amp * (1 + this.depth * this.audio.real(t + i * dt, burst));
      im[at + i] = 0;
      f[at + i] = 0;
    }
  }
}
