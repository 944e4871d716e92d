/**
 * Programme audio for AM, FM and SSB: a speech-like voice (syllables with a pitch, vowel formants
 * and pauses between phrases), music-like programme (notes with harmonics over band-limited
 * noise) and a test tone. Real values stay within [-1, 1] (peak); the analytic (complex) form
 * feeds SSB. Everything is a pure function of (key, burst, t).
 */
import { hash32 as hash32Import, uniformAt } from '../prng.ts';
import { gaussianTable, sincosTables, tcos as tcosImport, tsin as tsinImport } from '../tables.ts';

// module-local aliases: hot loops call these directly
const hash32 = hash32Import;
const tcos = tcosImport;
const tsin = tsinImport;

export interface AudioSource {
  /** Real audio sample at time t (s) into burst `burst`, in [-1, 1]. */
  real(t: number, burst: number): number;
  /** Analytic signal (positive frequencies only) into out[0], out[1]; peak magnitude about 1. */
  analytic(t: number, burst: number, out: Float64Array): void;
}

export type AudioKind = 'voice' | 'music' | 'tone';

export function createAudio(kind: AudioKind, key: number, bandwidth: number): AudioSource {
  switch (kind) {
    case 'voice':
      return new Voice(key, Math.min(bandwidth, 3400));
    case 'music':
      return new Music(key, bandwidth);
    case 'tone':
      return new Tone();
  }
}

const { cos: COS, sin: SIN } = sincosTables();

/** A steady 1 kHz test tone. */
class Tone implements AudioSource {
  real(t: number): number {
    return tcos(1000 * t, COS);
  }
  analytic(t: number, _burst: number, out: Float64Array): void {
    out[0] = tcos(1000 * t, COS);
    out[1] = tsin(1000 * t, SIN);
  }
}

/** Vowel formants (F1, F2, F3) in Hz: a, e, i, o, u. */
const VOWELS = [
  [730, 1090, 2440],
  [530, 1840, 2480],
  [270, 2290, 3010],
  [570, 840, 2410],
  [300, 870, 2240],
] as const;
const FORMANT_GAIN = [1, 0.55, 0.25] as const;
const FORMANT_BW = [90, 110, 160] as const;

const SYLLABLE = 0.19;
const PHRASE = 14;
const MAX_H = 16;
const MAX_DEGREE = 48;

/**
 * Voiced syllables of about 190 ms: a pitch (fixed per speaker and burst, with intonation falling
 * over each phrase), harmonics weighted by the formants of a vowel, a smooth syllable envelope,
 * and silence between phrases and at random. Harmonic phases restart with each syllable, which is
 * silent at its edges, so the signal is smooth.
 */
class Voice implements AudioSource {
  private slot = NaN;
  private slotBurst = NaN;
  private count = 0;
  private readonly harm = new Float64Array(MAX_H);
  private readonly amp = new Float64Array(MAX_H);
  private readonly phase = new Float64Array(MAX_H);
  /** Polynomial coefficients c_k = a_k e^{j phi_k} for k = 0..degree (Horner in e^{j theta}). */
  private readonly polyRe = new Float64Array(MAX_DEGREE + 1);
  private readonly polyIm = new Float64Array(MAX_DEGREE + 1);
  private degree = 0;
  private f0 = 0;
  private active = 0;
  private readonly tmp = new Float64Array(2);

  constructor(
    private readonly key: number,
    private readonly maxFreq: number,
  ) {}

