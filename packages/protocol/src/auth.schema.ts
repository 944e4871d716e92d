/**
 * Sign-in, user accounts, the audit log and node enrollment as the REST API carries them: the
 * server validates requests and documents answers with these, and clients (the agent's enrollment,
 * the web app) parse the answers with the same schemas.
 */
import { z } from 'zod';
import { capabilitiesSchema, labelSchema, locationSchema, nodeSchema } from './node.schema.ts';
import { isoTimeSchema } from './time.schema.ts';

/** The roles of a user, least to most trusted. */
export const USER_ROLES = ['viewer', 'operator', 'admin'] as const;
export const userRoleSchema = z.enum(USER_ROLES);
export type UserRole = z.infer<typeof userRoleSchema>;

/** `POST /api/v1/auth/login` body. */
export const loginSchema = z.object({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(1024),
});
export type Login = z.infer<typeof loginSchema>;

/** `POST /api/v1/auth/login` answer. */
export const accessTokenSchema = z.object({
  access_token: z.string(),
  token_type: z.literal('Bearer'),
  /** Seconds until the token expires. */
  expires_in: z.number().int().positive(),
});
export type AccessToken = z.infer<typeof accessTokenSchema>;

const usernameSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.@-]+$/, 'letters, digits and _ . @ - only');
const passwordSchema = z.string().min(8, 'at least 8 characters').max(1024);

export const userSchema = z.object({
  id: z.uuid(),
  username: z.string(),
  role: userRoleSchema,
  disabled: z.boolean(),
  created_at: isoTimeSchema,
});
export type User = z.infer<typeof userSchema>;

/** `GET /api/v1/auth/me`: who the credential belongs to. */
export const meSchema = z.object({
  kind: z.enum(['user', 'node']),
  id: z.uuid(),
  username: z.string().optional(),
  role: userRoleSchema.optional(),
});
export type Me = z.infer<typeof meSchema>;

export const userListSchema = z.object({ items: z.array(userSchema) });

/** `POST /api/v1/users` body. */
export const userCreateSchema = z.object({
  username: usernameSchema,
  password: passwordSchema,
  role: userRoleSchema,
});
export type UserCreate = z.infer<typeof userCreateSchema>;

/** `PATCH /api/v1/users/:id` body. */
export const userUpdateSchema = z
  .object({ role: userRoleSchema, password: passwordSchema, disabled: z.boolean() })
  .partial();
export type UserUpdate = z.infer<typeof userUpdateSchema>;

/** `GET /api/v1/audit-log` query string. */
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
export type AuditLog = z.infer<typeof auditLogSchema>;

/** `POST /api/v1/enrollment-tokens` body: what the node enrolled with the token will be. */
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
export type EnrollmentTokenRequest = z.infer<typeof enrollmentTokenRequestSchema>;

/** `POST /api/v1/enrollment-tokens` answer: the one-time token to give the node. */
export const enrollmentTokenSchema = z.object({ token: z.string(), expires_at: isoTimeSchema });
export type EnrollmentToken = z.infer<typeof enrollmentTokenSchema>;

/** `POST /api/v1/enroll` body, sent by the agent. */
export const enrollSchema = z.object({
  token: z.string().min(1).max(256),
  name: z.string().min(1).max(128),
  location: locationSchema.nullable().optional(),
  capabilities: capabilitiesSchema.optional(),
});
export type Enroll = z.infer<typeof enrollSchema>;

/** `POST /api/v1/enroll` answer. */
export const enrollResultSchema = z.object({
  node_id: z.uuid(),
  /** The node's API key: shown once, stored only as a hash. */
  api_key: z.string(),
  node: nodeSchema,
});
export type EnrollResult = z.infer<typeof enrollResultSchema>;
