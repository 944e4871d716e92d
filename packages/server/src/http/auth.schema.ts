/**
 * Request and response schemas of the auth, user and enrollment routes. (They are API contracts:
 * they belong in @heimdall/protocol beside the node schemas, and move there once that package is open.)
 */
import { capabilitiesSchema, isoTimeSchema, locationSchema, nodeSchema } from '@heimdall/protocol';
import { z } from 'zod';
import { USER_ROLES } from '../auth/principal.ts';

export const loginSchema = z.object({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(1024),
});

export const accessTokenSchema = z.object({
  access_token: z.string(),
  token_type: z.literal('Bearer'),
  /** Seconds until the token expires. */
  expires_in: z.number().int().positive(),
});

const usernameSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.@-]+$/, 'letters, digits and _ . @ - only');
const passwordSchema = z.string().min(8, 'at least 8 characters').max(1024);
export const userRoleSchema = z.enum(USER_ROLES);

export const userSchema = z.object({
  id: z.uuid(),
  username: z.string(),
  role: userRoleSchema,
  disabled: z.boolean(),
  created_at: isoTimeSchema,
});

export const meSchema = z.object({
  kind: z.enum(['user', 'node']),
  id: z.uuid(),
  username: z.string().optional(),
  role: userRoleSchema.optional(),
});

export const userListSchema = z.object({ items: z.array(userSchema) });
export const userCreateSchema = z.object({
  username: usernameSchema,
  password: passwordSchema,
  role: userRoleSchema,
});
export const userUpdateSchema = z
  .object({ role: userRoleSchema, password: passwordSchema, disabled: z.boolean() })
  .partial();
export const idParamsSchema = z.object({ id: z.uuid() });

export const auditLogQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) });
export const auditLogSchema = z.object({
  items: z.array(
    z.object({
      time: isoTimeSchema,
      actor_type: z.string(),
      actor_id: z.string().nullable(),
      action: z.string(),
      target: z.string().nullable(),
      details: z.record(z.string(), z.unknown()),
    }),
  ),
});

const labelSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only');
export const enrollmentTokenRequestSchema = z.object({
  /** When set, the node must enroll with exactly this name. */
  node_name: z.string().min(1).max(128).optional(),
  groups: z.array(labelSchema).max(32).optional(),
  tags: z.array(labelSchema).max(64).optional(),
  ttl_seconds: z
    .number()
    .int()
    .min(60)
    .max(30 * 86_400)
    .optional(),
});
export const enrollmentTokenSchema = z.object({ token: z.string(), expires_at: isoTimeSchema });

export const enrollSchema = z.object({
  token: z.string().min(1).max(256),
  name: z.string().min(1).max(128),
  location: locationSchema.nullable().optional(),
  capabilities: capabilitiesSchema.optional(),
});
export const enrollResultSchema = z.object({
  node_id: z.uuid(),
  /** The node's API key: shown once, stored only as a hash. */
  api_key: z.string(),
  node: nodeSchema,
});

export const ingestReceiptSchema = z.object({
  node_id: z.uuid(),
  accepted: z.number().int().nonnegative(),
  duplicates: z.number().int().nonnegative(),
  /** Every sequence below this one is stored. */
  next_sequence: z.number().int().nonnegative(),
  /** Stored sequences at or above next_sequence. */
  acked: z.array(z.number().int().nonnegative()),
});

export const healthSchema = z.object({ status: z.literal('ok') });
export const readySchema = z.object({
  status: z.enum(['ready', 'unavailable']),
  checks: z.object({ database: z.enum(['ok', 'failed']), bus: z.enum(['ok', 'failed']) }),
});

const count = z.number().int().nonnegative();
export const statsSchema = z.object({
  nodes: z.object({ total: count, online: count }),
  detections: count,
  ingest: z.object({ frames_received: count, duplicates: count, sequence_gaps: count }),
  spectrum: z.object({ bands: count, tiles: count, stored_bytes: count }),
});
