/**
 * Entry point of the embedded database's worker thread (bundled as dist/pglite-worker.js): PGlite
 * runs here, so its queries (synchronous WebAssembly, up to a hundred milliseconds for a large
 * ingest commit) never stall the server's event loop. Transactions are PGlite's own: `begin` opens
 * one and holds it until `commit` or `rollback`, and PGlite queues every other query meanwhile, as
 * it does on one thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, types, type Transaction } from '@electric-sql/pglite';
import type { Row } from './database.ts';
import type { PgliteErrorInfo, PgliteRequest, PgliteResponse, PgliteWorkerData } from './pglite-protocol.ts';
import { parseInt8 } from './int8.ts';
import { CopyDataBlob } from './copy-binary.ts';

const port = parentPort;
if (port === null) throw new Error('the database worker must run in a worker thread');
const { dataDir } = workerData as PgliteWorkerData;

interface OpenTx {
  readonly tx: Transaction;
  /** Ends the transaction: commit (true) or roll back. */
  finish(commit: boolean): void;
  /** Settles when PGlite has committed (or rolled back) it. */
  readonly done: Promise<void>;
}

function errorInfo(e: unknown): PgliteErrorInfo {
  if (e instanceof Error) {
    const x = e as Error & { code?: unknown; detail?: unknown };
    return {
      message: e.message,
      code: typeof x.code === 'string' ? x.code : undefined,
      detail: typeof x.detail === 'string' ? x.detail : undefined,
      stack: e.stack,
    };
  }
  return { message: String(e) };
}

/** Thrown inside a transaction callback to make PGlite roll it back. */
class Rollback extends Error {}

let pg: PGlite;
try {
  pg = await PGlite.create(dataDir, { parsers: { [types.INT8]: parseInt8 } });
  port.postMessage({ ready: true });
} catch (e) {
  port.postMessage({ ready: false, error: errorInfo(e) });
  process.exit(1);
}

const open = new Map<number, OpenTx>();
let nextTx = 1;

function target(tx: number | null): PGlite | Transaction {
  if (tx === null) return pg;
  const t = open.get(tx);
  if (t === undefined) throw new Error(`transaction ${tx} is not open`);
  return t.tx;
}

async function begin(): Promise<number> {
  const id = nextTx++;
  let finish!: (commit: boolean) => void;
  const decided = new Promise<boolean>((res) => (finish = res));
  let opened!: () => void;
  const started = new Promise<void>((res) => (opened = res));
  const done: Promise<void> = pg
    .transaction(async (tx) => {
      open.set(id, { tx, finish, done });
      opened();
      if (!(await decided)) throw new Rollback('rolled back');
    })
    .then(
      () => undefined,
      (e: unknown) => {
        if (!(e instanceof Rollback)) throw e;
      },
    )
    .finally(() => open.delete(id));
  done.catch(() => undefined); // reported to whoever commits
  await Promise.race([started, done]); // BEGIN itself may fail
  return id;
}

async function handle(
  m: PgliteRequest,
): Promise<{ rows?: readonly Row[]; affectedRows?: number; tx?: number }> {
  switch (m.op) {
    case 'query': {
      const r = await target(m.tx).query<Row>(m.sql, [...m.params]);
      return { rows: r.rows, affectedRows: r.affectedRows ?? 0 };
    }
    case 'copy':
      await target(m.tx).query(m.sql, [], { blob: new CopyDataBlob(m.bytes) });
      return {};
    case 'exec':
      await target(m.tx).exec(m.sql);
      return {};
    case 'begin':
      return { tx: await begin() };
    case 'commit':
    case 'rollback': {
      const t = open.get(m.tx);
      if (t === undefined) throw new Error(`transaction ${m.tx} is not open`);
      t.finish(m.op === 'commit');
      await t.done;
      return {};
    }
    case 'close':
      await pg.close();
      return {};
  }
}

port.on('message', (m: PgliteRequest) => {
  handle(m).then(
    (r) => {
      const reply: PgliteResponse = { id: m.id, ok: true, ...r };
      port.postMessage(reply);
      if (m.op === 'close') port.close();
    },
    (e: unknown) => {
      const reply: PgliteResponse = { id: m.id, ok: false, error: errorInfo(e) };
      port.postMessage(reply);
    },
  );
});
