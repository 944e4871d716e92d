/**
 * The streaming core shared by {@link Welch} and {@link Spectrogram}: raw IQ bytes in, one
 * windowed FFT per segment, |X|^2 summed per bin in float64. Segments start at samples 0, step,
 * 2*step, ... counted from the first byte pushed; only full segments are used. Bytes of a partial
 * sample and samples of a segment still incomplete are kept across calls.
 */
import { JsFft } from './fft-js.ts';
import type { DspEngine } from './fft.ts';
import { bytesPerSample, decodeIQ } from './iq-format.ts';
import type { SampleFormat } from './iq-format.ts';
import { KERNEL_FORMAT, KERNEL_MIN_SIZE, KERNEL_SCALE, KernelInstance, kernelAvailable } from './kernel.ts';
import type { KernelFormat, DspPrecision } from './kernel.ts';

export interface AccumulatorOptions {
  readonly fftSize: number;
  readonly step: number;
  /** Window values in float64 (scipy's precision). */
  readonly window: Float64Array;
  readonly format: SampleFormat;
  readonly engine: DspEngine;
  readonly precision?: DspPrecision;
}

/** Where the bytes live and how a run of segments is transformed and summed. */
interface Backend {
  /** Byte buffer with at least `capacity` bytes; may move when capacity grows (keeps contents). */
  bytes(capacity: number): Uint8Array;
  /** Accumulates `count` segments whose first starts at byte 0 of the buffer, `stepBytes` apart. */
  accumulate(count: number): void;
  /** Running per-bin sum of |X|^2 in natural FFT order. */
  sum(): Float64Array;
  clearSum(): void;
  dispose(): void;
}

class JsBackend implements Backend {
  private buf = new Uint8Array(0);
  private readonly acc: Float64Array;
  private readonly seg: Float64Array;
  private readonly decoded: Float32Array;
  private readonly fft: JsFft;

  constructor(private readonly o: AccumulatorOptions) {
    this.acc = new Float64Array(o.fftSize);
    this.seg = new Float64Array(2 * o.fftSize);
    this.decoded = new Float32Array(2 * o.fftSize);
    this.fft = new JsFft(o.fftSize);
  }

  bytes(capacity: number): Uint8Array {
    if (this.buf.length < capacity) {
      const next = new Uint8Array(Math.max(capacity, this.buf.length * 2));
      next.set(this.buf);
      this.buf = next;
    }
    return this.buf;
  }

  accumulate(count: number): void {
    const { fftSize: n, step, window: w, format } = this.o;
    const stepBytes = step * bytesPerSample(format);
    const seg = this.seg;
    const acc = this.acc;
    for (let s = 0; s < count; s++) {
      const x = this.decoded;
      decodeIQ(this.buf, format, x, n, s * stepBytes);
      for (let i = 0; i < n; i++) {
        const wi = w[i] as number;
        seg[2 * i] = (x[2 * i] as number) * wi;
        seg[2 * i + 1] = (x[2 * i + 1] as number) * wi;
      }
      this.fft.forward(seg);
      for (let k = 0; k < n; k++) {
        const re = seg[2 * k] as number;
        const im = seg[2 * k + 1] as number;
        acc[k] = (acc[k] as number) + (re * re + im * im);
      }
    }
  }

  sum(): Float64Array {
    return this.acc;
  }

  clearSum(): void {
    this.acc.fill(0);
  }

  dispose(): void {
    this.buf = new Uint8Array(0);
  }
}

/** The WebAssembly SIMD path: bytes live in kernel memory; decode, window, FFT and sum run fused. */
class WasmBackend implements Backend {
  private readonly k: KernelInstance;
  private readonly native: KernelFormat | null;
  private readonly stepBytes: number;

  constructor(private readonly o: AccumulatorOptions) {
    this.k = new KernelInstance(o.fftSize, o.precision ?? 'double');
    this.native = o.format in KERNEL_FORMAT ? (o.format as KernelFormat) : null;
    this.stepBytes = o.step * bytesPerSample(o.format);
    const scale = this.native === null ? 1 : KERNEL_SCALE[this.native];
    const win = this.k.real(this.k.win, o.fftSize);
    for (let i = 0; i < o.fftSize; i++) win[i] = (o.window[i] as number) * scale;
  }

  bytes(capacity: number): Uint8Array {
    this.k.ensure(this.k.input + capacity);
    return this.k.bytes(this.k.input, capacity);
  }

