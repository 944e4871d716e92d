/**
 * Spectrum history from `GET /api/v1/spectrum/tiles`: each tile's deflated layout is inflated with
 * the browser's DecompressionStream and decoded with the shared tile codec, then flattened into
 * rows (time, dB values) the history canvas draws. The zoom level is chosen so the range gives
 * about as many rows as the canvas has pixels: coarse for a day, every frame for a minute.
 */
import { decodeTilePayload, MAX_ZOOM, tileRowDb, ZOOM_FACTOR, type SpectrumTile } from '@heimdall/protocol';
import type { TilesResponse } from '../api/client.ts';

export interface HistoryRow {
  /** ms since the epoch: start and end of the row. */
  readonly startMs: number;
  readonly endMs: number;
  readonly db: Float32Array;
}

async function inflate(base64: string): Promise<Uint8Array> {
  const bin = atob(base64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** The coarsest zoom that still gives at least `rows` rows for `frames` frames (0 when few). */
export function zoomFor(frames: number, rows: number): number {
  let z = 0;
  while (z < MAX_ZOOM && frames / ZOOM_FACTOR ** (z + 1) >= rows) z++;
  return z;
}

/** Rows of all tiles, oldest first; `plane` 0 is max-hold (or the frames at zoom 0), 1 the mean. */
export async function tileRows(res: TilesResponse, plane: 0 | 1 = 0): Promise<HistoryRow[]> {
  const out: HistoryRow[] = [];
  for (const item of res.items) {
    const tile: SpectrumTile = decodeTilePayload(await inflate(item.data));
    const t0 = Date.parse(item.start_time);
    const t1 = Date.parse(item.end_time);
    const msPerFrame = item.frames > 1 ? (t1 - t0) / (item.frames - 1) : 0;
    const p = Math.min(plane, tile.planes.length - 1);
    for (let r = 0; r < tile.rows; r++) {
      const start = Number((tile.rowTimesNs[r] as bigint) / 1_000_000n);
      out.push({
        startMs: start,
        endMs: start + (tile.rowFrames[r] as number) * msPerFrame,
        db: tileRowDb(tile, p, r),
      });
    }
  }
  out.sort((a, b) => a.startMs - b.startMs);
  // a row lasts until the next one starts (a tile's own span is 0 for a one-frame tile); a row
  // before a gap, and the last row, last one typical row interval
  const gaps = out.slice(1).map((r, i) => r.startMs - (out[i] as HistoryRow).startMs);
  const typical = gaps.length === 0 ? 100 : (gaps.sort((a, b) => a - b)[gaps.length >> 1] as number);
  return out.map((r, i) => {
    const next = out[i + 1];
    const end =
      next === undefined || next.startMs - r.startMs > 2 * typical ? r.startMs + typical : next.startMs;
    return { ...r, endMs: Math.max(r.endMs, end) };
  });
}
