/**
 * A simulated receiver node: a tuned front end that hears the scene's emitters through their links,
 * adds thermal noise (from noise figure and bandwidth), the receiver's own noise after the gain and
 * a DC spike, applies gain, and digitizes
 * with an ADC of `adc_bits` that clips at full scale. Samples depend only on (seed, node, absolute
 * sample time, settings): reading in blocks of 1000 or 65536 gives the same bytes.
 *
 * Conventions (also in README.md): 0 dBFS is a complex sinusoid of magnitude 1 at the ADC;
 * received power [dBFS] = received power [dBm] + gain [dB] - ADC full scale [dBm].
 */
import { UserError } from '@heimdall/errors';
import { clockErrorAt, nodeClockError, type ClockError } from './clock.ts';
import { Link, type LinkTiming } from './link.ts';
import { dbmToDbfs, linkBudget, receiverNoiseDbfs, type LinkBudget } from './link-budget.ts';
import { CHUNK, SimKernel } from './kernel.ts';
import { deriveKey, hash32, xoshiroState } from './prng.ts';
import { formatHz } from './quantity.ts';
import type { Scene, SceneEmitter } from './scene.ts';
import type { NodeSpec } from './scenario.schema.ts';
import { occupiedBand } from './waveforms/create-waveform.ts';

export interface ReceiverOptions {
  /** Tuned centre frequency, Hz (default: the node's `center_frequency`). */
  readonly centerFrequency?: number;
  /** Sample rate, Hz (default: the node's `sample_rate`). */
  readonly sampleRate?: number;
  /** Receiver gain, dB (default: the node's `gain_db`). */
  readonly gainDb?: number;
  /** Node-clock time of sample 0, seconds since the scenario start (default 0). */
  readonly startTime?: number;
  /** Number of this capture of the node (draws a new clock jitter for gps/ntp nodes). */
  readonly capture?: number;
  /** Links weaker than this many dB below the total noise power are left out (default 60). */
  readonly skipBelowNoiseDb?: number;
}

/** What one in-band emitter looks like at this receiver right now. */
export interface HeardEmitter {
  readonly emitter: SceneEmitter;
  readonly budget: LinkBudget;
  /** Carrier minus the (actual) LO frequency, Hz: where the carrier appears in the baseband. */
  readonly basebandHz: number;
  /** Received power at the ADC while transmitting, dBFS (peak power for SSB and pulses). */
  readonly powerDbfs: number;
  /** Received power over the noise (thermal plus ADC quantization) in the occupied bandwidth, dB. */
  readonly snrDb: number;
  /** Occupied band relative to the carrier, Hz. */
  readonly occupied: readonly [number, number];
  /** Samples between control points (diagnostics). */
  readonly step: number;
  /** Anti-alias filter loss applied near the band edges, dB. */
  readonly filterLossDb: number;
  /** Emitter time of capture sample s = tau0 + s * tauPerSample. */
  readonly timing: LinkTiming;
}

export class SimReceiver {
  readonly node: NodeSpec;
  readonly scene: Scene;
  private fc: number;
  private fs: number;
  private gain: number;
  private correctionPpm = 0;
  /** Node-clock time of capture position 0 (moves when the sample rate changes). */
  private t0: number;
  private readonly clock: ClockError;
  private readonly skipBelow: number;
  private links: Link[] | undefined;
  private heardList: HeardEmitter[] = [];
  private readonly kernel = new SimKernel();
  private readonly noiseState = new Uint32Array(4);
  private readonly noiseKey: number;
  private noiseBase = 0;
  private noiseSigma = 0;
  /** Capture position of the chunk in the kernel, and how much of it has been read. */
  private renderPos = 0;
  private readOff = CHUNK;
  private chunkReady = false;
  private dcRe = 0;
  private dcIm = 0;
  private delivered = 0;

  constructor(scene: Scene, nodeName: string, options: ReceiverOptions = {}) {
    this.scene = scene;
    this.node = scene.node(nodeName);
    this.fc = this.node.center_frequency;
    this.fs = this.node.sample_rate;
    this.gain = this.node.gain_db;
    this.t0 = options.startTime ?? 0;
    this.clock = nodeClockError(scene.seed, this.node.name, this.node.clock, options.capture ?? 0);
    this.skipBelow = options.skipBelowNoiseDb ?? 60;
    this.noiseKey = deriveKey(scene.seed, `noise:${this.node.name}`);
    if (options.centerFrequency !== undefined) this.tune(options.centerFrequency);
    if (options.sampleRate !== undefined) this.setSampleRate(options.sampleRate);
    if (options.gainDb !== undefined) this.setGainDb(options.gainDb);
    this.rebase();
  }

