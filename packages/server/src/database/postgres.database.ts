/**
 * PostgreSQL through a `pg` connection pool, chosen when `DATABASE_URL` is set: several servers can
 * share one database. TimescaleDB is used when the server has it (see `timescale.ts`).
 */
import pg from 'pg';
import { OperationalError } from '@heimdall/errors';
import type { ColumnSpec, Database, InsertValue, Queryable, QueryResult, Row, SqlParam } from './database.ts';
import { parseInt8 } from './int8.ts';

const INT8_OID = 20;
/** PostgreSQL accepts at most 65,535 parameters in one statement. */
const MAX_PARAMS = 65535;

interface PgClientLike {
  query(sql: string, params?: unknown[]): Promise<{ rows: Row[]; rowCount: number | null }>;
}

function toPg(value: SqlParam | InsertValue): unknown {
  if (value instanceof Uint8Array && !Buffer.isBuffer(value))
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === 'bigint') return value.toString();
  return value;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function placeholder(column: ColumnSpec, value: InsertValue, n: number): string {
  if (column.type === 'timestamptz' && typeof value === 'bigint') {
    return `(timestamptz 'epoch' + $${n}::int8 * interval '1 microsecond')`;
  }
  return `$${n}::${column.type}`;
}

function connectionError(cause: unknown): unknown {
  const code = (cause as { code?: unknown } | null)?.code;
  if (
    typeof code === 'string' &&
    (code.startsWith('08') || code.startsWith('E') || code === '57P01' || code === '57P03')
  ) {
    return new OperationalError(`PostgreSQL is unreachable (${code})`, { cause });
  }
  return cause;
}

function queryable(client: PgClientLike): Queryable {
  return {
    async query(sql: string, params: readonly SqlParam[] = []): Promise<QueryResult> {
      try {
        const r = await client.query(sql, params.map(toPg));
        return { rows: r.rows, rowCount: r.rows.length > 0 ? r.rows.length : (r.rowCount ?? 0) };
      } catch (e) {
        throw connectionError(e);
      }
    },
    async insertRows(
      table: string,
      columns: readonly ColumnSpec[],
      rows: readonly (readonly InsertValue[])[],
    ): Promise<number> {
      const perStatement = Math.max(1, Math.floor(MAX_PARAMS / columns.length));
      const cols = columns.map((c) => quoteIdent(c.name)).join(', ');
      for (let start = 0; start < rows.length; start += perStatement) {
        const chunk = rows.slice(start, start + perStatement);
        const params: unknown[] = [];
        const tuples = chunk.map((row) => {
          const cells = columns.map((c, i) => {
            const v = row[i] as InsertValue;
            params.push(toPg(v));
            return placeholder(c, v, params.length);
          });
          return `(${cells.join(', ')})`;
        });
        try {
          await client.query(
            `INSERT INTO ${quoteIdent(table)} (${cols}) VALUES ${tuples.join(', ')}`,
            params,
          );
        } catch (e) {
          throw connectionError(e);
        }
      }
      return rows.length;
    },
    async execScript(sql: string): Promise<void> {
      try {
        await client.query(sql);
      } catch (e) {
        throw connectionError(e);
      }
    },
  };
}

export interface PostgresOptions {
  readonly url: string;
  /** Connections in the pool (default 10). */
  readonly maxConnections?: number;
  /** Schema search path of every connection (tests use a fresh schema each). */
  readonly searchPath?: string;
}

/** Connects a pool to `url` and checks it answers. */
export async function openPostgres(options: PostgresOptions): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    ...(options.searchPath === undefined ? {} : { options: `-c search_path=${options.searchPath}` }),
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID && format !== 'binary'
          ? parseInt8
          : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client that loses its connection emits 'error' on the pool; the next query reconnects.
  pool.on('error', () => undefined);
  try {
    await pool.query('SELECT 1');
  } catch (cause) {
    await pool.end().catch(() => undefined);
    throw new OperationalError(`cannot connect to PostgreSQL at ${redact(options.url)}`, { cause });
  }
  const base = queryable(pool);
  return {
    kind: 'postgres',
    query: base.query,
    insertRows: base.insertRows,
    execScript: base.execScript,
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (e) {
        throw connectionError(e);
      }
      try {
        await client.query('BEGIN');
        const result = await fn(queryable(client));
        await client.query('COMMIT');
        client.release();
        return result;
      } catch (e) {
        let broken: Error | undefined;
        await client.query('ROLLBACK').catch((rollbackError: unknown) => {
          broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        });
        client.release(broken);
        throw connectionError(e);
      }
    },
    async close(): Promise<void> {
      await pool.end();
    },
  };
}

/** The URL without its password, for messages. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return '(invalid URL)';
  }
}
