import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { tileRowDb, type SpectrumFrame } from '@heimdall/protocol';
import type { Database } from '../database/database.ts';
import { forEachDatabase } from '../database/for-each-database.ts';
import { SpectrumTileRepository } from '../repositories/spectrum-tile.repository.ts';
import { findGaps, inflateTile, SpectrumTileStore } from './spectrum-tiles.ts';

const BINS = 64;
const T0 = 1_767_225_600_000_000_000n; // 2026-01-01
const FRAME_NS = 100_000_000n; // 10 frames/s

async function addNode(db: Database): Promise<string> {
  const id = randomUUID();
  await db.query('INSERT INTO nodes (id, name) VALUES ($1, $2)', [id, `n-${id}`]);
  return id;
}

function frame(nodeId: string, k: number, overrides: Partial<SpectrumFrame> = {}): SpectrumFrame {
  return {
    kind: 'spectrum',
    nodeId,
    sequence: k,
    captureTimeNs: T0 + BigInt(k) * FRAME_NS,
    centerHz: 433.92e6,
    sampleRateHz: 2.4e6,
    fftSize: 1024,
    refDb: -130 + (k % 2),
    stepDb: 0.5,
    bins: Uint8Array.from({ length: BINS }, (_, i) => (i === 20 ? 200 : (i * 5 + k * 3) % 40)),
    ...overrides,
  };
}

