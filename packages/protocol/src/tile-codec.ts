/**
 * Spectrum history tiles: a block of waterfall rows of one band at one zoom level. The server
 * stores them deflated (zlib format, which browsers inflate natively with
 * `new DecompressionStream('deflate')`); this module is the layout inside, shared by server and web.
 *
 * Zoom 0 rows are frames. A row at zoom z aggregates 4^z consecutive frames, as two planes:
 * max-hold, and the mean of the dB values (the log-average, cheap and close to what a waterfall
 * shows). Each row keeps its own reference level, so frames quantized with different references
 * need no requantization; `dB = rowRefDb[r] + code * stepDb`.
 *
 * Layout, little-endian:
 *
 * | offset | size          | field                                                  |
 * | -----: | ------------: | ------------------------------------------------------ |
 * |      0 |             4 | magic `HMTL`                                           |
 * |      4 |             1 | version, {@link TILE_VERSION}                          |
 * |      5 |             1 | zoom                                                   |
 * |      6 |             1 | planes: 1 (zoom 0: frames) or 2 (max-hold, mean)       |
 * |      7 |             1 | bytes per code: 1 or 2                                 |
 * |      8 |             4 | rows (u32)                                             |
 * |     12 |             4 | bins (u32)                                             |
 * |     16 |             4 | step, dB (f32)                                         |
 * |     20 |             4 | reserved, 0                                            |
 * |     24 |        8 rows | start time of each row, ns since the Unix epoch (i64)  |
 * |        |        4 rows | frames aggregated in each row (u32)                    |
 * |        |        4 rows | reference level of each row, dB (f32)                  |
 * |        | planes*rows*… | codes, row after row, plane after plane                |
 *
 * Each row of codes is delta-coded along frequency (first code, then differences modulo 2^8 or
 * 2^16), which makes spectra with carriers and filter slopes compress better. Two-byte codes are
 * stored as a plane of low bytes then a plane of high bytes per row.
 */
import { UnexpectedError } from '@heimdall/errors';

export const TILE_VERSION = 1;
/** Each zoom level aggregates this many rows of the level below. */
export const ZOOM_FACTOR = 4;
/** Coarsest zoom: one row per 4^5 = 1024 frames (about 100 s at 10 frames/s). */
export const MAX_ZOOM = 5;
export const TILE_HEADER_BYTES = 24;
const MAGIC = [0x48, 0x4d, 0x54, 0x4c] as const;

export type Codes = Uint8Array | Uint16Array;

/** A decoded tile: rows x bins codes in one or two planes. */
export interface SpectrumTile {
  readonly zoom: number;
  readonly rows: number;
  readonly bins: number;
  readonly stepDb: number;
  /** Start time (first frame's capture time) of each row, ns since the Unix epoch. */
  readonly rowTimesNs: BigInt64Array;
  /** Frames aggregated in each row (1 at zoom 0). */
  readonly rowFrames: Uint32Array;
  /** Reference level of each row, dB. */
  readonly rowRefDb: Float32Array;
  /**
   * Row-major codes (`rows * bins`): zoom 0 `[frames]`; zoom 1 and up `[maxHold, mean]`. All planes
   * of a tile have the same code width.
   */
  readonly planes: readonly Codes[];
}

/** Number of planes a tile at `zoom` has. */
export function planesAt(zoom: number): 1 | 2 {
  return zoom === 0 ? 1 : 2;
}

/** Frames one row at `zoom` aggregates when complete. */
export function framesPerRow(zoom: number): number {
  return ZOOM_FACTOR ** zoom;
}

function corrupt(problem: string): never {
  throw new UnexpectedError(`corrupt spectrum tile: ${problem}`);
}

/** Size of the uncompressed layout. */
export function tilePayloadBytes(rows: number, bins: number, planes: number, codeBytes: number): number {
  return TILE_HEADER_BYTES + rows * (8 + 4 + 4) + planes * rows * bins * codeBytes;
}

/**
 * Bytes per code of a tile (1 or 2), after checking that its planes and row arrays agree with its
 * shape. Throws a RangeError for an inconsistent tile (a bug).
 */
export function tileCodeBytes(tile: SpectrumTile): 1 | 2 {
  const { rows, bins, planes } = tile;
  if (planes.length !== planesAt(tile.zoom))
    throw new RangeError(`a zoom ${tile.zoom} tile has ${planesAt(tile.zoom)} planes (got ${planes.length})`);
  const codeBytes = planes[0] instanceof Uint16Array ? 2 : 1;
  for (const p of planes) {
    if (p.length !== rows * bins)
      throw new RangeError(`a plane holds ${p.length} codes, expected ${rows} x ${bins}`);
    if ((p instanceof Uint16Array ? 2 : 1) !== codeBytes)
      throw new RangeError('all planes of a tile must have one code width');
  }
  if (tile.rowTimesNs.length !== rows || tile.rowFrames.length !== rows || tile.rowRefDb.length !== rows) {
    throw new RangeError('row times, frames and references must have one entry per row');
  }
  return codeBytes;
}

/**
 * Writes everything of a tile's layout before its code planes (header, row times, frames and
 * references) at the start of `out`, and returns where the planes begin. `out` may be a window
 * into other memory (the WebAssembly deflate builds the whole layout in its own memory). Checks
 * the tile as {@link tileCodeBytes} does.
 */
