/**
 * Synthetic test signals for the detection tests: complex white Gaussian noise of a known density
 * and signals of known power, band, start and end, from a seeded PRNG, quantized to any of the
 * formats recordings come in. Pure, so the same scenes can drive browser demos later.
 *
 * Levels: noise is given as a density in dBFS/Hz (total noise power = density x sample rate), a
 * signal by its in-band SNR against that density over its nominal bandwidth, so a test can state
 * "10 dB in-band SNR" and mean it: signal power = SNR x density x bandwidth.
 */
import { Fft } from '../fft.ts';
import type { SampleFormat } from '../iq-format.ts';

/** Small, fast, seeded generator: Marsaglia's xorshift128, seeded through splitmix64 mixing. */
export class Prng {
  private x: number;
  private y: number;
  private z: number;
  private w: number;
  private spare: number | undefined;

  constructor(seed: number) {
    const mask = (1n << 64n) - 1n;
    let s = BigInt(Math.floor(seed)) & mask;
    const next = (): bigint => {
      s = (s + 0x9e3779b97f4a7c15n) & mask;
      let v = s;
      v = ((v ^ (v >> 30n)) * 0xbf58476d1ce4e5b9n) & mask;
      v = ((v ^ (v >> 27n)) * 0x94d049bb133111ebn) & mask;
      return v ^ (v >> 31n);
    };
    const a = next();
    const b = next();
    this.x = Number(a & 0xffffffffn);
    this.y = Number(a >> 32n);
    this.z = Number(b & 0xffffffffn);
    this.w = Number(b >> 32n) | 1;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    const t = (this.x ^ (this.x << 11)) >>> 0;
    this.x = this.y;
    this.y = this.z;
    this.z = this.w;
    this.w = (this.w ^ (this.w >>> 19) ^ (t ^ (t >>> 8))) >>> 0;
    return this.w / 4294967296;
  }

  /** Standard normal (Box-Muller, both values used). */
  normal(): number {
    if (this.spare !== undefined) {
      const v = this.spare;
      this.spare = undefined;
      return v;
    }
    let u = this.uniform();
    while (u <= 1e-300) u = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    const a = 2 * Math.PI * this.uniform();
    this.spare = r * Math.sin(a);
    return r * Math.cos(a);
  }
}

export interface Span {
  /** First sample (default 0). */
  readonly start?: number;
  /** End sample, exclusive (default the end of the scene). */
  readonly end?: number;
}

/** A recording being built: interleaved I/Q in float64, at a given sample rate. */
export class Scene {
  readonly iq: Float64Array;
  readonly sampleRate: number;
  readonly length: number;
  /** Draws of the signals (modulation, bits, phases). */
  readonly rng: Prng;
  /** Draws of the noise, separate so that a scene's signals do not depend on when noise is added. */
  private readonly noiseRng: Prng;
  /** Noise density in dBFS/Hz that signal SNRs refer to (set by {@link noise} or {@link reference}). */
  noiseDbfsPerHz = -Infinity;

  constructor(sampleRate: number, length: number, seed: number) {
    this.sampleRate = sampleRate;
    this.length = length;
    this.iq = new Float64Array(2 * length);
    this.rng = new Prng(seed);
    this.noiseRng = new Prng(seed + 0x5eed);
  }

  /** Sets the noise density that SNRs refer to, without adding noise (yet). */
  reference(dbfsPerHz: number): this {
    this.noiseDbfsPerHz = dbfsPerHz;
    return this;
  }

  /** Adds complex white Gaussian noise of density `dbfsPerHz` (power per Hz, full scale = 0 dB). */
  noise(dbfsPerHz: number = this.noiseDbfsPerHz): this {
    this.noiseDbfsPerHz = dbfsPerHz;
    const sigma = Math.sqrt((10 ** (dbfsPerHz / 10) * this.sampleRate) / 2);
    for (let i = 0; i < this.iq.length; i++)
      this.iq[i] = (this.iq[i] as number) + sigma * this.noiseRng.normal();
    return this;
  }

