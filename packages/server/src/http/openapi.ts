/**
 * OpenAPI 3.1 from the route table: the same zod schemas that validate requests describe them
 * (`z.toJSONSchema`, JSON Schema 2020-12, which OpenAPI 3.1 uses as is).
 */
import { z } from 'zod';
import type { Route } from './route.ts';

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const s = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  delete s['$schema'];
  return s;
}

const errorSchema: JsonSchema = {
  type: 'object',
  properties: {
    error: { type: 'string', description: 'What was wrong.' },
    field: { type: 'string', description: 'The parameter or field at fault.' },
    fix: { type: 'string', description: 'What to do about it.' },
    correlation_id: { type: 'string', description: 'For 5xx: quote it when reporting the problem.' },
  },
  required: ['error'],
};

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): JsonSchema[] {
  if (schema === undefined) return [];
  const s = jsonSchema(schema, 'input');
  const props = (s['properties'] ?? {}) as Record<string, JsonSchema>;
  const required = new Set((s['required'] ?? []) as string[]);
  return Object.entries(props).map(([name, p]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    ...(typeof p['description'] === 'string' ? { description: p['description'] } : {}),
    schema: p,
  }));
}

const ROLE_TEXT: Readonly<Record<Route['role'], string>> = {
  public: 'No authentication.',
  viewer: 'Needs a user token with role viewer, operator or admin.',
  operator: 'Needs a user token with role operator or admin.',
  admin: 'Needs a user token with role admin.',
  node: "Needs a node's API key (own node only).",
  'viewer-or-node': "Needs a user token (any role), or a node's API key (own node only).",
};

/** A WebSocket endpoint, documented as the GET that upgrades. */
export interface SocketDoc {
  readonly url: string;
  readonly role: Route['role'];
  readonly summary: string;
}

export function buildOpenApi(
  routes: readonly Route[],
  info: { version: string },
  sockets: readonly SocketDoc[] = [],
): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const sk of sockets) {
    paths[sk.url] = {
      get: {
        operationId: `socket${sk.url.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
        summary: sk.summary,
        description: `WebSocket (send Connection: Upgrade). ${ROLE_TEXT[sk.role]}`,
        tags: ['websocket'],
        'x-role': sk.role,
        security: [{ bearer: [] }],
        responses: {
          '101': { description: 'Switching to the WebSocket protocol.' },
          '401': {
            description: 'Missing or bad credentials.',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
          },
          '403': {
            description: 'The caller may not use this socket.',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
          },
        },
      },
    };
  }
  for (const r of routes) {
    const path = r.url.replace(/:([A-Za-z_]+)/g, '{$1}');
    const status = String(r.status ?? 200);
    const responses: Record<string, JsonSchema> = {
      [status]: {
        description: 'Success.',
        ...(r.schema.response !== undefined
          ? { content: { 'application/json': { schema: jsonSchema(r.schema.response, 'output') } } }
          : r.produces !== undefined
            ? { content: { [r.produces]: { schema: { type: 'string' } } } }
            : {}),
      },
      '400': {
        description: 'Invalid input.',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      },
      '500': {
        description: 'Internal error.',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      },
    };
    if (r.role !== 'public') {
      responses['401'] = {
        description: 'Missing or bad credentials.',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      };
      responses['403'] = {
        description: 'The caller may not do this.',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      };
    }
    const op: JsonSchema = {
      operationId: `${r.method.toLowerCase()}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
      summary: r.summary,
      description: ROLE_TEXT[r.role],
      tags: [r.tag],
      'x-role': r.role,
      parameters: [...parameters(r.schema.params, 'path'), ...parameters(r.schema.querystring, 'query')],
      responses,
      ...(r.role === 'public' ? { security: [] } : { security: [{ bearer: [] }] }),
    };
    if (r.schema.body !== undefined) {
      op['requestBody'] = {
        required: true,
        content: { 'application/json': { schema: jsonSchema(r.schema.body, 'input') } },
      };
    } else if (r.binaryBody === true) {
      op['requestBody'] = {
        required: true,
        content: {
          'application/octet-stream': {
            schema: { type: 'string', contentMediaType: 'application/octet-stream' },
          },
        },
      };
    }
    (paths[path] ??= {})[r.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Heimdall API',
      version: info.version,
      description: 'Radio-spectrum monitoring: nodes, ingest, detections, spectrum history, live data.',
    },
    servers: [{ url: '/' }],
    paths,
    components: {
      schemas: { Error: errorSchema },
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'A user access token (POST /api/v1/auth/login) or a node API key.',
        },
      },
    },
  };
}
