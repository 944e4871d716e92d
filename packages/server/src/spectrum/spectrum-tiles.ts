/**
 * Spectrum history that stays small and fast.
 *
 * Quantized frames ({@link SpectrumFrame}, 0.5 dB codes) are grouped per node and band into tiles:
 * zoom 0 holds every frame; zoom z holds one row per 4^z frames as max-hold and mean planes, built
 * as frames arrive ({@link BandRollup}). Tiles are delta-coded along frequency and deflated (zlib
 * format, which browsers inflate natively) with runs as the only matches: on Welch spectra, whose
 * low bits are estimation noise, LZ77 matching finds little, so zlib's `Z_RLE` was both smaller
 * (0.37 vs 0.43 bytes per bin) and about twice as fast as its default strategy at level 1. The
 * encoder is our own (tile-deflate.ts, WebAssembly): the same kind of stream, about 1-5% smaller
 * and about 4 times as fast as zlib's. Tiles are written in one batch per
 * {@link SpectrumTileStore.flush}.
 *
 * Durability contract for the ingest: frames given to {@link SpectrumTileStore.append} before a
 * `flush()` starts are in the database when that `flush()` resolves: acknowledge them then. The
 * caller may write its own rows (detections, its dedupe state) in the same transaction
 * (`flush(inTransaction)`), so the tiles and the record of which frames they hold commit or fail
 * together. A failed flush is a crash of the bands it held: their unwritten frames are forgotten
 * (the node resends them, and the caller's state says they are not stored) and their open coarse
 * rows too (queries roll those stretches up from finer zooms, as after a crash).
 *
 * Coarse tiles are written when they fill (`coarseRows` rows), when their band goes idle, changes
 * its quantization, or at {@link SpectrumTileStore.close}. Until then a query fills the stretch from
 * the finer zooms on the fly, so the newest minutes show at every zoom, and so does the stretch a
 * crashed server never wrote.
 *
 * Memory: per active band, the open tiles of every zoom (at most `coarseRows` x bins x 2 planes per
 * zoom): about 2.5 MB for a 4096-bin band with the defaults.
 *
 * Threads: the roll-up, encoding and deflate of a flush run in a worker thread (tile-encoder.ts,
 * which holds the bands' open tiles), so the caller's event loop serves sockets, acks and live
 * viewers meanwhile; `append` only copies the frame's codes. The database write stays here.
 * {@link SpectrumTileStore.dispose} stops the worker.
 */
import { promisify } from 'node:util';
import { inflate as inflateCb } from 'node:zlib';
import { OperationalError } from '@heimdall/errors';
import { decodeTilePayload, MAX_ZOOM, type SpectrumFrame, type SpectrumTile } from '@heimdall/protocol';
import type { Database, Queryable } from '../database/database.ts';
import {
  bandKeyString,
  SpectrumTileRepository,
  type BandKey,
  type TileRecord,
} from '../repositories/spectrum-tile.repository.ts';
import { deflateTilePayload } from './tile-deflate.ts';
import { FramePacker, type EncodedTile } from './tile-encoder.ts';
import { createTileEncoder, type TileEncoder } from './tile-worker-client.ts';
import { rollUpTiles } from './tile-rollup.ts';

const inflate = promisify(inflateCb);

export interface SpectrumTileStoreOptions {
  /** Most frames in one zoom-0 tile (default 256); a flush writes the frames since the last one. */
  readonly frameRows?: number;
  /** Rows in a tile of zoom 1 and up (default 64). */
  readonly coarseRows?: number;
  /** Coarsest zoom built (default {@link MAX_ZOOM}: one row per 1024 frames). */
  readonly maxZoom?: number;
  /** A band without frames for this long has its open tiles written and its memory freed (default 5 min). */
  readonly idleMs?: number;
  /** Clock for idleness, ms (default `Date.now`). */
  readonly now?: () => number;
  /**
   * Roll up, encode and deflate in a worker thread (default true), so the caller's event loop stays
   * free for sockets meanwhile; false does it on the calling thread.
   */
  readonly worker?: boolean;
}

