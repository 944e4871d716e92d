/** Anomalies: departures from what is normal for a node, band and hour. */
import { z } from 'zod';
import { pageSchema } from './page.schema.ts';
import { isoTimeSchema } from './time.schema.ts';

export const anomalySchema = z.object({
  id: z.uuid(),
  node_id: z.uuid().nullable(),
  time: isoTimeSchema,
  end_time: isoTimeSchema.nullable(),
  freq_low_hz: z.number().nullable(),
  freq_high_hz: z.number().nullable(),
  /** What kind of departure, e.g. `new_emitter`, `power_jump`, `missing_carrier`. */
  kind: z.string().min(1).max(64),
  /** How unusual, higher is stranger (model-specific scale). */
  score: z.number(),
  details: z.record(z.string(), z.unknown()),
});
export type Anomaly = z.infer<typeof anomalySchema>;

export const anomalyPageSchema = pageSchema(anomalySchema);
