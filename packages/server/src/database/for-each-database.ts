/**
 * Test matrix: runs a storage test suite on every database engine, the embedded PGlite (in memory)
 * and the real PostgreSQL at `DATABASE_URL` (skipped, saying so, when it is not set).
 *
 * ```ts
 * forEachDatabase((name, makeDb) => {
 *   let db: Database;
 *   before(async () => { db = await makeDb(); });
 *   after(() => db.close());
 *   test('...', async () => { ... });
 * });
 * ```
 *
 * Each `makeDb()` gives a fresh, migrated database: a new in-memory PGlite, or a new schema on
 * PostgreSQL that `close()` drops, so parallel test runs never see each other's rows.
 */
import { randomBytes } from 'node:crypto';
import { describe } from 'node:test';
import { testEnv } from '@heimdall/config';
import { migrate } from '../migrations.ts';
import type { Database, DatabaseKind } from './database.ts';
import { openPglite } from './pglite.database.ts';
import { openPostgres } from './postgres.database.ts';

export type MakeDb = () => Promise<Database>;

async function freshPglite(): Promise<Database> {
  const db = await openPglite({ dataDir: undefined });
  await migrate(db);
  return db;
}

/** A migrated database in a new schema of the PostgreSQL at `url`, dropped on close. */
export async function freshPostgres(url: string): Promise<Database> {
  const schema = `heimdall_test_${randomBytes(6).toString('hex')}`;
  const admin = await openPostgres({ url, maxConnections: 1 });
  try {
    await admin.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await admin.close();
  }
  const db = await openPostgres({ url, searchPath: schema, maxConnections: 4 });
  await migrate(db);
  return {
    ...db,
    async close() {
      await db.query(`DROP SCHEMA ${schema} CASCADE`).catch(() => undefined);
      await db.close();
    },
  };
}

/** Calls `suite` once per engine, inside a `describe` named after it. */
export function forEachDatabase(suite: (name: DatabaseKind, makeDb: MakeDb) => void): void {
  describe('pglite', () => suite('pglite', freshPglite));
  const url = testEnv('DATABASE_URL');
  if (url === undefined) {
    describe(
      'postgres',
      { skip: 'DATABASE_URL not set: the PostgreSQL half of the storage tests did not run' },
      () => suite('postgres', () => Promise.reject(new Error('DATABASE_URL not set'))),
    );
  } else {
    describe('postgres', () => suite('postgres', () => freshPostgres(url)));
  }
}