export function writeTilePrefix(tile: SpectrumTile, out: Uint8Array): number {
  const codeBytes = tileCodeBytes(tile);
  const { rows } = tile;
  const end = TILE_HEADER_BYTES + rows * (8 + 4 + 4);
  if (out.length < end) throw new RangeError(`${out.length} bytes cannot hold a ${rows}-row tile prefix`);
  const dv = new DataView(out.buffer, out.byteOffset, end);
  out.set(MAGIC, 0);
  dv.setUint8(4, TILE_VERSION);
  dv.setUint8(5, tile.zoom);
  dv.setUint8(6, tile.planes.length);
  dv.setUint8(7, codeBytes);
  dv.setUint32(8, rows, true);
  dv.setUint32(12, tile.bins, true);
  dv.setFloat32(16, tile.stepDb, true);
  dv.setUint32(20, 0, true);
  let o = TILE_HEADER_BYTES;
  for (let r = 0; r < rows; r++, o += 8) dv.setBigInt64(o, tile.rowTimesNs[r] as bigint, true);
  for (let r = 0; r < rows; r++, o += 4) dv.setUint32(o, tile.rowFrames[r] as number, true);
  for (let r = 0; r < rows; r++, o += 4) dv.setFloat32(o, tile.rowRefDb[r] as number, true);
  return o;
}

/** Lays a tile out (uncompressed). Throws a RangeError for an inconsistent tile (a bug). */
export function encodeTilePayload(tile: SpectrumTile): Uint8Array {
  const { rows, bins, planes } = tile;
  const codeBytes = tileCodeBytes(tile);
  const out = new Uint8Array(tilePayloadBytes(rows, bins, planes.length, codeBytes));
  let o = writeTilePrefix(tile, out);
  for (const plane of planes) {
    for (let r = 0; r < rows; r++) {
      const base = r * bins;
      if (codeBytes === 1) {
        let prev = 0;
        for (let i = 0; i < bins; i++) {
          const c = plane[base + i] as number;
          out[o + i] = (c - prev) & 0xff;
          prev = c;
        }
        o += bins;
      } else {
        let prev = 0;
        for (let i = 0; i < bins; i++) {
          const c = plane[base + i] as number;
          const d = (c - prev) & 0xffff;
          out[o + i] = d & 0xff;
          out[o + bins + i] = d >>> 8;
          prev = c;
        }
        o += 2 * bins;
      }
    }
  }
  return out;
}

/** Reads a tile laid out by {@link encodeTilePayload}; throws an UnexpectedError if it is corrupt. */
export function decodeTilePayload(bytes: Uint8Array): SpectrumTile {
  if (bytes.length < TILE_HEADER_BYTES) corrupt(`${bytes.length} bytes is shorter than the header`);
  for (let i = 0; i < 4; i++) if (bytes[i] !== MAGIC[i]) corrupt('bad magic');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint8(4) !== TILE_VERSION) corrupt(`version ${dv.getUint8(4)} is not ${TILE_VERSION}`);
  const zoom = dv.getUint8(5);
  const nPlanes = dv.getUint8(6);
  const codeBytes = dv.getUint8(7);
  const rows = dv.getUint32(8, true);
  const bins = dv.getUint32(12, true);
  const stepDb = dv.getFloat32(16, true);
  if (zoom > MAX_ZOOM || nPlanes !== planesAt(zoom)) corrupt(`zoom ${zoom} with ${nPlanes} planes`);
  if (codeBytes !== 1 && codeBytes !== 2) corrupt(`${codeBytes} bytes per code`);
  if (!(stepDb > 0) || !Number.isFinite(stepDb)) corrupt(`step ${stepDb} dB`);
  if (rows * bins > bytes.length || tilePayloadBytes(rows, bins, nPlanes, codeBytes) !== bytes.length) {
    corrupt(`${rows} rows of ${bins} bins do not fill ${bytes.length} bytes`);
  }
  const rowTimesNs = new BigInt64Array(rows);
  const rowFrames = new Uint32Array(rows);
  const rowRefDb = new Float32Array(rows);
  let o = TILE_HEADER_BYTES;
  for (let r = 0; r < rows; r++, o += 8) rowTimesNs[r] = dv.getBigInt64(o, true);
  for (let r = 0; r < rows; r++, o += 4) rowFrames[r] = dv.getUint32(o, true);
  for (let r = 0; r < rows; r++, o += 4) rowRefDb[r] = dv.getFloat32(o, true);
  const planes: Codes[] = [];
  for (let p = 0; p < nPlanes; p++) {
    const plane = codeBytes === 1 ? new Uint8Array(rows * bins) : new Uint16Array(rows * bins);
    for (let r = 0; r < rows; r++) {
      const base = r * bins;
      let prev = 0;
      if (codeBytes === 1) {
        for (let i = 0; i < bins; i++) {
          prev = (prev + (bytes[o + i] as number)) & 0xff;
          plane[base + i] = prev;
        }
        o += bins;
      } else {
        for (let i = 0; i < bins; i++) {
          prev = (prev + ((bytes[o + i] as number) | ((bytes[o + bins + i] as number) << 8))) & 0xffff;
          plane[base + i] = prev;
        }
        o += 2 * bins;
      }
    }
    planes.push(plane);
  }
  return { zoom, rows, bins, stepDb, rowTimesNs, rowFrames, rowRefDb, planes };
}

/** Row `row` of `plane` in dB, into `out` (bins long) when given. */
export function tileRowDb(
  tile: SpectrumTile,
  plane: number,
  row: number,
  out: Float32Array = new Float32Array(tile.bins),
): Float32Array {
  const codes = tile.planes[plane];
  if (codes === undefined || row < 0 || row >= tile.rows)
    throw new RangeError(`no plane ${plane} row ${row} in this tile`);
  const ref = tile.rowRefDb[row] as number;
  const base = row * tile.bins;
  for (let i = 0; i < tile.bins; i++) out[i] = ref + (codes[base + i] as number) * tile.stepDb;
  return out;
}
