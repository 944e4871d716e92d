/**
 * Messages between the server and the embedded database's worker thread (pglite-worker.ts). Values
 * cross as structured clones: Dates, Uint8Arrays, bigints and parsed JSON survive unchanged.
 */
import type { Row, SqlParam } from './database.ts';

export type PgliteRequest =
  | {
      readonly id: number;
      readonly op: 'query';
      readonly tx: number | null;
      readonly sql: string;
      readonly params: readonly SqlParam[];
    }
  | {
      readonly id: number;
      readonly op: 'copy';
      readonly tx: number | null;
      readonly sql: string;
      readonly bytes: Uint8Array;
    }
  | { readonly id: number; readonly op: 'exec'; readonly tx: number | null; readonly sql: string }
  /** Opens a transaction; answered with its number once PGlite holds it. */
  | { readonly id: number; readonly op: 'begin' }
  | { readonly id: number; readonly op: 'commit' | 'rollback'; readonly tx: number }
  | { readonly id: number; readonly op: 'close' };

/** A database error as the worker saw it (`code` is the SQLSTATE, e.g. 23505). */
export interface PgliteErrorInfo {
  readonly message: string;
  readonly code?: string | undefined;
  readonly detail?: string | undefined;
  readonly stack?: string | undefined;
}

export type PgliteResponse =
  | {
      readonly id: number;
      readonly ok: true;
      readonly rows?: readonly Row[];
      readonly affectedRows?: number;
      readonly tx?: number;
    }
  | { readonly id: number; readonly ok: false; readonly error: PgliteErrorInfo };

/** What the worker needs to open the database. */
export interface PgliteWorkerData {
  readonly dataDir: string | undefined;
}
