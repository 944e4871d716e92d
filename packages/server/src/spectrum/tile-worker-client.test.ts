/**
 * The tile worker gives the tiles the calling thread gives: same roll-up, same bytes, the same
 * bands held between batches, and drop() forgets a band in both.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SpectrumFrame } from '@heimdall/protocol';
import { FramePacker, type EncodedTile } from './tile-encoder.ts';
import { CodesBufferCache, createTileEncoder } from './tile-worker-client.ts';

const NODE = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';

function frame(i: number, bins: number, wide = false): SpectrumFrame {
  const codes = wide ? new Uint16Array(bins) : new Uint8Array(bins);
  for (let k = 0; k < bins; k++) codes[k] = (k * 7 + i * 13) % (wide ? 4000 : 250);
  return {
    kind: 'spectrum',
    nodeId: NODE,
    sequence: i,
    captureTimeNs: 1_800_000_000_000_000_000n + BigInt(i) * 100_000_000n,
    centerHz: wide ? 433.92e6 : 100e6,
    sampleRateHz: 2.4e6,
    fftSize: bins,
    refDb: -120 + (i % 3),
    stepDb: 0.5,
    bins: codes,
  } as SpectrumFrame;
}

const plain = (tiles: EncodedTile[]) =>
  tiles
    .map((t) => ({ ...t, data: [...t.data] }))
    .sort((a, b) => a.zoom - b.zoom || a.key.centerHz - b.key.centerHz);

test('worker and inline encoders agree tile for tile, batch after batch, on recycled buffers', async () => {
  const options = { frameRows: 64, coarseRows: 8, maxZoom: 3, level: 1 };
  const inWorker = createTileEncoder(options, true);
  const inline = createTileEncoder(options, false);
  try {
    // started ahead of the first batch, as a server does: no different from one started by it
    await inWorker.prepare();
    await inline.prepare();
    let n = 0;
    // one packer each across batches: from the second batch on, frames are packed into the
    // buffers the encoders handed back, over the codes of the batch before
    const a = new FramePacker();
    const b = new FramePacker();
    const ids: number[] = [];
    for (const size of [50, 200, 1, 120, 30]) {
      for (let i = 0; i < size; i++, n++) {
        const f = frame(n, 512, n % 5 === 0);
        a.add(f, n);
        b.add(f, n);
      }
      const req = { all: false, idleBeforeMs: -1 };
      const sentA = a.take();
      const sentB = b.take();
      const [w, s] = await Promise.all([
        inWorker.encode({ ...req, frames: sentA }),
        inline.encode({ ...req, frames: sentB }),
      ]);
      assert.ok(s.length > 0);
      assert.deepEqual(plain(w), plain(s));
      a.recycle(sentA);
      b.recycle(sentB);
      ids.push(sentA.codesId);
    }
    // the worker got the first buffer once and read later batches from its own reference to it
    assert.ok(ids.length > new Set(ids).size, `a buffer was used again (${ids.join(', ')})`);
    inWorker.drop([`${NODE}|100000000|2400000|512|512`]);
    inline.drop([`${NODE}|100000000|2400000|512|512`]);
    const empty = { frames: new FramePacker().take(), all: true, idleBeforeMs: 0 };
    const [w, s] = await Promise.all([inWorker.encode(empty), inline.encode(empty)]);
    assert.deepEqual(plain(w), plain(s));
    assert.ok(
      w.every((t) => t.key.centerHz === 433.92e6),
      'the dropped band has nothing left to write',
    );
  } finally {
    await inWorker.close();
    await inline.close();
  }
});

test('both sides of the codes buffer cache evict the same buffer, and a forgotten one is sent again', () => {
  const caller = new CodesBufferCache(2);
  const worker = new CodesBufferCache(2);
  const buffers = [0, 1, 2].map(() => new SharedArrayBuffer(8));
  const send = (id: number) => {
    const { held, evicted } = caller.use(id);
    worker.use(id, held ? undefined : buffers[id]);
    worker.forget(evicted);
    return held;
  };
  assert.equal(send(0), false);
  assert.equal(send(1), false);
  assert.equal(send(0), true, 'held: not sent again');
  assert.equal(send(2), false);
  assert.equal(worker.get(1), undefined, '1 was the least recently used');
  assert.equal(worker.get(0), buffers[0]);
  assert.equal(send(1), false, 'evicted, so sent again');
  assert.equal(worker.get(1), buffers[1]);
});
