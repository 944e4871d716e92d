/** Anomalies: departures from what is normal for a node, band and hour. */
import { z } from 'zod';
import { cursorSchema, limitSchema, pageSchema } from './page.schema.ts';
import { queryBooleanSchema, queryListOf } from './query-list.schema.ts';
import { isoTimeSchema } from './time.schema.ts';

export const anomalySeveritySchema = z.enum(['low', 'medium', 'high']);
export type AnomalySeverity = z.infer<typeof anomalySeveritySchema>;

export const anomalySchema = z.object({
  id: z.uuid(),
  /** The node that saw it first (or the only one); null for a fleet-wide anomaly. */
  node_id: z.uuid().nullable(),
  /** Every node that saw it: an anomaly seen at several nodes is one event. */
  node_ids: z.array(z.uuid()),
  time: isoTimeSchema,
  end_time: isoTimeSchema.nullable(),
  freq_low_hz: z.number().nullable(),
  freq_high_hz: z.number().nullable(),
  /** What kind of departure, e.g. `new_emitter`, `power_jump`, `missing_carrier`. */
  kind: z.string().min(1).max(64),
  /** How unusual, higher is stranger (model-specific scale). */
  score: z.number(),
  severity: anomalySeveritySchema,
  /** One or two sentences for an operator: what departed from what. */
  explanation: z.string(),
  details: z.record(z.string(), z.unknown()),
  /** When an operator acknowledged it (null while open). */
  acknowledged_at: isoTimeSchema.nullable(),
  /** Username of who acknowledged it. */
  acknowledged_by: z.string().nullable(),
  ack_comment: z.string().nullable(),
});
export type Anomaly = z.infer<typeof anomalySchema>;

export const anomalyPageSchema = pageSchema(anomalySchema);

const hz = z.coerce.number().finite().min(0).max(1e12);

/**
 * `GET /api/v1/anomalies` query string. An anomaly matches when it was seen by one of the nodes,
 * is of one of the kinds and severities, scores at least `min_score`, overlaps the time and
 * frequency ranges, and is (or is not) acknowledged.
 */
export const anomalyQuerySchema = z
  .object({
    node_id: queryListOf(z.uuid()).optional(),
    kind: queryListOf(z.string().min(1).max(64)).optional(),
    severity: queryListOf(anomalySeveritySchema).optional(),
    min_score: z.coerce.number().finite().optional(),
    from: isoTimeSchema.optional(),
    to: isoTimeSchema.optional(),
    freq_min_hz: hz.optional(),
    freq_max_hz: hz.optional(),
    acknowledged: queryBooleanSchema.optional(),
    limit: limitSchema,
    cursor: cursorSchema.optional(),
  })
  .refine(
    (q) => q.freq_min_hz === undefined || q.freq_max_hz === undefined || q.freq_min_hz <= q.freq_max_hz,
    { message: 'freq_min_hz must not be above freq_max_hz', path: ['freq_min_hz'] },
  )
  .refine((q) => q.from === undefined || q.to === undefined || Date.parse(q.from) <= Date.parse(q.to), {
    message: 'from must not be after to',
    path: ['from'],
  });
export type AnomalyQuery = z.infer<typeof anomalyQuerySchema>;

/** `POST /api/v1/anomalies/:id/ack` body. */
export const anomalyAckSchema = z.object({
  comment: z.string().max(2000).optional(),
});
export type AnomalyAck = z.infer<typeof anomalyAckSchema>;
