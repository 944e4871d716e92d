/**
 * Days of a node's spectrum without generating IQ: power spectral density frames rendered from
 * the ground truth (every transmission and anomaly the node hears, with its band, power and time)
 * and the link budget's noise floor. A day of IQ at 2.4 MS/s is 2e11 samples (about an hour of
 * CPU); a day of 10 s PSD frames is 8,640 frames and renders in well under a second. This is what
 * anomaly baselines learn from and are evaluated on (weeks of schedules, hour-of-day profiles).
 *
 * What a frame holds: the mean PSD over [t, t + frame) in dBFS/Hz per bin, as a Welch average
 * would show it: noise density, plus each transmission's power spread flat over its occupied band
 * weighted by the fraction of the frame it is on, plus the DC spike. Anomalies act as they do on
 * the IQ: power jumps scale the emitter, drifts move it (ramping across the window), new emitters,
 * jammers and harmonics add their own transmissions. On top, what real receivers show and the
 * ideal average does not: a slow common gain wander (temperature, AGC), per-frame scintillation of
 * each emitter, and per-bin estimation noise. All of it is counter-based random (scene seed, node,
 * frame), so the same settings give the same frames.
 */
import { gaussianAt, deriveKey } from './prng.ts';
import { groundTruth, type TruthEvent } from './ground-truth.ts';
import type { SimReceiver } from './receiver.ts';

export interface PowerFrameOptions {
  /** Node-clock seconds since the scenario start of the first frame (default: the receiver's time). */
  readonly seconds: number;
  /** Frame length and spacing, seconds (default 10). */
  readonly frameSeconds?: number;
  /** Bin width, Hz (default 3125: 768 bins over 2.4 MHz). */
  readonly binHz?: number;
  /** Per-bin estimation noise, dB standard deviation (default 0.5). */
  readonly binNoiseDb?: number;
  /** Per-frame level jitter of each transmission, dB standard deviation (default 1). */
  readonly emitterJitterDb?: number;
  /** Slow common gain wander, dB standard deviation (default 0.3). */
  readonly gainWanderDb?: number;
}

export interface PowerFrame {
  /** Unix milliseconds of the frame start (scenario start + node time). */
  readonly timeMs: number;
  /** Centre frequency of bin 0, Hz; bins ascend by `binHz`. */
  readonly startHz: number;
  readonly binHz: number;
  /** PSD in dBFS/Hz per bin. */
  readonly db: Float32Array;
}

export interface PowerFrameRun {
  readonly frames: PowerFrame[];
  /** Ground truth of the same span (transmissions and anomalies), node-clock seconds from its start. */
  readonly truth: TruthEvent[];
  /** Scenario seconds of frame 0. */
  readonly startS: number;
}

/** Where a truth event sits in this capture, absolute Hz as the receiver sees it (LO error included). */
function apparentBand(rx: SimReceiver, ev: TruthEvent): [number, number] {
  const shift = rx.centerFrequency + ev.basebandHz - ev.frequencyHz;
  return [ev.freqLowerHz + shift, ev.freqUpperHz + shift];
}

/**
 * Renders `seconds` of PSD frames for the receiver at its current tuning, starting at its current
 * time, with the ground truth of the same span. The receiver is only asked what it hears: no IQ
 * is generated and it is not advanced.
 */
