/**
 * Keyset pagination cursors: the sort key of the last row of a page, as base64url JSON. Opaque to
 * clients; a cursor that does not decode to the expected shape is bad input (a {@link UserError}).
 */
import { UserError } from '@heimdall/errors';

export type CursorKey = readonly (string | number)[];

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** What a cursor element may be: a kind, or a time / UUID string checked before it reaches SQL. */
export type CursorPart = 'string' | 'number' | 'time' | 'uuid';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

function fits(v: unknown, part: CursorPart): boolean {
  switch (part) {
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'string':
      return typeof v === 'string' && v.length <= 200;
    case 'time':
      return typeof v === 'string' && TIME.test(v) && !Number.isNaN(Date.parse(v));
    case 'uuid':
      return typeof v === 'string' && UUID.test(v);
  }
}

/** Decodes a cursor whose key has the given parts, e.g. `['time', 'uuid']`. */
export function decodeCursor(cursor: string, kinds: readonly CursorPart[]): (string | number)[] {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  if (
    !Array.isArray(key) ||
    key.length !== kinds.length ||
    key.some((v, i) => !fits(v, kinds[i] as CursorPart))
  ) {
    throw new UserError('is not a cursor from this list', {
      field: 'cursor',
      fix: 'pass the next_cursor of the previous page unchanged',
    });
  }
  return key as (string | number)[];
}
