/**
 * Builds the tiles of one band as frames arrive: zoom 0 rows are the frames themselves; every
 * {@link ZOOM_FACTOR} rows of one zoom make one row of the next, as max-hold and mean planes, up
 * to `maxZoom`. Pure and synchronous: the store feeds it frames and collects the tiles it closes.
 *
 * Cost per frame: a copy of its codes, plus about 1.33 x bins float64 operations for the coarser
 * levels (each level sees a quarter of the rows of the one below), done by the roll-up kernel in
 * WebAssembly SIMD (rollup-kernel.ts; about 4 ns a bin in TypeScript, a few tenths of that there).
 * Buffers grow once per band and are reused; nothing is allocated per frame except when a coarse
 * row closes. A roll-up holds kernel memory for its running rows: {@link BandRollup.dispose} it.
 */
import { planesAt, ZOOM_FACTOR, type Codes, type SpectrumTile } from '@heimdall/protocol';
import { KernelRow } from './rollup-kernel.ts';

/** A tile the rollup closed, ready to compress and store. */
export interface ClosedTile {
  readonly tile: SpectrumTile;
  /** Capture time of the first frame, ns since the Unix epoch. */
  readonly startNs: bigint;
  /** Capture time of the last frame, ns. */
  readonly endNs: bigint;
  /** Frames the tile aggregates. */
  readonly frames: number;
  /**
   * Hands the tile's planes back to the roll-up, which writes its next rows into them: call it
   * once the tile is encoded, and read the tile no more. Not calling it is fine (they are
   * garbage collected, and the roll-up allocates new ones).
   */
  readonly release: () => void;
}

export interface RollupOptions {
  readonly bins: number;
  readonly stepDb: number;
  readonly codeBytes: 1 | 2;
  /** Most rows in a zoom-0 tile; a full one closes at once. */
  readonly frameRows: number;
  /** Rows in a tile of zoom 1 and up. */
  readonly coarseRows: number;
  /** Coarsest zoom built (0 builds none). */
  readonly maxZoom: number;
}

/** The rows of one open tile at one zoom, in growable buffers. */
class TileBuilder {
  rows = 0;
  frames = 0;
  startNs = 0n;
  endNs = 0n;
  private times: BigInt64Array;
  private rowFrames: Uint32Array;
  private refs: Float32Array;
  private planes: Codes[];
  /** Planes of a closed tile, given back by its `release` once encoded: the next take's. */
  private spare: Codes[] | undefined;

  constructor(
    readonly zoom: number,
    private readonly o: RollupOptions,
    private capacity: number,
  ) {
    this.times = new BigInt64Array(capacity);
    this.rowFrames = new Uint32Array(capacity);
    this.refs = new Float32Array(capacity);
    this.planes = Array.from({ length: planesAt(zoom) }, () => this.codes(capacity * o.bins));
  }

  private codes(n: number): Codes {
    return this.o.codeBytes === 1 ? new Uint8Array(n) : new Uint16Array(n);
  }

  private grow(): void {
    const cap = this.capacity * 2;
    const times = new BigInt64Array(cap);
    times.set(this.times);
    const rowFrames = new Uint32Array(cap);
    rowFrames.set(this.rowFrames);
    const refs = new Float32Array(cap);
    refs.set(this.refs);
    this.planes = this.planes.map((p) => {
      const q = this.codes(cap * this.o.bins);
      q.set(p);
      return q;
    });
    this.times = times;
    this.rowFrames = rowFrames;
    this.refs = refs;
    this.capacity = cap;
  }

  /** Claims the next row; returns its index. The caller fills {@link plane}(p) at `index * bins`. */
  beginRow(timeNs: bigint, lastNs: bigint, frames: number, refDb: number): number {
    if (this.rows === this.capacity) this.grow();
    const r = this.rows++;
    if (r === 0) this.startNs = timeNs;
    this.endNs = lastNs > this.endNs || r === 0 ? lastNs : this.endNs;
    this.times[r] = timeNs;
    this.rowFrames[r] = frames;
    this.refs[r] = refDb;
    this.frames += frames;
    return r;
  }

  plane(p: number): Codes {
    return this.planes[p] as Codes;
  }

  /** Sets row `r`'s reference level, dB (known once its codes are quantized). */
  setRef(r: number, refDb: number): void {
    this.refs[r] = refDb;
  }

