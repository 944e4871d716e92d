/** Jobs: operators create, list and cancel; nodes poll their queue and report progress. */
import {
  jobInputSchema,
  jobPageSchema,
  jobQuerySchema,
  jobSchema,
  jobStatusUpdateSchema,
  nodeJobQuerySchema,
} from '@heimdall/protocol';
import type { JobService } from '../../jobs/job.service.ts';
import { idParamsSchema } from '../api.schema.ts';
import { route, type Route } from '../route.ts';

export function jobRoutes(jobs: JobService): Route[] {
  return [
    route({
      method: 'POST',
      url: '/api/v1/jobs',
      role: 'operator',
      tag: 'jobs',
      summary: 'Queue a scan or recording job on a node.',
      status: 201,
      schema: { body: jobInputSchema, response: jobSchema },
      handler: ({ principal, body }) => jobs.create(principal, body),
    }),
    route({
      method: 'GET',
      url: '/api/v1/jobs',
      role: 'viewer',
      tag: 'jobs',
      summary: 'Jobs, newest first, filtered by status, kind and node.',
      schema: { querystring: jobQuerySchema, response: jobPageSchema },
      handler: ({ query }) => jobs.list(query),
    }),
    route({
      method: 'GET',
      url: '/api/v1/jobs/:id',
      role: 'viewer',
      tag: 'jobs',
      summary: 'One job.',
      schema: { params: idParamsSchema, response: jobSchema },
      handler: ({ params }) => jobs.get(params.id),
    }),
    route({
      method: 'POST',
      url: '/api/v1/jobs/:id/cancel',
      role: 'operator',
      tag: 'jobs',
      summary: 'Cancel a job that has not finished.',
      schema: { params: idParamsSchema, response: jobSchema },
      handler: ({ principal, params }) => jobs.cancel(principal, params.id),
    }),
    route({
      method: 'GET',
      url: '/api/v1/nodes/:id/jobs',
      role: 'node',
      tag: 'jobs',
      summary: "A node's own jobs, oldest first (poll with ?status=queued).",
      schema: { params: idParamsSchema, querystring: nodeJobQuerySchema, response: jobPageSchema },
      handler: ({ principal, params, query }) => jobs.forNode(principal, params.id, query),
    }),
    route({
      method: 'POST',
      url: '/api/v1/jobs/:id/status',
      role: 'node',
      tag: 'jobs',
      summary:
        'A node reports progress on its own job: running, succeeded (with a result) or failed (with an error).',
      schema: { params: idParamsSchema, body: jobStatusUpdateSchema, response: jobSchema },
      handler: ({ principal, params, body }) => jobs.report(principal, params.id, body),
    }),
  ];
}
