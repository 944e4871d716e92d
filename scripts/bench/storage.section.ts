/**
 * Spectrum history on the embedded default (PGlite in a data folder on disk): how fast 4096-bin
 * frames from 100 simulated nodes go into compressed tiles, how many bytes a stored bin costs, and
 * how long a day of waterfall for one node takes to fetch at a coarse zoom.
 *
 * The frames are synthetic Welch spectra: a noise floor with the receiver's filter roll-off and
 * about 0.6 dB of estimation noise (a Welch average of ~50 segments), a few steady carriers and a
 * bursty one, quantized to 0.5 dB steps with a per-frame reference, as an agent sends them.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants as zlibConstants, deflateSync } from 'node:zlib';
import {
  decodeFrame,
  encodeSpectrumFrame,
  encodeTilePayload,
  tileRowDb,
  type SpectrumFrame,
  type SpectrumTile,
} from '@heimdall/protocol';
import { openPglite } from '../../packages/server/src/database/pglite.database.ts';
import { migrate } from '../../packages/server/src/migrations.ts';
import { SpectrumTileRepository } from '../../packages/server/src/repositories/spectrum-tile.repository.ts';
import { inflateTile, SpectrumTileStore } from '../../packages/server/src/spectrum/spectrum-tiles.ts';
import {
  BandRollup,
  rollUpTiles,
  type ClosedTile,
  type FinerTile,
} from '../../packages/server/src/spectrum/tile-rollup.ts';
import { deflateTilePayload, zlibRle } from '../../packages/server/src/spectrum/tile-deflate.ts';
import { median, printTable } from './table.ts';
import { BINS, syntheticSpectra } from './synthetic-spectra.ts';

/** The reference encoder: node's zlib with the settings the server used before its own (level 1, runs only). */
const ZLIB_RLE = { level: 1, strategy: zlibConstants.Z_RLE };
const NODES = 100;
const POOL = 64; // distinct spectra per node, cycled (more than deflate's 32 KiB window holds)
const FRAME_NS = 100_000_000n; // 10 frames/s per node
const T0 = 1_767_225_600_000_000_000n;

interface IngestFigures {
  frames: number;
  seconds: number;
  decodeAppendSeconds: number;
  flushSeconds: number;
  storedBytes: number;
  zoom0Bytes: number;
}

/** 100 nodes x 10 frames/s, flushed once per simulated second, as fast as the machine goes. */
async function ingest(dataDir: string, seconds: number): Promise<IngestFigures> {
  const db = await openPglite({ dataDir });
  await migrate(db);
  const nodes = Array.from({ length: NODES }, () => randomUUID());
  for (const [i, id] of nodes.entries())
    await db.query('INSERT INTO nodes (id, name) VALUES ($1, $2)', [id, `bench-${i}`]);
  // Pre-encoded wire frames; sequence and time are patched in place per send.
  const pools = nodes.map((nodeId, n) =>
    syntheticSpectra(1000 + n, POOL).map((s) =>
      encodeSpectrumFrame({
        nodeId,
        sequence: 0,
        captureTimeNs: T0,
        centerHz: 100e6 + n * 1e6,
        sampleRateHz: 2.4e6,
        fftSize: BINS,
        refDb: s.refDb,
        stepDb: 0.5,
        bins: s.codes,
      }),
    ),
  );
  const store = new SpectrumTileStore(db);
  let decodeAppend = 0;
  let flushing = 0;
  // As the ingest runs it: frames keep arriving while the previous batch is written (one flush in
  // flight); a batch is acked when its flush resolves. Waiting here is time the ingest is blocked.
  let inFlight: Promise<unknown> = Promise.resolve();
  const ticks = seconds * 10;
  const start = performance.now();
  for (let tick = 0; tick < ticks; tick++) {
    const t0 = performance.now();
    for (let n = 0; n < NODES; n++) {
      const bytes = (pools[n] as Uint8Array[])[tick % POOL] as Uint8Array;
      const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      dv.setUint32(28, tick, true);
      dv.setBigInt64(36, T0 + BigInt(tick) * FRAME_NS, true);
      store.append(decodeFrame(bytes) as SpectrumFrame);
    }
    decodeAppend += performance.now() - t0;
    if (tick % 10 === 9) {
      const t1 = performance.now();
      await inFlight;
      flushing += performance.now() - t1;
      inFlight = store.flush();
    }
  }
  const t1 = performance.now();
  await inFlight;
  await store.flush();
  flushing += performance.now() - t1;
  const elapsed = (performance.now() - start) / 1000;
  const sizes = await db.query(
    'SELECT zoom, sum(length(data))::int8 AS bytes FROM spectrum_tiles GROUP BY zoom',
  );
  const zoom0Bytes = Number(sizes.rows.find((r) => r['zoom'] === 0)?.['bytes'] ?? 0);
  const storedBytes = sizes.rows.reduce((s, r) => s + Number(r['bytes']), 0);
  await store.close();
  await db.close();
  return {
    frames: ticks * NODES,
    seconds: elapsed,
    decodeAppendSeconds: decodeAppend / 1000,
    flushSeconds: flushing / 1000,
    storedBytes,
    zoom0Bytes,
  };
}

