/** Single sideband voice (upper or lower): the analytic audio, conjugated for LSB. Power = PEP. */
import { createAudio, type AudioKind, type AudioSource } from './audio.ts';
import { Waveform } from './waveform.ts';

export class SsbWaveform extends Waveform {
  readonly occupied: readonly [number, number];
  readonly controlRate = 32_000;
  override readonly fixedFrequency = true;
  private readonly audio: AudioSource;
  private readonly sign: number;
  private readonly tmp = new Float64Array(2);

  constructor(key: number, kind: AudioKind, sideband: 'usb' | 'lsb') {
    super();
    this.audio = createAudio(kind, key, 2700);
    this.sign = sideband === 'usb' ? 1 : -1;
    this.occupied = sideband === 'usb' ? [300, 2700] : [-2700, -300];
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
    const z = this.tmp;
    const q = this.sign * amp;
    for (let i = 0; i < count; i++) {
      this.audio.analytic(t + i * dt, burst, z);
      re[at + i] = amp * z[0]!;
      im[at + i] = q * z[1]!;
      f[at + i] = 0;
    }
  }
}
