/** Localizations: request a fix, follow it, and the nodes' snippet uploads. */
import {
  localizationPageSchema,
  localizationQuerySchema,
  localizationRequestSchema,
  localizationSchema,
  snippetQuerySchema,
  snippetReceiptSchema,
} from '@heimdall/protocol';
import type { LocalizationService } from '../../localization/localization.service.ts';
import { idParamsSchema } from '../api.schema.ts';
import { route, type Route } from '../route.ts';

export function localizationRoutes(localizations: LocalizationService): Route[] {
  return [
    route({
      method: 'POST',
      url: '/api/v1/localizations',
      role: 'operator',
      tag: 'localizations',
      summary:
        'Locate an emitter: every chosen node captures IQ at capture_time and uploads it; the fix follows (TDOA or power).',
      status: 201,
      schema: { body: localizationRequestSchema, response: localizationSchema },
      handler: ({ principal, body }) => localizations.request(principal, body),
    }),
    route({
      method: 'GET',
      url: '/api/v1/localizations',
      role: 'viewer',
      tag: 'localizations',
      summary: 'Localizations, newest first.',
      schema: { querystring: localizationQuerySchema, response: localizationPageSchema },
      handler: ({ query }) => localizations.list(query),
    }),
    route({
      method: 'GET',
      url: '/api/v1/localizations/:id',
      role: 'viewer',
      tag: 'localizations',
      summary: 'One localization: status, and the fix with its 95 % error ellipse once completed.',
      schema: { params: idParamsSchema, response: localizationSchema },
      handler: ({ params }) => localizations.get(params.id),
    }),
    route({
      method: 'POST',
      url: '/api/v1/jobs/:id/snippet',
      role: 'node',
      tag: 'localizations',
      summary:
        'A node uploads the IQ of its localization-capture job: cf32 body (at most 8 MiB), sample_rate, center_hz and capture_time_ns in the query.',
      binaryBody: true,
      schema: { params: idParamsSchema, querystring: snippetQuerySchema, response: snippetReceiptSchema },
      handler: ({ principal, params, query, rawBody }) =>
        localizations.snippet(principal, params.id, query, rawBody),
    }),
  ];
}
