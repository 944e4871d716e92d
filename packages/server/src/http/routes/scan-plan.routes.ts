/** Scan plans, their rollout, and the node-facing desired/reported plan. */
import {
  nodeScanPlanSchema,
  reportedScanPlanSchema,
  rolloutSchema,
  scanPlanInputSchema,
  scanPlanPageSchema,
  scanPlanQuerySchema,
  scanPlanSchema,
} from '@heimdall/protocol';
import type { ScanPlanService } from '../../scan-plans/scan-plan.service.ts';
import { idParamsSchema } from '../api.schema.ts';
import { route, type Route } from '../route.ts';

export function scanPlanRoutes(plans: ScanPlanService): Route[] {
  return [
    route({
      method: 'POST',
      url: '/api/v1/scan-plans',
      role: 'operator',
      tag: 'scan plans',
      summary: 'Create a scan plan; a plan with a known name becomes its next version.',
      status: 201,
      schema: { body: scanPlanInputSchema, response: scanPlanSchema },
      handler: ({ principal, body }) => plans.create(principal, body),
    }),
    route({
      method: 'GET',
      url: '/api/v1/scan-plans',
      role: 'viewer',
      tag: 'scan plans',
      summary: 'Scan plan versions, newest first.',
      schema: { querystring: scanPlanQuerySchema, response: scanPlanPageSchema },
      handler: ({ query }) => plans.list(query),
    }),
    route({
      method: 'GET',
      url: '/api/v1/scan-plans/:id',
      role: 'viewer',
      tag: 'scan plans',
      summary: 'One scan plan version.',
      schema: { params: idParamsSchema, response: scanPlanSchema },
      handler: ({ params }) => plans.get(params.id),
    }),
    route({
      method: 'GET',
      url: '/api/v1/scan-plans/:id/rollout',
      role: 'viewer',
      tag: 'scan plans',
      summary: "The plan's target nodes with their desired and reported plan (in sync, pending, other plan).",
      schema: { params: idParamsSchema, response: rolloutSchema },
      handler: ({ params }) => plans.rollout(params.id),
    }),
    route({
      method: 'GET',
      url: '/api/v1/nodes/:id/scan-plan',
      role: 'viewer-or-node',
      tag: 'scan plans',
      summary: "A node's desired scan plan (newest plan for its groups) and the plan it reports.",
      schema: { params: idParamsSchema, response: nodeScanPlanSchema },
      handler: ({ principal, params }) => plans.forNode(principal, params.id),
    }),
    route({
      method: 'PUT',
      url: '/api/v1/nodes/:id/scan-plan/reported',
      role: 'node',
      tag: 'scan plans',
      summary: 'The scan plan a node runs now (its own node only).',
      schema: { params: idParamsSchema, body: reportedScanPlanSchema, response: nodeScanPlanSchema },
      handler: ({ principal, params, body }) => plans.report(principal, params.id, body),
    }),
  ];
}