/** A tile as a query returns it. */
export interface TileResult {
  readonly zoom: number;
  readonly startNs: bigint;
  readonly endNs: bigint;
  readonly rows: number;
  readonly frames: number;
  /** Deflated tile layout (`@heimdall/protocol` tile-codec); {@link inflateTile} decodes it. */
  readonly data: Uint8Array;
  /** False for a tile rolled up at query time from finer zooms (not stored yet). */
  readonly stored: boolean;
}

export interface TileQuery {
  readonly bandId: number;
  readonly fromNs: bigint;
  readonly toNs: bigint;
  readonly zoom: number;
}

export interface FlushReport {
  readonly tiles: number;
  /** Frames made durable by this flush (appended since the previous flush). */
  readonly frames: number;
  /** Compressed bytes written. */
  readonly bytes: number;
}

interface Compressed {
  readonly key: BandKey;
  readonly record: Omit<TileRecord, 'bandId'>;
}

function toCompressed(t: EncodedTile): Compressed {
  return {
    key: t.key,
    record: {
      zoom: t.zoom,
      startNs: t.startNs,
      endNs: t.endNs,
      rows: t.rows,
      frames: t.frames,
      data: t.data,
    },
  };
}

/** Decodes a stored or queried tile. */
export async function inflateTile(data: Uint8Array): Promise<SpectrumTile> {
  return decodeTilePayload(new Uint8Array(await inflate(data)));
}

export class SpectrumTileStore {
  private readonly frameRows: number;
  private readonly coarseRows: number;
  private readonly maxZoom: number;
  private readonly idleMs: number;
  private readonly now: () => number;
  /** When each band the encoder holds last got a frame (to skip a round trip when nothing is due). */
  private readonly lastAppend = new Map<string, number>();
  private readonly bandIds = new Map<string, number>();
  private readonly packer = new FramePacker();
  private readonly encoder: TileEncoder;
  private appended = 0;
  /** Bands with frames appended since the last flush started. */
  private readonly appendedBands = new Set<string>();
  /** The last flush's write (written in order, one after another). */
  private writing: Promise<unknown> = Promise.resolve();
  /** Flushes started, and the bands of those not finished yet (to drop when one fails). */
  private started = 0;
  private readonly inFlight = new Set<ReadonlySet<string>>();
  /** Flushes numbered below this fail: they were encoded on top of a batch whose write failed. */
  private poisonedBelow = 0;

  constructor(
    private readonly db: Database,
    options: SpectrumTileStoreOptions = {},
  ) {
    this.frameRows = options.frameRows ?? 256;
    this.coarseRows = options.coarseRows ?? 64;
    this.maxZoom = Math.min(options.maxZoom ?? MAX_ZOOM, MAX_ZOOM);
    this.idleMs = options.idleMs ?? 5 * 60_000;
    this.now = options.now ?? Date.now;
    this.encoder = createTileEncoder(
      {
        frameRows: this.frameRows,
        coarseRows: this.coarseRows,
        maxZoom: this.maxZoom,
      },
      options.worker ?? true,
    );
  }

  /** Starts the tile worker now (see {@link TileEncoder.prepare}); frames can come at once after. */
  prepare(): Promise<void> {
    return this.encoder.prepare();
  }

  /** Frames appended and not yet covered by a finished flush. */
  get pendingFrames(): number {
    return this.appended;
  }

  /**
   * Adds one frame (already validated and deduplicated by the ingest). Synchronous: the frame's
   * codes are copied, so the caller may reuse its buffer.
   */
  append(frame: SpectrumFrame): void {
    const now = this.now();
    this.packer.add(frame, now);
    const band = bandKeyString({
      nodeId: frame.nodeId,
      centerHz: frame.centerHz,
      sampleRateHz: frame.sampleRateHz,
      fftSize: frame.fftSize,
      binCount: frame.bins.length,
    });
    this.lastAppend.set(band, now);
    this.appendedBands.add(band);
    this.appended++;
  }