  private load(burst: number, slot: number): void {
    this.slot = slot;
    this.slotBurst = burst;
    this.count = 0;
    const inPhrase = ((slot % PHRASE) + PHRASE) % PHRASE;
    const silent = inPhrase >= PHRASE - 2 || uniformAt(this.key, burst, slot, 1) < 0.2;
    if (silent) {
      this.active = 0;
      return;
    }
    const female = uniformAt(this.key, burst, 0, 2) < 0.4;
    const base = female
      ? 175 + 60 * uniformAt(this.key, burst, 0, 3)
      : 90 + 45 * uniformAt(this.key, burst, 0, 3);
    this.f0 =
      base * (1 + 0.12 * (uniformAt(this.key, burst, slot, 4) - 0.5)) * (1.08 - (0.14 * inPhrase) / PHRASE);
    this.active = 0.65 + 0.33 * uniformAt(this.key, burst, slot, 5);
    const vowel = VOWELS[hash32(this.key, burst, slot, 6) % VOWELS.length] ?? VOWELS[0];
    const loud = 0.55 + 0.45 * uniformAt(this.key, burst, slot, 7);
    // harmonics: the first three and those nearest each formant
    const want = new Set<number>([1, 2, 3]);
    for (const f of vowel) {
      const k = f / this.f0;
      want.add(Math.floor(k));
      want.add(Math.ceil(k));
      want.add(Math.ceil(k) + 1);
    }
    let power = 0;
    for (const k of [...want].sort((a, b) => a - b)) {
      const f = k * this.f0;
      if (k < 1 || f > this.maxFreq || this.count >= MAX_H) continue;
      let g = 0.15 / k;
      for (let i = 0; i < 3; i++) {
        const x = (f - (vowel[i] ?? 0)) / (FORMANT_BW[i] ?? 100);
        g += (FORMANT_GAIN[i] ?? 0) / (1 + x * x);
      }
      if (f < 300) g *= 0.3; // microphone and transmitter audio filters
      this.harm[this.count] = k;
      this.amp[this.count] = g;
      this.phase[this.count] = uniformAt(this.key, burst, slot, 16 + k);
      power += g * g;
      this.count++;
    }
    const norm = loud / Math.sqrt(power || 1);
    this.polyRe.fill(0);
    this.polyIm.fill(0);
    this.degree = 0;
    for (let i = 0; i < this.count; i++) {
      const k = this.harm[i] ?? 0;
      if (k > MAX_DEGREE) continue;
      const a = (this.amp[i] ?? 0) * norm;
      const ph = 2 * Math.PI * (this.phase[i] ?? 0);
      this.polyRe[k] = a * Math.cos(ph);
      this.polyIm[k] = a * Math.sin(ph);
      if (k > this.degree) this.degree = k;
    }
  }

  analytic(t: number, burst: number, out: Float64Array): void {
    const slot = Math.floor(t / SYLLABLE);
    if (slot !== this.slot || burst !== this.slotBurst) this.load(burst, slot);
    const u = (t - slot * SYLLABLE) / (SYLLABLE * this.active);
    if (this.active === 0 || u >= 1 || u < 0) {
      out[0] = 0;
      out[1] = 0;
      return;
    }
    const s = tsin(0.5 * u, SIN);
    const env = s * s;
    // sum of c_k z^k with z = e^{j 2 pi f0 t}, by Horner's rule
    const cyc = this.f0 * (t - slot * SYLLABLE);
    const zr = tcos(cyc, COS);
    const zi = tsin(cyc, SIN);
    const pr = this.polyRe;
    const pi = this.polyIm;
    let re = 0;
    let im = 0;
    for (let k = this.degree; k >= 1; k--) {
      const nr = re * zr - im * zi + pr[k]!;
      im = re * zi + im * zr + pi[k]!;
      re = nr;
    }
    // one more factor z: the sum starts at k = 1
    out[0] = (re * zr - im * zi) * env;
    out[1] = (re * zi + im * zr) * env;
  }

  real(t: number, burst: number): number {
    this.analytic(t, burst, this.tmp);
    const v = (this.tmp[0] ?? 0) * 0.7;
    return v > 1 ? 1 : v < -1 ? -1 : v;
  }
}

const BEAT = 0.4;
const SCALE = [0, 2, 4, 7, 9] as const; // pentatonic

/**
 * Two notes per beat (with two overtones each) over band-limited noise, the whole beat following
 * an attack-decay envelope: a spectrum and a rhythm like programme music, cheap to evaluate.
 */
class Music implements AudioSource {
  private beat = NaN;
  private beatBurst = NaN;
  private f1 = 0;
  private f2 = 0;
  private p1 = 0;
  private p2 = 0;
  private loud = 0;
  private noiseIndex = NaN;
  private n0 = 0;
  private n1 = 0;
  private n0i = 0;
  private n1i = 0;
  private readonly noiseRate: number;
  private readonly gauss = gaussianTable();
  private readonly harmonics: number;

  constructor(
    private readonly key: number,
    private readonly bandwidth: number,
  ) {
    this.noiseRate = 1.2 * bandwidth;
    this.harmonics = 2;
  }

  private load(burst: number, beat: number): void {
    this.beat = beat;
    this.beatBurst = burst;
    const note = (n: number) => {
      const step = SCALE[hash32(this.key, burst, beat, n) % SCALE.length] ?? 0;
      const octave = hash32(this.key, burst, beat, n + 10) % 3;
      return 220 * 2 ** ((step + 12 * octave) / 12);
    };
    this.f1 = note(1);
    this.f2 = note(2);
    this.p1 = uniformAt(this.key, burst, beat, 3);
    this.p2 = uniformAt(this.key, burst, beat, 4);
    this.loud = 0.6 + 0.4 * uniformAt(this.key, burst, beat, 5);
  }