  get centerFrequency(): number {
    return this.fc;
  }
  get sampleRate(): number {
    return this.fs;
  }
  get gainDb(): number {
    return this.gain;
  }
  /** Samples delivered or skipped since the receiver was created. */
  get samplesDelivered(): number {
    return this.delivered;
  }
  /** Capture position (samples since t0) of the next sample to be read. */
  get position(): number {
    return this.pos;
  }
  private get pos(): number {
    return this.chunkReady ? this.renderPos + this.readOff : 0;
  }
  /** Node-clock time of the next sample, seconds since the scenario start. */
  get time(): number {
    return this.t0 + this.pos / this.fs;
  }
  /** The node's clock error (own time minus true time) at the next sample, seconds. */
  get clockErrorS(): number {
    return clockErrorAt(this.clock, this.time);
  }
  /** Actual LO frequency: tuned frequency with the node's ppm error, less the user's correction. */
  get loFrequency(): number {
    return this.fc * (1 + (this.node.ppm - this.correctionPpm) * 1e-6);
  }
  /** Total noise power at the ADC before quantization (thermal and the receiver's own), dBFS. */
  get noiseDbfs(): number {
    return receiverNoiseDbfs(this.node, this.fs, this.gain);
  }

  /** Tunes the receiver; throws a UserError outside the node's frequency range. */
  tune(frequency: number): void {
    const [lo, hi] = this.node.frequency_range;
    if (!(frequency >= lo && frequency <= hi)) {
      throw new UserError(
        `${formatHz(frequency)} is outside node "${this.node.name}"'s range ${formatHz(lo)} to ${formatHz(hi)}`,
        {
          field: 'frequency',
          fix: `tune between ${formatHz(lo)} and ${formatHz(hi)}`,
        },
      );
    }
    this.fc = frequency;
    this.links = undefined;
  }

  setSampleRate(rate: number): void {
    if (!(rate > 0 && Number.isFinite(rate))) {
      throw new UserError(`sample rate must be positive (got ${rate})`, {
        field: 'sample_rate',
        fix: 'use e.g. 2.4e6',
      });
    }
    const allowed = this.node.sample_rates;
    if (allowed !== undefined && !allowed.includes(rate)) {
      throw new UserError(`${formatHz(rate)} is not a sample rate of node "${this.node.name}"`, {
        field: 'sample_rate',
        fix: `use one of ${allowed.map(formatHz).join(', ')}`,
      });
    }
    // keep node time continuous across the change; the new rate starts a fresh chunk grid
    this.t0 += this.pos / this.fs;
    this.renderPos = 0;
    this.readOff = CHUNK;
    this.chunkReady = false;
    this.fs = rate;
    this.rebase();
  }

  setGainDb(db: number): void {
    this.gain = db;
    this.links = undefined;
    this.rebase();
  }

  /** The client's frequency correction in ppm (rtl_tcp command 5). */
  setFrequencyCorrection(ppm: number): void {
    this.correctionPpm = ppm;
    this.links = undefined;
  }

  private rebase(): void {
    this.noiseBase = Math.round(this.t0 * this.fs);
    this.noiseSigma = Math.sqrt(10 ** (this.noiseDbfs / 10) / 2);
    const dc = this.node.dc_offset_dbfs;
    if (dc === undefined) {
      this.dcRe = 0;
      this.dcIm = 0;
    } else {
      const a = 10 ** (dc / 20);
      const ph = (2 * Math.PI * hash32(this.noiseKey, 0xdc)) / 4294967296;
      this.dcRe = a * Math.cos(ph);
      this.dcIm = a * Math.sin(ph);
    }
    this.links = undefined;
  }

  /** Emitters in the passband right now, with their budgets (truth records, tests). */
  heard(): readonly HeardEmitter[] {
    this.ensureLinks();
    return this.heardList;
  }

