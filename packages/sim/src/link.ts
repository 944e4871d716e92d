/**
 * One emitter as heard by one tuned receiver.
 *
 * For every chunk the link evaluates its emitter at control points every `step` samples (aligned
 * to fixed capture positions, so the result never depends on how the caller reads), in emitter
 * time: receiver time minus the node's clock error minus the propagation delay, so TDOA is exact
 * to well below a nanosecond. The WebAssembly kernel then interpolates the complex envelope and
 * the frequency between the points and mixes the result to baseband with an integer-phase
 * oscillator. Silence (schedule off, anomaly windows closed) costs no evaluation at all.
 */
import type { SimKernel } from './kernel.ts';
import { angleBetween, beamGainDb, type LinkBudget } from './link-budget.ts';
import { uniformAt } from './prng.ts';
import { createSchedule, type ScheduleRuntime } from './schedule.ts';
import type { SceneEmitter } from './scene.ts';
import { cyclesToPhase } from './tables.ts';
import { createWaveform, type Waveform } from './waveforms/create-waveform.ts';

/** Burst numbers of out-of-schedule windows (never collide with schedule bursts). */
const FORCED_BURST_BASE = 0x7ff00000;

export interface LinkTiming {
  /** Emitter time of capture sample 0, seconds. */
  readonly tau0: number;
  /** Emitter seconds per capture sample. */
  readonly tauPerSample: number;
}

export interface LinkParams {
  readonly emitter: SceneEmitter;
  readonly budget: LinkBudget;
  readonly sampleRate: number;
  /** Emitter carrier minus the receiver's actual LO frequency, Hz. */
  readonly basebandHz: number;
  /** Linear amplitude in full-scale units (1 = 0 dBFS) while transmitting. */
  readonly amplitude: number;
  readonly timing: LinkTiming;
  /** Clock error of the node, seconds (enters the carrier phase). */
  readonly clockErrorS: number;
  readonly localOffsetS: number;
  /** The receiver's kernel (waveforms may keep tables in it). */
  readonly kernel?: SimKernel;
}

export class Link {
  readonly emitter: SceneEmitter;
  readonly budget: LinkBudget;
  readonly waveform: Waveform;
  readonly basebandHz: number;
  readonly amplitude: number;
  /** Samples between control points. */
  readonly step: number;
  private readonly schedule: ScheduleRuntime;
  private readonly tau0: number;
  private readonly tauPerSample: number;
  private readonly carrierInc: number;
  private readonly hzToInc: number;
  private readonly jumps: readonly { start: number; end: number; factor: number }[];
  private readonly rotating:
    { period: number; beamwidth: number; floor: number; bearing: number; phase: number } | undefined;
  /** Power jumps, drifts or a rotating antenna: points need per-point corrections. */
  private readonly dynamic: boolean;
  /** Oscillator phase at capture sample 0; the running phase starts from it at the first chunk. */
  private readonly phase0: number;
  private phase = 0;
  private started = false;
  // the current burst: number, content origin and validity [from, to) in emitter time
  private burst = -1;
  private burstOrigin = 0;
  private burstFrom = 0;
  private burstTo = 0;
  /** When off: the next time a burst may start. */
  private gateNext = 0;

