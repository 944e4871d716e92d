/** Enrollment: a one-time token from an operator becomes the node's id and API key. */
import { UserError } from '@heimdall/errors';
import { enrollResultSchema, type Location } from '@heimdall/protocol';
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
 * The part of the enrollment answer the agent keeps. The rest (`node`) is not checked: the server
 * has already spent the one-time token when it answers, so a node record from a newer server that
 * this agent does not know (a new health field value, say) must not throw its id and key away.
 */
const enrollAnswerSchema = enrollResultSchema.pick({ node_id: true, api_key: true });

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
  const answer = enrollAnswerSchema.safeParse(r.body);
  if (!answer.success) {
    const issue = answer.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? '' : ` (${issue.path.join('.')})`;
    throw new UserError(
      `the server ${req.serverUrl} answered the enrollment without a valid node id and key${where}`,
      { fix: 'check that --server points at a Heimdall server' },
    );
  }
  return {
    server: req.serverUrl,
    nodeId: answer.data.node_id,
    apiKey: answer.data.api_key,
    name: req.name,
    enrolledAt: clock().toISOString(),
  };
}
