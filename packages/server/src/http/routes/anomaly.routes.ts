/** Anomalies: list, read, acknowledge. */
import { anomalyAckSchema, anomalyPageSchema, anomalyQuerySchema, anomalySchema } from '@heimdall/protocol';
import type { AnomalyService } from '../../anomalies/anomaly.service.ts';
import { idParamsSchema } from '../api.schema.ts';
import { route, type Route } from '../route.ts';

export function anomalyRoutes(anomalies: AnomalyService): Route[] {
  return [
    route({
      method: 'GET',
      url: '/api/v1/anomalies',
      role: 'viewer',
      tag: 'anomalies',
      summary:
        'Anomalies, newest first, filtered by node, kind, severity, score, time, frequency and acknowledgement.',
      schema: { querystring: anomalyQuerySchema, response: anomalyPageSchema },
      handler: ({ query }) => anomalies.list(query),
    }),
    route({
      method: 'GET',
      url: '/api/v1/anomalies/:id',
      role: 'viewer',
      tag: 'anomalies',
      summary: 'One anomaly.',
      schema: { params: idParamsSchema, response: anomalySchema },
      handler: ({ params }) => anomalies.get(params.id),
    }),
    route({
      method: 'POST',
      url: '/api/v1/anomalies/:id/ack',
      role: 'operator',
      tag: 'anomalies',
      summary: 'Acknowledge an anomaly (who, when and an optional comment are kept and audit-logged).',
      schema: { params: idParamsSchema, body: anomalyAckSchema, response: anomalySchema },
      handler: ({ principal, params, body }) => anomalies.acknowledge(principal, params.id, body.comment),
    }),
  ];
}