  constructor(p: LinkParams) {
    this.emitter = p.emitter;
    this.budget = p.budget;
    this.basebandHz = p.basebandHz;
    this.amplitude = p.amplitude;
    this.waveform = createWaveform(p.emitter.modulation, {
      key: p.emitter.key,
      sampleRate: p.sampleRate,
      ...(p.kernel === undefined ? {} : { kernel: p.kernel }),
    });
    this.schedule = createSchedule(p.emitter.schedule, { key: p.emitter.key, localOffsetS: p.localOffsetS });
    // steps of whole blocks of 8 (or 4) samples keep the kernel in its vector loops
    const rate = Math.min(this.waveform.controlRate, p.sampleRate);
    const raw = Math.max(1, Math.min(1024, Math.floor(p.sampleRate / rate)));
    this.step = raw >= 8 ? raw & ~7 : raw >= 4 ? 4 : raw;
    this.tau0 = p.timing.tau0;
    this.tauPerSample = p.timing.tauPerSample;
    this.carrierInc = cyclesToPhase(p.basebandHz / p.sampleRate);
    this.hzToInc = 4294967296 / p.sampleRate;
    this.jumps = p.emitter.powerJumps.map((j) => ({ start: j.start, end: j.end, factor: 10 ** (j.db / 20) }));
    const pat = p.emitter.antenna.pattern;
    this.rotating =
      pat.type === 'rotating'
        ? {
            period: pat.period_s,
            beamwidth: pat.beamwidth_deg,
            floor: pat.sidelobe_db,
            bearing: p.budget.bearingDeg,
            phase: uniformAt(p.emitter.key, 0x707),
          }
        : undefined;
    this.dynamic = this.jumps.length > 0 || this.rotating !== undefined || p.emitter.drifts.length > 0;
    // carrier phase: the emitter's own phase, less what the path and the clock error add
    const f = p.emitter.frequency;
    this.phase0 = cyclesToPhase(uniformAt(p.emitter.key, 0x9a5e) - f * (p.budget.delayS + p.clockErrorS));
  }

  /** Emitter time at capture sample s. */
  emitterTime(s: number): number {
    return this.tau0 + s * this.tauPerSample;
  }

  /** Gate at emitter time tau: burst number (sets burstOrigin/From/To) or -1 (sets gateNext). */
  private gate(tau: number): number {
    const e = this.emitter;
    const w = e.activeOnly;
    if (w !== undefined && (tau < w.start || tau >= w.end)) {
      this.gateNext = tau < w.start ? w.start : Infinity;
      return -1;
    }
    const from = w?.start ?? -Infinity;
    const to = w?.end ?? Infinity;
    const b = this.schedule.burstAt(tau);
    if (b >= 0) {
      this.burstOrigin = this.schedule.burstStart;
      this.burstFrom = Math.max(from, this.schedule.burstStart);
      this.burstTo = Math.min(to, this.schedule.burstEnd);
      return b;
    }
    let next = this.schedule.nextStart(tau);
    for (let i = 0; i < e.forcedOn.length; i++) {
      const f = e.forcedOn[i]!;
      if (tau >= f.start && tau < f.end) {
        this.burstOrigin = f.start;
        this.burstFrom = Math.max(from, f.start);
        this.burstTo = Math.min(to, f.end);
        return FORCED_BURST_BASE + i;
      }
      if (f.start > tau && f.start < next) next = f.start;
    }
    this.gateNext = next >= to ? Infinity : next;
    return -1;
  }

  /** Link amplitude factor at emitter time tau: power jumps and a rotating antenna's beam. */
  private gainAt(tau: number): number {
    let g = 1;
    for (const pj of this.jumps) if (tau >= pj.start && tau < pj.end) g *= pj.factor;
    const rot = this.rotating;
    if (rot !== undefined) {
      const angle = 360 * (tau / rot.period + rot.phase);
      g *= 10 ** (beamGainDb(angleBetween(angle, rot.bearing), rot.beamwidth, rot.floor) / 20);
    }
    return g;
  }

  /** Frequency drift anomalies at emitter time tau, Hz. */
  private driftAt(tau: number): number {
    let f = 0;
    for (const d of this.emitter.drifts) {
      if (tau >= d.start && tau < d.end) f += (d.drift * (tau - d.start)) / (d.end - d.start);
    }
    return f;
  }

  /** First capture sample at or after emitter time tau (may be fractional; callers round). */
  private sampleAt(tau: number): number {
    return (tau - this.tau0) / this.tauPerSample;
  }