  /**
   * The rows so far as a tile, and an empty builder again. The tile's planes are the builder's
   * own (no copy): it goes on in the spare planes a released tile gave back, or in new ones.
   */
  take(): ClosedTile {
    const n = this.rows;
    const bins = this.o.bins;
    const planes = this.planes;
    const tile: SpectrumTile = {
      zoom: this.zoom,
      rows: n,
      bins,
      stepDb: this.o.stepDb,
      rowTimesNs: this.times.slice(0, n),
      rowFrames: this.rowFrames.slice(0, n),
      rowRefDb: this.refs.slice(0, n),
      planes: planes.map((p) => p.subarray(0, n * bins)),
    };
    const size = (planes[0] as Codes).length;
    const spare = this.spare;
    this.planes =
      spare !== undefined && (spare[0] as Codes).length === size
        ? spare
        : planes.map((p) => this.codes(p.length));
    this.spare = undefined;
    let released = false;
    const release = () => {
      // a builder that grew since keeps its larger planes: the smaller ones are dropped
      if (!released && (this.planes[0] as Codes).length === size) this.spare = planes;
      released = true;
    };
    const closed = { tile, startNs: this.startNs, endNs: this.endNs, frames: this.frames, release };
    this.rows = 0;
    this.frames = 0;
    return closed;
  }
}

/**
 * Accumulates rows of one zoom into one row of the next: max-hold and frame-weighted mean, in dB.
 * The arithmetic runs in the roll-up kernel (WebAssembly SIMD, float64), whose memory holds the
 * running row: {@link free} it when done.
 */
class RowAccumulator {
  private readonly row: KernelRow;
  rows = 0;
  frames = 0;
  startNs = 0n;
  endNs = 0n;

  constructor(bins: number) {
    this.row = new KernelRow(bins);
  }

  private start(startNs: bigint, endNs: bigint, frames: number): void {
    if (this.rows === 0) this.startNs = startNs;
    if (this.rows === 0 || endNs > this.endNs) this.endNs = endNs;
    this.rows++;
    this.frames += frames;
  }

  /** Adds one frame given as codes. */
  addCodes(codes: Codes, refDb: number, stepDb: number, timeNs: bigint): void {
    this.start(timeNs, timeNs, 1);
    this.row.addCodes(codes, refDb, stepDb);
  }

  /** Adds a finished coarser row given as its max and mean in dB. */
  addRow(max: Float64Array, mean: Float64Array, frames: number, startNs: bigint, endNs: bigint): void {
    this.start(startNs, endNs, frames);
    this.row.addRow(max, mean, frames);
  }

  /** Adds the row the last {@link emitRow} wrote (its dB values are still in the kernel). */
  addEmitted(frames: number, startNs: bigint, endNs: bigint): void {
    this.start(startNs, endNs, frames);
    this.row.addEmitted(frames);
  }

  /**
   * Writes the accumulated row into `builder` (max and mean quantized against the row's own
   * reference, its lowest mean rounded down to a step) and empties the accumulator; the row's dB
   * values stay in the kernel for {@link addEmitted}.
   */
  emitRow(builder: TileBuilder, stepDb: number): void {
    const r = builder.beginRow(this.startNs, this.endNs, this.frames, 0);
    const at = r * this.row.bins;
    builder.setRef(r, this.row.emit(this.frames, stepDb, builder.plane(0), builder.plane(1), at));
    this.rows = 0;
    this.frames = 0;
  }

  free(): void {
    this.row.free();
  }
}

/** The tiles of one band, zoom 0 to `maxZoom`. */
export class BandRollup {
  private readonly builders: TileBuilder[];
  private readonly accumulators: (RowAccumulator | undefined)[];
  private readonly closed: ClosedTile[] = [];
  /** When the last frame was added (ms, caller's clock). */
  lastAppendMs = 0;

  constructor(readonly options: RollupOptions) {
    const { bins, maxZoom } = options;
    this.builders = Array.from(
      { length: maxZoom + 1 },
      // coarse tiles have a known size: no growing (and copying) on the way there; their pages
      // are only mapped in as rows are written
      (_, z) => new TileBuilder(z, options, z === 0 ? 16 : options.coarseRows),
    );
    // accumulators[z] builds the next row of zoom z (z >= 1; [0] is unused)
    this.accumulators = Array.from({ length: maxZoom + 1 }, (_, z) =>
      z === 0 ? undefined : new RowAccumulator(bins),
    );
  }

  /** Frees the kernel memory of the roll-up's running rows; the roll-up must not be used after. */
  dispose(): void {
    for (const a of this.accumulators) a?.free();
  }

  /** Adds one frame (codes already quantized with `refDb` and the band's step). */
  addFrame(codes: Codes, refDb: number, timeNs: bigint): void {
    const { bins, frameRows, maxZoom, stepDb } = this.options;
    const z0 = this.builders[0] as TileBuilder;
    const r = z0.beginRow(timeNs, timeNs, 1, refDb);
    z0.plane(0).set(codes, r * bins);
    if (z0.rows >= frameRows) this.closed.push(z0.take());
    if (maxZoom === 0) return;
    const acc = this.accumulators[1] as RowAccumulator;
    acc.addCodes(codes, refDb, stepDb, timeNs);
    if (acc.rows === ZOOM_FACTOR) this.closeRow(1);
  }