interface DeflateFigures {
  zlibMBps: number;
  wasmMBps: number;
  wasmTileMBps: number;
  zlibBytes: number;
  wasmBytes: number;
}

/**
 * One thread, the same tile payload: node's zlib (level 1, Z_RLE) against the WebAssembly RLE
 * encoder (tile-deflate.ts) on the bytes, and from the tile (layout built in wasm memory).
 * Interleaved rounds, best of each, so load from elsewhere on the machine hits all alike.
 */
function deflateSpeeds(tile: SpectrumTile): DeflateFigures {
  const payload = encodeTilePayload(tile);
  const runs: Record<'zlib' | 'wasm' | 'wasmTile', () => unknown> = {
    zlib: () => deflateSync(payload, ZLIB_RLE),
    wasm: () => zlibRle(payload),
    wasmTile: () => deflateTilePayload(tile),
  };
  const best = { zlib: 0, wasm: 0, wasmTile: 0 };
  for (let round = 0; round < 5; round++) {
    for (const key of ['zlib', 'wasm', 'wasmTile'] as const) {
      const t = performance.now();
      let n = 0;
      while (performance.now() - t < 100) {
        runs[key]();
        n++;
      }
      best[key] = Math.max(best[key], (n * payload.length) / 1e6 / ((performance.now() - t) / 1000));
    }
  }
  return {
    zlibMBps: best.zlib,
    wasmMBps: best.wasm,
    wasmTileMBps: best.wasmTile,
    zlibBytes: deflateSync(payload, ZLIB_RLE).length,
    wasmBytes: zlibRle(payload).length,
  };
}

/** Parts of a flush measured alone: deflating tiles, and writing the same bytes to PGlite. */
async function parts(dataDir: string): Promise<{ writeMBps: number; deflate1: DeflateFigures }> {
  const spectra = syntheticSpectra(7, 10);
  const rollup = new BandRollup({
    bins: BINS,
    stepDb: 0.5,
    codeBytes: 1,
    frameRows: 256,
    coarseRows: 64,
    maxZoom: 0,
  });
  spectra.forEach((s, k) => rollup.addFrame(s.codes, s.refDb, BigInt(k)));
  const tile = (rollup.takeForFlush()[0] ?? assertNever()).tile;
  const deflate1 = deflateSpeeds(tile);
  const blobs = Array.from({ length: 400 }, () => deflateTilePayload(tile));
  const db = await openPglite({ dataDir });
  await migrate(db);
  const node = randomUUID();
  await db.query('INSERT INTO nodes (id, name) VALUES ($1, $2)', [node, 'parts']);
  const repo = new SpectrumTileRepository(db);
  const bandId = await repo.ensureBand(
    { nodeId: node, centerHz: 1, sampleRateHz: 1, fftSize: BINS, binCount: BINS },
    new Date(),
  );
  const t = performance.now();
  let bytes = 0;
  for (let i = 0; i < 4; i++) {
    const batch = blobs.slice(i * 100, i * 100 + 100).map((b, j) => {
      bytes += b.length;
      return {
        bandId,
        zoom: 0,
        startNs: T0 + BigInt(i * 100 + j),
        endNs: T0 + BigInt(i * 100 + j),
        rows: 10,
        frames: 10,
        data: new Uint8Array(b),
      };
    });
    await db.transaction((tx) => new SpectrumTileRepository(tx).insertTiles(batch));
  }
  const writeMBps = bytes / 1e6 / ((performance.now() - t) / 1000);
  await db.close();
  return { writeMBps, deflate1 };
}

