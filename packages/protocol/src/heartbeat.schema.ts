/** Node health reports: what an agent sends, and what the REST API shows. */
import { z } from 'zod';
import { cursorSchema, limitSchema, pageSchema } from './page.schema.ts';
import { isoTimeSchema } from './time.schema.ts';

export const clockSourceSchema = z.enum(['gps', 'pps', 'ptp', 'ntp', 'system', 'unknown']);
export type ClockSource = z.infer<typeof clockSourceSchema>;

/** What an agent reports; the node comes from its credentials, not from the body. */
export const heartbeatInputSchema = z.object({
  time: isoTimeSchema,
  cpu_percent: z.number().min(0).max(100).nullable(),
  memory_used_bytes: z.number().int().nonnegative().nullable(),
  memory_total_bytes: z.number().int().nonnegative().nullable(),
  disk_free_bytes: z.number().int().nonnegative().nullable(),
  temperature_c: z.number().min(-100).max(200).nullable(),
  /** Samples the receiver dropped since the previous heartbeat. */
  sample_drops: z.number().int().nonnegative(),
  clock_source: clockSourceSchema,
  /** Estimated offset of the node clock from true time, ms (positive: node ahead). */
  clock_offset_ms: z.number().nullable(),
  /** Version of the agent software that sent it. */
  agent_version: z.string().min(1).max(64).nullable().optional(),
  /** What the receiver is doing: connecting, streaming, stalled, error, stopped. */
  receiver_state: z.enum(['connecting', 'streaming', 'stalled', 'error', 'stopped']).nullable().optional(),
  /** Why, when not streaming (one sentence). */
  receiver_message: z.string().max(500).nullable().optional(),
  /** Times the edge could not keep up and discarded input, since the previous heartbeat. */
  overruns: z.number().int().nonnegative().optional(),
  /** Frames waiting in the agent's spool for the server's ack, and their bytes. */
  spool_frames: z.number().int().nonnegative().nullable().optional(),
  spool_bytes: z.number().int().nonnegative().nullable().optional(),
  /**
   * Frames the spool dropped since the previous heartbeat: the oldest because it was full, or one
   * the server kept refusing as malformed (moved to the spool's quarantine file).
   */
  spool_dropped: z.number().int().nonnegative().optional(),
});
export type HeartbeatInput = z.infer<typeof heartbeatInputSchema>;

export const heartbeatSchema = heartbeatInputSchema.extend({
  node_id: z.uuid(),
  received_at: isoTimeSchema,
});
export type Heartbeat = z.infer<typeof heartbeatSchema>;

export const heartbeatPageSchema = pageSchema(heartbeatSchema);

/** `GET /api/v1/nodes/:id/heartbeats` query string. */
export const heartbeatQuerySchema = z
  .object({
    from: isoTimeSchema.optional(),
    to: isoTimeSchema.optional(),
    limit: limitSchema,
    cursor: cursorSchema.optional(),
  })
  .refine((q) => q.from === undefined || q.to === undefined || Date.parse(q.from) <= Date.parse(q.to), {
    message: 'from must not be after to',
    path: ['from'],
  });
export type HeartbeatQuery = z.infer<typeof heartbeatQuerySchema>;
