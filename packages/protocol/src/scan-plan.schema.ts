/**
 * Scan plans: what a node monitors. The server keeps the desired plan of each node (from the plan
 * rolled out to its groups); the agent reports the plan it runs. Frequencies in Hz.
 */
import { z } from 'zod';
import { cursorSchema, limitSchema, pageSchema } from './page.schema.ts';
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

/** `GET /api/v1/scan-plans`: newest first; `name` narrows to the versions of one plan. */
export const scanPlanQuerySchema = z.object({
  name: z.string().min(1).max(128).optional(),
  limit: limitSchema,
  cursor: cursorSchema.optional(),
});
export type ScanPlanQuery = z.infer<typeof scanPlanQuerySchema>;

export const scanPlanPageSchema = pageSchema(scanPlanSchema);

/** Where one target node of a plan stands in its rollout. */
export const rolloutStateSchema = z.enum([
  /** The node reports the plan version it should run. */
  'in_sync',
  /** The node should run this plan version and does not report it yet. */
  'pending',
  /** The node is in a target group but another plan takes precedence for it. */
  'other_plan',
]);
export type RolloutState = z.infer<typeof rolloutStateSchema>;

const planRefSchema = z.object({ id: z.uuid(), name: z.string(), version: z.number().int().positive() });

/** `GET /api/v1/scan-plans/:id/rollout`: every node in the plan's target groups. */
export const rolloutSchema = z.object({
  plan: planRefSchema,
  nodes: z.array(
    z.object({
      node_id: z.uuid(),
      name: z.string(),
      groups: z.array(z.string()),
      desired: planRefSchema.nullable(),
      reported: z.object({ id: z.uuid().nullable(), version: z.number().int().nonnegative() }).nullable(),
      reported_at: isoTimeSchema.nullable(),
      state: rolloutStateSchema,
    }),
  ),
  summary: z.object({
    total: z.number().int().nonnegative(),
    in_sync: z.number().int().nonnegative(),
    pending: z.number().int().nonnegative(),
    other_plan: z.number().int().nonnegative(),
  }),
});
export type Rollout = z.infer<typeof rolloutSchema>;
