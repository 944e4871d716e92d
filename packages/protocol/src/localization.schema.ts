/**
 * Localization requests and fixes (`/api/v1/localizations`). One request makes one
 * `localization-capture` job per node; each node uploads the IQ it captured at the agreed moment
 * (`POST /api/v1/jobs/:id/snippet`), and the server fixes the emitter by TDOA (GPS-disciplined
 * clocks) or received power once the snippets are in.
 */
import { z } from 'zod';
import { cursorSchema, limitSchema, pageSchema } from './page.schema.ts';
import { queryListOf } from './query-list.schema.ts';
import { isoTimeSchema } from './time.schema.ts';

export const localizationMethodSchema = z.enum(['auto', 'tdoa', 'power']);

/** `POST /api/v1/localizations` body. */
export const localizationRequestSchema = z
  .object({
    freq_hz: z.number().positive().max(1e11),
    bandwidth_hz: z.number().positive().max(1e8),
    /** When every node takes its first sample: in the near future (at most an hour ahead). */
    capture_time: isoTimeSchema,
    duration_ms: z.number().int().min(1).max(10_000),
    /** The nodes to use (default: online nodes with a location, GPS-timed ones first, spread out). */
    node_ids: z.array(z.uuid()).min(3).max(32).optional(),
    method: localizationMethodSchema.default('auto'),
    detection_id: z.uuid().optional(),
    anomaly_id: z.uuid().optional(),
  })
  .strict();
export type LocalizationRequest = z.infer<typeof localizationRequestSchema>;

export const localizationStatusSchema = z.enum(['capturing', 'solving', 'completed', 'failed']);
export type LocalizationStatus = z.infer<typeof localizationStatusSchema>;

export const localizationSchema = z.object({
  id: z.uuid(),
  status: localizationStatusSchema,
  /** The method that made the fix (null until there is one). */
  method: z.enum(['tdoa', 'power']).nullable(),
  lat: z.number().nullable(),
  lon: z.number().nullable(),
  /** 95 % error ellipse (semi-axes in metres, major axis clockwise from north). */
  ellipse: z
    .object({ semi_major_m: z.number(), semi_minor_m: z.number(), orientation_deg: z.number() })
    .nullable(),
  gdop: z.number().nullable(),
  quality: z.string().nullable(),
  confidence: z.number().nullable(),
  freq_hz: z.number(),
  bandwidth_hz: z.number(),
  capture_time: isoTimeSchema,
  duration_ms: z.number().int(),
  /** After this the fix is made from the snippets that arrived (or the request fails). */
  deadline: isoTimeSchema,
  node_ids: z.array(z.uuid()),
  /** The capture job of each node, in `node_ids` order. */
  job_ids: z.array(z.uuid()),
  /** Nodes whose snippet the fix used. */
  used_node_ids: z.array(z.uuid()),
  detection_id: z.uuid().nullable(),
  anomaly_id: z.uuid().nullable(),
  created_by: z.uuid().nullable(),
  created_at: isoTimeSchema,
  completed_at: isoTimeSchema.nullable(),
  error: z.string().nullable(),
});
export type Localization = z.infer<typeof localizationSchema>;

export const localizationPageSchema = pageSchema(localizationSchema);

export const localizationQuerySchema = z.object({
  status: queryListOf(localizationStatusSchema).optional(),
  limit: limitSchema,
  cursor: cursorSchema.optional(),
});
export type LocalizationQuery = z.infer<typeof localizationQuerySchema>;

/**
 * `POST /api/v1/jobs/:id/snippet` query string; the body is the IQ as `cf32` (little-endian float
 * pairs), at most 8 MiB.
 */
export const snippetQuerySchema = z.object({
  sample_rate: z.coerce.number().positive().max(1e9),
  center_hz: z.coerce.number().positive().max(1e11),
  /** Time of the first sample, integer nanoseconds since the Unix epoch (the node's clock). */
  capture_time_ns: z.string().regex(/^\d{1,20}$/, 'integer nanoseconds since the Unix epoch'),
});
export type SnippetQuery = z.infer<typeof snippetQuerySchema>;

export const snippetReceiptSchema = z.object({
  job_id: z.uuid(),
  localization_id: z.uuid(),
  samples: z.number().int().positive(),
  /** Snippets received so far for the localization, and how many were asked for. */
  received: z.number().int().nonnegative(),
  expected: z.number().int().positive(),
});
