/**
 * TimescaleDB, when the PostgreSQL server has it: the time-series tables become hypertables
 * (partitioned by time, so old history is cheap to keep and to drop). Without it (PGlite, a plain
 * PostgreSQL) the same tables stay plain tables and every query works the same.
 */
import type { Queryable } from './database.ts';

/** Each time-series table and its time column. */
export const HYPERTABLES: readonly { readonly table: string; readonly timeColumn: string }[] = [
  { table: 'heartbeats', timeColumn: 'time' },
  { table: 'detections', timeColumn: 'start_time' },
  { table: 'anomalies', timeColumn: 'time' },
  { table: 'spectrum_tiles', timeColumn: 't_start' },
  { table: 'audit_log', timeColumn: 'time' },
];

export interface TimescaleReport {
  /** Whether the server offers the extension (`pg_available_extensions`). */
  readonly available: boolean;
  /** Tables that are hypertables now. */
  readonly hypertables: readonly string[];
}

/** Creates the extension and the hypertables when available; does nothing otherwise. Idempotent. */
export async function ensureTimescale(db: Queryable): Promise<TimescaleReport> {
  const { rows } = await db.query("SELECT 1 AS ok FROM pg_available_extensions WHERE name = 'timescaledb'");
  if (rows.length === 0) return { available: false, hypertables: [] };
  await db.query('CREATE EXTENSION IF NOT EXISTS timescaledb');
  for (const { table, timeColumn } of HYPERTABLES) {
    await db.query(
      `SELECT create_hypertable($1::regclass, $2::name, if_not_exists => true, migrate_data => true)`,
      [table, timeColumn],
    );
  }
  return { available: true, hypertables: HYPERTABLES.map((h) => h.table) };
}
