/** Enrollment, nodes, heartbeats and detections. */
import {
  detectionPageSchema,
  detectionQuerySchema,
  enrollmentTokenRequestSchema,
  enrollmentTokenSchema,
  enrollResultSchema,
  enrollSchema,
  heartbeatInputSchema,
  heartbeatPageSchema,
  heartbeatQuerySchema,
  heartbeatSchema,
  nodePageSchema,
  nodeQuerySchema,
  nodeSchema,
  nodeUpdateSchema,
} from '@heimdall/protocol';
import type { Database } from '../../database/database.ts';
import { forbidden } from '../../errors.ts';
import type { NodeService } from '../../nodes/node.service.ts';
import { DetectionRepository } from '../../repositories/detection.repository.ts';
import { StatsRepository } from '../../repositories/stats.repository.ts';
import { idParamsSchema, statsSchema } from '../api.schema.ts';
import { reply, route, type Route } from '../route.ts';

export function nodeRoutes(nodes: NodeService, db: Database, onlineSince: () => Date): Route[] {
  return [
    route({
      method: 'GET',
      url: '/api/v1/stats',
      role: 'viewer',
      tag: 'nodes',
      summary: 'Fleet figures: nodes online, detections, ingest counters, stored spectrum.',
      schema: { response: statsSchema },
      handler: () => new StatsRepository(db).fleet(onlineSince()),
    }),
    route({
      method: 'POST',
      url: '/api/v1/enrollment-tokens',
      role: 'operator',
      tag: 'nodes',
      summary: 'Create a one-time token that enrolls one node (shown once).',
      status: 201,
      schema: { body: enrollmentTokenRequestSchema, response: enrollmentTokenSchema },
      handler: ({ principal, body }) => nodes.createEnrollmentToken(principal, body),
    }),
    route({
      method: 'POST',
      url: '/api/v1/enroll',
      role: 'public',
      tag: 'nodes',
      summary: "Exchange an enrollment token for a node id and the node's API key (shown once).",
      status: 201,
      schema: { body: enrollSchema, response: enrollResultSchema },
      handler: ({ body }) => nodes.enroll(body),
    }),
    route({
      method: 'GET',
      url: '/api/v1/nodes',
      role: 'viewer',
      tag: 'nodes',
      summary: 'Nodes with status, location, last heartbeat and ingest counters.',
      schema: { querystring: nodeQuerySchema, response: nodePageSchema },
      handler: ({ query }) => nodes.list(query),
    }),
    route({
      method: 'GET',
      url: '/api/v1/nodes/:id',
      role: 'viewer',
      tag: 'nodes',
      summary: 'One node.',
      schema: { params: idParamsSchema, response: nodeSchema },
      handler: ({ params }) => nodes.get(params.id),
    }),
    route({
      method: 'PATCH',
      url: '/api/v1/nodes/:id',
      role: 'operator',
      tag: 'nodes',
      summary: "Change a node's name, location, groups or tags.",
      schema: { params: idParamsSchema, body: nodeUpdateSchema, response: nodeSchema },
      handler: ({ principal, params, body }) => nodes.update(principal, params.id, body),
    }),
    route({
      method: 'DELETE',
      url: '/api/v1/nodes/:id',
      role: 'admin',
      tag: 'nodes',
      summary: 'Delete a node with its history and keys.',
      status: 204,
      schema: { params: idParamsSchema },
      handler: async ({ principal, params }) => {
        await nodes.delete(principal, params.id);
        return reply({ status: 204, body: undefined });
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/nodes/:id/heartbeats',
      role: 'node',
      tag: 'nodes',
      summary: "A node's health report (its own node only).",
      status: 201,
      schema: { params: idParamsSchema, body: heartbeatInputSchema, response: heartbeatSchema },
      handler: async ({ principal, params, body }) => {
        if (principal?.kind !== 'node' || principal.nodeId !== params.id)
          throw forbidden('a node may report only its own heartbeats');
        return nodes.heartbeat(params.id, body);
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/nodes/:id/heartbeats',
      role: 'viewer',
      tag: 'nodes',
      summary: "A node's heartbeats, newest first.",
      schema: { params: idParamsSchema, querystring: heartbeatQuerySchema, response: heartbeatPageSchema },
      handler: ({ params, query }) => nodes.heartbeats(params.id, query),
    }),
    route({
      method: 'GET',
      url: '/api/v1/detections',
      role: 'viewer',
      tag: 'detections',
      summary: 'Detections, newest first, filtered by node, frequency, time, class and SNR.',
      schema: { querystring: detectionQuerySchema, response: detectionPageSchema },
      handler: ({ query }) => new DetectionRepository(db).list(query),
    }),
  ];
}
