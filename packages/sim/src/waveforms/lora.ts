/**
 * LoRa-like chirp spread spectrum packets: 8 up-chirps of preamble, 2 sync symbols, 2.25
 * down-chirps, then payload symbols (random cyclic shifts of the up-chirp) for the rest of the
 * burst. Constant envelope; the frequency sweeps across the whole bandwidth every symbol.
 */
import { hash32 as hash32Import } from '../prng.ts';
import { Waveform } from './waveform.ts';

const hash32 = hash32Import;

export class LoraWaveform extends Waveform {
  readonly occupied: readonly [number, number];
  readonly controlRate: number;
  private readonly symbols: number;
  private readonly symbolS: number;
  /** The payload symbol last drawn (index, burst, value). */
  private symbolIndex = NaN;
  private symbolBurst = NaN;
  private symbolValue = 0;

  constructor(
    private readonly key: number,
    spreadingFactor: number,
    private readonly bandwidth: number,
  ) {
    super();
    this.symbols = 2 ** spreadingFactor;
    this.symbolS = this.symbols / bandwidth;
    this.occupied = [-bandwidth / 2, bandwidth / 2];
    // frequency is interpolated linearly between control points, so a point every two chips
    // follows the chirp exactly except at its wrap (smeared over two chips)
    this.controlRate = bandwidth / 2;
  }

  private freq(t: number, burst: number): number {
    const x = t / this.symbolS;
    const bw = this.bandwidth;
    if (x >= 10 && x < 12.25) {
      const u = x - 10 - Math.floor(x - 10);
      return bw / 2 - bw * u;
    }
    let c: number;
    if (x >= 12.25) {
      const p = Math.floor(x - 12.25);
      if (p !== this.symbolIndex || burst !== this.symbolBurst) {
        this.symbolIndex = p;
        this.symbolBurst = burst;
        this.symbolValue = hash32(this.key, burst, p, 0x10) % this.symbols;
      }
      c = this.symbolValue / this.symbols + (x - 12.25 - p);
    } else {
      const k = Math.floor(x);
      const v = x >= 8 ? (k === 8 ? 24 : 32) : 0;
      c = v / this.symbols + (x - k);
    }
    return bw * (c - Math.floor(c)) - bw / 2;
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
      re[at + i] = amp;
      im[at + i] = 0;
      f[at + i] = this.freq(t + i * dt, burst);
    }
  }
}
