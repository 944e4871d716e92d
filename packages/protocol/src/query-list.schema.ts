/** Query-string helpers shared by the list routes' schemas. */
import { z } from 'zod';

/** A query-string list: `a,b` or repeated keys, 1-100 items. */
export function queryListOf<T extends z.ZodType>(item: T) {
  return z.preprocess(
    (v) => (typeof v === 'string' ? v.split(',').filter((s) => s !== '') : v),
    z.array(item).min(1).max(100),
  );
}

/** A query-string boolean: `true`/`false` (also `1`/`0`, `yes`/`no`). */
export const queryBooleanSchema = z.preprocess(
  (v) => {
    if (typeof v !== 'string') return v;
    const s = v.toLowerCase();
    if (s === 'true' || s === '1' || s === 'yes') return true;
    if (s === 'false' || s === '0' || s === 'no') return false;
    return v;
  },
  z.boolean({ error: 'must be true or false' }),
);
