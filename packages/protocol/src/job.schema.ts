/** Jobs the server schedules on nodes: scans, recordings, localizations. */
import { z } from 'zod';
import { isoTimeSchema } from './time.schema.ts';

export const jobStatusSchema = z.enum(['queued', 'assigned', 'running', 'succeeded', 'failed', 'cancelled']);
export type JobStatus = z.infer<typeof jobStatusSchema>;

export const jobSchema = z.object({
  id: z.uuid(),
  kind: z.string().min(1).max(64),
  status: jobStatusSchema,
  node_id: z.uuid().nullable(),
  params: z.record(z.string(), z.unknown()),
  error: z.string().nullable(),
  created_at: isoTimeSchema,
  updated_at: isoTimeSchema,
});
export type Job = z.infer<typeof jobSchema>;