export function renderPowerFrames(rx: SimReceiver, o: PowerFrameOptions): PowerFrameRun {
  const frameS = o.frameSeconds ?? 10;
  const binHz = o.binHz ?? 3125;
  const binNoise = o.binNoiseDb ?? 0.5;
  const jitter = o.emitterJitterDb ?? 1;
  const wander = o.gainWanderDb ?? 0.3;
  const fs = rx.sampleRate;
  const nFrames = Math.max(0, Math.floor(o.seconds / frameS));
  const bins = Math.max(1, Math.floor(fs / binHz));
  const startHz = rx.centerFrequency - (bins / 2) * binHz + binHz / 2;
  const startS = rx.time;
  const truth = groundTruth(rx, Math.round(nFrames * frameS * fs));
  const noiseLin = 10 ** ((rx.noiseDbfs - 10 * Math.log10(fs)) / 10);
  const key = deriveKey(rx.scene.seed, `power-frames:${rx.node.name}`);

  // accumulated linear density per frame and bin
  const lin: Float64Array[] = Array.from({ length: nFrames }, () => new Float64Array(bins).fill(noiseLin));
  const dc = rx.node.dc_offset_dbfs;
  if (dc !== undefined) {
    const k = Math.floor(bins / 2);
    for (const f of lin) f[k] = (f[k] as number) + 10 ** (dc / 10) / binHz;
  }

  const emitters = new Map(rx.scene.emitters.map((e) => [e.name, e]));
  const addBand = (f: number, lo: number, hi: number, density: number, weight: number): void => {
    const row = lin[f] as Float64Array;
    const width = Math.max(hi - lo, binHz);
    const centre = (lo + hi) / 2;
    const a = centre - width / 2;
    const b = centre + width / 2;
    const i0 = Math.max(0, Math.floor((a - startHz) / binHz + 0.5));
    const i1 = Math.min(bins - 1, Math.floor((b - startHz) / binHz + 0.5));
    for (let i = i0; i <= i1; i++) {
      const binLo = startHz + (i - 0.5) * binHz;
      const cover = Math.max(0, Math.min(b, binLo + binHz) - Math.max(a, binLo)) / binHz;
      row[i] = Math.max(noiseLin * 1e-3, (row[i] as number) + density * weight * cover);
    }
  };

  for (const ev of truth) {
    // out-of-schedule windows are already transmissions; drift and jump modify them below
    if (ev.kind === 'out_of_schedule' || ev.kind === 'power_jump' || ev.kind === 'frequency_drift') continue;
    const [lo, hi] = apparentBand(rx, ev);
    const e = emitters.get(ev.emitter);
    const density = 10 ** (ev.powerDbfs / 10) / Math.max(hi - lo, binHz);
    const emitterKey = deriveKey(key, ev.emitter);
    const f0 = Math.max(0, Math.floor(ev.startS / frameS));
    const f1 = Math.min(nFrames - 1, Math.floor((ev.endS - 1e-9) / frameS));
    for (let f = f0; f <= f1; f++) {
      const t0 = f * frameS;
      const overlap = Math.min(ev.endS, t0 + frameS) - Math.max(ev.startS, t0);
      if (overlap <= 0) continue;
      const mid = startS + Math.max(ev.startS, t0) + overlap / 2;
      let gainDb = jitter * gaussianAt(emitterKey, f);
      let shift = 0;
      for (const j of e?.powerJumps ?? []) if (mid >= j.start && mid < j.end) gainDb += j.db;
      for (const d of e?.drifts ?? []) {
        if (mid >= d.start && mid < d.end) shift += (d.drift * (mid - d.start)) / (d.end - d.start);
      }
      addBand(f, lo + shift, hi + shift, density, (overlap / frameS) * 10 ** (gainDb / 10));
    }
  }

  const frames: PowerFrame[] = [];
  let g = 0;
  const rho = 0.98;
  for (let f = 0; f < nFrames; f++) {
    g = rho * g + Math.sqrt(1 - rho * rho) * wander * gaussianAt(key, f, 0x9a1);
    const row = lin[f] as Float64Array;
    const db = new Float32Array(bins);
    for (let i = 0; i < bins; i++) {
      db[i] = 10 * Math.log10(row[i] as number) + g + binNoise * gaussianAt(key, f, i + 0x10000);
    }
    frames.push({
      timeMs: rx.scene.startMs + (startS + f * frameS) * 1000,
      startHz,
      binHz,
      db,
    });
  }
  return { frames, truth, startS };
}
