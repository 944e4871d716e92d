import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tileRowDb } from '@heimdall/protocol';
import { BandRollup, rollUpTiles } from './tile-rollup.ts';

const BINS = 8;
const STEP = 0.5;

function frame(k: number): { codes: Uint8Array; ref: number } {
  // refs differ between frames, as agents choose one per frame
  return {
    codes: Uint8Array.from({ length: BINS }, (_, i) => (i * 13 + k * 7) % 200),
    ref: -120 + (k % 3) * STEP,
  };
}

function db(k: number): number[] {
  const f = frame(k);
  return [...f.codes].map((c) => f.ref + c * STEP);
}

test('zoom-0 tiles hold the frames exactly; a full one closes at frameRows', () => {
  const r = new BandRollup({
    bins: BINS,
    stepDb: STEP,
    codeBytes: 1,
    frameRows: 4,
    coarseRows: 4,
    maxZoom: 0,
  });
  for (let k = 0; k < 6; k++) r.addFrame(frame(k).codes, frame(k).ref, BigInt(k) * 100n);
  const tiles = r.takeForFlush();
  assert.deepEqual(
    tiles.map((t) => [t.tile.rows, t.startNs, t.endNs, t.frames]),
    [
      [4, 0n, 300n, 4],
      [2, 400n, 500n, 2],
    ],
  );
  for (let k = 0; k < 6; k++) {
    const t = (k < 4 ? tiles[0] : tiles[1])?.tile;
    assert.ok(t);
    assert.deepEqual([...tileRowDb(t, 0, k % 4)], db(k));
  }
});

test('coarse rows are the max-hold and the mean of their frames, within half a step', () => {
  const r = new BandRollup({
    bins: BINS,
    stepDb: STEP,
    codeBytes: 1,
    frameRows: 256,
    coarseRows: 2,
    maxZoom: 2,
  });
  for (let k = 0; k < 32; k++) r.addFrame(frame(k).codes, frame(k).ref, BigInt(k) * 100n);
  const tiles = r.takeForFlush();
  const z1 = tiles.filter((t) => t.tile.zoom === 1);
  const z2 = tiles.filter((t) => t.tile.zoom === 2);
  assert.equal(z1.length, 4); // 32 frames / 4 = 8 rows, 2 rows per tile
  assert.equal(z2.length, 1); // 8 / 4 = 2 rows
  const t2 = z2[0]?.tile;
  assert.ok(t2);
  assert.deepEqual([...t2.rowFrames], [16, 16]);
  assert.deepEqual([...t2.rowTimesNs], [0n, 1600n]);
  assert.equal(z2[0]?.endNs, 3100n);
  for (let row = 0; row < 2; row++) {
    const frames = Array.from({ length: 16 }, (_, j) => db(row * 16 + j));
    const max = tileRowDb(t2, 0, row);
    const mean = tileRowDb(t2, 1, row);
    for (let i = 0; i < BINS; i++) {
      const col = frames.map((f) => f[i] as number);
      assert.ok(Math.abs((max[i] as number) - Math.max(...col)) <= STEP / 2 + 1e-6, 'max-hold');
      assert.ok(
        Math.abs((mean[i] as number) - col.reduce((a, b) => a + b, 0) / 16) <= STEP / 2 + 1e-6,
        'mean',
      );
    }
  }
});

test('takeAll writes open coarse rows as partial rows that say how many frames they hold', () => {
  const r = new BandRollup({
    bins: BINS,
    stepDb: STEP,
    codeBytes: 1,
    frameRows: 256,
    coarseRows: 64,
    maxZoom: 2,
  });
  for (let k = 0; k < 6; k++) r.addFrame(frame(k).codes, frame(k).ref, BigInt(k));
  const byZoom = new Map(r.takeAll().map((t) => [t.tile.zoom, t]));
  assert.deepEqual([...(byZoom.get(1)?.tile.rowFrames ?? [])], [4, 2]);
  assert.deepEqual([...(byZoom.get(2)?.tile.rowFrames ?? [])], [6]);
  assert.equal(r.holdsRows, false);
});

