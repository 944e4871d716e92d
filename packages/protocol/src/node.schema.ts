/** Receiver nodes as the REST API shows them (`GET /api/v1/nodes`). */
import { z } from 'zod';
import { clockSourceSchema } from './heartbeat.schema.ts';
import { cursorSchema, limitSchema, pageSchema } from './page.schema.ts';
import { isoTimeSchema } from './time.schema.ts';

export const nodeStatusSchema = z.enum(['online', 'offline']);
export type NodeStatus = z.infer<typeof nodeStatusSchema>;

/** Where a node's antenna is: WGS 84 degrees, metres above the ellipsoid. */
export const locationSchema = z.object({
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
  alt_m: z.number().nullable(),
});
export type Location = z.infer<typeof locationSchema>;

/** What a node's receivers can do (free-form per driver; the known keys are typed). */
export const capabilitiesSchema = z
  .object({
    receivers: z.array(z.string()).optional(),
    freq_min_hz: z.number().optional(),
    freq_max_hz: z.number().optional(),
    max_sample_rate_hz: z.number().optional(),
  })
  .catchall(z.unknown());

/** A node group or tag: a short name for filters and scan plans. */
export const labelSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only');

/** Per-node ingest counters (all message kinds). */
export const ingestCountersSchema = z.object({
  frames_received: z.number().int().nonnegative(),
  duplicates: z.number().int().nonnegative(),
  sequence_gaps: z.number().int().nonnegative(),
});
export type IngestCounters = z.infer<typeof ingestCountersSchema>;

/** A node's latest heartbeat, as the node list shows it (null before the first one). */
export const nodeHealthSchema = z.object({
  /** When the agent measured it. */
  time: isoTimeSchema,
  cpu_percent: z.number().nullable(),
  memory_used_bytes: z.number().int().nonnegative().nullable(),
  memory_total_bytes: z.number().int().nonnegative().nullable(),
  disk_free_bytes: z.number().int().nonnegative().nullable(),
  temperature_c: z.number().nullable(),
  clock_source: clockSourceSchema,
  clock_offset_ms: z.number().nullable(),
  agent_version: z.string().nullable(),
  receiver_state: z.enum(['connecting', 'streaming', 'stalled', 'error', 'stopped']).nullable(),
  receiver_message: z.string().nullable(),
  /** Frames waiting in the agent's spool, and their bytes. */
  spool_frames: z.number().int().nonnegative().nullable(),
  spool_bytes: z.number().int().nonnegative().nullable(),
});
export type NodeHealth = z.infer<typeof nodeHealthSchema>;

export const nodeSchema = z.object({
  id: z.uuid(),
  name: z.string().min(1).max(128),
  status: nodeStatusSchema,
  location: locationSchema.nullable(),
  capabilities: capabilitiesSchema,
  groups: z.array(labelSchema),
  tags: z.array(labelSchema),
  last_heartbeat_at: isoTimeSchema.nullable(),
  ingest: ingestCountersSchema,
  /** The latest heartbeat's values (null before the first; absent where not read). */
  health: nodeHealthSchema.nullable().optional(),
  created_at: isoTimeSchema,
});
export type Node = z.infer<typeof nodeSchema>;

export const nodePageSchema = pageSchema(nodeSchema);

/** `GET /api/v1/nodes` query string. */
export const nodeQuerySchema = z.object({
  status: nodeStatusSchema.optional(),
  group: labelSchema.optional(),
  tag: labelSchema.optional(),
  limit: limitSchema,
  cursor: cursorSchema.optional(),
});
export type NodeQuery = z.infer<typeof nodeQuerySchema>;

/** Fields an operator may change on a node (`PATCH /api/v1/nodes/:id`). */
export const nodeUpdateSchema = z
  .object({
    name: z.string().min(1).max(128),
    location: locationSchema.nullable(),
    groups: z.array(labelSchema).max(32),
    tags: z.array(labelSchema).max(64),
  })
  .partial();
export type NodeUpdate = z.infer<typeof nodeUpdateSchema>;
