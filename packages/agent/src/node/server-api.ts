/**
 * The few REST calls an agent makes (enroll, heartbeats, scan plan), with the server's error shape
 * `{error, field, fix}` turned into errors a person can act on. A network failure or a 5xx is an
 * OperationalError (retry later); the caller decides what a 4xx means.
 */
import { OperationalError } from '@heimdall/errors';

export interface ApiResponse {
  readonly status: number;
  readonly body: unknown;
}

/** The server's error text (`error`, then `fix` when given), or the HTTP status. */
export function describeApiError(r: ApiResponse): string {
  const b = r.body as { error?: unknown; fix?: unknown } | null;
  const error = typeof b?.error === 'string' ? b.error : `HTTP ${r.status}`;
  return typeof b?.fix === 'string' ? `${error} (${b.fix})` : error;
}

function causeText(e: unknown): string {
  const cause = e instanceof Error && e.cause instanceof Error ? e.cause : e;
  if (typeof cause === 'object' && cause !== null && 'code' in cause)
    return String((cause as { code: unknown }).code);
  return cause instanceof Error ? cause.message : String(cause);
}

export class ServerApi {
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey?: string,
    private readonly timeoutMs = 15_000,
  ) {}

  /** Sends one request; throws an OperationalError when the server cannot be reached or fails (5xx). */
  async request(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<ApiResponse> {
    const url = `${this.baseUrl.replace(/\/+$/, '')}${path}`;
    const headers: Record<string, string> = {};
    if (this.apiKey !== undefined) headers['authorization'] = `Bearer ${this.apiKey}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      throw new OperationalError(`cannot reach the server at ${this.baseUrl}: ${causeText(e)}`, { cause: e });
    }
    const text = await res.text();
    let parsed: unknown = null;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {
      parsed = { error: text.slice(0, 200) };
    }
    const r = { status: res.status, body: parsed };
    if (res.status >= 500)
      throw new OperationalError(
        `the server at ${this.baseUrl} failed ${method} ${path}: ${describeApiError(r)}`,
      );
    return r;
  }
}
