/**
 * The CPU side of spectrum history: per band roll-up ({@link BandRollup}), tile encoding and
 * deflate, for a batch of frames at a time. It runs in a worker thread (tile-worker.ts) so the
 * ingest's event loop keeps serving sockets, acks and live viewers while a batch is rolled up and
 * compressed (on the embedded default these took about a third of the main thread at full load);
 * {@link TileEncoderCore} itself is synchronous and thread-agnostic, and runs inline when no worker
 * is wanted.
 *
 * Frames cross the thread boundary packed ({@link FramePacker}): their codes concatenated in a
 * shared buffer plus small per-frame arrays, so a batch of thousands of frames is one small
 * message and no copy.
 */
import type { Codes, SpectrumFrame } from '@heimdall/protocol';
import { bandKeyString, type BandKey } from '../repositories/spectrum-tile.repository.ts';
import { deflateTilePayload } from './tile-deflate.ts';
import { BandRollup, type ClosedTile } from './tile-rollup.ts';

/** Per-frame numbers in {@link PackedFrames.meta}, in this order. */
// centerHz, sampleRateHz, fftSize, binCount, refDb, stepDb, byte offset of the codes, append time (ms)
const META = 8;

/** A batch of frames as one message: codes concatenated (2-byte codes at even offsets). */
export interface PackedFrames {
  readonly count: number;
  readonly nodeIds: readonly string[];
  readonly meta: Float64Array;
  readonly widths: Uint8Array;
  readonly times: BigInt64Array;
  /** Which of the packer's codes buffers holds the codes (for {@link FramePacker.recycle}). */
  readonly codesId: number;
  /**
   * That buffer: shared memory, so the codes cross to the tile worker without a copy or a
   * transfer. A worker that already holds buffer `codesId` gets the message without it.
   */
  readonly codes?: SharedArrayBuffer | undefined;
}

/**
 * Collects frames into a {@link PackedFrames}; the codes are copied, so callers may reuse theirs.
 *
 * The codes go into shared buffers that are used again and again: a batch's buffer comes back
 * through {@link recycle} once encoded. At full load, a fresh multi-megabyte buffer per batch (or
 * one transferred back and forth) cost more than the copies into it: first-touch page faults, and
 * major garbage collections in both threads, which count every buffer that arrives as new memory.
 */
export class FramePacker {
  /** Buffers handed back by {@link recycle}, for the next batches. */
  private readonly spare: { id: number; bytes: Uint8Array }[] = [];
  private nextId = 0;
  private nodeIds: string[] = [];
  private meta = new Float64Array(META * 64);
  private widths = new Uint8Array(64);
  private times = new BigInt64Array(64);
  private codes = this.buffer(64 * 4096);
  private used = 0;
  private count = 0;

  private buffer(size: number): { id: number; bytes: Uint8Array } {
    return { id: this.nextId++, bytes: new Uint8Array(new SharedArrayBuffer(size)) };
  }

  get size(): number {
    return this.count;
  }

  /** Adds a frame appended at `atMs` (the store's clock: idleness is judged on it). */
  add(frame: SpectrumFrame, atMs: number): void {
    const n = this.count;
    if (n === this.widths.length) {
      const meta = new Float64Array(this.meta.length * 2);
      meta.set(this.meta);
      const widths = new Uint8Array(this.widths.length * 2);
      widths.set(this.widths);
      const times = new BigInt64Array(this.times.length * 2);
      times.set(this.times);
      this.meta = meta;
      this.widths = widths;
      this.times = times;
    }
    const bins = frame.bins;
    const width = bins instanceof Uint16Array ? 2 : 1;
    const offset = (this.used + width - 1) & ~(width - 1);
    const end = offset + bins.length * width;
    if (end > this.codes.bytes.length) {
      const grown = this.buffer(Math.max(end, this.codes.bytes.length * 2));
      grown.bytes.set(this.codes.bytes.subarray(0, this.used));
      this.codes = grown;
    }
    this.codes.bytes.set(
      bins instanceof Uint8Array ? bins : new Uint8Array(bins.buffer, bins.byteOffset, bins.byteLength),
      offset,
    );
    this.used = end;
    const m = n * META;
    this.meta[m] = frame.centerHz;
    this.meta[m + 1] = frame.sampleRateHz;
    this.meta[m + 2] = frame.fftSize;
    this.meta[m + 3] = bins.length;
    this.meta[m + 4] = frame.refDb;
    this.meta[m + 5] = frame.stepDb;
    this.meta[m + 6] = offset;
    this.meta[m + 7] = atMs;
    this.widths[n] = width;
    this.times[n] = frame.captureTimeNs;
    this.nodeIds.push(frame.nodeId);
    this.count++;
  }