  /**
   * Writes the frames appended so far (and every tile that closed) in one transaction, in which
   * `inTransaction` (when given) runs too, after the tiles: if it throws, nothing is written.
   *
   * Flushes are pipelined: this one's frames go to the encoder at once, so they are rolled up and
   * deflated while the flushes before it are still being written; the writes run one after another,
   * in the order the flushes were started. A failed write is a crash of the bands it held and of
   * the bands of every flush started before it failed (those were encoded on top of the lost
   * frames): such flushes fail too, and their frames are the caller's to resend.
   */
  flush(inTransaction?: (tx: Queryable) => Promise<void>): Promise<FlushReport> {
    return this.start(false, inTransaction);
  }

  /** Stops the worker thread (after the flushes under way); call after {@link close} at shutdown. */
  async dispose(): Promise<void> {
    await this.writing;
    await this.encoder.close();
  }

  /** Writes everything, open coarse rows included (shutdown). The store stays usable. */
  close(): Promise<FlushReport> {
    return this.start(true);
  }

  private start(all: boolean, inTransaction?: (tx: Queryable) => Promise<void>): Promise<FlushReport> {
    const frames = this.appended;
    this.appended = 0;
    const bands = new Set(this.appendedBands);
    this.appendedBands.clear();
    const idleBeforeMs = this.now() - this.idleMs;
    let idle = false;
    for (const [id, at] of this.lastAppend) {
      if (all || at < idleBeforeMs) {
        idle = true;
        bands.add(id);
        this.lastAppend.delete(id);
      }
    }
    const index = this.started++;
    this.inFlight.add(bands);
    // roll-up, encoding and deflate run in the worker, overlapping the writes before this one
    const encoding: Promise<EncodedTile[]> =
      this.packer.size > 0 || idle ? this.encodeBatch(all, idleBeforeMs) : Promise.resolve([]);
    encoding.catch(() => undefined); // handled below, once the writes before it are done
    const run = this.writing
      .then(() => encoding)
      .then((encoded) => {
        if (index < this.poisonedBelow)
          throw new OperationalError(
            'an earlier spectrum tile write failed, and these frames were rolled up after it; they are not stored',
          );
        return this.write(encoded, frames, inTransaction);
      })
      .catch((cause: unknown) => {
        if (index >= this.poisonedBelow) {
          // a crash of every band in flight: their unwritten frames are the caller's to resend
          this.poisonedBelow = this.started;
          const failed = new Set<string>();
          for (const set of this.inFlight) for (const id of set) failed.add(id);
          for (const id of failed) this.lastAppend.delete(id);
          this.encoder.drop([...failed]);
        }
        throw cause instanceof OperationalError
          ? cause
          : new OperationalError('writing spectrum tiles failed; their frames are not stored', { cause });
      })
      .finally(() => this.inFlight.delete(bands));
    this.writing = run.catch(() => undefined);
    return run;
  }

  /** Hands the packed frames to the encoder; their buffer is the packer's again once encoded. */
  private async encodeBatch(all: boolean, idleBeforeMs: number): Promise<EncodedTile[]> {
    const frames = this.packer.take();
    try {
      return await this.encoder.encode({ frames, all, idleBeforeMs });
    } finally {
      this.packer.recycle(frames);
    }
  }

  private async write(
    encoded: readonly EncodedTile[],
    frames: number,
    inTransaction?: (tx: Queryable) => Promise<void>,
  ): Promise<FlushReport> {
    const compressed = encoded.map(toCompressed);
    if (compressed.length === 0 && inTransaction === undefined) return { tiles: 0, frames, bytes: 0 };
    const ids = await this.db.transaction(async (tx) => {
      const repo = new SpectrumTileRepository(tx);
      const ids = new Map<string, number>();
      const lastSeen = new Map<string, bigint>();
      const unknown = new Map<string, { key: BandKey; at: Date }>();
      for (const c of compressed) {
        const k = bandKeyString(c.key);
        if (c.record.endNs > (lastSeen.get(k) ?? -1n)) lastSeen.set(k, c.record.endNs);
        const known = this.bandIds.get(k);
        if (known !== undefined) ids.set(k, known);
        else if (!unknown.has(k)) unknown.set(k, { key: c.key, at: nsToDate(c.record.startNs) });
      }
      // new bands (a fleet's first commit meets them all): one statement, not one per band
      const made = await repo.ensureBands([...unknown.values()]);
      [...unknown.keys()].forEach((k, i) => ids.set(k, made[i] as number));
      if (compressed.length > 0)
        await repo.insertTiles(
          compressed.map((c) => ({ ...c.record, bandId: ids.get(bandKeyString(c.key)) as number })),
        );
      await repo.touchBands([...lastSeen].map(([k, ns]) => ({ id: ids.get(k) as number, at: nsToDate(ns) })));
      if (inTransaction !== undefined) await inTransaction(tx);
      return ids;
    });
    for (const [k, id] of ids) this.bandIds.set(k, id);
    return {
      tiles: compressed.length,
      frames,
      bytes: compressed.reduce((n, c) => n + c.record.data.length, 0),
    };
  }

