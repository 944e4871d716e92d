/**
 * The embedded default: PGlite, PostgreSQL compiled to WebAssembly, in `<data dir>/db` (or in
 * memory for tests). One connection, one process: PGlite runs on the calling thread, so queries
 * are serialized; batch writes (see `insertRows`).
 */
import { mkdirSync } from 'node:fs';
import { PGlite, types, type Transaction } from '@electric-sql/pglite';
import { OperationalError } from '@heimdall/errors';
import type { ColumnSpec, Database, InsertValue, Queryable, QueryResult, Row, SqlParam } from './database.ts';
import { CopyDataBlob, encodeCopyBinary } from './copy-binary.ts';
import { parseInt8 } from './int8.ts';
import { openPgliteWorker } from './pglite-worker.database.ts';
import { workerScript } from '../worker-thread.ts';

interface PgliteLike {
  query<T>(
    sql: string,
    params?: unknown[],
    options?: { blob?: Blob },
  ): Promise<{ rows: T[]; affectedRows?: number }>;
  exec(sql: string): Promise<unknown>;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function queryable(conn: PgliteLike): Queryable {
  return {
    async query(sql: string, params: readonly SqlParam[] = []): Promise<QueryResult> {
      const r = await conn.query<Row>(sql, [...params]);
      return { rows: r.rows, rowCount: r.rows.length > 0 ? r.rows.length : (r.affectedRows ?? 0) };
    },
    async insertRows(
      table: string,
      columns: readonly ColumnSpec[],
      rows: readonly (readonly InsertValue[])[],
    ): Promise<number> {
      if (rows.length === 0) return 0;
      const bytes = encodeCopyBinary(columns, rows);
      const cols = columns.map((c) => quoteIdent(c.name)).join(', ');
      await conn.query(`COPY ${quoteIdent(table)} (${cols}) FROM '/dev/blob' WITH (FORMAT binary)`, [], {
        blob: new CopyDataBlob(bytes),
      });
      return rows.length;
    },
    async execScript(sql: string): Promise<void> {
      await conn.exec(sql);
    },
  };
}

export interface PgliteOptions {
  /** Folder of the database files; `undefined` keeps the database in memory (tests). */
  readonly dataDir: string | undefined;
  /**
   * Run PGlite in a worker thread (see pglite-worker.database.ts), so its queries do not block this
   * thread's event loop. Default false (tests); the server's data folder uses it.
   */
  readonly worker?: boolean;
}

/** Opens (creating it if needed) the embedded database. About 0.5 s for an existing folder, 3-4 s for a new one. */
export async function openPglite(options: PgliteOptions): Promise<Database> {
  const script = options.worker === true ? workerScript(import.meta.url, 'pglite-worker') : undefined;
  if (script !== undefined) {
    if (options.dataDir !== undefined) mkdirSync(options.dataDir, { recursive: true });
    return openPgliteWorker(script, options.dataDir);
  }
  let pg: PGlite;
  try {
    if (options.dataDir !== undefined) mkdirSync(options.dataDir, { recursive: true });
    pg = await PGlite.create(options.dataDir, { parsers: { [types.INT8]: parseInt8 } });
  } catch (cause) {
    throw new OperationalError(
      `cannot open the embedded database${options.dataDir === undefined ? '' : ` in ${options.dataDir}`}`,
      {
        cause,
        retryable: false,
      },
    );
  }
  const base = queryable(pg);
  return {
    kind: 'pglite',
    query: base.query,
    insertRows: base.insertRows,
    execScript: base.execScript,
    transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      return pg.transaction((tx: Transaction) => fn(queryable(tx)));
    },
    async close(): Promise<void> {
      if (!pg.closed) await pg.close();
    },
  };
}
