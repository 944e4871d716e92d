import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { decodeFrame, type Frame } from '@heimdall/protocol';
import { createInProcessBus } from '../bus/in-process.bus.ts';
import type { Database } from '../database/database.ts';
import { freshDb } from '../http/server-harness.ts';
import { NodeRepository } from '../repositories/node.repository.ts';
import { spectrum } from './ingest-harness.ts';
import { IngestService, type IngestObserver } from './ingest.service.ts';

const quiet: IngestObserver = {
  stored: () => undefined,
  duplicates: () => undefined,
  gaps: () => undefined,
  commitSeconds: () => undefined,
  publishFailed: () => undefined,
};

let db: Database;
before(async () => {
  db = await freshDb();
});
after(() => db.close());

const frame = (nodeId: string, seq: number): Frame => decodeFrame(spectrum(nodeId, seq));

/**
 * `db` whose `nth` transaction waits until `release()` (then runs, or fails with `failWith`);
 * `held()` says whether it has started waiting. The others run at once.
 */
function holdTransaction(
  nth: number,
  failWith?: Error,
): {
  db: Database;
  held(): boolean;
  release(): void;
  transactions(): number;
} {
  let release: (() => void) | undefined;
  let count = 0;
  const wrapped: Database = {
    ...db,
    transaction: async (fn) => {
      if (++count === nth) {
        await new Promise<void>((r) => (release = r));
        if (failWith !== undefined) throw failWith;
      }
      return db.transaction(fn);
    },
  };
  return {
    db: wrapped,
    held: () => release !== undefined,
    release: () => release?.(),
    transactions: () => count,
  };
}

test('a node that moved to another server and back is judged on the stored sequence, not stale memory', async () => {
  const bus = createInProcessBus();
  const node = await new NodeRepository(db).create({ name: 'mover' });
  const a = new IngestService(db, bus, quiet, { refreshAfterMs: 0 });
  const b = new IngestService(db, bus, quiet, { refreshAfterMs: 0 });
  assert.equal((await a.submit(node.id, [frame(node.id, 0)])).nextSequence, 1);
  const onB = await b.submit(node.id, [frame(node.id, 1), frame(node.id, 2)]);
  assert.equal(onB.nextSequence, 3);
  // back on A, which last saw sequence 0: a resend of 2 is a duplicate, 3 is new and no gap
  const back = await a.submit(node.id, [frame(node.id, 2), frame(node.id, 3)]);
  assert.deepEqual(
    { accepted: back.accepted, duplicates: back.duplicates, next: back.nextSequence },
    { accepted: 1, duplicates: 1, next: 4 },
  );
  const stored = await new NodeRepository(db).get(node.id);
  assert.deepEqual(stored?.ingest, { frames_received: 4, duplicates: 1, sequence_gaps: 0 });
  await a.close();
  await b.close();
  await bus.close();
});

test('frames of another node, acks and unknown nodes are refused without storing anything', async () => {
  const bus = createInProcessBus();
  const node = await new NodeRepository(db).create({ name: 'strict' });
  const other = await new NodeRepository(db).create({ name: 'other' });
  const s = new IngestService(db, bus, quiet);
  await assert.rejects(s.submit(node.id, [frame(node.id, 0), frame(other.id, 0)]), /belongs to node/);
  await assert.rejects(
    s.submit(node.id, [{ kind: 'ack', nodeId: node.id, nextSequence: 0, acked: [] }]),
    /ack frames/,
  );
  await assert.rejects(
    s.submit('00000000-0000-4000-8000-00000000dead', [frame('00000000-0000-4000-8000-00000000dead', 0)]),
    /not found/,
  );
  assert.equal((await new NodeRepository(db).get(node.id))?.ingest.frames_received, 0);
  assert.equal((await new NodeRepository(db).get(other.id))?.ingest.frames_received, 0);
  await s.close();
  await bus.close();
});

test('the stored next sequence never claims a frame whose batch is not committed yet', async () => {
  const bus = createInProcessBus();
  const node = await new NodeRepository(db).create({ name: 'durable' });
  // the second batch's transaction (one per batch: tiles, detections, counters and dedupe state) waits
  const hold = holdTransaction(2);
  const s = new IngestService(hold.db, bus, quiet, { maxBatchFrames: 1 });
  const first = s.submit(node.id, [frame(node.id, 0)]);
  const second = s.submit(node.id, [frame(node.id, 1)]);
  assert.equal((await first).nextSequence, 1);
  while (!hold.held()) await new Promise((r) => setImmediate(r));
  assert.equal(await new NodeRepository(db).nextSequence(node.id), 1, 'sequence 1 is not stored yet');
  hold.release();
  assert.equal((await second).nextSequence, 2);
  assert.equal(await new NodeRepository(db).nextSequence(node.id), 2);
  await s.close();
  await bus.close();
});

