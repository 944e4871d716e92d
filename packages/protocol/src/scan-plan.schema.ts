/**
 * Scan plans: what a node monitors. The server keeps the desired plan of each node (from the plan
 * rolled out to its groups); the agent reports the plan it runs. Frequencies in Hz.
 */
import { z } from 'zod';
import { isoTimeSchema } from './time.schema.ts';

export const scanBandSchema = z
  .object({
    name: z.string().min(1).max(64).optional(),
    center_hz: z.number().positive().max(1e11),
    /** Span to monitor; wider than the receiver's sample rate makes the agent sweep in hops. */
    span_hz: z.number().positive().max(1e10),
    fft_size: z
      .number()
      .int()
      .min(16)
      .max(1 << 20)
      .refine((n) => (n & (n - 1)) === 0, 'must be a power of two'),
    frames_per_second: z.number().positive().max(100),
    /** Welch segments averaged into one frame. */
    averaging: z.number().int().min(1).max(10000),
    /** Detection threshold above the noise floor, dB. */
    threshold_db: z.number().min(0).max(60),
  })
  .strict();
export type ScanBandSpec = z.infer<typeof scanBandSchema>;

/** A plan as an operator writes it. */
export const scanPlanInputSchema = z
  .object({
    name: z.string().min(1).max(128),
    bands: z.array(scanBandSchema).min(1).max(64),
    /** Node groups the plan is rolled out to. */
    target_groups: z.array(z.string().min(1).max(64)).max(64).default([]),
  })
  .strict();
export type ScanPlanInput = z.infer<typeof scanPlanInputSchema>;

export const scanPlanSchema = scanPlanInputSchema.extend({
  id: z.uuid(),
  version: z.number().int().positive(),
  created_at: isoTimeSchema,
});
export type ScanPlanSpec = z.infer<typeof scanPlanSchema>;

/** The plan an agent says it runs (`id` null for a plan given on its command line). */
export const reportedScanPlanSchema = z
  .object({
    id: z.uuid().nullable(),
    version: z.number().int().nonnegative(),
    bands: z.array(scanBandSchema).max(64),
  })
  .strict();
export type ReportedScanPlan = z.infer<typeof reportedScanPlanSchema>;

/** `GET /api/v1/nodes/:id/scan-plan`: desired (null when no plan targets the node) and reported. */
export const nodeScanPlanSchema = z.object({
  desired: scanPlanSchema.nullable(),
  reported: reportedScanPlanSchema.nullable(),
  reported_at: isoTimeSchema.nullable(),
});
export type NodeScanPlan = z.infer<typeof nodeScanPlanSchema>;