  /** Turns the accumulator of `zoom` into a row of that zoom's tile and feeds the next zoom. */
  private closeRow(zoom: number): void {
    const { coarseRows, maxZoom } = this.options;
    const acc = this.accumulators[zoom] as RowAccumulator;
    const b = this.builders[zoom] as TileBuilder;
    const frames = acc.frames;
    const startNs = acc.startNs;
    const endNs = acc.endNs;
    acc.emitRow(b, this.options.stepDb);
    if (b.rows >= coarseRows) this.closed.push(b.take());
    if (zoom < maxZoom) {
      const next = this.accumulators[zoom + 1] as RowAccumulator;
      next.addEmitted(frames, startNs, endNs);
      if (next.rows === ZOOM_FACTOR) this.closeRow(zoom + 1);
    }
  }

  /** Tiles closed since the last call, and the open zoom-0 rows as one more tile. */
  takeForFlush(): ClosedTile[] {
    const z0 = this.builders[0] as TileBuilder;
    if (z0.rows > 0) this.closed.push(z0.take());
    return this.closed.splice(0);
  }

  /**
   * Everything: closed tiles, then the open rows of every zoom (partial rows included) as partial
   * tiles. For a band that goes idle or changes its quantization, and at shutdown.
   */
  takeAll(): ClosedTile[] {
    for (let z = 1; z <= this.options.maxZoom; z++) {
      if ((this.accumulators[z] as RowAccumulator).rows > 0) this.closeRow(z);
    }
    for (const b of this.builders) if (b.rows > 0) this.closed.push(b.take());
    return this.closed.splice(0);
  }

  /** Whether any row is held that {@link takeAll} would write. */
  get holdsRows(): boolean {
    return (
      this.closed.length > 0 ||
      this.builders.some((b) => b.rows > 0) ||
      this.accumulators.some((a) => a !== undefined && a.rows > 0)
    );
  }
}

/** A finer tile to roll up, with the capture time of its last frame (rows store only starts). */
export interface FinerTile {
  readonly tile: SpectrumTile;
  readonly endNs: bigint;
}

/**
 * Rolls rows of finer tiles (all of one zoom, oldest first) up into tiles one zoom coarser, taking
 * only rows whose start time `include` accepts: how a query fills a stretch where the coarser tile
 * is not written yet (its rows are still open in some server's memory, or that server stopped).
 * A row ends where the next row of its tile starts, the last one at its tile's end.
 */
export function rollUpTiles(
  finer: readonly FinerTile[],
  include: (rowTimeNs: bigint) => boolean,
  coarseRows: number,
): ClosedTile[] {
  const first = finer[0]?.tile;
  if (first === undefined) return [];
  const { bins, stepDb } = first;
  const codeBytes = first.planes[0] instanceof Uint16Array ? 2 : 1;
  const zoom = first.zoom + 1;
  const options: RollupOptions = {
    bins,
    stepDb,
    codeBytes,
    frameRows: coarseRows,
    coarseRows,
    maxZoom: zoom,
  };
  const builder = new TileBuilder(zoom, options, 4);
  const acc = new RowAccumulator(bins);
  const dbMax = new Float64Array(bins);
  const dbMean = new Float64Array(bins);
  const out: ClosedTile[] = [];
  try {
    for (const { tile: t, endNs } of finer) {
      if (t.bins !== bins || t.stepDb !== stepDb || t.zoom !== first.zoom) continue;
      const maxPlane = t.planes[0] as Codes;
      const meanPlane = (t.planes[1] ?? t.planes[0]) as Codes;
      for (let r = 0; r < t.rows; r++) {
        const time = t.rowTimesNs[r] as bigint;
        if (!include(time)) continue;
        const rowEnd = r + 1 < t.rows ? (t.rowTimesNs[r + 1] as bigint) - 1n : endNs;
        const ref = t.rowRefDb[r] as number;
        const base = r * bins;
        for (let i = 0; i < bins; i++) {
          dbMax[i] = ref + (maxPlane[base + i] as number) * stepDb;
          dbMean[i] = ref + (meanPlane[base + i] as number) * stepDb;
        }
        acc.addRow(dbMax, dbMean, t.rowFrames[r] as number, time, rowEnd > time ? rowEnd : time);
        if (acc.rows === ZOOM_FACTOR) {
          acc.emitRow(builder, stepDb);
          if (builder.rows >= coarseRows) out.push(builder.take());
        }
      }
    }
    if (acc.rows > 0) acc.emitRow(builder, stepDb);
  } finally {
    acc.free();
  }
  if (builder.rows > 0) out.push(builder.take());
  return out;
}