  /**
   * The 99 % occupied bandwidth and power centroid of what the scene holds so far over samples
   * [start, end), from a long averaged FFT: the reference to compare detections with (call it
   * before adding noise).
   */
  occupied(
    start: number,
    end: number,
    fraction = 0.99,
  ): { readonly lowerHz: number; readonly upperHz: number; readonly centroidHz: number } {
    const n = 8192;
    const psd = new Float64Array(n);
    const win = new Float64Array(n);
    for (let i = 0; i < n; i++) win[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
    const fft = new Fft(n, { engine: 'js' });
    const buf = new Float32Array(2 * n);
    const from = Math.max(0, Math.floor(start));
    const to = Math.min(this.length, Math.floor(end));
    // Hann^2 windows at a quarter-length hop sum to a constant, so every sample weighs the same.
    for (let s0 = from - (3 * n) / 4; s0 < to; s0 += n / 4) {
      for (let i = 0; i < n; i++) {
        const j = s0 + i;
        const ok = j >= from && j < to;
        buf[2 * i] = ok ? (this.iq[2 * j] as number) * (win[i] as number) : 0;
        buf[2 * i + 1] = ok ? (this.iq[2 * j + 1] as number) * (win[i] as number) : 0;
      }
      fft.forward(buf);
      for (let k = 0; k < n; k++)
        psd[(k + n / 2) % n] =
          (psd[(k + n / 2) % n] as number) + (buf[2 * k] as number) ** 2 + (buf[2 * k + 1] as number) ** 2;
    }
    let total = 0;
    let moment = 0;
    for (let k = 0; k < n; k++) {
      total += psd[k] as number;
      moment += (k - n / 2) * (psd[k] as number);
    }
    const tail = ((1 - fraction) / 2) * total;
    const binHz = this.sampleRate / n;
    let acc = 0;
    let lo = 0;
    while (lo < n - 1 && acc + (psd[lo] as number) < tail) acc += psd[lo++] as number;
    acc = 0;
    let hi = n - 1;
    while (hi > 0 && acc + (psd[hi] as number) < tail) acc += psd[hi--] as number;
    return {
      lowerHz: (lo - 0.5 - n / 2) * binHz,
      upperHz: (hi + 0.5 - n / 2) * binHz,
      centroidHz: (moment / total) * binHz,
    };
  }

  /**
   * Filters everything added so far with real FIR `taps` (centred), e.g. [0.15, 1, 0.15] for a
   * smooth 5 dB roll-off towards the band edges like an RTL-SDR's. Levels given later by SNR
   * refer to the unfiltered density.
   */
  filter(taps: readonly number[]): this {
    const src = Float64Array.from(this.iq);
    const half = Math.floor(taps.length / 2);
    for (let i = 0; i < this.length; i++) {
      let re = 0;
      let im = 0;
      for (let t = 0; t < taps.length; t++) {
        const j = i + t - half;
        if (j < 0 || j >= this.length) continue;
        re += (taps[t] as number) * (src[2 * j] as number);
        im += (taps[t] as number) * (src[2 * j + 1] as number);
      }
      this.iq[2 * i] = re;
      this.iq[2 * i + 1] = im;
    }
    return this;
  }

  /** Adds a constant offset (a receiver's DC spike), in full-scale units. */
  dc(re: number, im: number): this {
    for (let i = 0; i < this.length; i++) {
      this.iq[2 * i] = (this.iq[2 * i] as number) + re;
      this.iq[2 * i + 1] = (this.iq[2 * i + 1] as number) + im;
    }
    return this;
  }

  /** Amplitude of a signal with `snrDb` in-band SNR over `bandwidthHz` against the scene's noise. */
  amplitude(snrDb: number, bandwidthHz: number): number {
    if (!Number.isFinite(this.noiseDbfsPerHz)) throw new Error('add noise before signals given by SNR');
    return Math.sqrt(10 ** ((snrDb + this.noiseDbfsPerHz) / 10) * bandwidthHz);
  }

  /** Adds amplitude * env(t) * exp(j phase(t)) over a span; phase(i) is in radians at sample i. */
  private add(
    span: Span,
    amp: number,
    phase: (i: number) => number,
    env: (i: number) => number = () => 1,
  ): this {
    const start = Math.max(0, Math.floor(span.start ?? 0));
    const end = Math.min(this.length, Math.floor(span.end ?? this.length));
    for (let i = start; i < end; i++) {
      const p = phase(i);
      const a = amp * env(i);
      this.iq[2 * i] = (this.iq[2 * i] as number) + a * Math.cos(p);
      this.iq[2 * i + 1] = (this.iq[2 * i + 1] as number) + a * Math.sin(p);
    }
    return this;
  }

  /** A carrier at `freqHz` (offset from the centre) of power `powerDbfs`. */
  tone(freqHz: number, powerDbfs: number, span: Span = {}): this {
    const w = (2 * Math.PI * freqHz) / this.sampleRate;
    return this.add(span, Math.sqrt(10 ** (powerDbfs / 10)), (i) => w * i);
  }

  /**
   * AM: carrier of power `carrierDbfs` with depth `depth` by a sum of audio tones `audioHz`
   * (bandwidth 2 x the highest tone).
   */
  am(freqHz: number, carrierDbfs: number, depth: number, audioHz: readonly number[], span: Span = {}): this {
    const w = (2 * Math.PI * freqHz) / this.sampleRate;
    const ws = audioHz.map((f) => (2 * Math.PI * f) / this.sampleRate);
    const phases = audioHz.map(() => 2 * Math.PI * this.rng.uniform());
    const scale = depth / Math.max(1, audioHz.length);
    return this.add(
      span,
      Math.sqrt(10 ** (carrierDbfs / 10)),
      (i) => w * i,
      (i) => 1 + scale * ws.reduce((s, x, k) => s + Math.cos(x * i + (phases[k] as number)), 0),
    );
  }

  /**
   * FM with deviation `deviationHz` by band-limited random modulation up to `audioHz` (a sum of
   * tones with random phases), Carson bandwidth 2 (deviation + audio).
   */
  fm(freqHz: number, snrDb: number, deviationHz: number, audioHz: number, span: Span = {}): this {
    const tones = 8;
    const fsr = this.sampleRate;
    const freqs = Array.from({ length: tones }, (_, k) => (audioHz * (k + 1)) / tones);
    const ph = freqs.map(() => 2 * Math.PI * this.rng.uniform());
    const norm = 1 / Math.sqrt(tones / 2);
    let phase = 0;
    const start = span.start ?? 0;
    let last = start - 1;
    const amp = this.amplitude(snrDb, 2 * (deviationHz + audioHz));
    return this.add(span, amp, (i) => {
      for (; last < i; last++) {
        let m = 0;
        for (let k = 0; k < tones; k++)
          m += Math.cos((2 * Math.PI * (freqs[k] as number) * last) / fsr + (ph[k] as number));
        m = Math.max(-1, Math.min(1, m * norm * 0.5));
        phase += (2 * Math.PI * (freqHz + deviationHz * m)) / fsr;
      }
      return phase;
    });
  }

  /**
   * Continuous-phase 2-FSK burst at `bitRate` with tones at freq +/- deviation; in-band SNR over
   * 2 (deviation + bitRate).
   */
  fsk(freqHz: number, snrDb: number, deviationHz: number, bitRate: number, span: Span): this {
    const spb = this.sampleRate / bitRate;
    let phase = 0;
    let bit = 0;
    let last = (span.start ?? 0) - 1;
    let nextBit = span.start ?? 0;
    const amp = this.amplitude(snrDb, 2 * (deviationHz + bitRate));
    return this.add(span, amp, (i) => {
      for (; last < i; last++) {
        if (last + 1 >= nextBit) {
          bit = this.rng.uniform() < 0.5 ? -1 : 1;
          nextBit += spb;
        }
        phase += (2 * Math.PI * (freqHz + bit * deviationHz)) / this.sampleRate;
      }
      return phase;
    });
  }

  /** Linear chirp from f0 to f1 over the span; in-band SNR over |f1 - f0|. */
  chirp(f0Hz: number, f1Hz: number, snrDb: number, span: Span): this {
    const start = span.start ?? 0;
    const end = span.end ?? this.length;
    const rate = (f1Hz - f0Hz) / ((end - start) / this.sampleRate);
    const fs = this.sampleRate;
    return this.add(span, this.amplitude(snrDb, Math.abs(f1Hz - f0Hz)), (i) => {
      const t = (i - start) / fs;
      return 2 * Math.PI * (f0Hz * t + 0.5 * rate * t * t);
    });
  }

  /**
   * OFDM-like signal: `subcarriers` carriers spaced bandwidth/subcarriers apart with random QPSK
   * symbols, one symbol per 1 / spacing; a flat band of `bandwidthHz` around `freqHz`.
   */
  ofdm(freqHz: number, bandwidthHz: number, snrDb: number, span: Span = {}, subcarriers = 64): this {
    const spacing = bandwidthHz / subcarriers;
    const symbol = Math.max(1, Math.round(this.sampleRate / spacing));
    const start = Math.max(0, Math.floor(span.start ?? 0));
    const end = Math.min(this.length, Math.floor(span.end ?? this.length));
    const amp = this.amplitude(snrDb, bandwidthHz) / Math.sqrt(subcarriers);
    const re = new Float64Array(subcarriers);
    const im = new Float64Array(subcarriers);
    for (let s0 = start; s0 < end; s0 += symbol) {
      for (let k = 0; k < subcarriers; k++) {
        re[k] = this.rng.uniform() < 0.5 ? Math.SQRT1_2 : -Math.SQRT1_2;
        im[k] = this.rng.uniform() < 0.5 ? Math.SQRT1_2 : -Math.SQRT1_2;
      }
      for (let i = s0; i < Math.min(end, s0 + symbol); i++) {
        let sr = 0;
        let si = 0;
        for (let k = 0; k < subcarriers; k++) {
          const f = freqHz + (k - (subcarriers - 1) / 2) * spacing;
          const p = (2 * Math.PI * f * i) / this.sampleRate;
          const c = Math.cos(p);
          const s = Math.sin(p);
          sr += (re[k] as number) * c - (im[k] as number) * s;
          si += (re[k] as number) * s + (im[k] as number) * c;
        }
        this.iq[2 * i] = (this.iq[2 * i] as number) + amp * sr;
        this.iq[2 * i + 1] = (this.iq[2 * i + 1] as number) + amp * si;
      }
    }
    return this;
  }

  /**
   * Band-limited Gaussian noise: flat over [freq - bw/2, freq + bw/2] and nothing outside (up to
   * the 122 Hz smear of crossfading 8192-sample blocks), so its occupied bandwidth is `bandwidthHz`
   * by construction. Synthesized per block in the frequency domain (random complex amplitudes in
   * the band, inverse FFT), blocks crossfaded with sin^2 / cos^2 halves.
   */
  bandNoise(freqHz: number, bandwidthHz: number, snrDb: number, span: Span = {}): this {
    const n = 8192;
    const hop = n / 2;
    const fft = new Fft(n, { engine: 'js' });
    const buf = new Float32Array(2 * n);
    const binHz = this.sampleRate / n;
    const lo = Math.round((freqHz - bandwidthHz / 2) / binHz);
    const hi = Math.round((freqHz + bandwidthHz / 2) / binHz);
    const bins = Math.max(1, hi - lo);
    const amp = this.amplitude(snrDb, bins * binHz);
    const start = Math.max(0, Math.floor(span.start ?? 0));
    const end = Math.min(this.length, Math.floor(span.end ?? this.length));
    for (let s0 = start - hop; s0 < end; s0 += hop) {
      buf.fill(0);
      for (let b = lo; b < hi; b++) {
        const k = ((b % n) + n) % n;
        buf[2 * k] = this.rng.normal();
        buf[2 * k + 1] = this.rng.normal();
      }
      // Inverse FFT as conj(FFT(conj(X))) / n; unit power per sample over `bins` bins.
      for (let k = 0; k < n; k++) buf[2 * k + 1] = -(buf[2 * k + 1] as number);
      fft.forward(buf);
      const g = amp / Math.sqrt(2 * bins);
      for (let i = 0; i < n; i++) {
        const j = s0 + i;
        if (j < start || j >= end) continue;
        const w = Math.sin((Math.PI * i) / n);
        this.iq[2 * j] = (this.iq[2 * j] as number) + g * w * (buf[2 * i] as number);
        this.iq[2 * j + 1] = (this.iq[2 * j + 1] as number) - g * w * (buf[2 * i + 1] as number);
      }
    }
    return this;
  }

  /** On-off keyed carrier burst (ASK), bits at `bitRate`; in-band SNR over 2 x bitRate, counted while on. */
  ook(freqHz: number, snrDb: number, bitRate: number, span: Span): this {
    const spb = this.sampleRate / bitRate;
    const start = span.start ?? 0;
    const bits: number[] = [];
    const w = (2 * Math.PI * freqHz) / this.sampleRate;
    return this.add(
      span,
      this.amplitude(snrDb, 2 * bitRate),
      (i) => w * i,
      (i) => {
        const b = Math.floor((i - start) / spb);
        while (bits.length <= b)
          bits.push(bits.length < 8 ? bits.length % 2 : this.rng.uniform() < 0.5 ? 0 : 1);
        return (bits[b] as number) === 0 ? 0 : Math.SQRT2;
      },
    );
  }

  /** The scene as bytes of `format` (rounded and clipped like a receiver would). */
  bytes(format: SampleFormat): Uint8Array {
    const n = this.iq.length;
    switch (format) {
      case 'cf32_le':
        return new Uint8Array(Float32Array.from(this.iq).buffer);
      case 'ci16_le': {
        const out = new Int16Array(n);
        for (let i = 0; i < n; i++)
          out[i] = Math.max(-32768, Math.min(32767, Math.round((this.iq[i] as number) * 32768)));
        return new Uint8Array(out.buffer);
      }
      case 'cu8': {
        const out = new Uint8Array(n);
        for (let i = 0; i < n; i++)
          out[i] = Math.max(0, Math.min(255, Math.round((this.iq[i] as number) * 128 + 127.5)));
        return out;
      }
      default:
        throw new Error(`test scenes are written as cf32_le, ci16_le or cu8, not ${format}`);
    }
  }
}