  /**
   * Fills control points j0..j1 (indices 0..j1-j0 of the kernel's arrays); returns whether any
   * is non-zero.
   */
  private fillPoints(j0: number, j1: number, kernel: SimKernel): boolean {
    const d = this.step;
    const dtau = d * this.tauPerSample;
    const re = kernel.envReView;
    const im = kernel.envImView;
    const fq = kernel.freqsView;
    let any = false;
    let j = j0;
    while (j <= j1) {
      const tau = this.tau0 + j * d * this.tauPerSample;
      if (this.burst < 0 || tau < this.burstFrom || tau >= this.burstTo) this.burst = this.gate(tau);
      let run: number;
      if (this.burst < 0) {
        // silent until the next burst may start
        const next = this.gateNext === Infinity ? Infinity : Math.ceil(this.sampleAt(this.gateNext) / d);
        run = Math.max(1, Math.min(j1 + 1, next) - j);
        re.fill(0, j - j0, j - j0 + run);
        im.fill(0, j - j0, j - j0 + run);
        fq.fill(0, j - j0, j - j0 + run);
      } else {
        // points inside this burst
        const end = Math.ceil(this.sampleAt(this.burstTo) / d);
        run = Math.max(1, Math.min(j1 + 1, end) - j);
        this.waveform.points(
          tau - this.burstOrigin,
          dtau,
          run,
          this.burst,
          this.amplitude,
          re,
          im,
          fq,
          j - j0,
        );
        if (this.dynamic) {
          for (let i = j - j0; i < j - j0 + run; i++) {
            if (re[i] === 0 && im[i] === 0) continue; // silent points (between radar pulses)
            const t = this.tau0 + (j0 + i) * d * this.tauPerSample;
            const g = this.gainAt(t);
            re[i] = re[i]! * g;
            im[i] = im[i]! * g;
            if (re[i] !== 0 || im[i] !== 0) fq[i] = fq[i]! + this.driftAt(t);
          }
        }
        any = true;
      }
      j += run;
    }
    return any;
  }

  /**
   * Adds this link to the kernel's chunk for capture samples [pos, pos + n). Chunks always start
   * at the same capture positions, so the result does not depend on how callers read.
   */
  mix(pos: number, n: number, kernel: SimKernel): void {
    if (!this.started) {
      this.phase = (this.phase0 + Math.imul(this.carrierInc, lo32(pos))) | 0;
      this.started = true;
    }
    const d = this.step;
    const j0 = Math.floor(pos / d);
    const j1 = Math.floor((pos + n - 1) / d) + 1;
    // whole chunk silent: the oscillator runs on
    const tauA = this.emitterTime(j0 * d);
    if (this.burst < 0 || tauA < this.burstFrom || tauA >= this.burstTo) this.burst = this.gate(tauA);
    if (this.burst < 0 && this.gateNext > this.emitterTime(j1 * d)) {
      this.phase = (this.phase + Math.imul(this.carrierInc, n)) | 0;
      return;
    }
    if (!this.fillPoints(j0, j1, kernel)) {
      this.phase = (this.phase + Math.imul(this.carrierInc, n)) | 0;
      return;
    }
    if (d === 1 && this.waveform.fixedFrequency && this.emitter.drifts.length === 0) {
      // one envelope value per sample at the carrier's increment
      kernel.mixEnvelope(n, this.phase, this.carrierInc);
      this.phase = (this.phase + Math.imul(this.carrierInc, n)) | 0;
      return;
    }
    this.phase = kernel.mixPoints(n, pos - j0 * d, d, this.carrierInc, this.hzToInc, this.phase);
  }

  /** Advances n samples without output (dropped blocks); the oscillator keeps its phase. */
  skip(n: number): void {
    if (!this.started) return;
    this.phase = (this.phase + Math.imul(this.carrierInc, lo32(n))) | 0;
  }
}

function lo32(x: number): number {
  return x < 4294967296 ? x | 0 : (x % 4294967296) | 0;
}
