/** Sign-in, the caller's identity, user accounts (admins) and the audit log. */
import {
  accessTokenSchema,
  auditLogQuerySchema,
  auditLogSchema,
  loginSchema,
  meSchema,
  userCreateSchema,
  userListSchema,
  userSchema,
  userUpdateSchema,
} from '@heimdall/protocol';
import type { AuthService } from '../../auth/auth.service.ts';
import { unauthenticated } from '../../errors.ts';
import { idParamsSchema } from '../api.schema.ts';
import { reply, route, type Route } from '../route.ts';

export function authRoutes(auth: AuthService): Route[] {
  return [
    route({
      method: 'POST',
      url: '/api/v1/auth/login',
      role: 'public',
      tag: 'auth',
      summary: 'Sign in: a short-lived access token (rate-limited per username and address).',
      schema: { body: loginSchema, response: accessTokenSchema },
      handler: ({ body, ip }) => auth.login(body.username, body.password, ip),
    }),
    route({
      method: 'GET',
      url: '/api/v1/auth/me',
      role: 'viewer',
      tag: 'auth',
      summary: 'Who the token belongs to.',
      schema: { response: meSchema },
      handler: async ({ principal }) => {
        if (principal?.kind !== 'user') throw unauthenticated();
        return { kind: 'user', id: principal.userId, username: principal.username, role: principal.role };
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/users',
      role: 'admin',
      tag: 'users',
      summary: 'List users.',
      schema: { response: userListSchema },
      handler: async () => ({ items: await auth.listUsers() }),
    }),
    route({
      method: 'POST',
      url: '/api/v1/users',
      role: 'admin',
      tag: 'users',
      summary: 'Create a user.',
      status: 201,
      schema: { body: userCreateSchema, response: userSchema },
      handler: ({ principal, body }) => auth.createUser(principal, body),
    }),
    route({
      method: 'GET',
      url: '/api/v1/users/:id',
      role: 'admin',
      tag: 'users',
      summary: 'One user.',
      schema: { params: idParamsSchema, response: userSchema },
      handler: ({ params }) => auth.getUser(params.id),
    }),
    route({
      method: 'PATCH',
      url: '/api/v1/users/:id',
      role: 'admin',
      tag: 'users',
      summary: "Change a user's role or password, or disable it.",
      schema: { params: idParamsSchema, body: userUpdateSchema, response: userSchema },
      handler: ({ principal, params, body }) => auth.updateUser(principal, params.id, body),
    }),
    route({
      method: 'DELETE',
      url: '/api/v1/users/:id',
      role: 'admin',
      tag: 'users',
      summary: 'Delete a user.',
      status: 204,
      schema: { params: idParamsSchema },
      handler: async ({ principal, params }) => {
        await auth.deleteUser(principal, params.id);
        return reply({ status: 204, body: undefined });
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/audit-log',
      role: 'admin',
      tag: 'users',
      summary: 'Logins and administrative actions, newest first.',
      schema: { querystring: auditLogQuerySchema, response: auditLogSchema },
      handler: async ({ query }) => ({ items: await auth.auditLog(query.limit) }),
    }),
  ];
}