  /**
   * The frames so far; the packer starts empty again, in a spare buffer (or a new one sized for a
   * batch like this one). The batch's codes buffer is the encoder's until {@link recycle}d.
   */
  take(): PackedFrames {
    const n = this.count;
    const packed: PackedFrames = {
      count: n,
      nodeIds: this.nodeIds,
      meta: this.meta.slice(0, n * META),
      widths: this.widths.slice(0, n),
      times: this.times.slice(0, n),
      codesId: this.codes.id,
      codes: this.codes.bytes.buffer as SharedArrayBuffer,
    };
    let next = this.spare.pop();
    while (next !== undefined && next.bytes.length < this.used) next = this.spare.pop();
    this.codes = next ?? this.buffer(Math.max(64 * 4096, this.used + (this.used >>> 2)));
    this.nodeIds = [];
    this.used = 0;
    this.count = 0;
    return packed;
  }

  /** Takes back the codes buffer of an earlier {@link take} once nothing reads it any more. */
  recycle(batch: PackedFrames): void {
    const codes = batch.codes;
    if (codes !== undefined && this.spare.length < MAX_SPARE)
      this.spare.push({ id: batch.codesId, bytes: new Uint8Array(codes) });
  }
}

/** Codes buffers a packer keeps for reuse: the batches in flight at once, and one. */
const MAX_SPARE = 4;

/** What to do with one batch. */
export interface EncodeRequest {
  readonly frames: PackedFrames;
  /** Write every open row of every band (shutdown). */
  readonly all: boolean;
  /** Bands without frames since this time (caller's clock, ms) are written whole and forgotten. */
  readonly idleBeforeMs: number;
}

/** A compressed tile, ready to store. */
export interface EncodedTile {
  readonly key: BandKey;
  readonly zoom: number;
  readonly startNs: bigint;
  readonly endNs: bigint;
  readonly rows: number;
  readonly frames: number;
  readonly data: Uint8Array;
}

export interface TileEncoderOptions {
  readonly frameRows: number;
  readonly coarseRows: number;
  readonly maxZoom: number;
}

interface BandState {
  readonly key: BandKey;
  readonly rollup: BandRollup;
  lastAppendMs: number;
}

/** The bands' roll-ups and the encoder: feed batches, get the tiles they close. Synchronous. */
export class TileEncoderCore {
  private readonly bands = new Map<string, BandState>();

  constructor(private readonly o: TileEncoderOptions) {}

  /** Forgets bands (a failed write: their open rows are lost, as in a crash). */
  drop(bandIds: readonly string[]): void {
    for (const id of bandIds) {
      this.bands.get(id)?.rollup.dispose();
      this.bands.delete(id);
    }
  }

  encode(req: EncodeRequest): EncodedTile[] {
    const closed: { key: BandKey; closed: ClosedTile }[] = [];
    this.feed(req.frames, closed);
    for (const [id, state] of this.bands) {
      const idle = req.all || state.lastAppendMs < req.idleBeforeMs;
      for (const c of idle ? state.rollup.takeAll() : state.rollup.takeForFlush())
        closed.push({ key: state.key, closed: c });
      if (idle) {
        state.rollup.dispose();
        this.bands.delete(id);
      }
    }
    return closed.map(({ key, closed: c }) => {
      const data = deflateTilePayload(c.tile);
      c.release(); // its planes take the band's next rows
      return {
        key,
        zoom: c.tile.zoom,
        startNs: c.startNs,
        endNs: c.endNs,
        rows: c.tile.rows,
        frames: c.frames,
        data,
      };
    });
  }

  private feed(p: PackedFrames, retired: { key: BandKey; closed: ClosedTile }[]): void {
    if (p.count === 0) return;
    const buffer = p.codes;
    if (buffer === undefined) throw new Error(`codes buffer ${p.codesId} is missing`);
    for (let i = 0; i < p.count; i++) {
      const m = i * META;
      const bins = p.meta[m + 3] as number;
      const key: BandKey = {
        nodeId: p.nodeIds[i] as string,
        centerHz: p.meta[m] as number,
        sampleRateHz: p.meta[m + 1] as number,
        fftSize: p.meta[m + 2] as number,
        binCount: bins,
      };
      const stepDb = p.meta[m + 5] as number;
      const width = p.widths[i] as 1 | 2;
      const offset = p.meta[m + 6] as number;
      const codes: Codes =
        width === 1 ? new Uint8Array(buffer, offset, bins) : new Uint16Array(buffer, offset, bins);
      const id = bandKeyString(key);
      let state = this.bands.get(id);
      if (
        state !== undefined &&
        (state.rollup.options.stepDb !== stepDb || state.rollup.options.codeBytes !== width)
      ) {
        // the band's quantization changed: its tiles so far are written as they are
        for (const c of state.rollup.takeAll()) retired.push({ key: state.key, closed: c });
        state.rollup.dispose();
        state = undefined;
      }
      if (state === undefined) {
        state = {
          key,
          rollup: new BandRollup({
            bins,
            stepDb,
            codeBytes: width,
            frameRows: this.o.frameRows,
            coarseRows: this.o.coarseRows,
            maxZoom: this.o.maxZoom,
          }),
          lastAppendMs: 0,
        };
        this.bands.set(id, state);
      }
      state.rollup.addFrame(codes, p.meta[m + 4] as number, p.times[i] as bigint);
      state.lastAppendMs = p.meta[m + 7] as number;
    }
  }
}
