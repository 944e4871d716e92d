/**
 * The embedded database in a worker thread behaves as on the calling thread: values, transactions
 * (commit, rollback, isolation from concurrent queries), COPY batches, and errors with their SQLSTATE.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Database } from './database.ts';
import { openPglite } from './pglite.database.ts';

describe('PGlite in a worker thread', () => {
  let dir: string;
  let db: Database;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'heimdall-pglite-worker-'));
    db = await openPglite({ dataDir: dir, worker: true });
    await db.execScript(
      'CREATE TABLE t (id int PRIMARY KEY, at timestamptz, big int8, data bytea, doc jsonb, tags text[])',
    );
  });
  after(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('values cross unchanged: dates, int8 beyond 2^53, bytes, JSON, arrays', async () => {
    const at = new Date('2026-06-01T12:00:00.123Z');
    await db.query('INSERT INTO t VALUES ($1, $2, $3, $4, $5::jsonb, $6::text[])', [
      1,
      at,
      9007199254740993n,
      new Uint8Array([0, 255, 7]),
      JSON.stringify({ a: [1, 2] }),
      ['x', 'y'],
    ]);
    const { rows } = await db.query('SELECT * FROM t WHERE id = 1');
    const r = rows[0] as Record<string, unknown>;
    assert.deepEqual(r['at'], at);
    assert.equal(r['big'], 9007199254740993n);
    assert.deepEqual([...(r['data'] as Uint8Array)], [0, 255, 7]);
    assert.deepEqual(r['doc'], { a: [1, 2] });
    assert.deepEqual(r['tags'], ['x', 'y']);
  });

  test('a transaction commits, a throwing one rolls back, and a unique violation keeps its code', async () => {
    await db.transaction(async (tx) => {
      await tx.query('INSERT INTO t (id) VALUES (2)');
      await tx.insertRows(
        't',
        [
          { name: 'id', type: 'int4' },
          { name: 'data', type: 'bytea' },
        ],
        [
          [3, new Uint8Array(1 << 16).fill(9)],
          [4, new Uint8Array([1])],
        ],
      );
    });
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO t (id) VALUES (5)');
        throw new Error('changed my mind');
      }),
      /changed my mind/,
    );
    const ids = (await db.query('SELECT id FROM t ORDER BY id')).rows.map((r) => r['id']);
    assert.deepEqual(ids, [1, 2, 3, 4]);
    const big = await db.query('SELECT length(data) AS n FROM t WHERE id = 3');
    assert.equal(big.rows[0]?.['n'], 1 << 16);
    const dup = await db.query('INSERT INTO t (id) VALUES (1)').catch((e: unknown) => e);
    assert.equal((dup as { code?: string }).code, '23505');
  });

  test('a query outside a transaction waits for it and sees only its committed result', async () => {
    let inside!: () => void;
    const entered = new Promise<void>((r) => (inside = r));
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const tx = db.transaction(async (q) => {
      await q.query('INSERT INTO t (id) VALUES (10)');
      inside();
      await held;
    });
    await entered;
    const outside = db.query('SELECT count(*)::int AS n FROM t WHERE id = 10');
    release();
    await tx;
    assert.equal((await outside).rows[0]?.['n'], 1);
  });
});
