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
