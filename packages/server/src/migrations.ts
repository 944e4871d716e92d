/**
 * Versioned SQL migrations: `migrations/NNNN_name.sql`, applied in order, each in its own
 * transaction, recorded in `schema_migrations` with a checksum. Idempotent: running again applies
 * only what is missing. Every transaction first takes a PostgreSQL advisory lock, so two servers
 * starting at once on one database do not both migrate (the second waits, then finds the work
 * done). The same files run on PGlite and PostgreSQL.
 *
 * This file sits at the package's `src/` root on purpose: `new URL('./migrations/', import.meta.url)`
 * then names the folder both when run from source and from a bundle that copies the folder beside it.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { OperationalError, UnexpectedError } from '@heimdall/errors';
import type { Database, Queryable } from './database/database.ts';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export interface MigrationReport {
  /** Versions applied by this call (empty when the schema was current). */
  readonly applied: readonly number[];
  /** The schema version now. */
  readonly version: number;
}

/** Any fixed number: the key of the advisory lock that serializes migrations. */
const MIGRATION_LOCK_KEY = 0x4d444c48;
const FILE = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** The folder of the SQL files. */
export const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);

/** Reads `NNNN_name.sql` files in version order; versions must run 1, 2, 3, ... without holes. */
export function loadMigrations(dir: URL = MIGRATIONS_DIR): Migration[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (cause) {
    throw new UnexpectedError(`migrations folder ${dir.pathname} is missing`, { cause });
  }
  const migrations = names
    .map((file) => ({ file, m: FILE.exec(file) }))
    .filter((x): x is { file: string; m: RegExpExecArray } => x.m !== null)
    .map(({ file, m }) => ({
      version: Number(m[1]),
      name: m[2] as string,
      sql: readFileSync(new URL(file, dir), 'utf8'),
    }))
    .sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new UnexpectedError(
        `migration ${m.version}_${m.name} is out of sequence: expected version ${i + 1}`,
      );
  });
  return migrations;
}

function checksum(sql: string): string {
  return createHash('sha256').update(sql).digest('hex');
}

/** Applies the migrations the database lacks. */
export async function migrate(
  db: Database,
  migrations: readonly Migration[] = loadMigrations(),
): Promise<MigrationReport> {
  const lock = `SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`;
  const known = new Map(migrations.map((m) => [m.version, m]));
  /** Versions recorded in the database, each checked against the files. */
  const recorded = async (tx: Queryable): Promise<Set<number>> => {
    const { rows } = await tx.query('SELECT version, checksum FROM schema_migrations ORDER BY version');
    for (const r of rows) {
      const version = Number(r['version']);
      const mine = known.get(version);
      if (mine === undefined) {
        throw new OperationalError(
          `the database schema is at version ${version}, newer than this server knows: upgrade the server`,
          {
            retryable: false,
          },
        );
      }
      if (r['checksum'] !== checksum(mine.sql)) {
        throw new UnexpectedError(
          `migration ${version}_${mine.name} was changed after it was applied: add a new migration instead`,
        );
      }
    }
    return new Set(rows.map((r) => Number(r['version'])));
  };

  await db.transaction(async (tx) => {
    await tx.query(lock);
    await tx.execScript(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    await recorded(tx);
  });
  const applied: number[] = [];
  for (const m of migrations) {
    const did = await db.transaction(async (tx) => {
      await tx.query(lock);
      if ((await recorded(tx)).has(m.version)) return false;
      await tx.execScript(m.sql);
      await tx.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
        m.version,
        m.name,
        checksum(m.sql),
      ]);
      return true;
    });
    if (did) applied.push(m.version);
  }
  return { applied, version: migrations.length };
}
