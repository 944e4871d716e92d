/**
 * Chooses the database from configuration: PostgreSQL when `DATABASE_URL` is set, else the
 * embedded PGlite in `<HEIMDALL_DATA_DIR>/db`. {@link openStorage} also brings the schema up to date.
 */
import { join } from 'node:path';
import type { Config } from '@heimdall/config';
import { migrate, type MigrationReport } from '../migrations.ts';
import type { Database } from './database.ts';
import { openPglite } from './pglite.database.ts';
import { openPostgres } from './postgres.database.ts';
import { ensureTimescale, type TimescaleReport } from './timescale.ts';

export type DatabaseConfig = Pick<Config, 'dataDir' | 'databaseUrl'>;

/** Folder of the embedded database inside the data folder. */
export function embeddedDatabaseDir(dataDir: string): string {
  return join(dataDir, 'db');
}

/** Opens the configured database (no migrations). */
export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  return config.databaseUrl === undefined
    ? openPglite({ dataDir: embeddedDatabaseDir(config.dataDir), worker: true })
    : openPostgres({ url: config.databaseUrl });
}

export interface Storage {
  readonly db: Database;
  readonly migrations: MigrationReport;
  readonly timescale: TimescaleReport;
}

/** Opens the configured database, applies pending migrations and sets up TimescaleDB when present. */
export async function openStorage(config: DatabaseConfig): Promise<Storage> {
  const db = await openDatabase(config);
  try {
    const migrations = await migrate(db);
    const timescale = await ensureTimescale(db);
    return { db, migrations, timescale };
  } catch (e) {
    await db.close().catch(() => undefined);
    throw e;
  }
}
