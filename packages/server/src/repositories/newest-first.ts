/**
 * The list query most tables here share: rows matching some filters, newest first by
 * `(created_at, id)`, in keyset pages whose cursor is the last row's `(created_at, id)`.
 */
import type { Page } from '@heimdall/protocol';
import type { Queryable, Row, SqlParam } from '../database/database.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';

/** Adds a parameter and answers its placeholder (`$n`). */
export type Param = (value: SqlParam) => string;

export async function newestFirstPage<T extends { readonly created_at: string; readonly id: string }>(
  db: Queryable,
  opts: {
    /** `SELECT <columns> FROM <from>`. */
    readonly columns: string;
    readonly from: string;
    readonly query: { readonly cursor?: string | undefined; readonly limit: number };
    /** The filters' WHERE terms, ANDed; each adds its values with `p`. */
    readonly filters: (p: Param) => string[];
    readonly toItem: (row: Row) => T;
  },
): Promise<Page<T>> {
  const params: SqlParam[] = [];
  const p: Param = (v) => {
    params.push(v);
    return `$${params.length}`;
  };
  const where = opts.filters(p);
  const { cursor, limit } = opts.query;
  if (cursor !== undefined) {
    const [time, id] = decodeCursor(cursor, ['time', 'uuid']) as [string, string];
    where.push(`(created_at, id) < (${p(time)}::timestamptz, ${p(id)}::uuid)`);
  }
  const { rows } = await db.query(
    `SELECT ${opts.columns} FROM ${opts.from} ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY created_at DESC, id DESC LIMIT ${p(limit + 1)}`,
    params,
  );
  const items = rows.slice(0, limit).map(opts.toItem);
  const last = items[items.length - 1];
  return {
    items,
    next_cursor: rows.length > limit && last !== undefined ? encodeCursor([last.created_at, last.id]) : null,
  };
}
