/**
 * For tests: a database whose transactions fail once, at the first query whose SQL contains
 * `failOn` (as a dropped connection would), and work normally otherwise.
 */
import type { Database, Queryable } from './database.ts';

export function failingOnce(db: Database, failOn: string): { db: Database; failed: () => boolean } {
  let armed = true;
  const wrap = (tx: Queryable): Queryable => ({
    query: async (sql, params) => {
      if (armed && sql.includes(failOn)) {
        armed = false;
        throw new Error('connection reset (injected)');
      }
      return tx.query(sql, params);
    },
    insertRows: (table, columns, rows) => tx.insertRows(table, columns, rows),
    execScript: (sql) => tx.execScript(sql),
  });
  return {
    db: { ...db, transaction: (fn) => db.transaction((tx) => fn(wrap(tx))) },
    failed: () => !armed,
  };
}
