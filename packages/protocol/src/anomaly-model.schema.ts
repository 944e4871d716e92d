/** The anomaly model registry: versions of each node's model, which one is active, rollback. */
import { z } from 'zod';

/** One version of a node's anomaly model, as the registry lists it (without the model itself). */
export const anomalyModelVersionSchema = z.object({
  id: z.uuid(),
  node_id: z.uuid(),
  /** 1, 2, 3, ... per node, in the order the versions were trained. */
  version: z.number().int().min(1),
  /** The model-file format version it was written with. */
  format_version: z.number().int(),
  /** The frequency plan it was learned on: `centre_hz:sample_rate_hz:fft_size`. */
  plan_key: z.string(),
  /** Training window (the data the model learned from). */
  training_from: z.string(),
  training_to: z.string(),
  /** Measured on held-out normal data (false alarms by severity, per day). */
  metrics: z.record(z.string(), z.unknown()),
  /** The version the engine monitors the node with (one per node). */
  active: z.boolean(),
  created_at: z.string(),
  /** The user who made it; null when the engine trained it on its own. */
  created_by: z.string().nullable(),
});
export type AnomalyModelVersion = z.infer<typeof anomalyModelVersionSchema>;

export const anomalyModelListSchema = z.object({ items: z.array(anomalyModelVersionSchema) });

/** `GET /api/v1/anomaly-models` query string. */
export const anomalyModelQuerySchema = z.object({ node: z.uuid().optional() });
