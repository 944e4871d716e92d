import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Queryable, QueryResult } from './database.ts';
import { ensureTimescale, HYPERTABLES } from './timescale.ts';

function recorder(available: boolean): { db: Queryable; sql: string[]; params: unknown[][] } {
  const sql: string[] = [];
  const params: unknown[][] = [];
  const db: Queryable = {
    async query(text, p = []): Promise<QueryResult> {
      sql.push(text);
      params.push([...p]);
      const rows = text.includes('pg_available_extensions') && available ? [{ ok: 1 }] : [];
      return { rows, rowCount: rows.length };
    },
    insertRows: () => Promise.reject(new Error('not used')),
    execScript: () => Promise.reject(new Error('not used')),
  };
  return { db, sql, params };
}

test('with TimescaleDB offered, the extension is created and every time-series table becomes a hypertable', async () => {
  const { db, sql, params } = recorder(true);
  const report = await ensureTimescale(db);
  assert.equal(report.available, true);
  assert.ok(sql.some((s) => s === 'CREATE EXTENSION IF NOT EXISTS timescaledb'));
  const hyper = params.filter((_, i) => sql[i]?.includes('create_hypertable'));
  assert.deepEqual(
    hyper,
    HYPERTABLES.map((h) => [h.table, h.timeColumn]),
  );
  assert.deepEqual(report.hypertables, [
    'heartbeats',
    'detections',
    'anomalies',
    'spectrum_tiles',
    'audit_log',
  ]);
});

test('without TimescaleDB nothing is attempted', async () => {
  const { db, sql } = recorder(false);
  assert.deepEqual(await ensureTimescale(db), { available: false, hypertables: [] });
  assert.equal(sql.length, 1);
});
