/**
 * Host side of the simulator's WebAssembly SIMD kernel (packages/sim/assembly/sim-kernel.entry.ts):
 * compiles the embedded module once and gives each receiver its own instance (own memory), laid
 * out as
 *
 *   [accRe][accIm][envRe][envIm][freqs][cos/sin][gauss][out][seg][arena...]
 *
 * where acc is the chunk being summed, env/freqs are one emitter's control points (or per-sample
 * envelope), cos/sin the oscillator table ((cos, sin) pairs), gauss the noise quantiles, out the
 * encoded samples, seg the mixer's scratch and the arena per-link tables (OFDM symbol pools,
 * pulse shapes and symbol windows of data modulations).
 */
import { EmbeddedWasm, growMemory, type WasmMemory } from '@heimdall/dsp';
import { wasmBase64 } from './generated/sim-kernel.wasm.ts';
import { gaussianTable } from './tables.ts';

/** Samples per chunk: the unit of generation (chunks sit at fixed positions of the capture). */
export const CHUNK = 8192;
/** Oscillator table size of the kernel (exact angles 2 pi i / 16384, interpolated). */
const TABLE = 16384;

interface KernelExports {
  readonly memory: WasmMemory;
  heapBase(): number;
  segScratchBytes(n: number): number;
  clear(accRe: number, accIm: number, n: number): void;
  mixPoints(
    accRe: number,
    accIm: number,
    n: number,
    m0: number,
    step: number,
    envRe: number,
    envIm: number,
    freqs: number,
    carrierInc: number,
    hzToInc: number,
    phase: number,
    cosT: number,
    sinT: number,
    seg: number,
  ): number;
  mixEnvelope(
    accRe: number,
    accIm: number,
    n: number,
    envRe: number,
    envIm: number,
    phase: number,
    inc: number,
    cosT: number,
    sinT: number,
  ): number;
  addNoise(
    accRe: number,
    accIm: number,
    a: number,
    n: number,
    sigma: number,
    dcRe: number,
    dcIm: number,
    gauss: number,
    s0: number,
    s1: number,
    s2: number,
    s3: number,
  ): void;
  encodeCu8(accRe: number, accIm: number, a: number, n: number, out: number): void;
  ofdmRun(
    sym: number,
    size: number,
    pos0: number,
    step: number,
    count: number,
    amp: number,
    outRe: number,
    outIm: number,
  ): void;
  pulseSum(
    symA: number,
    symB: number,
    poly: number,
    phases: number,
    span: number,
    x0: number,
    dx: number,
    count: number,
    scale: number,
    outA: number,
    outB: number,
  ): void;
  encodeAdc(
    accRe: number,
    accIm: number,
    a: number,
    n: number,
    out: number,
    bits: number,
    asFloat: number,
  ): void;
}

const wasm = new EmbeddedWasm<KernelExports>(
  wasmBase64,
  'the simulator needs WebAssembly SIMD (Node 20 or a current browser)',
);

/** One kernel instance: its memory and typed views of every region. */
export class SimKernel {
  readonly k: KernelExports;
  readonly accRe: number;
  readonly accIm: number;
  readonly envRe: number;
  readonly envIm: number;
  readonly freqs: number;
  readonly cos: number;
  readonly sin: number;
  readonly gauss: number;
  readonly out: number;
  /** Scratch of mixPoints (segment records, side-by-side FM, increments). */
  readonly seg: number;
  /** Views of the control-point regions, for the host to fill (renewed when memory grows). */
  envReView: Float32Array;
  envImView: Float32Array;
  freqsView: Float32Array;
  outBytes: Uint8Array;
  /** Bump allocator for per-link tables (OFDM pools, pulse shapes), reset when links are rebuilt. */
  private readonly arenaStart: number;
  private arenaTop: number;

  constructor() {
    this.k = wasm.instantiate();
    let p = this.k.heapBase();
    const take = (bytes: number) => {
      const at = p;
      p = (p + bytes + 63) & ~63;
      return at;
    };
    this.accRe = take(4 * CHUNK);
    this.accIm = take(4 * CHUNK);
    this.envRe = take(4 * (CHUNK + 8));
    this.envIm = take(4 * (CHUNK + 8));
    this.freqs = take(4 * (CHUNK + 8));
    // cos and sin interleaved: (cos, sin) pairs, so that one 8-byte load fetches both
    this.cos = take(8 * TABLE);
    this.sin = this.cos + 4;
    this.gauss = take(4 * 65536);
    this.out = take(8 * CHUNK);
    this.seg = take(this.k.segScratchBytes(CHUNK));
    this.arenaStart = p;
    this.arenaTop = p;
    const buf = this.k.memory.buffer;
    if (p > buf.byteLength) throw new Error('simulator kernel memory too small');
    this.envReView = new Float32Array(buf, this.envRe, CHUNK + 8);
    this.envImView = new Float32Array(buf, this.envIm, CHUNK + 8);
    this.freqsView = new Float32Array(buf, this.freqs, CHUNK + 8);
    this.outBytes = new Uint8Array(buf, this.out, 8 * CHUNK);
    const cs = new Float32Array(buf, this.cos, 2 * TABLE);
    for (let i = 0; i < TABLE; i++) {
      cs[2 * i] = Math.cos((2 * Math.PI * i) / TABLE);
      cs[2 * i + 1] = Math.sin((2 * Math.PI * i) / TABLE);
    }
    new Float32Array(buf, this.gauss, 65536).set(gaussianTable());
  }