test('live viewers get an accepted frame before its commit; the ack waits; with the pipeline full the next frames gather into one commit', async () => {
  const bus = createInProcessBus();
  const node = await new NodeRepository(db).create({ name: 'live-first' });
  const published: number[] = [];
  const sub = await bus.subscribe('spectrum.frame', (f) => {
    published.push(f.sequence);
  });
  const hold = holdTransaction(1);
  const s = new IngestService(hold.db, bus, quiet, { flushIntervalMs: 1, pipelineDepth: 1 });
  let acked = false;
  const first = s.submit(node.id, [frame(node.id, 0)]).then((r) => {
    acked = true;
    return r;
  });
  while (!hold.held() || !published.includes(0)) await new Promise((r) => setImmediate(r));
  assert.equal(acked, false, 'published, not acked: the commit is held');
  // while the first commit is held, frames arriving apart from each other wait for it, together
  const second = s.submit(node.id, [frame(node.id, 1)]);
  await new Promise((r) => setTimeout(r, 10));
  const third = s.submit(node.id, [frame(node.id, 2), frame(node.id, 0)]);
  await new Promise((r) => setTimeout(r, 10));
  hold.release();
  assert.equal((await first).nextSequence, 1);
  assert.equal((await second).nextSequence, 3);
  assert.equal((await third).duplicates, 1);
  assert.equal(hold.transactions(), 2, 'frames 1 and 2 were committed in one transaction');
  assert.deepEqual(published, [0, 1, 2], 'the duplicate was not published');
  await sub.unsubscribe();
  await s.close();
  await bus.close();
});

test('pipelined commits: the next batch is handed over while one is written, and acks come in order', async () => {
  const bus = createInProcessBus();
  const node = await new NodeRepository(db).create({ name: 'pipelined' });
  const hold = holdTransaction(1);
  const s = new IngestService(hold.db, bus, quiet, { flushIntervalMs: 1, pipelineDepth: 2 });
  const order: number[] = [];
  const first = s.submit(node.id, [frame(node.id, 0)]).then((r) => (order.push(0), r));
  while (!hold.held()) await new Promise((r) => setImmediate(r));
  // the first write is held: the second batch is cut and handed over anyway (the pipeline has room)
  const second = s.submit(node.id, [frame(node.id, 1)]).then((r) => (order.push(1), r));
  while (s.committingBatches < 2) await new Promise((r) => setTimeout(r, 1));
  // the pipeline is full: the third waits for a slot, and its duplicate of 0 is still caught
  const third = s.submit(node.id, [frame(node.id, 2), frame(node.id, 0)]).then((r) => (order.push(2), r));
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(s.committingBatches, 2, 'the third batch is not cut while two commits run');
  assert.deepEqual(order, [], 'nothing acked while the first write is held');
  hold.release();
  assert.equal((await first).nextSequence, 1);
  assert.equal((await second).nextSequence, 2);
  const t = await third;
  assert.equal(t.nextSequence, 3);
  assert.equal(t.duplicates, 1);
  assert.deepEqual(order, [0, 1, 2], 'acks in commit order');
  assert.equal(hold.transactions(), 3);
  const stored = await new NodeRepository(db).sequenceState(node.id);
  assert.equal(stored?.next, 3);
  await s.close();
  await bus.close();
});

test('a failed write fails the batch encoded after it too; both are stored once when resent', async () => {
  const bus = createInProcessBus();
  const node = await new NodeRepository(db).create({ name: 'pipelined-failure' });
  const hold = holdTransaction(1, new Error('disk full'));
  const s = new IngestService(hold.db, bus, quiet, { flushIntervalMs: 1, pipelineDepth: 2 });
  const first = s.submit(node.id, [frame(node.id, 0)]);
  while (!hold.held()) await new Promise((r) => setImmediate(r));
  const second = s.submit(node.id, [frame(node.id, 1)]);
  while (s.committingBatches < 2) await new Promise((r) => setTimeout(r, 1));
  hold.release();
  await assert.rejects(first, /writing spectrum tiles failed/);
  await assert.rejects(second, /an earlier spectrum tile write failed/);
  const again = await s.submit(node.id, [frame(node.id, 0), frame(node.id, 1)]);
  assert.equal(again.nextSequence, 2);
  assert.equal(again.duplicates, 0, 'neither frame was stored the first time');
  await s.close();
  const { rows } = await db.query(
    `SELECT sum(t.frame_count)::int AS frames FROM spectrum_tiles t JOIN spectrum_bands b ON b.id = t.band_id
      WHERE b.node_id = $1 AND t.zoom = 0`,
    [node.id],
  );
  assert.equal(Number(rows[0]?.['frames']), 2, 'each frame is in the history once');
  await bus.close();
});
