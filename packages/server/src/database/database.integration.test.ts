import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { testEnv } from '@heimdall/config';
import { loadMigrations, migrate } from '../migrations.ts';
import type { Database } from './database.ts';
import { forEachDatabase, freshPostgres } from './for-each-database.ts';
import { openPostgres } from './postgres.database.ts';
import { ensureTimescale } from './timescale.ts';

forEachDatabase((name, makeDb) => {
  let db: Database;
  before(async () => {
    db = await makeDb();
  });
  after(() => db.close());

  test(`${name}: migrations are recorded and running them again changes nothing`, async () => {
    const { rows } = await db.query('SELECT version, name FROM schema_migrations ORDER BY version');
    assert.deepEqual(
      rows.map((r) => r['version']),
      loadMigrations().map((m) => m.version),
    );
    const again = await migrate(db);
    assert.deepEqual(again.applied, []);
    const tables = await db.query(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name',
    );
    const names = tables.rows.map((r) => r['table_name']);
    for (const t of [
      'nodes',
      'heartbeats',
      'spectrum_tiles',
      'detections',
      'anomalies',
      'jobs',
      'scan_plans',
      'users',
      'api_keys',
      'enrollment_tokens',
      'audit_log',
    ]) {
      assert.ok(names.includes(t), `table ${t} exists`);
    }
  });

  test(`${name}: a changed migration file is refused, not silently skipped`, async () => {
    const changed = loadMigrations().map((m) => (m.version === 1 ? { ...m, sql: `${m.sql}\n-- edited` } : m));
    await assert.rejects(migrate(db, changed), /was changed after it was applied/);
  });

  test(`${name}: a schema newer than this server is refused`, async () => {
    await assert.rejects(migrate(db, []), /newer than this server knows/);
  });

  test(`${name}: values come back with the same JavaScript types on both engines`, async () => {
    const { rows } = await db.query(
      "SELECT 42::int8 AS small, '9007199254740993'::int8 AS big, 2::int4 AS i4, 1.5::float8 AS f, now() AS t, '\\x0102ff'::bytea AS b, '{\"a\":[1]}'::jsonb AS j, $1::text[] AS arr",
      [['x', 'y z']],
    );
    const r = rows[0];
    assert.ok(r);
    assert.equal(r['small'], 42);
    assert.equal(r['big'], 9007199254740993n);
    assert.equal(r['i4'], 2);
    assert.equal(r['f'], 1.5);
    assert.ok(r['t'] instanceof Date);
    assert.ok(r['b'] instanceof Uint8Array);
    assert.deepEqual([...(r['b'] as Uint8Array)], [1, 2, 255]);
    assert.deepEqual(r['j'], { a: [1] });
    assert.deepEqual(r['arr'], ['x', 'y z']);
  });

  test(`${name}: insertRows writes every column type, microsecond times and nulls exactly`, async () => {
    await db.execScript(
      `CREATE TABLE copy_probe (a int2, b int4, c int8, d float4, e float8, f bool, g text, h uuid, i timestamptz, j bytea, k jsonb)`,
    );
    const blob = new Uint8Array(70000).map((_, i) => (i * 7) & 255);
    const n = await db.insertRows(
      'copy_probe',
      [
        { name: 'a', type: 'int2' },
        { name: 'b', type: 'int4' },
        { name: 'c', type: 'int8' },
        { name: 'd', type: 'float4' },
        { name: 'e', type: 'float8' },
        { name: 'f', type: 'bool' },
        { name: 'g', type: 'text' },
        { name: 'h', type: 'uuid' },
        { name: 'i', type: 'timestamptz' },
        { name: 'j', type: 'bytea' },
        { name: 'k', type: 'jsonb' },
      ],
      [
        [
          -3,
          70000,
          9007199254740993n,
          0.5,
          -1e300,
          true,
          'héllo "q"',
          '0b4e7a1c-0000-4000-8000-00000000002a',
          1_700_000_000_123_456n,
          blob,
          '{"x":"ÿ"}',
        ],
        [null, null, null, null, null, null, null, null, new Date('2024-01-02T03:04:05.678Z'), null, null],
      ],
    );
    assert.equal(n, 2);
    const { rows } = await db.query(
      "SELECT a, b, c, d, e, f, g, h::text AS h, to_char(i AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS i, j, k FROM copy_probe ORDER BY a NULLS LAST",
    );
    const [r0, r1] = rows;
    assert.ok(r0 && r1);
    assert.deepEqual(
      { ...r0, j: undefined },
      {
        a: -3,
        b: 70000,
        c: 9007199254740993n,
        d: 0.5,
        e: -1e300,
        f: true,
        g: 'héllo "q"',
        h: '0b4e7a1c-0000-4000-8000-00000000002a',
        i: '2023-11-14 22:13:20.123456',
        j: undefined,
        k: { x: 'ÿ' },
      },
    );
    assert.deepEqual(Buffer.from(r0['j'] as Uint8Array), Buffer.from(blob));
    assert.equal(r1['a'], null);
    assert.equal(r1['i'], '2024-01-02 03:04:05.678000');
  });

  test(`${name}: a transaction that throws leaves nothing behind`, async () => {
    await db.execScript('CREATE TABLE tx_probe (x int)');
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO tx_probe VALUES (1)');
        await tx.insertRows('tx_probe', [{ name: 'x', type: 'int4' }], [[2]]);
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal((await db.query('SELECT count(*)::int AS n FROM tx_probe')).rows[0]?.['n'], 0);
    await db.transaction(async (tx) => {
      await tx.query('INSERT INTO tx_probe VALUES (1)');
    });
    assert.equal((await db.query('SELECT count(*)::int AS n FROM tx_probe')).rows[0]?.['n'], 1);
  });

  test(`${name}: without TimescaleDB the time-series tables stay plain tables`, async (t) => {
    const report = await ensureTimescale(db);
    if (report.available) {
      t.diagnostic('TimescaleDB is available here: hypertables were created');
      assert.ok(report.hypertables.includes('detections'));
      return;
    }
    assert.deepEqual(report.hypertables, []);
    const { rows } = await db.query("SELECT relkind FROM pg_class WHERE oid = 'detections'::regclass");
    assert.equal(rows[0]?.['relkind'], 'r');
  });
});

test('postgres: two servers migrating one fresh database at once both succeed, once', async (t) => {
  const url = testEnv('DATABASE_URL');
  if (url === undefined) {
    t.skip('DATABASE_URL not set: concurrent migration on PostgreSQL not tested');
    return;
  }
  // freshPostgres migrates; make an empty schema by dropping its tables, then race two pools.
  const db = await freshPostgres(url);
  const schema = (await db.query('SELECT current_schema() AS s')).rows[0]?.['s'] as string;
  await db.query(`DROP SCHEMA ${schema} CASCADE`);
  await db.query(`CREATE SCHEMA ${schema}`);
  const a = await openPostgres({ url, searchPath: schema });
  const b = await openPostgres({ url, searchPath: schema });
  try {
    const [ra, rb] = await Promise.all([migrate(a), migrate(b)]);
    assert.deepEqual(
      [...ra.applied, ...rb.applied].sort(),
      loadMigrations().map((m) => m.version),
    );
    assert.equal(
      (await a.query('SELECT count(*)::int AS n FROM schema_migrations')).rows[0]?.['n'],
      loadMigrations().length,
    );
  } finally {
    await a.close();
    await b.close();
    await db.close();
  }
});