  /** Reserves `bytes` of kernel memory (growing it if needed); returns the byte offset. */
  alloc(bytes: number): number {
    const at = this.arenaTop;
    this.arenaTop = (at + bytes + 63) & ~63;
    if (this.arenaTop > this.k.memory.buffer.byteLength) {
      growMemory(this.k.memory, this.arenaTop);
      const buf = this.k.memory.buffer;
      this.envReView = new Float32Array(buf, this.envRe, CHUNK + 8);
      this.envImView = new Float32Array(buf, this.envIm, CHUNK + 8);
      this.freqsView = new Float32Array(buf, this.freqs, CHUNK + 8);
      this.outBytes = new Uint8Array(buf, this.out, 8 * CHUNK);
    }
    return at;
  }

  /** A float32 view of kernel memory (valid until the next alloc). */
  f32(at: number, length: number): Float32Array {
    return new Float32Array(this.k.memory.buffer, at, length);
  }

  /** Frees every table allocated so far (their links are gone). */
  resetArena(): void {
    this.arenaTop = this.arenaStart;
  }

  /** Writes an OFDM envelope run into envRe/envIm starting at point index `at`. */
  ofdmRun(
    sym: number,
    size: number,
    pos0: number,
    step: number,
    count: number,
    amp: number,
    at: number,
  ): void {
    this.k.ofdmRun(sym, size, pos0, step, count, amp, this.envRe + 4 * at, this.envIm + 4 * at);
  }

  /**
   * Pulse-shaped symbols (kernel pulseSum) into envRe (and envIm when symB is not 0) or, with
   * `intoFreqs`, into freqs, from point index `at`.
   */
  pulseSum(
    symA: number,
    symB: number,
    poly: number,
    phases: number,
    span: number,
    x0: number,
    dx: number,
    count: number,
    scale: number,
    at: number,
    intoFreqs: boolean,
  ): void {
    const outA = (intoFreqs ? this.freqs : this.envRe) + 4 * at;
    const outB = symB === 0 ? 0 : this.envIm + 4 * at;
    this.k.pulseSum(symA, symB, poly, phases, span, x0, dx, count, scale, outA, outB);
  }

  clear(n: number): void {
    this.k.clear(this.accRe, this.accIm, (n + 3) & ~3);
  }

  /** Mixes the control points now in envRe/envIm/freqs into acc; returns the new phase. */
  mixPoints(n: number, m0: number, step: number, carrierInc: number, hzToInc: number, phase: number): number {
    return this.k.mixPoints(
      this.accRe,
      this.accIm,
      n,
      m0,
      step,
      this.envRe,
      this.envIm,
      this.freqs,
      carrierInc,
      hzToInc,
      phase,
      this.cos,
      this.sin,
      this.seg,
    );
  }

  /** Mixes the per-sample envelope now in envRe/envIm at a constant increment; returns the new phase. */
  mixEnvelope(n: number, phase: number, inc: number): number {
    return this.k.mixEnvelope(
      this.accRe,
      this.accIm,
      n,
      this.envRe,
      this.envIm,
      phase,
      inc,
      this.cos,
      this.sin,
    );
  }

  addNoise(a: number, n: number, sigma: number, dcRe: number, dcIm: number, state: Uint32Array): void {
    this.k.addNoise(
      this.accRe,
      this.accIm,
      a,
      n,
      sigma,
      dcRe,
      dcIm,
      this.gauss,
      state[0] ?? 0,
      state[1] ?? 0,
      state[2] ?? 0,
      state[3] ?? 1,
    );
  }

  /** Encodes acc[a, a+n) as cu8 into out; returns the bytes (a view valid until the next call). */
  encodeCu8(a: number, n: number): Uint8Array {
    this.k.encodeCu8(this.accRe, this.accIm, a, n, this.out);
    return this.outBytes.subarray(0, 2 * n);
  }

  /** Encodes acc[a, a+n) through a `bits` ADC as int16 (asFloat false) or float32 into out. */
  encodeAdc(a: number, n: number, bits: number, asFloat: boolean): Uint8Array {
    this.k.encodeAdc(this.accRe, this.accIm, a, n, this.out, bits, asFloat ? 1 : 0);
    return this.outBytes.subarray(0, (asFloat ? 8 : 4) * n);
  }
}
