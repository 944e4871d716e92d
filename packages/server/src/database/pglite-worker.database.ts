/**
 * The embedded database in a worker thread (pglite-worker.ts): the same {@link Database} as
 * `openPglite`, with PGlite's synchronous WebAssembly off the server's event loop, so a large ingest
 * commit no longer stalls sockets, acks and live viewers for its duration. Used for the data
 * folder of `heimdall server`; tests keep PGlite on their own thread (in memory, no worker start-up).
 */
import { OperationalError } from '@heimdall/errors';
import { startWorker } from '../worker-thread.ts';
import type { ColumnSpec, Database, InsertValue, Queryable, QueryResult, SqlParam } from './database.ts';
import { encodeCopyBinary } from './copy-binary.ts';
import type { PgliteErrorInfo, PgliteRequest, PgliteResponse, PgliteWorkerData } from './pglite-protocol.ts';

type Request = PgliteRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;
type Ok = PgliteResponse & { ok: true };

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The worker's error as an Error here, keeping PostgreSQL's `code` (e.g. 23505) for callers that branch on it. */
function rebuild(info: PgliteErrorInfo): Error {
  const e = new Error(info.message) as Error & { code?: string; detail?: string };
  if (info.code !== undefined) e.code = info.code;
  if (info.detail !== undefined) e.detail = info.detail;
  return e;
}

export async function openPgliteWorker(script: URL, dataDir: string | undefined): Promise<Database> {
  const data: PgliteWorkerData = { dataDir };
  const worker = startWorker(script, data);
  const pending = new Map<number, { resolve: (r: Ok) => void; reject: (e: unknown) => void }>();
  let nextId = 1;
  let dead: Error | undefined;

  const stop = (why: string) => {
    dead ??= new OperationalError(why);
    for (const p of pending.values()) p.reject(dead);
    pending.clear();
  };
  let opened!: (error: Error | undefined) => void;
  const ready = new Promise<Error | undefined>((res) => (opened = res));
  worker.on('message', (m: PgliteResponse | { ready: boolean; error?: PgliteErrorInfo }) => {
    if ('ready' in m) {
      opened(
        m.ready
          ? undefined
          : new OperationalError(
              `cannot open the embedded database${dataDir === undefined ? '' : ` in ${dataDir}`}: ${m.error?.message ?? 'unknown error'}`,
              { retryable: false },
            ),
      );
      return;
    }
    const p = pending.get(m.id);
    if (p === undefined) return;
    pending.delete(m.id);
    if (pending.size === 0) worker.unref();
    if (m.ok) p.resolve(m);
    else p.reject(rebuild(m.error));
  });
  worker.on('error', (e) => {
    opened(new OperationalError(`the embedded database worker failed: ${e.message}`, { retryable: false }));
    stop(`the embedded database worker failed: ${e.message}`);
  });
  worker.on('exit', (code) => {
    opened(new OperationalError(`the embedded database worker exited (code ${code})`, { retryable: false }));
    stop(`the embedded database worker exited (code ${code})`);
  });
  const failed = await ready;
  if (failed !== undefined) {
    await worker.terminate();
    throw failed;
  }
  worker.unref();

  const call = (req: Request, transfer: ArrayBuffer[] = []): Promise<Ok> => {
    if (dead !== undefined) return Promise.reject(dead);
    const id = nextId++;
    return new Promise<Ok>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.ref(); // a query in flight keeps the process alive
      worker.postMessage({ ...req, id }, transfer);
    });
  };

  const queryable = (tx: number | null): Queryable => ({
    async query(sql: string, params: readonly SqlParam[] = []): Promise<QueryResult> {
      const r = await call({ op: 'query', tx, sql, params });
      const rows = r.rows ?? [];
      return { rows, rowCount: rows.length > 0 ? rows.length : (r.affectedRows ?? 0) };
    },
    async insertRows(
      table: string,
      columns: readonly ColumnSpec[],
      rows: readonly (readonly InsertValue[])[],
    ): Promise<number> {
      if (rows.length === 0) return 0;
      const bytes = encodeCopyBinary(columns, rows);
      const cols = columns.map((c) => quoteIdent(c.name)).join(', ');
      const sql = `COPY ${quoteIdent(table)} (${cols}) FROM '/dev/blob' WITH (FORMAT binary)`;
      const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
      await call({ op: 'copy', tx, sql, bytes }, own ? [bytes.buffer as ArrayBuffer] : []);
      return rows.length;
    },
    async execScript(sql: string): Promise<void> {
      await call({ op: 'exec', tx, sql });
    },
  });
  const base = queryable(null);
  let closed = false;
  return {
    kind: 'pglite',
    query: base.query,
    insertRows: base.insertRows,
    execScript: base.execScript,
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const { tx } = await call({ op: 'begin' });
      if (tx === undefined) throw new OperationalError('the embedded database did not open a transaction');
      let result: T;
      try {
        result = await fn(queryable(tx));
      } catch (e) {
        await call({ op: 'rollback', tx }).catch(() => undefined);
        throw e;
      }
      await call({ op: 'commit', tx });
      return result;
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      if (dead === undefined) await call({ op: 'close' }).catch(() => undefined);
      await worker.terminate();
    },
  };
}
