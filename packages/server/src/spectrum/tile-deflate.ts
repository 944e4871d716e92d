/**
 * Host side of the run-length deflate in WebAssembly (packages/server/assembly/deflate.entry.ts):
 * zlib streams of the kind node's `deflateSync(bytes, { level: 1, strategy: Z_RLE })` makes
 * (literals, runs as matches at distance 1, dynamic Huffman blocks), several times faster. Any
 * inflater reads them: node's `inflateSync`, browsers' `DecompressionStream('deflate')`.
 *
 * One instance per thread, made on first use (the tile worker is its own thread). Its memory is
 * laid out per call and kept for the next one; it only grows:
 *
 *   [work: workBytes()][input: n bytes][output: zlibBound(n) bytes]
 *
 * A tile is laid out in the input region directly: the prefix by {@link writeTilePrefix}, each
 * plane's codes copied into the output region (free until the deflate runs) and delta-coded from
 * there into the input by the kernel. Results are copied out: nothing returned is a view into
 * WebAssembly memory, which the next call overwrites (and growth detaches).
 */
import { EmbeddedWasm, growMemory, type WasmMemory } from '@heimdall/dsp';
import { tileCodeBytes, tilePayloadBytes, writeTilePrefix, type SpectrumTile } from '@heimdall/protocol';
import { wasmBase64 } from '../generated/deflate.wasm.ts';

interface DeflateExports {
  readonly memory: WasmMemory;
  heapBase(): number;
  workBytes(): number;
  zlibBound(n: number): number;
  zlibRle(src: number, n: number, work: number, dst: number): number;
  adler32(src: number, n: number): number;
  deltaPlane8(src: number, dst: number, rows: number, bins: number): void;
  deltaPlane16(src: number, dst: number, rows: number, bins: number): void;
}

const wasm = new EmbeddedWasm<DeflateExports>(
  wasmBase64,
  'WebAssembly SIMD is not available: Node 20 has it, is this another runtime?',
);
const align = (x: number) => (x + 63) & ~63;

/** The kernel instance and its memory; see the layout in the module comment. */
class RleDeflater {
  private readonly k: DeflateExports;
  private readonly work: number;
  private readonly input: number;
  private buffer: ArrayBuffer | null = null;
  private u8 = new Uint8Array(0);

  constructor() {
    this.k = wasm.instantiate();
    this.work = align(this.k.heapBase());
    this.input = align(this.work + this.k.workBytes());
  }

  /** Makes room for n input bytes; returns where the output region starts. */
  private reserve(n: number): number {
    const output = align(this.input + n);
    const end = output + this.k.zlibBound(n);
    const mem = this.k.memory;
    growMemory(mem, end);
    if (mem.buffer !== this.buffer) {
      this.buffer = mem.buffer;
      this.u8 = new Uint8Array(mem.buffer);
    }
    return output;
  }

  /** Deflates the n bytes already in the input region; returns a copy of the zlib stream. */
  private deflateInput(n: number, output: number): Uint8Array {
    const length = this.k.zlibRle(this.input, n, this.work, output);
    return this.u8.slice(output, output + length);
  }

  zlibRle(bytes: Uint8Array): Uint8Array {
    const output = this.reserve(bytes.length);
    this.u8.set(bytes, this.input);
    return this.deflateInput(bytes.length, output);
  }

  deflateTile(tile: SpectrumTile): Uint8Array {
    const codeBytes = tileCodeBytes(tile);
    const { rows, bins, planes } = tile;
    const n = tilePayloadBytes(rows, bins, planes.length, codeBytes);
    const output = this.reserve(n);
    let o = this.input + writeTilePrefix(tile, this.u8.subarray(this.input, this.input + n));
    const planeBytes = rows * bins * codeBytes;
    for (const plane of planes) {
      // staging in the output region: at least n bytes long, and unused until the deflate
      this.u8.set(new Uint8Array(plane.buffer, plane.byteOffset, planeBytes), output);
      if (codeBytes === 1) this.k.deltaPlane8(output, o, rows, bins);
      else this.k.deltaPlane16(output, o, rows, bins);
      o += planeBytes;
    }
    return this.deflateInput(n, output);
  }
}

let deflater: RleDeflater | undefined;

function instance(): RleDeflater {
  deflater ??= new RleDeflater();
  return deflater;
}

/**
 * `bytes` as a zlib stream (RFC 1950), run-length deflated: what
 * `deflateSync(bytes, { level: 1, strategy: Z_RLE })` makes, in kind, within a few percent in size.
 */
export function zlibRle(bytes: Uint8Array): Uint8Array {
  return instance().zlibRle(bytes);
}

/**
 * A tile's layout ({@link encodeTilePayload}), deflated: inflating it gives exactly
 * `encodeTilePayload(tile)`. The layout is built in WebAssembly memory and never copied out.
 * Throws what encodeTilePayload throws for an inconsistent tile.
 */
export function deflateTilePayload(tile: SpectrumTile): Uint8Array {
  return instance().deflateTile(tile);
}