function assertNever(): never {
  throw new Error('no tile');
}

/**
 * A day of one node at 10 frames/s (864,000 frames) stored at zooms 3-5, then fetched at zoom 5.
 * Zoom-3 rows (64 frames each) are made directly from synthetic spectra instead of rolling 864,000
 * frames up (which would take minutes of bench time); zooms 4 and 5 are rolled up from them by the
 * same code as at query time. The query reads an index range of one band and zoom, so tiles of other
 * zooms in the table do not change what it costs.
 */
async function dayQuery(
  dataDir: string,
): Promise<{ rows: number; tiles: number; bytes: number; queryMs: number; decodeMs: number }> {
  const db = await openPglite({ dataDir });
  await migrate(db);
  const node = randomUUID();
  await db.query('INSERT INTO nodes (id, name) VALUES ($1, $2)', [node, 'day']);
  const repo = new SpectrumTileRepository(db);
  const bandId = await repo.ensureBand(
    { nodeId: node, centerHz: 100e6, sampleRateHz: 2.4e6, fftSize: BINS, binCount: BINS },
    new Date(Number(T0 / 1_000_000n)),
  );
  const spectra = syntheticSpectra(99, POOL);
  const frames = 86_400 * 10;
  const ROW_FRAMES = 64;
  const TILE_ROWS = 64;
  const z3Rows = frames / ROW_FRAMES;
  const store = async (closed: ClosedTile[]) => {
    const records = await Promise.all(
      closed.map(async (c) => ({
        bandId,
        zoom: c.tile.zoom,
        startNs: c.startNs,
        endNs: c.endNs,
        rows: c.tile.rows,
        frames: c.frames,
        data: deflateTilePayload(c.tile),
      })),
    );
    await repo.insertTiles(records);
  };
  let z3Batch: FinerTile[] = [];
  let z4Batch: FinerTile[] = [];
  for (let first = 0; first < z3Rows; first += TILE_ROWS) {
    const rows = Math.min(TILE_ROWS, z3Rows - first);
    const max = new Uint8Array(rows * BINS);
    const mean = new Uint8Array(rows * BINS);
    const refs = new Float32Array(rows);
    for (let r = 0; r < rows; r++) {
      const s = spectra[(first + r) % POOL] ?? assertNever();
      mean.set(s.codes, r * BINS);
      for (let i = 0; i < BINS; i++) max[r * BINS + i] = Math.min(255, (s.codes[i] as number) + 6);
      refs[r] = s.refDb;
    }
    const tile: SpectrumTile = {
      zoom: 3,
      rows,
      bins: BINS,
      stepDb: 0.5,
      rowTimesNs: BigInt64Array.from(
        { length: rows },
        (_, r) => T0 + BigInt((first + r) * ROW_FRAMES) * FRAME_NS,
      ),
      rowFrames: new Uint32Array(rows).fill(ROW_FRAMES),
      rowRefDb: refs,
      planes: [max, mean],
    };
    const startNs = tile.rowTimesNs[0] ?? T0;
    const endNs = startNs + BigInt(rows * ROW_FRAMES - 1) * FRAME_NS;
    await store([{ tile, startNs, endNs, frames: rows * ROW_FRAMES, release: () => undefined }]);
    z3Batch.push({ tile, endNs });
    const last = first + TILE_ROWS >= z3Rows;
    if (z3Batch.length === 16 || last) {
      const z4 = rollUpTiles(z3Batch, () => true, TILE_ROWS);
      await store(z4);
      z4Batch.push(...z4.map((c) => ({ tile: c.tile, endNs: c.endNs })));
      z3Batch = [];
    }
    if (z4Batch.length === 16 || last) {
      await store(rollUpTiles(z4Batch, () => true, TILE_ROWS));
      z4Batch = [];
    }
  }
  const tileStore = new SpectrumTileStore(db);
  const q = { bandId, fromNs: T0, toNs: T0 + BigInt(frames - 1) * FRAME_NS, zoom: 5 };
  const queryTimes: number[] = [];
  const decodeTimes: number[] = [];
  let result = await tileStore.query(q);
  let rows = 0;
  for (let i = 0; i < 5; i++) {
    let t = performance.now();
    result = await tileStore.query(q);
    queryTimes.push(performance.now() - t);
    t = performance.now();
    rows = 0;
    const out = new Float32Array(BINS);
    for (const r of result) {
      const tile = await inflateTile(r.data);
      for (let row = 0; row < tile.rows; row++) tileRowDb(tile, 0, row, out);
      rows += tile.rows;
    }
    decodeTimes.push(performance.now() - t);
  }
  await db.close();
  return {
    rows,
    tiles: result.length,
    bytes: result.reduce((s, r) => s + r.data.length, 0),
    queryMs: median(queryTimes),
    decodeMs: median(decodeTimes),
  };
}

