/** The anomaly model registry: list versions, activate one (the rollback). */
import {
  anomalyModelListSchema,
  anomalyModelQuerySchema,
  anomalyModelVersionSchema,
} from '@heimdall/protocol';
import type { AnomalyModelService } from '../../anomalies/anomaly-model.service.ts';
import { idParamsSchema } from '../api.schema.ts';
import { route, type Route } from '../route.ts';

export function anomalyModelRoutes(models: AnomalyModelService): Route[] {
  return [
    route({
      method: 'GET',
      url: '/api/v1/anomaly-models',
      role: 'viewer',
      tag: 'anomalies',
      summary:
        "Versions of the nodes' anomaly models (of one node with ?node=), newest first: training window, metrics, which is active.",
      schema: { querystring: anomalyModelQuerySchema, response: anomalyModelListSchema },
      handler: async ({ query }) => ({ items: await models.list(query.node) }),
    }),
    route({
      method: 'POST',
      url: '/api/v1/anomaly-models/:id/activate',
      role: 'operator',
      tag: 'anomalies',
      summary:
        "Make this version its node's active model (roll back or forward); audit-logged, the engine switches at once.",
      schema: { params: idParamsSchema, response: anomalyModelVersionSchema },
      handler: ({ principal, params }) => models.activate(principal, params.id),
    }),
  ];
}