  accumulate(count: number): void {
    if (this.native !== null) {
      this.k.welchSegments(this.native, this.k.input, this.stepBytes, count);
      return;
    }
    // Other formats: decode each segment to cf32 in the staging area, then the cf32 path.
    const n = this.o.fftSize;
    const staging = this.k.floats(this.k.staging, 2 * n);
    const input = this.k.bytes(
      this.k.input,
      (count - 1) * this.stepBytes + n * bytesPerSample(this.o.format),
    );
    for (let s = 0; s < count; s++) {
      decodeIQ(input, this.o.format, staging, n, s * this.stepBytes);
      this.k.welchSegments('cf32_le', this.k.staging, 0, 1);
    }
  }

  sum(): Float64Array {
    return this.k.doubles(this.k.acc, this.o.fftSize);
  }

  clearSum(): void {
    this.sum().fill(0);
  }

  dispose(): void {}
}

export class PsdAccumulator {
  readonly fftSize: number;
  readonly step: number;
  readonly format: SampleFormat;
  /** sum(w^2) of the window, for density scaling. */
  readonly windowPower: number;
  private readonly bps: number;
  private readonly backend: Backend;
  /** Valid bytes at the start of the buffer; byte 0 is the first sample of the next segment. */
  private have = 0;
  private segs = 0;
  private received = 0;
  /** Size of the last inputBuffer view not yet committed. */
  private offered = 0;

  constructor(o: AccumulatorOptions) {
    this.fftSize = o.fftSize;
    this.step = o.step;
    this.format = o.format;
    this.bps = bytesPerSample(o.format);
    let p = 0;
    for (let i = 0; i < o.window.length; i++) p += (o.window[i] as number) ** 2;
    this.windowPower = p;
    this.backend =
      o.engine === 'wasm' && o.fftSize >= KERNEL_MIN_SIZE && kernelAvailable()
        ? new WasmBackend(o)
        : new JsBackend(o);
  }

  /** Segments summed since the last {@link clearSum}. */
  get segments(): number {
    return this.segs;
  }

  /** Whole samples received so far, including those waiting for their segment to fill. */
  get samplesReceived(): number {
    return this.received;
  }

  /** Absolute index of the first sample of the next segment. */
  get nextSegmentStart(): number {
    return this.received - Math.floor(this.have / this.bps);
  }

  /** A view of up to `maxBytes` the caller fills and then hands over with {@link commit}. */
  inputBuffer(maxBytes: number): Uint8Array {
    if (!Number.isInteger(maxBytes) || maxBytes < 0) throw new RangeError(`inputBuffer size ${maxBytes}`);
    const buf = this.backend.bytes(this.have + maxBytes);
    this.offered = maxBytes;
    return buf.subarray(this.have, this.have + maxBytes);
  }

  /** Takes `byteCount` bytes written into the last {@link inputBuffer}; does no segment yet. */
  commit(byteCount: number): void {
    if (!Number.isInteger(byteCount) || byteCount < 0 || byteCount > this.offered) {
      throw new RangeError(`pushInput(${byteCount}) after inputBuffer(${this.offered})`);
    }
    this.offered = 0;
    const before = Math.floor(this.have / this.bps);
    this.have += byteCount;
    this.received += Math.floor(this.have / this.bps) - before;
  }

  /** Segments complete and waiting. */
  get pending(): number {
    const full = Math.floor(this.have / this.bps);
    return full < this.fftSize ? 0 : Math.floor((full - this.fftSize) / this.step) + 1;
  }

  /** Transforms and sums up to `maxSegments` complete segments; returns how many it did. */
  drain(maxSegments = Infinity): number {
    const count = Math.min(this.pending, maxSegments);
    if (count <= 0) return 0;
    this.backend.accumulate(count);
    this.segs += count;
    const used = count * this.step * this.bps;
    const buf = this.backend.bytes(this.have);
    buf.copyWithin(0, used, this.have);
    this.have -= used;
    return count;
  }

  /** Running |X|^2 sums (natural order); a live view, copy to keep. */
  sum(): Float64Array {
    return this.backend.sum();
  }

  addSum(sum: Float64Array, segments: number): void {
    const acc = this.backend.sum();
    for (let k = 0; k < acc.length; k++) acc[k] = (acc[k] as number) + (sum[k] as number);
    this.segs += segments;
  }

  clearSum(): void {
    this.backend.clearSum();
    this.segs = 0;
  }

  /** Forgets everything: sums, kept bytes and the segment grid (the next byte is sample 0). */
  reset(): void {
    this.clearSum();
    this.have = 0;
    this.received = 0;
  }

  dispose(): void {
    this.backend.dispose();
  }
}
