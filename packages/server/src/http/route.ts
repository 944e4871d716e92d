/**
 * The route table's shape. Every HTTP route of the API is one {@link Route}: its method and URL,
 * the role it needs, the zod schemas that validate its input and describe its output (the same
 * schemas make `/openapi.json`), and a handler that calls one service. `server.ts` registers the
 * table; `routes.test.ts` walks it with every role.
 */
import type { z } from 'zod';
import type { Principal } from '../auth/principal.ts';

/**
 * Who may call a route: `public` anyone; `viewer` < `operator` < `admin` users (a higher role
 * may call a lower role's routes); `node` a node's API key only (never a user token);
 * `viewer-or-node` any user, or a node key (the handler then limits a node to its own data).
 */
export type RouteRole = 'public' | 'viewer' | 'operator' | 'admin' | 'node' | 'viewer-or-node';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface RouteSchemas {
  readonly params?: z.ZodType;
  readonly querystring?: z.ZodType;
  /** JSON body schema; a binary route sets `binaryBody` instead. */
  readonly body?: z.ZodType;
  /** Success response body (JSON); omitted for routes that answer text or binary. */
  readonly response?: z.ZodType;
}

export interface RouteRequest<P, Q, B> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  /** The authenticated caller; `undefined` only on public routes. */
  readonly principal: Principal | undefined;
  /** Client address, for rate limits and the audit log. */
  readonly ip: string;
  /** Raw body bytes of a binary route. */
  readonly rawBody: Uint8Array | undefined;
}

export interface RouteReply {
  readonly status?: number;
  readonly body: unknown;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

type Infer<T> = T extends z.ZodType ? z.infer<T> : undefined;

export interface Route<S extends RouteSchemas = RouteSchemas> {
  readonly method: HttpMethod;
  /** Fastify path, e.g. `/api/v1/nodes/:id`. */
  readonly url: string;
  readonly role: RouteRole;
  /** One line for the docs page. */
  readonly summary: string;
  /** OpenAPI tag (docs section). */
  readonly tag: string;
  readonly schema: S;
  /** Success status (default 200). */
  readonly status?: number;
  /** Accepts `application/octet-stream` bodies (e.g. ingest batches) instead of JSON. */
  readonly binaryBody?: boolean;
  /** Response content type when not JSON (e.g. Prometheus text). */
  readonly produces?: string;
  readonly handler: (
    req: RouteRequest<Infer<S['params']>, Infer<S['querystring']>, Infer<S['body']>>,
  ) => Promise<RouteReply | unknown>;
}

/** Defines a route with its handler typed from its schemas. */
export function route<S extends RouteSchemas>(r: Route<S>): Route {
  return r as unknown as Route;
}

/** Marks a handler result as a full reply (status, headers, content type) rather than a JSON body. */
export function reply(r: RouteReply): RouteReply & { readonly __reply: true } {
  return { ...r, __reply: true };
}

export function isReply(v: unknown): v is RouteReply {
  return typeof v === 'object' && v !== null && (v as { __reply?: unknown }).__reply === true;
}
