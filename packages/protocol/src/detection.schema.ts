/** Detected signals as the REST API shows and filters them (`GET /api/v1/detections`). */
import { z } from 'zod';
import { cursorSchema, limitSchema, pageSchema } from './page.schema.ts';
import { isoTimeSchema } from './time.schema.ts';

const hz = z.coerce.number().finite().min(0).max(1e12);

export const detectionSchema = z.object({
  id: z.uuid(),
  node_id: z.uuid(),
  start_time: isoTimeSchema,
  end_time: isoTimeSchema,
  freq_low_hz: z.number(),
  freq_high_hz: z.number(),
  snr_db: z.number(),
  power_dbfs: z.number(),
  class: z.string(),
});
export type Detection = z.infer<typeof detectionSchema>;

export const detectionPageSchema = pageSchema(detectionSchema);

/** A query-string list: `a,b` or repeated keys. */
function listOf<T extends z.ZodType>(item: T) {
  return z.preprocess(
    (v) => (typeof v === 'string' ? v.split(',').filter((s) => s !== '') : v),
    z.array(item).min(1).max(100),
  );
}

/**
 * `GET /api/v1/detections` query string. A detection matches when it overlaps the frequency range
 * and the time range, has one of the classes and at least the SNR.
 */
export const detectionQuerySchema = z
  .object({
    node_id: listOf(z.uuid()).optional(),
    freq_min_hz: hz.optional(),
    freq_max_hz: hz.optional(),
    from: isoTimeSchema.optional(),
    to: isoTimeSchema.optional(),
    class: listOf(z.string().min(1).max(64)).optional(),
    min_snr_db: z.coerce.number().finite().min(-100).max(200).optional(),
    limit: limitSchema,
    cursor: cursorSchema.optional(),
  })
  .refine(
    (q) => q.freq_min_hz === undefined || q.freq_max_hz === undefined || q.freq_min_hz <= q.freq_max_hz,
    {
      message: 'freq_min_hz must not be above freq_max_hz',
      path: ['freq_min_hz'],
    },
  )
  .refine((q) => q.from === undefined || q.to === undefined || Date.parse(q.from) <= Date.parse(q.to), {
    message: 'from must not be after to',
    path: ['from'],
  });
export type DetectionQuery = z.infer<typeof detectionQuerySchema>;
