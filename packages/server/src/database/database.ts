/**
 * The database port. Services and repositories receive a {@link Database} (or, inside a
 * transaction, a {@link Queryable}) and never know which engine is behind it: the embedded PGlite
 * (PostgreSQL compiled to WebAssembly, the default) or a real PostgreSQL (`DATABASE_URL`). Both run
 * the same SQL and the same migrations.
 *
 * Values that cross the port are normalized so both engines give the same JavaScript types:
 * `int8` is a `number` when it is a safe integer and a `bigint` otherwise, `timestamptz` a `Date`,
 * `bytea` a `Uint8Array`, `jsonb` the parsed value, `numeric` a string. Send JSON as a string
 * parameter with a `::jsonb` cast, arrays as JS arrays with a cast (`$1::text[]`).
 */

/** A value a query parameter may hold. */
export type SqlParam =
  string | number | bigint | boolean | null | Date | Uint8Array | readonly string[] | readonly number[];

/** One result row, column name to value (see the module doc for the types). */
export type Row = Readonly<Record<string, unknown>>;

export interface QueryResult {
  readonly rows: readonly Row[];
  /** Rows returned, or affected by INSERT/UPDATE/DELETE. */
  readonly rowCount: number;
}

/** Column types {@link Queryable.insertRows} can write. */
export type ColumnType =
  | 'int2'
  | 'int4'
  | 'int8'
  | 'float4'
  | 'float8'
  | 'bool'
  | 'text'
  | 'uuid'
  | 'timestamptz'
  | 'bytea'
  | 'jsonb';

export interface ColumnSpec {
  readonly name: string;
  readonly type: ColumnType;
}

/**
 * A value for {@link Queryable.insertRows}: `jsonb` columns take a JSON string, `timestamptz`
 * a `Date` or a bigint of microseconds since the Unix epoch (to keep microsecond precision).
 */
export type InsertValue = string | number | bigint | boolean | null | Date | Uint8Array;

/** What can run statements: the database itself, or one transaction. */
export interface Queryable {
  /** Runs one statement with `$1`-style parameters. */
  query(sql: string, params?: readonly SqlParam[]): Promise<QueryResult>;
  /**
   * Inserts many rows into `table` in one round trip: a binary `COPY` on PGlite (about 20x faster
   * than `INSERT` for large `bytea` values there), multi-row `INSERT`s on PostgreSQL. Returns the
   * number of rows written. Use it for batches (spectrum tiles, detections, heartbeats).
   */
  insertRows(
    table: string,
    columns: readonly ColumnSpec[],
    rows: readonly (readonly InsertValue[])[],
  ): Promise<number>;
  /** Runs a script of several statements without parameters (migrations). */
  execScript(sql: string): Promise<void>;
}

export type DatabaseKind = 'pglite' | 'postgres';

export interface Database extends Queryable {
  readonly kind: DatabaseKind;
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when it throws (the
   * error is rethrown). Transactions do not nest.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Closes the connection(s); on PGlite also flushes and closes the data folder. */
  close(): Promise<void>;
}
