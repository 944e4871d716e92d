/**
 * Jobs the server schedules on nodes: scans, recordings, localization captures. An operator
 * creates them (`POST /api/v1/jobs`, or `POST /api/v1/localizations` for a set of captures); the
 * node polls `GET /api/v1/nodes/:id/jobs?status=queued` and reports progress with
 * `POST /api/v1/jobs/:id/status`. States: queued -> running -> succeeded | failed; an operator may
 * cancel any job that has not finished.
 */
import { z } from 'zod';
import { cursorSchema, limitSchema, pageSchema } from './page.schema.ts';
import { queryListOf } from './query-list.schema.ts';
import { scanBandSchema } from './scan-plan.schema.ts';
import { isoTimeSchema } from './time.schema.ts';

export const jobStatusSchema = z.enum(['queued', 'assigned', 'running', 'succeeded', 'failed', 'cancelled']);
export type JobStatus = z.infer<typeof jobStatusSchema>;

/** States a job never leaves. */
export const FINAL_JOB_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled'];

export const jobKindSchema = z.enum(['scan', 'recording', 'localization-capture']);
export type JobKind = z.infer<typeof jobKindSchema>;

export const jobSchema = z.object({
  id: z.uuid(),
  kind: jobKindSchema,
  status: jobStatusSchema,
  node_id: z.uuid().nullable(),
  params: z.record(z.string(), z.unknown()),
  /** What the node reported when it succeeded (kind-specific). */
  result: z.record(z.string(), z.unknown()).nullable(),
  error: z.string().nullable(),
  /** The user who asked for it (null for jobs the server made). */
  created_by: z.uuid().nullable(),
  created_at: isoTimeSchema,
  updated_at: isoTimeSchema,
  started_at: isoTimeSchema.nullable(),
  finished_at: isoTimeSchema.nullable(),
});
export type Job = z.infer<typeof jobSchema>;

export const jobPageSchema = pageSchema(jobSchema);

/** Scan the bands for a while (then go back to the node's scan plan). */
export const scanJobParamsSchema = z
  .object({
    bands: z.array(scanBandSchema).min(1).max(64),
    duration_s: z
      .number()
      .positive()
      .max(7 * 86_400),
  })
  .strict();

/** Record raw IQ into a SigMF recording on the node. */
export const recordingJobParamsSchema = z
  .object({
    center_hz: z.number().positive().max(1e11),
    sample_rate_hz: z.number().positive().max(1e9),
    duration_s: z.number().positive().max(3600),
    /** When to start (default: as soon as the node picks the job up). */
    start_time: isoTimeSchema.optional(),
  })
  .strict();

/**
 * Capture IQ at one agreed moment for a localization and upload it with
 * `POST /api/v1/jobs/:id/snippet` (the server makes these jobs from `POST /api/v1/localizations`).
 */
export const localizationCaptureParamsSchema = z
  .object({
    localization_id: z.uuid(),
    /** Tune here (the signal's centre). */
    center_hz: z.number().positive().max(1e11),
    /** Capture at least this sample rate (above the signal's bandwidth). */
    sample_rate_hz: z.number().positive().max(1e9),
    freq_hz: z.number().positive().max(1e11),
    bandwidth_hz: z.number().positive().max(1e9),
    /** The first sample should be taken at this instant (GPS time when the clock allows). */
    capture_time: isoTimeSchema,
    duration_ms: z.number().int().positive().max(10_000),
  })
  .strict();

/** `POST /api/v1/jobs` body: the kind decides the params. */
export const jobInputSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('scan'), node_id: z.uuid(), params: scanJobParamsSchema }).strict(),
  z.object({ kind: z.literal('recording'), node_id: z.uuid(), params: recordingJobParamsSchema }).strict(),
]);
export type JobInput = z.infer<typeof jobInputSchema>;

/** `GET /api/v1/jobs` query string (lists: `a,b` or repeated keys). Newest first. */
export const jobQuerySchema = z.object({
  status: queryListOf(jobStatusSchema).optional(),
  kind: queryListOf(jobKindSchema).optional(),
  node_id: queryListOf(z.uuid()).optional(),
  limit: limitSchema,
  cursor: cursorSchema.optional(),
});
export type JobQuery = z.infer<typeof jobQuerySchema>;

/** `GET /api/v1/nodes/:id/jobs` query string: the node's jobs, oldest first (work in order). */
export const nodeJobQuerySchema = z.object({
  status: queryListOf(jobStatusSchema).optional(),
  limit: limitSchema,
});
export type NodeJobQuery = z.infer<typeof nodeJobQuerySchema>;

/** `POST /api/v1/jobs/:id/status` body: a node's progress on its own job. */
export const jobStatusUpdateSchema = z
  .object({
    status: z.enum(['running', 'succeeded', 'failed']),
    result: z.record(z.string(), z.unknown()).optional(),
    error: z.string().min(1).max(4000).optional(),
  })
  .strict()
  .refine((u) => u.status !== 'failed' || u.error !== undefined, {
    message: 'a failed job needs an error saying what went wrong',
    path: ['error'],
  })
  .refine((u) => u.status === 'failed' || u.error === undefined, {
    message: 'only a failed job has an error',
    path: ['error'],
  });
export type JobStatusUpdate = z.infer<typeof jobStatusUpdateSchema>;
