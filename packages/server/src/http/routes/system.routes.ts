/** Liveness, readiness, metrics and the API description. */
import { DOCS_PAGE } from '../docs-page.ts';
import { healthSchema, readySchema } from '../api.schema.ts';
import { reply, route, type Route } from '../route.ts';

export interface SystemDeps {
  /** Database and bus checks for `/ready`. */
  readonly ready: () => Promise<{ database: boolean; bus: boolean }>;
  readonly metrics: () => Promise<{ text: string; contentType: string }>;
  readonly openApi: () => unknown;
}

export function systemRoutes(deps: SystemDeps): Route[] {
  return [
    route({
      method: 'GET',
      url: '/health',
      role: 'public',
      tag: 'system',
      summary: 'Liveness: the process answers.',
      schema: { response: healthSchema },
      handler: async () => ({ status: 'ok' }),
    }),
    route({
      method: 'GET',
      url: '/ready',
      role: 'public',
      tag: 'system',
      summary: 'Readiness: the database and the bus are reachable (503 when not).',
      schema: { response: readySchema },
      handler: async () => {
        const r = await deps.ready();
        const ok = r.database && r.bus;
        return reply({
          status: ok ? 200 : 503,
          body: {
            status: ok ? 'ready' : 'unavailable',
            checks: { database: r.database ? 'ok' : 'failed', bus: r.bus ? 'ok' : 'failed' },
          },
        });
      },
    }),
    route({
      method: 'GET',
      url: '/metrics',
      role: 'public',
      tag: 'system',
      summary: 'Prometheus metrics (text exposition format).',
      produces: 'text/plain',
      schema: {},
      handler: async () => {
        const m = await deps.metrics();
        return reply({ body: m.text, contentType: m.contentType });
      },
    }),
    route({
      method: 'GET',
      url: '/openapi.json',
      role: 'public',
      tag: 'system',
      summary: 'This API, as OpenAPI 3.1.',
      produces: 'application/json',
      schema: {},
      handler: async () => deps.openApi(),
    }),
    route({
      method: 'GET',
      url: '/docs',
      role: 'public',
      tag: 'system',
      summary: 'API documentation page (renders /openapi.json).',
      produces: 'text/html',
      schema: {},
      handler: async () => reply({ body: DOCS_PAGE, contentType: 'text/html; charset=utf-8' }),
    }),
  ];
}
