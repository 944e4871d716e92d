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
  let release: (() => void) | undefined;
  let calls = 0;
  // the second batch's transaction (one per batch: tiles, detections, counters and dedupe state) waits
  const slow: Database = {
    ...db,
    transaction: async (fn) => {
      if (++calls === 2) await new Promise<void>((r) => (release = r));
      return db.transaction(fn);
    },
  };
  const s = new IngestService(slow, bus, quiet, { maxBatchFrames: 1 });
  const first = s.submit(node.id, [frame(node.id, 0)]);
  const second = s.submit(node.id, [frame(node.id, 1)]);
  assert.equal((await first).nextSequence, 1);
  while (release === undefined) await new Promise((r) => setImmediate(r));
  assert.equal(await new NodeRepository(db).nextSequence(node.id), 1, 'sequence 1 is not stored yet');
  release();
  assert.equal((await second).nextSequence, 2);
  assert.equal(await new NodeRepository(db).nextSequence(node.id), 2);
  await s.close();
  await bus.close();
});

test('live viewers get an accepted frame before its commit; the ack waits; a commit in progress gathers the next frames into one', async () => {
  const bus = createInProcessBus();
  const node = await new NodeRepository(db).create({ name: 'live-first' });
  const published: number[] = [];
  const sub = await bus.subscribe('spectrum.frame', (f) => {
    published.push(f.sequence);
  });
  let release: (() => void) | undefined;
  let transactions = 0;
  const held: Database = {
    ...db,
    transaction: async (fn) => {
      if (++transactions === 1) await new Promise<void>((r) => (release = r));
      return db.transaction(fn);
    },
  };
  const s = new IngestService(held, bus, quiet, { flushIntervalMs: 1 });
  let acked = false;
  const first = s.submit(node.id, [frame(node.id, 0)]).then((r) => {
    acked = true;
    return r;
  });
  while (release === undefined || !published.includes(0)) await new Promise((r) => setImmediate(r));
  assert.equal(acked, false, 'published, not acked: the commit is held');
  // while the first commit is held, frames arriving apart from each other wait for it, together
  const second = s.submit(node.id, [frame(node.id, 1)]);
  await new Promise((r) => setTimeout(r, 10));
  const third = s.submit(node.id, [frame(node.id, 2), frame(node.id, 0)]);
  await new Promise((r) => setTimeout(r, 10));
  release();
  assert.equal((await first).nextSequence, 1);
  assert.equal((await second).nextSequence, 3);
  assert.equal((await third).duplicates, 1);
  assert.equal(transactions, 2, 'frames 1 and 2 were committed in one transaction');
  assert.deepEqual(published, [0, 1, 2], 'the duplicate was not published');
  await sub.unsubscribe();
  await s.close();
  await bus.close();
});
