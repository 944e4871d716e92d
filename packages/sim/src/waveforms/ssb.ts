/**
 * Single sideband voice (upper or lower): the analytic audio, conjugated for LSB, its envelope
 * kept under 1 by a soft limiter as a transmitter's ALC does. Power = PEP.
 */
import { createAudio, type AudioKind, type AudioSource } from './audio.ts';
import { Waveform } from './waveform.ts';

/**
 * Microphone level per programme, so that its loudest peaks come near the PEP: voice peaks at
 * about 2.2 (half of it: an average power about 15 dB under the PEP, as SSB speech), music at
 * about 1.1, the test tone at 1.
 */
const LEVEL: Record<AudioKind, number> = { voice: 0.5, music: 0.92, tone: 1 };
/** Envelope above which the ALC compresses (toward 1, never reached): about 0.1 % of the time. */
const KNEE = 0.8;

export class SsbWaveform extends Waveform {
  readonly occupied: readonly [number, number];
  readonly controlRate = 32_000;
  override readonly fixedFrequency = true;
  private readonly audio: AudioSource;
  private readonly sign: number;
  private readonly level: number;
  private bufRe = new Float64Array(256);
  private bufIm = new Float64Array(256);

  constructor(key: number, kind: AudioKind, sideband: 'usb' | 'lsb') {
    super();
    this.audio = createAudio(kind, key, 2700);
    this.sign = sideband === 'usb' ? 1 : -1;
    this.level = LEVEL[kind];
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
    if (this.bufRe.length < count) {
      this.bufRe = new Float64Array(2 * count);
      this.bufIm = new Float64Array(2 * count);
    }
    const zr = this.bufRe;
    const zi = this.bufIm;
    this.audio.fillAnalytic(t, dt, count, burst, zr, zi);
    const q = this.sign * amp;
    const level = this.level;
    for (let i = 0; i < count; i++) {
      const x = level * zr[i]!;
      const y = level * zi[i]!;
      // the transmitter's ALC: a soft knee from 0.8 keeps the envelope under the peak envelope
      // power (1) with little splatter
      const m2 = x * x + y * y;
      let g = 1;
      if (m2 > KNEE * KNEE) {
        const m = Math.sqrt(m2);
        g = (KNEE + (1 - KNEE) * Math.tanh((m - KNEE) / (1 - KNEE))) / m;
      }
      re[at + i] = amp * g * x;
      im[at + i] = q * g * y;
      f[at + i] = 0;
    }
  }
}
