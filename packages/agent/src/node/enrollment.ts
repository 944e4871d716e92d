/** Enrollment: a one-time token from an operator becomes the node's id and API key. */
import { UserError } from '@heimdall/errors';
import type { Location } from '@heimdall/protocol';
import type { Credentials } from './credentials.ts';
import { describeApiError, ServerApi } from './server-api.ts';

export interface EnrollRequest {
  readonly serverUrl: string;
  readonly token: string;
  readonly name: string;
  readonly location?: Location | null;
  readonly capabilities?: Readonly<Record<string, unknown>>;
}

/**
 * Exchanges the token via `POST /api/v1/enroll`. A refused token or name is a UserError saying
 * what to do; an unreachable server an OperationalError.
 */
export async function enroll(req: EnrollRequest, clock: () => Date = () => new Date()): Promise<Credentials> {
  const api = new ServerApi(req.serverUrl);
  const r = await api.request('POST', '/api/v1/enroll', {
    token: req.token,
    name: req.name,
    ...(req.location === undefined ? {} : { location: req.location }),
    ...(req.capabilities === undefined ? {} : { capabilities: req.capabilities }),
  });
  if (r.status === 401)
    throw new UserError(`the server ${req.serverUrl} refused the enrollment token: ${describeApiError(r)}`, {
      field: '--enroll',
      fix: 'ask an operator for a new token (heimdall prints one per node in the demo; the API: POST /api/v1/enrollment-tokens)',
    });
  if (r.status !== 201) {
    const b = r.body as { field?: unknown } | null;
    throw new UserError(`the server ${req.serverUrl} refused the enrollment: ${describeApiError(r)}`, {
      field: b !== null && typeof b.field === 'string' ? b.field : '--enroll',
    });
  }
  const body = r.body as { node_id?: unknown; api_key?: unknown };
  if (typeof body.node_id !== 'string' || typeof body.api_key !== 'string')
    throw new UserError(`the server ${req.serverUrl} answered the enrollment without a node id and key`, {
      fix: 'check that --server points at a Heimdall server',
    });
  return {
    server: req.serverUrl,
    nodeId: body.node_id,
    apiKey: body.api_key,
    name: req.name,
    enrolledAt: clock().toISOString(),
  };
}
