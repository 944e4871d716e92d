/**
 * Programme audio for AM, FM and SSB: a speech-like voice (syllables with a pitch, vowel formants
 * and pauses between phrases), music-like programme (notes with harmonics over band-limited
 * noise) and a test tone. Real values stay within [-1, 1] (peak); the analytic (complex) form
 * feeds SSB. Everything is a pure function of (key, burst, t).
 *
 * Sources fill whole runs of equally spaced times at once (one call per waveform and chunk):
 * the voice reads one pitch period from a table built per syllable, the music runs its notes as
 * recurrences within each beat.
 */
import { hash32 as hash32Import, uniformAt } from '../prng.ts';
import { gaussianTable, sincosTables, tcos as tcosImport, tsin as tsinImport } from '../tables.ts';

// module-local aliases: hot loops call these directly
const hash32 = hash32Import;
const tcos = tcosImport;
const tsin = tsinImport;

export interface AudioSource {
  /** out[at + i] = the real audio at time t0 + i dt (s) into burst `burst`, in [-1, 1]. */
  fillReal(t0: number, dt: number, count: number, burst: number, out: Float64Array, at: number): void;
  /** The analytic signal (positive frequencies only) at t0 + i dt into re/im; peak magnitude about 1. */
  fillAnalytic(
    t0: number,
    dt: number,
    count: number,
    burst: number,
    re: Float64Array,
    im: Float64Array,
  ): void;
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
  fillReal(t0: number, dt: number, count: number, _burst: number, out: Float64Array, at: number): void {
    for (let i = 0; i < count; i++) out[at + i] = tcos(1000 * (t0 + i * dt), COS);
  }
  fillAnalytic(
    t0: number,
    dt: number,
    count: number,
    _burst: number,
    re: Float64Array,
    im: Float64Array,
  ): void {
    for (let i = 0; i < count; i++) {
      re[i] = tcos(1000 * (t0 + i * dt), COS);
      im[i] = tsin(1000 * (t0 + i * dt), SIN);
    }
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
/** Entries of a syllable's one-period table (harmonics up to about 40 lose under 0.1 dB). */
const PERIOD = 512;

let unitCircle: Float64Array | undefined;
/** e^{j 2 pi m / PERIOD} for m = 0 .. PERIOD - 1, re and im interleaved. */
function circle(): Float64Array {
  if (unitCircle === undefined) {
    unitCircle = new Float64Array(2 * PERIOD);
    for (let m = 0; m < PERIOD; m++) {
      unitCircle[2 * m] = Math.cos((2 * Math.PI * m) / PERIOD);
      unitCircle[2 * m + 1] = Math.sin((2 * Math.PI * m) / PERIOD);
    }
  }
  return unitCircle;
}

/**
 * Voiced syllables of about 190 ms: a pitch (fixed per speaker and burst, with intonation falling
 * over each phrase), harmonics weighted by the formants of a vowel, a smooth syllable envelope,
 * and silence between phrases and at random. Harmonic phases restart with each syllable, which is
 * silent at its edges, so the signal is smooth. Within a syllable the waveform is periodic: one
 * period (the analytic sum of its harmonics) is tabulated when the syllable starts.
 */
class Voice implements AudioSource {
  private slot = NaN;
  private slotBurst = NaN;
  private count = 0;
  private readonly harm = new Float64Array(MAX_H);
  private readonly amp = new Float64Array(MAX_H);
  private readonly phase = new Float64Array(MAX_H);
  /** One period of the analytic voiced sound, re and im interleaved, PERIOD + 1 entries. */
  private readonly period = new Float64Array(2 * (PERIOD + 1));
  private f0 = 0;
  private active = 0;

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
    // one period: sum over harmonics of a_k e^{j (2 pi k n / PERIOD + phi_k)}
    const p = this.period;
    const e = circle();
    p.fill(0);
    for (let h = 0; h < this.count; h++) {
      const k = this.harm[h] ?? 0;
      if (k > MAX_DEGREE) continue;
      const a = (this.amp[h] ?? 0) * norm;
      const ph = 2 * Math.PI * (this.phase[h] ?? 0);
      const cr = a * Math.cos(ph);
      const ci = a * Math.sin(ph);
      for (let n = 0, m = 0; n < PERIOD; n++, m = (m + k) & (PERIOD - 1)) {
        const zr = e[2 * m]!;
        const zi = e[2 * m + 1]!;
        p[2 * n] = p[2 * n]! + cr * zr - ci * zi;
        p[2 * n + 1] = p[2 * n + 1]! + cr * zi + ci * zr;
      }
    }
    p[2 * PERIOD] = p[0]!;
    p[2 * PERIOD + 1] = p[1]!;
  }

  /** Analytic voice into re (and im when given) at t0 + i dt; real-only callers pass no im. */
  private fill(
    t0: number,
    dt: number,
    count: number,
    burst: number,
    re: Float64Array,
    im: Float64Array | undefined,
    at: number,
  ): void {
    const p = this.period;
    for (let i = 0; i < count; i++) {
      const t = t0 + i * dt;
      const slot = Math.floor(t / SYLLABLE);
      if (slot !== this.slot || burst !== this.slotBurst) this.load(burst, slot);
      const ts = t - slot * SYLLABLE;
      const u = ts / (SYLLABLE * this.active);
      if (this.active === 0 || u >= 1 || u < 0) {
        re[at + i] = 0;
        if (im !== undefined) im[at + i] = 0;
        continue;
      }
      const s = tsin(0.5 * u, SIN);
      const env = s * s;
      const cyc = this.f0 * ts;
      const pos = (cyc - Math.floor(cyc)) * PERIOD;
      const n = pos | 0;
      const fr = pos - n;
      const a = p[2 * n]!;
      re[at + i] = (a + (p[2 * n + 2]! - a) * fr) * env;
      if (im !== undefined) {
        const b = p[2 * n + 1]!;
        im[at + i] = (b + (p[2 * n + 3]! - b) * fr) * env;
      }
    }
  }

  fillAnalytic(
    t0: number,
    dt: number,
    count: number,
    burst: number,
    re: Float64Array,
    im: Float64Array,
  ): void {
    this.fill(t0, dt, count, burst, re, im, 0);
  }

  fillReal(t0: number, dt: number, count: number, burst: number, out: Float64Array, at: number): void {
    this.fill(t0, dt, count, burst, out, undefined, at);
    for (let i = at; i < at + count; i++) {
      const v = out[i]! * 0.7;
      out[i] = v > 1 ? 1 : v < -1 ? -1 : v;
    }
  }
}

const BEAT = 0.4;
const SCALE = [0, 2, 4, 7, 9] as const; // pentatonic

/**
 * Two notes per beat (with two overtones each) over band-limited noise, the whole beat following
 * an attack-decay envelope: a spectrum and a rhythm like programme music, cheap to evaluate. The
 * notes run as recurrences through each beat.
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
  private noiseBurst = NaN;
  private n0 = 0;
  private n1 = 0;
  private n0i = 0;
  private n1i = 0;
  private readonly noiseRate: number;
  private readonly gauss = gaussianTable();
  /** Per tone (note 1 and 2, harmonics 1 and 2): gain, and the recurrence state of a run. */
  private readonly gain = new Float64Array(4);
  private readonly cr = new Float64Array(4);
  private readonly ci = new Float64Array(4);
  private readonly wr = new Float64Array(4);
  private readonly wi = new Float64Array(4);