  private noise(t: number, burst: number, complex: boolean): void {
    const x = t * this.noiseRate;
    const i = Math.floor(x);
    if (i !== this.noiseIndex) {
      const g = this.gauss;
      if (i === this.noiseIndex + 1) {
        this.n0 = this.n1;
        this.n0i = this.n1i;
      } else {
        const h0 = hash32(this.key, burst, i, 0x77);
        this.n0 = g[h0 >>> 16] ?? 0;
        this.n0i = g[h0 & 0xffff] ?? 0;
      }
      const h1 = hash32(this.key, burst, i + 1, 0x77);
      this.n1 = g[h1 >>> 16] ?? 0;
      this.n1i = complex ? (g[h1 & 0xffff] ?? 0) : 0;
      this.noiseIndex = i;
    }
  }

  private envelope(t: number): number {
    const u = t / BEAT - this.beat;
    const d = 1 - u;
    return Math.min(1, u * 40) * d * d * this.loud;
  }

  real(t: number, burst: number): number {
    const beat = Math.floor(t / BEAT);
    if (beat !== this.beat || burst !== this.beatBurst) this.load(burst, beat);
    const e = this.envelope(t);
    const tb = t - beat * BEAT;
    let tones = 0;
    for (let k = 1; k <= this.harmonics; k++) {
      const g = 1 / k;
      if (k * this.f1 < this.bandwidth) tones += g * tcos(k * (this.f1 * tb + this.p1), COS);
      if (k * this.f2 < this.bandwidth) tones += g * tcos(k * (this.f2 * tb + this.p2), COS);
    }
    this.noise(t, burst, false);
    const f = t * this.noiseRate - this.noiseIndex;
    const n = this.n0 + (this.n1 - this.n0) * f;
    // loud, compressed programme: a cubic soft clipper keeps peaks at full modulation
    const x = 0.5 * tones * e + 0.45 * n * (0.6 + 0.4 * e);
    return x >= 1 ? 1 : x <= -1 ? -1 : x * (1.5 - 0.5 * x * x);
  }

  analytic(t: number, burst: number, out: Float64Array): void {
    const beat = Math.floor(t / BEAT);
    if (beat !== this.beat || burst !== this.beatBurst) this.load(burst, beat);
    const e = this.envelope(t);
    const tb = t - beat * BEAT;
    let re = 0;
    let im = 0;
    for (let k = 1; k <= this.harmonics; k++) {
      const g = 1 / k;
      const c1 = k * (this.f1 * tb + this.p1);
      const c2 = k * (this.f2 * tb + this.p2);
      re += g * (tcos(c1, COS) + tcos(c2, COS));
      im += g * (tsin(c1, SIN) + tsin(c2, SIN));
    }
    this.noise(t, burst, true);
    const f = t * this.noiseRate - this.noiseIndex;
    const nr = this.n0 + (this.n1 - this.n0) * f;
    const ni = this.n0i + (this.n1i - this.n0i) * f;
    // shift the (two-sided) noise up so that it sits at positive audio frequencies
    const shift = (0.5 * this.noiseRate + 300) * t;
    const c = tcos(shift, COS);
    const s = tsin(shift, SIN);
    out[0] = 0.25 * re * e + 0.15 * (nr * c - ni * s) * (0.5 + 0.5 * e);
    out[1] = 0.25 * im * e + 0.15 * (nr * s + ni * c) * (0.5 + 0.5 * e);
  }
}

/**
 * Evaluates an audio source on a fixed grid of `rate` per second (per burst) and interpolates
 * linearly: for modulators evaluated faster than the audio needs (wideband FM).
 */
export class SampledAudio implements AudioSource {
  private index = NaN;
  private burst = NaN;
  private v0 = 0;
  private v1 = 0;
  private readonly tmp = new Float64Array(2);
  constructor(
    private readonly source: AudioSource,
    private readonly rate: number,
  ) {}
  real(t: number, burst: number): number {
    const x = t * this.rate;
    const i = Math.floor(x);
    if (i !== this.index || burst !== this.burst) {
      this.v0 =
        i === this.index + 1 && burst === this.burst ? this.v1 : this.source.real(i / this.rate, burst);
      this.v1 = this.source.real((i + 1) / this.rate, burst);
      this.index = i;
      this.burst = burst;
    }
    return this.v0 + (this.v1 - this.v0) * (x - i);
  }
  analytic(t: number, burst: number, out: Float64Array): void {
    this.source.analytic(t, burst, this.tmp);
    out[0] = this.tmp[0] ?? 0;
    out[1] = this.tmp[1] ?? 0;
  }
}
