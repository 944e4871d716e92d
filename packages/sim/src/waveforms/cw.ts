/** CW beacon: a steady carrier, or the carrier keyed in Morse with 5 ms raised-cosine edges. */
import { Waveform } from './waveform.ts';

const MORSE: Record<string, string> = {
  A: '.-',
  B: '-...',
  C: '-.-.',
  D: '-..',
  E: '.',
  F: '..-.',
  G: '--.',
  H: '....',
  I: '..',
  J: '.---',
  K: '-.-',
  L: '.-..',
  M: '--',
  N: '-.',
  O: '---',
  P: '.--.',
  Q: '--.-',
  R: '.-.',
  S: '...',
  T: '-',
  U: '..-',
  V: '...-',
  W: '.--',
  X: '-..-',
  Y: '-.--',
  Z: '--..',
  '0': '-----',
  '1': '.----',
  '2': '..---',
  '3': '...--',
  '4': '....-',
  '5': '.....',
  '6': '-....',
  '7': '--...',
  '8': '---..',
  '9': '----.',
  '/': '-..-.',
  '?': '..--..',
  '.': '.-.-.-',
  ',': '--..--',
  '=': '-...-',
};

/** Key-down (1) / key-up (0) per dit for a message, followed by a word gap; repeats. */
export function morseDits(message: string): Uint8Array {
  const dits: number[] = [];
  for (const word of message.toUpperCase().split(/\s+/).filter(Boolean)) {
    for (const ch of word) {
      const code = MORSE[ch];
      if (code === undefined) continue;
      for (const el of code) {
        if (el === '-') dits.push(1, 1, 1);
        else dits.push(1);
        dits.push(0);
      }
      dits.push(0, 0); // letter gap: 3 dits in all
    }
    dits.push(0, 0, 0, 0); // word gap: 7 dits in all
  }
  dits.push(0, 0, 0, 0, 0, 0, 0);
  return Uint8Array.from(dits);
}

export class CwWaveform extends Waveform {
  readonly occupied: readonly [number, number];
  readonly controlRate: number;
  override readonly fixedFrequency = true;
  private readonly dits: Uint8Array | undefined;
  private readonly ditS: number;
  private readonly rise: number;

  constructor(keying: 'none' | 'morse', message: string, wpm: number) {
    super();
    this.ditS = 1.2 / wpm;
    this.rise = Math.min(0.005, this.ditS / 4) / this.ditS;
    if (keying === 'morse') {
      this.dits = morseDits(message);
      this.occupied = [-4 / (this.rise * this.ditS), 4 / (this.rise * this.ditS)];
      this.controlRate = 2000;
    } else {
      this.dits = undefined;
      this.occupied = [-5, 5];
      this.controlRate = 200;
    }
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
    const dits = this.dits;
    for (let i = 0; i < count; i++) {
      im[at + i] = 0;
      f[at + i] = 0;
      if (dits === undefined) {
        re[at + i] = amp;
        continue;
      }
      const x = (t + i * dt) / this.ditS;
      const d = Math.floor(x);
      const n = dits.length;
      const k = ((d % n) + n) % n;
      if (dits[k] !== 1) {
        re[at + i] = 0;
        continue;
      }
      const u = x - d;
      const r = this.rise;
      let e = 1;
      if (u < r && dits[(k + n - 1) % n] !== 1) e = 0.5 - 0.5 * Math.cos((Math.PI * u) / r);
      else if (u > 1 - r && dits[(k + 1) % n] !== 1) e = 0.5 - 0.5 * Math.cos((Math.PI * (1 - u)) / r);
      re[at + i] = amp * e;
    }
  }
}
