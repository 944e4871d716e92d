/** Cursor pagination shared by every list route: `{ items, next_cursor }`. */
import { z } from 'zod';

/** An opaque cursor a list route returned; pass it back as `cursor` to get the next page. */
export const cursorSchema = z
  .string()
  .min(1)
  .max(512)
  .regex(/^[A-Za-z0-9_-]+$/, 'not a cursor this server issued');

/** Page size: 1-1000, default 100. */
export const limitSchema = z.coerce.number().int().min(1).max(1000).default(100);

/** A page of `item`: `next_cursor` is null on the last page. */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    next_cursor: cursorSchema.nullable(),
  });
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly next_cursor: string | null;
}
