/**
 * Schemas of the server's own answers (ingest receipts, health, readiness, fleet figures) and of
 * the `:id` path parameter. The sign-in, user and enrollment contracts are in @heimdall/protocol.
 */
import { z } from 'zod';

export const idParamsSchema = z.object({ id: z.uuid() });

export const ingestReceiptSchema = z.object({
  node_id: z.uuid(),
  accepted: z.number().int().nonnegative(),
  duplicates: z.number().int().nonnegative(),
  /** Every sequence below this one is stored. */
  next_sequence: z.number().int().nonnegative(),
  /** Stored sequences at or above next_sequence. */
  acked: z.array(z.number().int().nonnegative()),
});

export const healthSchema = z.object({ status: z.literal('ok') });
export const readySchema = z.object({
  status: z.enum(['ready', 'unavailable']),
  checks: z.object({ database: z.enum(['ok', 'failed']), bus: z.enum(['ok', 'failed']) }),
});

const count = z.number().int().nonnegative();
export const statsSchema = z.object({
  nodes: z.object({ total: count, online: count }),
  detections: count,
  ingest: z.object({ frames_received: count, duplicates: count, sequence_gaps: count }),
  spectrum: z.object({ bands: count, tiles: count, stored_bytes: count }),
});