  constructor(
    private readonly key: number,
    private readonly bandwidth: number,
  ) {
    this.noiseRate = 1.2 * bandwidth;
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

  /** Noise values around sample floor(t * noiseRate) (n0, n1 and, complex, n0i, n1i). */
  private noise(t: number, burst: number, complex: boolean): void {
    const x = t * this.noiseRate;
    const i = Math.floor(x);
    if (i !== this.noiseIndex || burst !== this.noiseBurst) {
      const g = this.gauss;
      if (i === this.noiseIndex + 1 && burst === this.noiseBurst) {
        this.n0 = this.n1;
        this.n0i = this.n1i;
      } else {
        const h0 = hash32(this.key, burst, i, 0x77);
        this.n0 = g[h0 >>> 16] ?? 0;
        this.n0i = complex ? (g[h0 & 0xffff] ?? 0) : 0;
      }
      const h1 = hash32(this.key, burst, i + 1, 0x77);
      this.n1 = g[h1 >>> 16] ?? 0;
      this.n1i = complex ? (g[h1 & 0xffff] ?? 0) : 0;
      this.noiseIndex = i;
      this.noiseBurst = burst;
    }
  }

  /**
   * Starts the note recurrences of the current beat at time t, stepping dt: tone j rotates by
   * (wr, wi) per step from (cr, ci) = e^{j 2 pi k (f tb + p)}.
   */
  private startTones(t: number, dt: number): void {
    const tb = t - this.beat * BEAT;
    for (let j = 0; j < 4; j++) {
      const k = j < 2 ? 1 : 2;
      const f = j % 2 === 0 ? this.f1 : this.f2;
      const p = j % 2 === 0 ? this.p1 : this.p2;
      this.gain[j] = k * f < this.bandwidth ? 1 / k : 0;
      const a = 2 * Math.PI * k * (f * tb + p);
      this.cr[j] = Math.cos(a);
      this.ci[j] = Math.sin(a);
      const w = 2 * Math.PI * k * f * dt;
      this.wr[j] = Math.cos(w);
      this.wi[j] = Math.sin(w);
    }
  }

  /** Samples from index i (time t0 + i dt) to the end of its beat or of the run. */
  private runEnd(t0: number, dt: number, i: number, count: number): number {
    if (dt <= 0) return count;
    const end = Math.ceil(((this.beat + 1) * BEAT - t0) / dt);
    return Math.min(count, Math.max(i + 1, end));
  }

  fillReal(t0: number, dt: number, count: number, burst: number, out: Float64Array, at: number): void {
    const nr = this.noiseRate;
    let i = 0;
    while (i < count) {
      const ts = t0 + i * dt;
      const beat = Math.floor(ts / BEAT);
      if (beat !== this.beat || burst !== this.beatBurst) this.load(burst, beat);
      this.startTones(ts, dt);
      const end = this.runEnd(t0, dt, i, count);
      const loud = this.loud;
      // the four tones as local recurrences: value c, rotation w per step, gain g
      const g0 = this.gain[0]!;
      const g1 = this.gain[1]!;
      const g2 = this.gain[2]!;
      const g3 = this.gain[3]!;
      let c0 = this.cr[0]!;
      let s0 = this.ci[0]!;
      let c1 = this.cr[1]!;
      let s1 = this.ci[1]!;
      let c2 = this.cr[2]!;
      let s2 = this.ci[2]!;
      let c3 = this.cr[3]!;
      let s3 = this.ci[3]!;
      const w0r = this.wr[0]!;
      const w0i = this.wi[0]!;
      const w1r = this.wr[1]!;
      const w1i = this.wi[1]!;
      const w2r = this.wr[2]!;
      const w2i = this.wi[2]!;
      const w3r = this.wr[3]!;
      const w3i = this.wi[3]!;
      for (; i < end; i++) {
        const t = t0 + i * dt;
        const u = t / BEAT - beat;
        const d = 1 - u;
        const e = Math.min(1, u * 40) * d * d * loud;
        const tones = g0 * c0 + g1 * c1 + g2 * c2 + g3 * c3;
        let r = c0 * w0r - s0 * w0i;
        s0 = c0 * w0i + s0 * w0r;
        c0 = r;
        r = c1 * w1r - s1 * w1i;
        s1 = c1 * w1i + s1 * w1r;
        c1 = r;
        r = c2 * w2r - s2 * w2i;
        s2 = c2 * w2i + s2 * w2r;
        c2 = r;
        r = c3 * w3r - s3 * w3i;
        s3 = c3 * w3i + s3 * w3r;
        c3 = r;
        const x = t * nr;
        if (Math.floor(x) !== this.noiseIndex || burst !== this.noiseBurst) this.noise(t, burst, false);
        const n = this.n0 + (this.n1 - this.n0) * (x - this.noiseIndex);
        // loud, compressed programme: a cubic soft clipper keeps peaks at full modulation
        const v = 0.5 * tones * e + 0.45 * n * (0.6 + 0.4 * e);
        out[at + i] = v >= 1 ? 1 : v <= -1 ? -1 : v * (1.5 - 0.5 * v * v);
      }
    }
  }

  fillAnalytic(
    t0: number,
    dt: number,
    count: number,
    burst: number,
    re: Float64Array,
    im: Float64Array,
  ): void {
    const g = this.gain;
    const cr = this.cr;
    const ci = this.ci;
    const wr = this.wr;
    const wi = this.wi;
    // the (two-sided) noise is shifted up so that it sits at positive audio frequencies
    const shiftHz = 0.5 * this.noiseRate + 300;
    let i = 0;
    while (i < count) {
      const ts = t0 + i * dt;
      const beat = Math.floor(ts / BEAT);
      if (beat !== this.beat || burst !== this.beatBurst) this.load(burst, beat);
      this.startTones(ts, dt);
      const end = this.runEnd(t0, dt, i, count);
      const loud = this.loud;
      let sr = Math.cos(2 * Math.PI * (shiftHz * ts - Math.floor(shiftHz * ts)));
      let si = Math.sin(2 * Math.PI * (shiftHz * ts - Math.floor(shiftHz * ts)));
      const swr = Math.cos(2 * Math.PI * shiftHz * dt);
      const swi = Math.sin(2 * Math.PI * shiftHz * dt);
      for (; i < end; i++) {
        const t = t0 + i * dt;
        const u = t / BEAT - beat;
        const d = 1 - u;
        const e = Math.min(1, u * 40) * d * d * loud;
        let tr = 0;
        let ti = 0;
        for (let j = 0; j < 4; j++) {
          tr += g[j]! * cr[j]!;
          ti += g[j]! * ci[j]!;
          const r = cr[j]! * wr[j]! - ci[j]! * wi[j]!;
          ci[j] = cr[j]! * wi[j]! + ci[j]! * wr[j]!;
          cr[j] = r;
        }
        this.noise(t, burst, true);
        const f = t * this.noiseRate - this.noiseIndex;
        const nr = this.n0 + (this.n1 - this.n0) * f;
        const ni = this.n0i + (this.n1i - this.n0i) * f;
        const ne = 0.15 * (0.5 + 0.5 * e);
        re[i] = 0.25 * tr * e + ne * (nr * sr - ni * si);
        im[i] = 0.25 * ti * e + ne * (nr * si + ni * sr);
        const r = sr * swr - si * swi;
        si = sr * swi + si * swr;
        sr = r;
      }
    }
  }
}