  /**
   * The tiles of one band at one zoom overlapping a time range, oldest first. Stretches the zoom's
   * stored tiles do not cover are rolled up from finer zooms (marked `stored: false`).
   */
  async query(q: TileQuery): Promise<TileResult[]> {
    if (q.zoom < 0 || q.zoom > MAX_ZOOM || !Number.isInteger(q.zoom))
      throw new RangeError(`zoom must be 0..${MAX_ZOOM}`);
    return this.collect(new SpectrumTileRepository(this.db), q.bandId, q.zoom, q.fromNs, q.toNs);
  }

  private async collect(
    repo: SpectrumTileRepository,
    bandId: number,
    zoom: number,
    fromNs: bigint,
    toNs: bigint,
  ): Promise<TileResult[]> {
    const stored: TileResult[] = (await repo.listTiles(bandId, zoom, fromNs, toNs)).map((t) => ({
      zoom: t.zoom,
      startNs: t.startNs,
      endNs: t.endNs,
      rows: t.rows,
      frames: t.frames,
      data: t.data,
      stored: true,
    }));
    if (zoom === 0) return stored;
    const out = [...stored];
    for (const gap of findGaps(stored, fromNs, toNs)) {
      const finer = await this.collect(repo, bandId, zoom - 1, gap.fromNs, gap.toNs);
      if (finer.length === 0) continue;
      const tiles = await Promise.all(
        finer.map(async (t) => ({ tile: await inflateTile(t.data), endNs: t.endNs })),
      );
      const rolled = rollUpTiles(tiles, (t) => t >= gap.fromNs && t <= gap.toNs, this.coarseRows);
      for (const c of rolled) {
        out.push({
          zoom,
          startNs: c.startNs,
          endNs: c.endNs,
          rows: c.tile.rows,
          frames: c.frames,
          data: deflateTilePayload(c.tile),
          stored: false,
        });
      }
    }
    return out.sort((a, b) => (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0));
  }
}

function nsToDate(ns: bigint): Date {
  return new Date(Number(ns / 1_000_000n));
}

/**
 * Stretches of `[fromNs, toNs]` (inclusive) no tile covers. Two tiles written one after another
 * leave a gap of about one frame interval between them: gaps shorter than two frame intervals of
 * the tile before are not gaps.
 */
export function findGaps(
  tiles: readonly { startNs: bigint; endNs: bigint; frames: number }[],
  fromNs: bigint,
  toNs: bigint,
): { fromNs: bigint; toNs: bigint }[] {
  const gaps: { fromNs: bigint; toNs: bigint }[] = [];
  let cursor = fromNs;
  let slack = 0n;
  let covered = false;
  for (const t of tiles) {
    if (t.startNs > cursor + slack)
      gaps.push({ fromNs: covered ? cursor + 1n : cursor, toNs: t.startNs - 1n });
    if (t.endNs > cursor) cursor = t.endNs;
    covered = true;
    slack = t.frames > 1 ? (2n * (t.endNs - t.startNs)) / BigInt(t.frames - 1) : 0n;
  }
  if (toNs > cursor || !covered) gaps.push({ fromNs: covered ? cursor + 1n : cursor, toNs });
  return gaps.filter((g) => g.toNs >= g.fromNs);
}