test('rolling finer tiles up at query time gives the rows the ingest rollup gives', () => {
  const live = new BandRollup({
    bins: BINS,
    stepDb: STEP,
    codeBytes: 1,
    frameRows: 256,
    coarseRows: 64,
    maxZoom: 1,
  });
  for (let k = 0; k < 16; k++) live.addFrame(frame(k).codes, frame(k).ref, BigInt(k));
  const all = live.takeAll();
  const z0 = all.filter((t) => t.tile.zoom === 0).map((t) => ({ tile: t.tile, endNs: t.endNs }));
  const z1 = all.find((t) => t.tile.zoom === 1)?.tile;
  const rolledUp = rollUpTiles(z0, () => true, 64)[0];
  assert.ok(z1 && rolledUp);
  assert.deepEqual(rolledUp.tile, z1);
  assert.equal(rolledUp.endNs, 15n, 'the rolled-up tile ends at its last frame');
});

/** The roll-up formulas in plain float64 TypeScript: what the SIMD kernel must give bit for bit. */
function referenceRow(
  rows: { max: Float64Array; mean: Float64Array; frames: number }[],
  step: number,
  maxCode: number,
) {
  const n = (rows[0] as { max: Float64Array }).max.length;
  const max = new Float64Array(n).fill(-Infinity);
  const sum = new Float64Array(n);
  let frames = 0;
  for (const r of rows) {
    frames += r.frames;
    for (let i = 0; i < n; i++) {
      if ((r.max[i] as number) > (max[i] as number)) max[i] = r.max[i] as number;
      sum[i] = (sum[i] as number) + (r.mean[i] as number) * r.frames;
    }
  }
  const inv = 1 / frames;
  const mean = sum.map((s) => s * inv);
  const lowest = Math.min(...mean);
  const ref = Math.floor(lowest / step) * step;
  const q = (v: number) => {
    const x = (v - ref) * (1 / step) + 0.5;
    return x < maxCode ? x | 0 : maxCode;
  };
  return { max, mean, frames, ref, maxCodes: [...max].map(q), meanCodes: [...mean].map(q) };
}

for (const codeBytes of [1, 2] as const) {
  test(`the SIMD roll-up equals the float64 formulas bit for bit (${codeBytes}-byte codes, 4101 bins)`, () => {
    const bins = 4101; // SIMD blocks and a scalar tail
    const maxCode = codeBytes === 1 ? 255 : 65535;
    let seed = 7;
    const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
    const frames = Array.from({ length: 16 }, () => {
      const codes = codeBytes === 1 ? new Uint8Array(bins) : new Uint16Array(bins);
      for (let i = 0; i < bins; i++) codes[i] = Math.floor(rnd() * (codeBytes === 1 ? 256 : 4000));
      return { codes, ref: -140 + Math.floor(rnd() * 40) * 0.37 }; // refs off the step grid too
    });
    const r = new BandRollup({ bins, stepDb: STEP, codeBytes, frameRows: 256, coarseRows: 64, maxZoom: 2 });
    for (const [k, f] of frames.entries()) r.addFrame(f.codes, f.ref, BigInt(k));
    const tiles = r.takeAll();
    const z1 = tiles.find((t) => t.tile.zoom === 1)?.tile;
    const z2 = tiles.find((t) => t.tile.zoom === 2)?.tile;
    assert.ok(z1 && z2);
    const asRow = (f: (typeof frames)[number]) => {
      const v = Float64Array.from(f.codes, (c) => f.ref + c * STEP);
      return { max: v, mean: v, frames: 1 };
    };
    const level1 = [0, 1, 2, 3].map((g) =>
      referenceRow(frames.slice(4 * g, 4 * g + 4).map(asRow), STEP, maxCode),
    );
    for (const [g, want] of level1.entries()) {
      assert.equal(z1.rowRefDb[g], Math.fround(want.ref), `zoom 1 row ${g} reference`);
      assert.deepEqual(
        [...(z1.planes[0] as Uint8Array).subarray(g * bins, (g + 1) * bins)],
        want.maxCodes.map((c) => c & (codeBytes === 1 ? 255 : 65535)),
      );
      assert.deepEqual([...(z1.planes[1] as Uint8Array).subarray(g * bins, (g + 1) * bins)], want.meanCodes);
    }
    const level2 = referenceRow(level1, STEP, maxCode);
    assert.equal(z2.rowRefDb[0], Math.fround(level2.ref));
    assert.deepEqual([...(z2.planes[0] as Uint8Array).subarray(0, bins)], level2.maxCodes);
    assert.deepEqual([...(z2.planes[1] as Uint8Array).subarray(0, bins)], level2.meanCodes);
    r.dispose();
  });
}
