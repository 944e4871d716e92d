/**
 * Host side of the roll-up kernel (packages/server/assembly/rollup.entry.ts): the float64 arithmetic
 * of the spectrum roll-up in WebAssembly SIMD. One instance per thread (the tile worker, and the
 * thread that rolls up at query time), created on first use.
 *
 * Memory: row accumulators ({@link KernelRow}) live in the instance's memory, allocated from a
 * free list by size (bands come and go rarely, and come back with the same bin count), and freed
 * by {@link KernelRow.free}. A scratch region serves each call's input codes, output row and
 * quantized codes. Growing the memory detaches earlier views, so views are made per use, never
 * kept.
 */
import { EmbeddedWasm, growMemory, type WasmMemory } from '@heimdall/dsp';
import type { Codes } from '@heimdall/protocol';
import { wasmBase64 } from '../generated/rollup.wasm.ts';

interface RollupExports {
  readonly memory: WasmMemory;
  heapBase(): number;
  addCodes8(codes: number, n: number, refDb: number, stepDb: number, max: number, sum: number): void;
  addCodes16(codes: number, n: number, refDb: number, stepDb: number, max: number, sum: number): void;
  addRow(rowMax: number, rowMean: number, n: number, frames: number, max: number, sum: number): void;
  emitRow(max: number, sum: number, n: number, frames: number, rowMax: number, rowMean: number): number;
  resetRow(max: number, sum: number, n: number): void;
  quantize(values: number, n: number, refDb: number, stepDb: number, codeBytes: number, out: number): void;
}

const wasm = new EmbeddedWasm<RollupExports>(wasmBase64);

const align = (x: number): number => (x + 15) & ~15;

class RollupKernel {
  private readonly k: RollupExports;
  private readonly free = new Map<number, number[]>();
  private top: number;
  /** Scratch: [codes in: 2n bytes][row max: 8n][row mean: 8n][codes out: 2n] for the largest n seen. */
  private scratch = 0;
  private scratchBins = 0;

  constructor() {
    this.k = wasm.instantiate();
    this.top = align(this.k.heapBase());
  }

  alloc(bytes: number): number {
    const size = align(bytes);
    const reuse = this.free.get(size)?.pop();
    if (reuse !== undefined) return reuse;
    const ptr = this.top;
    this.top += size;
    growMemory(this.k.memory, this.top);
    return ptr;
  }

  release(ptr: number, bytes: number): void {
    const size = align(bytes);
    let list = this.free.get(size);
    if (list === undefined) this.free.set(size, (list = []));
    list.push(ptr);
  }

  /** The scratch region for rows of `bins` (moved up when a wider band shows up). */
  private scratchFor(bins: number): number {
    if (bins > this.scratchBins) {
      if (this.scratchBins > 0) this.release(this.scratch, 20 * this.scratchBins);
      this.scratch = this.alloc(20 * bins);
      this.scratchBins = bins;
    }
    return this.scratch;
  }

  addCodes(row: KernelRow, codes: Codes, refDb: number, stepDb: number): void {
    const n = codes.length;
    const at = this.scratchFor(n);
    new Uint8Array(this.k.memory.buffer, at, codes.byteLength).set(
      new Uint8Array(codes.buffer, codes.byteOffset, codes.byteLength),
    );
    if (codes instanceof Uint8Array) this.k.addCodes8(at, n, refDb, stepDb, row.max, row.sum);
    else this.k.addCodes16(at, n, refDb, stepDb, row.max, row.sum);
  }

  /** Adds the last emitted row (its dB values are still in the scratch region) to `row`. */
  addEmitted(row: KernelRow, frames: number): void {
    const n = row.bins;
    const at = this.scratchFor(n);
    this.k.addRow(at + 2 * n, at + 10 * n, n, frames, row.max, row.sum);
  }

  /** Adds a row given as dB arrays (a finer tile's row at query time). */
  addRow(row: KernelRow, max: Float64Array, mean: Float64Array, frames: number): void {
    const n = row.bins;
    const at = this.scratchFor(n);
    const buf = this.k.memory.buffer;
    new Float64Array(buf, at + 2 * n, n).set(max);
    new Float64Array(buf, at + 10 * n, n).set(mean);
    this.k.addRow(at + 2 * n, at + 10 * n, n, frames, row.max, row.sum);
  }

  /**
   * Closes the accumulated row: quantizes its max and mean against the row's own reference (its
   * lowest mean rounded down to a step) into `maxOut` / `meanOut` at `offset`, leaves the row's dB
   * values in the scratch region (for {@link addEmitted}), resets the accumulator, returns the reference.
   */
  emit(
    row: KernelRow,
    frames: number,
    stepDb: number,
    maxOut: Codes,
    meanOut: Codes,
    offset: number,
  ): number {
    const n = row.bins;
    const at = this.scratchFor(n);
    const lowest = this.k.emitRow(row.max, row.sum, n, frames, at + 2 * n, at + 10 * n);
    const refDb = Number.isFinite(lowest) ? Math.floor(lowest / stepDb) * stepDb : 0;
    this.quantize(at + 2 * n, n, refDb, stepDb, maxOut, offset, at + 18 * n);
    this.quantize(at + 10 * n, n, refDb, stepDb, meanOut, offset, at + 18 * n);
    return refDb;
  }

  private quantize(
    values: number,
    n: number,
    refDb: number,
    stepDb: number,
    out: Codes,
    offset: number,
    tmp: number,
  ): void {
    const wide = out instanceof Uint16Array;
    this.k.quantize(values, n, refDb, stepDb, wide ? 2 : 1, tmp);
    const buf = this.k.memory.buffer;
    out.set(wide ? new Uint16Array(buf, tmp, n) : new Uint8Array(buf, tmp, n), offset);
  }

  reset(row: KernelRow): void {
    this.k.resetRow(row.max, row.sum, row.bins);
  }
}

let instance: RollupKernel | undefined;

function kernel(): RollupKernel {
  instance ??= new RollupKernel();
  return instance;
}

/** A row accumulator in kernel memory: max-hold and sum of dB values over `bins` bins. */
export class KernelRow {
  readonly max: number;
  readonly sum: number;
  private freed = false;

  constructor(readonly bins: number) {
    const k = kernel();
    this.max = k.alloc(8 * bins);
    this.sum = k.alloc(8 * bins);
    k.reset(this);
  }

  /** Adds one frame given as codes (`refDb + code * stepDb` dB). */
  addCodes(codes: Codes, refDb: number, stepDb: number): void {
    kernel().addCodes(this, codes, refDb, stepDb);
  }

  /** Adds the row the last {@link emit} (of any row of this width) produced. */
  addEmitted(frames: number): void {
    kernel().addEmitted(this, frames);
  }

  /** Adds a row given as max and mean dB arrays, aggregating `frames` frames. */
  addRow(max: Float64Array, mean: Float64Array, frames: number): void {
    kernel().addRow(this, max, mean, frames);
  }

  /** See {@link RollupKernel.emit}. */
  emit(frames: number, stepDb: number, maxOut: Codes, meanOut: Codes, offset: number): number {
    return kernel().emit(this, frames, stepDb, maxOut, meanOut, offset);
  }

  /** Returns the memory; the row must not be used after. */
  free(): void {
    if (this.freed) return;
    this.freed = true;
    const k = kernel();
    k.release(this.max, 8 * this.bins);
    k.release(this.sum, 8 * this.bins);
  }
}
