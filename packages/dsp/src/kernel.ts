/**
 * Host side of the WebAssembly SIMD kernel (packages/dsp/assembly/kernel.entry.ts): compiles the
 * embedded module once, gives each user its own instance (own memory), and lays out that memory:
 *
 *   [twiddles][window][work: 4n float32][sums: n float64][staging: n cf32][input bytes ...]
 *
 * The input region is last so it can grow without moving anything else. Views are re-created
 * after growth because growing a WebAssembly memory detaches the old ArrayBuffer.
 */
import { EmbeddedWasm, growMemory, type WasmMemory } from './embedded-wasm.ts';
import { wasmBase64 } from './generated/kernel.wasm.ts';

interface KernelExports {
  readonly memory: WasmMemory;
  heapBase(): number;
  welchSegments(
    fmt: number,
    n: number,
    src: number,
    stepBytes: number,
    count: number,
    win: number,
    tw: number,
    work: number,
    acc: number,
  ): void;
  fftInterleaved(n: number, src: number, win: number, tw: number, work: number, dst: number): void;
  welchSegments64(
    fmt: number,
    n: number,
    src: number,
    stepBytes: number,
    count: number,
    win: number,
    tw: number,
    work: number,
    acc: number,
  ): void;
  fftInterleaved64(n: number, src: number, win: number, tw: number, work: number, dst: number): void;
  conjugateScale(p: number, n: number, scale: number): void;
}

/** Smallest FFT the kernel runs (its first stage works on 4 vectors of 4 lanes); smaller sizes use the TypeScript path. */
export const KERNEL_MIN_SIZE = 16;

/** Kernel format codes (FMT_* in kernel.entry.ts). */
export const KERNEL_FORMAT = { cf32_le: 0, ci16_le: 1, cu8: 2, ci8: 3 } as const;
export type KernelFormat = keyof typeof KERNEL_FORMAT;

/** Power-of-two scale of each native format: the window is pre-multiplied by it (exact). */
export const KERNEL_SCALE: Readonly<Record<KernelFormat, number>> = {
  cf32_le: 1,
  ci16_le: 1 / 32768,
  cu8: 1 / 128,
  ci8: 1 / 128,
};

const kernel = new EmbeddedWasm<KernelExports>(wasmBase64);

/**
 * Compiles the kernel asynchronously. Optional: the kernel is otherwise compiled synchronously
 * on first use, which browsers may refuse on their main thread; call this first there.
 * Resolves to {@link kernelAvailable}.
 */
export function preloadKernel(): Promise<boolean> {
  return kernel.preload();
}

/** True where the SIMD kernel can run (Node 16.4+, current browsers). */
export function kernelAvailable(): boolean {
  return kernel.available;
}

const align = (x: number) => (x + 63) & ~63;

/** Number of float32 twiddles for size n (see the table layout in kernel.entry.ts). */
function twiddleCount(n: number): number {
  let count = 0;
  for (let s = 1; n / s > 4; s *= 4) count += 6 * (n / (4 * s));
  return count;
}

function fillTwiddles(n: number, out: Float32Array | Float64Array): void {
  let off = 0;
  for (let s = 1; n / s > 4; s *= 4) {
    const np = n / (4 * s);
    for (let k = 1; k <= 3; k++) {
      for (let p = 0; p < np; p++) {
        // exp(-2 pi i k p s / n), angle reduced mod n exactly in integers.
        const a = (-2 * Math.PI * ((k * p * s) % n)) / n;
        out[off + (2 * k - 2) * np + p] = Math.cos(a);
        out[off + (2 * k - 1) * np + p] = Math.sin(a);
      }
    }
    off += 6 * np;
  }
}

/**
 * Arithmetic of the FFT: `double` (float64 lanes, as exact as scipy's float64 Welch, the default)
 * or `single` (float32 lanes, about twice as fast; worst-bin error grows once a strong signal
 * stands more than about 80 dB above the noise).
 */
export type DspPrecision = 'single' | 'double';

/** One kernel instance with its memory laid out for FFT size n. */
export class KernelInstance {
  readonly n: number;
  readonly precision: DspPrecision;
  readonly tw: number;
  readonly win: number;
  readonly work: number;
  readonly acc: number;
  readonly staging: number;
  readonly input: number;
  private readonly k: KernelExports;
  private buffer: ArrayBuffer | null = null;
  private u8 = new Uint8Array(0);
  private f32 = new Float32Array(0);
  private f64 = new Float64Array(0);

  constructor(n: number, precision: DspPrecision = 'double') {
    this.k = kernel.instantiate();
    this.n = n;
    this.precision = precision;
    const e = precision === 'double' ? 8 : 4;
    this.tw = align(this.k.heapBase());
    this.win = align(this.tw + e * twiddleCount(n));
    this.work = align(this.win + e * n);
    this.acc = align(this.work + 4 * e * n);
    this.staging = align(this.acc + 8 * n);
    this.input = align(this.staging + 8 * n);
    this.ensure(this.input);
    fillTwiddles(n, this.real(this.tw, twiddleCount(n)));
  }

  /** A view of `length` values of the kernel's working precision at `ptr` (window, twiddles). */
  real(ptr: number, length: number): Float32Array | Float64Array {
    return this.precision === 'double' ? this.doubles(ptr, length) : this.floats(ptr, length);
  }

  /** Grows memory so that bytes [0, end) exist. */
  ensure(end: number): void {
    growMemory(this.k.memory, end);
  }

  private views(): void {
    const buf = this.k.memory.buffer;
    if (buf !== this.buffer) {
      this.buffer = buf;
      this.u8 = new Uint8Array(buf);
      this.f32 = new Float32Array(buf);
      this.f64 = new Float64Array(buf);
    }
  }

  bytes(ptr: number, length: number): Uint8Array {
    this.views();
    return this.u8.subarray(ptr, ptr + length);
  }

  floats(ptr: number, length: number): Float32Array {
    this.views();
    return this.f32.subarray(ptr >> 2, (ptr >> 2) + length);
  }

  doubles(ptr: number, length: number): Float64Array {
    this.views();
    return this.f64.subarray(ptr >> 3, (ptr >> 3) + length);
  }

  welchSegments(format: KernelFormat, src: number, stepBytes: number, count: number): void {
    const run = this.precision === 'double' ? this.k.welchSegments64 : this.k.welchSegments;
    run(KERNEL_FORMAT[format], this.n, src, stepBytes, count, this.win, this.tw, this.work, this.acc);
  }

  fftInterleaved(src: number, dst: number): void {
    const run = this.precision === 'double' ? this.k.fftInterleaved64 : this.k.fftInterleaved;
    run(this.n, src, this.win, this.tw, this.work, dst);
  }

  conjugateScale(ptr: number, scale: number): void {
    this.k.conjugateScale(ptr, this.n, scale);
  }
}