export async function runStorageBench(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'heimdall-bench-storage-'));
  try {
    const seconds = 30;
    const f = await ingest(join(root, 'ingest'), seconds);
    const totalBins = f.frames * BINS;
    const bytesPerBin = f.storedBytes / totalBins;
    const zoom0PerBin = f.zoom0Bytes / totalBins;
    printTable(
      ['ingest (PGlite on disk, 100 nodes, 4096 bins)', 'value'],
      [
        ['frames ingested', `${f.frames} (${seconds} s of 100 nodes at 10 frames/s)`],
        ['frames/s (decode + tile + compress + commit)', (f.frames / f.seconds).toFixed(0)],
        ['  decode + append (tile rollup), main thread', `${f.decodeAppendSeconds.toFixed(2)} s`],
        ['  waiting for the previous flush (deflate + COPY into PGlite)', `${f.flushSeconds.toFixed(2)} s`],
        ['bytes per stored bin, zoom 0', zoom0PerBin.toFixed(3)],
        ['bytes per stored bin, all zooms (0-5)', bytesPerBin.toFixed(3)],
        ['ratio vs float32 (4 B/bin), zoom 0', `${(4 / zoom0PerBin).toFixed(1)}x`],
        ['ratio vs float32, all zooms', `${(4 / bytesPerBin).toFixed(1)}x`],
      ],
    );
    const p = await parts(join(root, 'parts'));
    console.log('');
    printTable(
      ['flush parts, alone', 'MB/s'],
      [['COPY of deflated tiles into PGlite, 100 per transaction', p.writeMBps.toFixed(0)]],
    );
    const z = p.deflate1;
    console.log('');
    printTable(
      ['deflate of one tile layout, one thread (best of 5 interleaved)', 'MB/s', 'bytes'],
      [
        ['node zlib deflateSync (level 1, Z_RLE)', z.zlibMBps.toFixed(0), String(z.zlibBytes)],
        [
          `WebAssembly RLE encoder on the bytes (${(z.wasmMBps / z.zlibMBps).toFixed(1)}x)`,
          z.wasmMBps.toFixed(0),
          String(z.wasmBytes),
        ],
        [
          `WebAssembly, tile laid out in wasm memory (${(z.wasmTileMBps / z.zlibMBps).toFixed(1)}x)`,
          z.wasmTileMBps.toFixed(0),
          String(z.wasmBytes),
        ],
      ],
    );
    const d = await dayQuery(join(root, 'day'));
    console.log('');
    printTable(
      ['a day of one node (864,000 frames) at zoom 5', 'value'],
      [
        ['tiles / rows returned', `${d.tiles} / ${d.rows} rows x ${BINS} bins`],
        ['bytes fetched', `${(d.bytes / 1e6).toFixed(2)} MB`],
        ['query time (median of 5)', `${d.queryMs.toFixed(0)} ms`],
        ['inflate + decode to dB rows', `${d.decodeMs.toFixed(0)} ms`],
      ],
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