forEachDatabase((name, makeDb) => {
  let db: Database;
  before(async () => {
    db = await makeDb();
  });
  after(() => db.close());

  test(`${name}: frames written in a flush read back exactly at zoom 0`, async () => {
    const node = await addNode(db);
    const store = new SpectrumTileStore(db, { maxZoom: 2, coarseRows: 4 });
    for (let k = 0; k < 25; k++) store.append(frame(node, k));
    const report = await store.flush();
    assert.equal(report.frames, 25);
    assert.equal(store.pendingFrames, 0);
    const [band] = await new SpectrumTileRepository(db).listBands(node);
    assert.ok(band);
    assert.equal(band.binCount, BINS);
    const tiles = await store.query({ bandId: band.id, fromNs: T0, toNs: T0 + 100n * FRAME_NS, zoom: 0 });
    const rows = (await Promise.all(tiles.map((t) => inflateTile(t.data)))).flatMap((t) =>
      Array.from({ length: t.rows }, (_, r) => ({ time: t.rowTimesNs[r], db: [...tileRowDb(t, 0, r)] })),
    );
    assert.equal(rows.length, 25);
    rows.forEach((row, k) => {
      const f = frame(node, k);
      assert.equal(row.time, f.captureTimeNs);
      assert.deepEqual(
        row.db,
        [...f.bins].map((c) => f.refDb + c * 0.5),
      );
    });
  });

  test(`${name}: a coarse zoom answers a long range with few rows, newest minutes included`, async () => {
    const node = await addNode(db);
    // zoom 2 rows hold 16 frames; tiles of 4 rows close every 64 frames
    const store = new SpectrumTileStore(db, { maxZoom: 2, coarseRows: 4 });
    const n = 200;
    for (let k = 0; k < n; k++) {
      store.append(frame(node, k));
      if (k % 37 === 0) await store.flush();
    }
    await store.flush();
    const [band] = await new SpectrumTileRepository(db).listBands(node);
    assert.ok(band);
    const tiles = await store.query({
      bandId: band.id,
      fromNs: T0,
      toNs: T0 + BigInt(n) * FRAME_NS,
      zoom: 2,
    });
    const decoded = await Promise.all(tiles.map((t) => inflateTile(t.data)));
    const frames = decoded.reduce((s, t) => s + t.rowFrames.reduce((a, b) => a + b, 0), 0);
    assert.equal(frames, n, 'every frame is counted once across stored and rolled-up tiles');
    assert.ok(
      tiles.some((t) => t.stored) && tiles.some((t) => !t.stored),
      'closed tiles are stored; the open tail is rolled up',
    );
    assert.ok(decoded.reduce((s, t) => s + t.rows, 0) <= Math.ceil(n / 16) + 2);
    // the carrier at bin 20 shows in the max-hold plane at every row
    for (const t of decoded)
      for (let r = 0; r < t.rows; r++)
        assert.ok((tileRowDb(t, 0, r)[20] as number) >= -130 + 200 * 0.5 - 0.25);
  });

  test(`${name}: a failed flush stores none of its frames, so their resend is stored once`, async () => {
    const node = await addNode(db);
    let fail = true;
    const flaky: Database = {
      ...db,
      transaction: (fn) =>
        db.transaction(async (tx) => {
          const out = await fn(tx);
          if (fail) throw new Error('disk full'); // after the tiles were written: rolled back
          return out;
        }),
    };
    const store = new SpectrumTileStore(flaky, { maxZoom: 1, coarseRows: 4 });
    for (let k = 0; k < 10; k++) store.append(frame(node, k));
    await assert.rejects(store.flush(), /writing spectrum tiles failed/);
    assert.equal(store.pendingFrames, 0);
    fail = false;
    for (let k = 0; k < 12; k++) store.append(frame(node, k)); // the resend, and two new frames
    assert.equal((await store.flush()).frames, 12);
    const [band] = await new SpectrumTileRepository(db).listBands(node);
    assert.ok(band);
    for (const zoom of [0, 1]) {
      const tiles = await store.query({ bandId: band.id, fromNs: T0, toNs: T0 + 100n * FRAME_NS, zoom });
      assert.equal(
        tiles.reduce((s, t) => s + t.frames, 0),
        12,
        `zoom ${zoom} holds every frame once`,
      );
    }
  });

  test(`${name}: what the caller writes in the flush's transaction commits or fails with the tiles`, async () => {
    const node = await addNode(db);
    const store = new SpectrumTileStore(db, { maxZoom: 0 });
    store.append(frame(node, 0));
    await assert.rejects(
      store.flush(async (tx) => {
        await tx.query('UPDATE nodes SET frames_received = 99 WHERE id = $1', [node]);
        throw new Error('the caller failed');
      }),
      /writing spectrum tiles failed/,
    );
    const { rows } = await db.query(
      'SELECT (SELECT frames_received FROM nodes WHERE id = $1) AS f, (SELECT count(*)::int FROM spectrum_bands WHERE node_id = $1) AS b',
      [node],
    );
    assert.deepEqual({ f: Number(rows[0]?.['f']), b: Number(rows[0]?.['b']) }, { f: 0, b: 0 });
    store.append(frame(node, 0));
    await store.flush(async (tx) => {
      await tx.query('UPDATE nodes SET frames_received = 1 WHERE id = $1', [node]);
    });
    const [band] = await new SpectrumTileRepository(db).listBands(node);
    assert.ok(band);
    const tiles = await store.query({ bandId: band.id, fromNs: T0, toNs: T0 + 10n * FRAME_NS, zoom: 0 });
    assert.equal(
      tiles.reduce((s, t) => s + t.frames, 0),
      1,
    );
  });

  test(`${name}: an idle band and close() write the open coarse rows`, async () => {
    const node = await addNode(db);
    let now = 0;
    const store = new SpectrumTileStore(db, { maxZoom: 3, coarseRows: 64, idleMs: 4600, now: () => now });
    for (let k = 0; k < 10; k++) store.append(frame(node, k));
    const other = await addNode(db);
    now = 4500;
    store.append(frame(other, 0));
    await store.flush();
    const repo = new SpectrumTileRepository(db);
    const [band] = await repo.listBands(node);
    assert.ok(band);
    assert.deepEqual(
      (await repo.stats(band.id)).map((s) => s.zoom),
      [0],
      'the first band is still active at 4.5 s',
    );
    now = 5000; // the first band has been idle 5 s, the other 0.5 s
    await store.flush();
    assert.deepEqual(
      (await repo.stats(band.id)).map((s) => [s.zoom, s.frames]),
      [
        [0, 10],
        [1, 10],
        [2, 10],
        [3, 10],
      ],
    );
    assert.equal((await store.close()).tiles, 3, 'close() writes the other band');
  });

  test(`${name}: a change of quantization step starts new tiles and keeps the old ones`, async () => {
    const node = await addNode(db);
    const store = new SpectrumTileStore(db, { maxZoom: 1, coarseRows: 64 });
    for (let k = 0; k < 6; k++) store.append(frame(node, k));
    for (let k = 6; k < 8; k++) store.append(frame(node, k, { stepDb: 1 }));
    await store.flush();
    const [band] = await new SpectrumTileRepository(db).listBands(node);
    assert.ok(band);
    const z0 = await Promise.all(
      (await store.query({ bandId: band.id, fromNs: T0, toNs: T0 + 10n * FRAME_NS, zoom: 0 })).map((t) =>
        inflateTile(t.data),
      ),
    );
    assert.deepEqual(
      z0.map((t) => [t.rows, t.stepDb]),
      [
        [6, 0.5],
        [2, 1],
      ],
    );
  });
});

test('gaps: adjacent tiles leave none, a real hole and the open tail are gaps', () => {
  const t = (s: bigint, e: bigint, frames: number) => ({ startNs: s, endNs: e, frames });
  assert.deepEqual(findGaps([t(0n, 90n, 10), t(100n, 190n, 10)], 0n, 190n), []);
  assert.deepEqual(findGaps([t(0n, 90n, 10), t(500n, 590n, 10)], 0n, 700n), [
    { fromNs: 91n, toNs: 499n },
    { fromNs: 591n, toNs: 700n },
  ]);
  assert.deepEqual(findGaps([], 5n, 9n), [{ fromNs: 5n, toNs: 9n }]);
});
