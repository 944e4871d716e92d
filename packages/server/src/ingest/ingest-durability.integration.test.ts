/**
 * Dedupe survives what memory does not: a restart (a new server on the same PGlite data folder or
 * PostgreSQL schema), a commit that fails after the tiles were written, and a second server that
 * stored some of the same frames. In each case every frame is stored exactly once.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { testEnv } from '@heimdall/config';
import { decodeFrame, type Frame } from '@heimdall/protocol';
import { createInProcessBus } from '../bus/in-process.bus.ts';
import type { Database, Queryable } from '../database/database.ts';
import { failingOnce } from '../database/failing-once.ts';
import { forEachDatabase } from '../database/for-each-database.ts';
import { openPglite } from '../database/pglite.database.ts';
import { openPostgres } from '../database/postgres.database.ts';
import { migrate } from '../migrations.ts';
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

const frames = (nodeId: string, seqs: readonly number[]): Frame[] =>
  seqs.map((q) => decodeFrame(spectrum(nodeId, q)));

/** Frames of `nodeId` in its zoom-0 tiles (each stored frame is one row there). */
async function storedFrames(db: Queryable, nodeId: string): Promise<number> {
  const { rows } = await db.query(
    `SELECT coalesce(sum(t.frame_count), 0)::int8 AS n FROM spectrum_tiles t
     JOIN spectrum_bands b ON b.id = t.band_id WHERE b.node_id = $1 AND t.zoom = 0`,
    [nodeId],
  );
  return Number(rows[0]?.['n']);
}

/** Opens the same database again, as a restarted server would. */
interface Reopenable {
  open(): Promise<Database>;
  dispose(): Promise<void>;
}

function pgliteFolder(): Reopenable {
  const dir = mkdtempSync(join(tmpdir(), 'heimdall-durability-'));
  return {
    open: async () => {
      const db = await openPglite({ dataDir: dir });
      await migrate(db);
      return db;
    },
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function postgresSchema(url: string): Promise<Reopenable> {
  const schema = `heimdall_test_${randomBytes(6).toString('hex')}`;
  const admin = await openPostgres({ url, maxConnections: 1 });
  await admin.query(`CREATE SCHEMA ${schema}`);
  return {
    open: async () => {
      const db = await openPostgres({ url, searchPath: schema, maxConnections: 4 });
      await migrate(db);
      return db;
    },
    dispose: async () => {
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.close();
    },
  };
}

function restartSuite(name: string, make: () => Promise<Reopenable>): void {
  test(`${name}: after a restart a resend from above a gap is a duplicate, stored once`, async () => {
    const store = await make();
    const bus = createInProcessBus();
    try {
      let db = await store.open();
      const node = await new NodeRepository(db).create({ name: 'restarts' });
      const first = new IngestService(db, bus, quiet);
      const r = await first.submit(node.id, frames(node.id, [0, 1, 2, 5, 6]));
      assert.deepEqual({ next: r.nextSequence, acked: r.acked }, { next: 3, acked: [5, 6] });
      // the server dies without closing its ingest; only the database survives
      await db.close();

      db = await store.open();
      const second = new IngestService(db, bus, quiet);
      const again = await second.submit(node.id, frames(node.id, [5, 6, 3]));
      assert.deepEqual(
        {
          accepted: again.accepted,
          duplicates: again.duplicates,
          next: again.nextSequence,
          acked: again.acked,
        },
        { accepted: 1, duplicates: 2, next: 4, acked: [5, 6] },
      );
      const done = await second.submit(node.id, frames(node.id, [4, 7]));
      assert.deepEqual({ next: done.nextSequence, acked: done.acked }, { next: 8, acked: [] });
      assert.equal(await storedFrames(db, node.id), 8, 'sequences 0..7, each once');
      assert.deepEqual((await new NodeRepository(db).get(node.id))?.ingest, {
        frames_received: 8,
        duplicates: 2,
        sequence_gaps: 1,
      });
      await second.close();
      await db.close();
    } finally {
      await bus.close();
      await store.dispose();
    }
  });
}

describe('restart', () => {
  restartSuite('pglite data folder', async () => pgliteFolder());
  const url = testEnv('DATABASE_URL');
  if (url === undefined)
    test('postgres: after a restart a resend from above a gap is a duplicate', {
      skip: 'DATABASE_URL not set',
    });
  else restartSuite('postgres', () => postgresSchema(url));
});

/** `db` whose transactions fail at the first statement matching `failOn`, after what ran before it. */
forEachDatabase((name, makeDb) => {
  let db: Database;
  const bus = createInProcessBus();
  before(async () => {
    db = await makeDb();
  });
  after(async () => {
    await bus.close();
    await db.close();
  });

  test(`${name}: a counter write that fails after the tiles were written stores nothing; the resend is stored once`, async () => {
    const node = await new NodeRepository(db).create({ name: 'flaky' });
    const flaky = failingOnce(db, 'UPDATE nodes n SET');
    const s = new IngestService(flaky.db, bus, quiet);
    await assert.rejects(
      s.submit(node.id, frames(node.id, [0, 1, 2])),
      /its frames are not stored|their frames are not stored/,
    );
    assert.ok(flaky.failed(), 'the failure was injected after the tiles were written');
    assert.equal(await storedFrames(db, node.id), 0, 'the tiles were rolled back with the counters');
    assert.equal(await new NodeRepository(db).nextSequence(node.id), 0);

    const r = await s.submit(node.id, frames(node.id, [0, 1, 2]));
    assert.deepEqual(
      { accepted: r.accepted, duplicates: r.duplicates, next: r.nextSequence },
      {
        accepted: 3,
        duplicates: 0,
        next: 3,
      },
    );
    // and a restarted server (fresh memory) sees them as stored
    const fresh = new IngestService(db, bus, quiet);
    const again = await fresh.submit(node.id, frames(node.id, [0, 1, 2, 3]));
    assert.deepEqual(
      { accepted: again.accepted, duplicates: again.duplicates },
      { accepted: 1, duplicates: 3 },
    );
    assert.equal(await storedFrames(db, node.id), 4);
    await s.close();
    await fresh.close();
    assert.equal(await storedFrames(db, node.id), 4, 'closing writes coarse tiles only');
  });

  test(`${name}: two servers given the same frames store them once`, async () => {
    const node = await new NodeRepository(db).create({ name: 'two-servers' });
    const a = new IngestService(db, bus, quiet, { refreshAfterMs: 60_000 });
    const b = new IngestService(db, bus, quiet, { refreshAfterMs: 60_000 });
    await a.submit(node.id, frames(node.id, [0]));
    await b.submit(node.id, frames(node.id, [1])); // b has read next = 1
    await a.submit(node.id, frames(node.id, [2])); // a stores 2: b's memory does not know
    // b believes 2 is new: its commit finds it stored and fails rather than store it twice
    await assert.rejects(b.submit(node.id, frames(node.id, [2, 3])), /another server stored/);
    const resend = await b.submit(node.id, frames(node.id, [2, 3]));
    assert.deepEqual(
      { accepted: resend.accepted, duplicates: resend.duplicates, next: resend.nextSequence },
      {
        accepted: 1,
        duplicates: 1,
        next: 4,
      },
    );
    assert.equal(await storedFrames(db, node.id), 4);
    await a.close();
    await b.close();
  });
});