  private ensureLinks(): Link[] {
    if (this.links !== undefined) return this.links;
    this.kernel.resetArena();
    const links: Link[] = [];
    const heard: HeardEmitter[] = [];
    const lo = this.loFrequency;
    const noise = this.noiseDbfs;
    // noise density referred to the antenna port, dBm/Hz: thermal, the receiver's own noise after
    // the gain and the ADC's quantization noise (uniform, step 2^-(bits-1) per component: 2 * step^2 / 12 of full scale over the band)
    const quantDbfs = 10 * Math.log10((2 * 2 ** (-2 * (this.node.adc_bits - 1))) / 12);
    const totalNoiseDbfs = 10 * Math.log10(10 ** (noise / 10) + 10 ** (quantDbfs / 10));
    const noiseDensityDbm =
      totalNoiseDbfs - this.gain + this.node.adc_full_scale_dbm - 10 * Math.log10(this.fs);
    // emitter time of capture sample s: node time minus clock error minus delay
    const scale = 1 - this.clock.driftPpm * 1e-6;
    const clockErr = clockErrorAt(this.clock, this.t0);
    for (const e of this.scene.emitters) {
      const occ = occupiedBand(e.modulation);
      let maxDrift = 0;
      for (const d of e.drifts) maxDrift = Math.max(maxDrift, Math.abs(d.drift));
      const bb = e.frequency - lo;
      const half = this.fs / 2;
      const edge = Math.min(Math.abs(bb + occ[0]), Math.abs(bb + occ[1]));
      const inside = bb + occ[1] >= -half && bb + occ[0] <= half;
      if (!inside && edge - maxDrift > half) continue;
      // anti-alias filter: flat to 0.45 fs, then falling 40 dB per 0.1 fs
      const excess = Math.abs(bb) / this.fs - 0.45;
      const filterLoss = excess > 0 ? 400 * excess : 0;
      const budget = linkBudget(this.scene, e, this.node);
      const powerDbfs = dbmToDbfs(budget.rxPowerDbm, this.gain, this.node.adc_full_scale_dbm) - filterLoss;
      if (powerDbfs < noise - this.skipBelow) continue;
      const bw = Math.max(1, occ[1] - occ[0]);
      const snrDb = budget.rxPowerDbm - filterLoss - (noiseDensityDbm + 10 * Math.log10(bw));
      const timing: LinkTiming = {
        tau0: this.t0 * scale - this.clock.offsetS - budget.delayS,
        tauPerSample: scale / this.fs,
      };
      const link = new Link({
        emitter: e,
        budget,
        sampleRate: this.fs,
        basebandHz: bb,
        amplitude: 10 ** (powerDbfs / 20),
        timing,
        kernel: this.kernel,
        clockErrorS: clockErr,
        localOffsetS: this.scene.localOffsetS,
      });
      links.push(link);
      heard.push({
        emitter: e,
        budget,
        basebandHz: bb,
        powerDbfs,
        snrDb,
        occupied: occ,
        step: link.step,
        filterLossDb: filterLoss,
        timing,
      });
    }
    this.links = links;
    this.heardList = heard;
    return links;
  }

  /** Renders the chunk at capture position `renderPos` into the kernel's acc (before the ADC). */
  private renderChunk(): void {
    const k = this.kernel;
    k.clear(CHUNK);
    const links = this.ensureLinks();
    for (let i = 0; i < links.length; i++) links[i]!.mix(this.renderPos, CHUNK, k);
    // thermal noise: a xoshiro128** stream seeded per chunk from (node, rate, absolute chunk)
    const chunk = Math.floor(this.renderPos / CHUNK);
    xoshiroState(hash32(this.noiseKey, this.noiseBase, chunk, this.fs), this.noiseState);
    k.addNoise(0, CHUNK, this.noiseSigma, this.dcRe, this.dcIm, this.noiseState);
    this.readOff = 0;
  }

  /** Delivers the next samples, encoded by `encode`, into `dest` (bytesPerSample bytes each). */
  private read(dest: Uint8Array, bytesPerSample: number, encode: (a: number, n: number) => Uint8Array): void {
    const total = Math.floor(dest.length / bytesPerSample);
    let done = 0;
    while (done < total) {
      if (this.readOff >= CHUNK) {
        if (this.chunkReady) this.renderPos += CHUNK;
        this.renderChunk();
        this.chunkReady = true;
      }
      const n = Math.min(CHUNK - this.readOff, total - done);
      dest.set(encode(this.readOff, n), done * bytesPerSample);
      this.readOff += n;
      done += n;
    }
    this.delivered += total;
  }

  /** Fills `out` with cu8 samples (I, Q interleaved; (x - 127.5) / 128 scaling): an 8-bit ADC. */
  readCu8(out: Uint8Array): void {
    this.read(out, 2, (a, n) => this.kernel.encodeCu8(a, n));
  }

  /** Fills `out` (I, Q interleaved) with signed 16-bit samples from an `adc_bits` ADC, MSB-aligned. */
  readCi16(out: Int16Array): void {
    const bits = this.node.adc_bits;
    this.read(new Uint8Array(out.buffer, out.byteOffset, out.byteLength), 4, (a, n) =>
      this.kernel.encodeAdc(a, n, bits, false),
    );
  }

  /** Fills `out` (I, Q interleaved) with the ADC's samples as floats (clipped, quantized to adc_bits). */
  readCf32(out: Float32Array): void {
    const bits = this.node.adc_bits;
    this.read(new Uint8Array(out.buffer, out.byteOffset, out.byteLength), 8, (a, n) =>
      this.kernel.encodeAdc(a, n, bits, true),
    );
  }

  /** Skips n samples (dropped by a slow client) without computing whole chunks of them. */
  skip(n: number): void {
    let left = n;
    const inChunk = Math.min(left, CHUNK - this.readOff);
    this.readOff += inChunk;
    left -= inChunk;
    while (left >= CHUNK) {
      if (this.chunkReady) this.renderPos += CHUNK;
      this.chunkReady = true;
      if (this.links !== undefined) for (const l of this.links) l.skip(CHUNK);
      left -= CHUNK;
    }
    if (left > 0) {
      if (this.chunkReady) this.renderPos += CHUNK;
      this.renderChunk();
      this.chunkReady = true;
      this.readOff = left;
    }
    this.delivered += n;
  }
}
