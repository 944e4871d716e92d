/**
 * The REST client: typed by the OpenAPI document (src/generated/api.ts, made at build time by
 * scripts/api-types.ts), bearer token from the session, and one error type that carries the
 * server's `{error, field, fix}`. A 401 ends the session, which sends the app to the login page.
 */
import type { paths } from '../generated/api.ts';
import { loadSession, setSession } from './session.ts';

type Method = 'get' | 'post' | 'patch' | 'delete';
type Op<P extends keyof paths, M extends Method> = paths[P] extends Record<M, infer O> ? O : never;
type JsonOf<R> = R extends { content: { 'application/json': infer J } } ? J : undefined;
type Ok<O> = O extends { responses: infer R }
  ? 200 extends keyof R
    ? JsonOf<R[200]>
    : 201 extends keyof R
      ? JsonOf<R[201]>
      : undefined
  : never;
type BodyOf<O> = O extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;
type QueryOf<O> = O extends { parameters: { query?: infer Q } } ? Q : never;

/** A successful response body of `M path`. */
export type ResponseOf<P extends keyof paths, M extends Method = 'get'> = Ok<Op<P, M>>;
export type Node = ResponseOf<'/api/v1/nodes/{id}'>;
export type Detection = ResponseOf<'/api/v1/detections'>['items'][number];
export type Heartbeat = ResponseOf<'/api/v1/nodes/{id}/heartbeats'>['items'][number];
export type Band = ResponseOf<'/api/v1/nodes/{id}/bands'>['items'][number];
export type TilesResponse = ResponseOf<'/api/v1/spectrum/tiles'>;
export type DetectionQuery = NonNullable<QueryOf<Op<'/api/v1/detections', 'get'>>>;

/** What went wrong, as the server said it (or as the network did). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly field: string | undefined,
    readonly fix: string | undefined,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** One line for the page: what, where and how to fix. */
  describe(): string {
    return [this.message, this.field ? `(${this.field})` : '', this.fix ? `— ${this.fix}` : '']
      .filter((s) => s !== '')
      .join(' ');
  }
}

type QueryValue = string | number | boolean | readonly string[] | undefined | null;

export function queryString(q: Readonly<Record<string, QueryValue>> | undefined): string {
  if (q === undefined) return '';
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === null || v === '') continue;
    p.set(k, Array.isArray(v) ? v.join(',') : String(v));
  }
  const s = p.toString();
  return s === '' ? '' : `?${s}`;
}

function fill(path: string, params: Readonly<Record<string, string>> | undefined): string {
  return path.replace(/\{(\w+)\}/g, (_, k: string) => encodeURIComponent(params?.[k] ?? ''));
}

export interface RequestOptions<O> {
  readonly params?: Readonly<Record<string, string>>;
  readonly query?: Readonly<Record<string, QueryValue>>;
  readonly body?: BodyOf<O>;
  readonly signal?: AbortSignal;
  /** Do not end the session on a 401 (the login call itself). */
  readonly anonymous?: boolean;
}

export async function request<P extends keyof paths & string, M extends Method>(
  method: M,
  path: P,
  options: RequestOptions<Op<P, M>> = {},
): Promise<Ok<Op<P, M>>> {
  const session = options.anonymous === true ? undefined : loadSession();
  const headers: Record<string, string> = { accept: 'application/json' };
  if (session !== undefined) headers['authorization'] = `Bearer ${session.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(fill(path, options.params) + queryString(options.query), {
      method: method.toUpperCase(),
      headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(
      'the server does not answer',
      0,
      undefined,
      'check that the Heimdall server is running and reachable',
    );
  }
  if (res.status === 204) return undefined as Ok<Op<P, M>>;
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const b = (typeof json === 'object' && json !== null ? json : {}) as {
      error?: unknown;
      field?: unknown;
      fix?: unknown;
    };
    if (res.status === 401 && options.anonymous !== true) setSession(undefined);
    throw new ApiError(
      typeof b.error === 'string' ? b.error : `${method.toUpperCase()} ${path} answered ${res.status}`,
      res.status,
      typeof b.field === 'string' ? b.field : undefined,
      typeof b.fix === 'string' ? b.fix : undefined,
    );
  }
  return json as Ok<Op<P, M>>;
}

export const api = {
  get: <P extends keyof paths & string>(path: P, o?: RequestOptions<Op<P, 'get'>>) => request('get', path, o),
  post: <P extends keyof paths & string>(path: P, o?: RequestOptions<Op<P, 'post'>>) =>
    request('post', path, o),
  patch: <P extends keyof paths & string>(path: P, o?: RequestOptions<Op<P, 'patch'>>) =>
    request('patch', path, o),
};

/** POST to a route outside the generated types (a newer server's); errors as {@link request}. */
export async function postUntyped(path: string, body: unknown): Promise<unknown> {
  const session = loadSession();
  const res = await fetch(path, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(session === undefined ? {} : { authorization: `Bearer ${session.token}` }),
    },
    body: JSON.stringify(body),
  });
  const json: unknown = await res.json().catch(() => undefined);
  if (res.status === 401) setSession(undefined);
  if (!res.ok) {
    const b = (typeof json === 'object' && json !== null ? json : {}) as {
      error?: unknown;
      field?: unknown;
      fix?: unknown;
    };
    throw new ApiError(
      typeof b.error === 'string' ? b.error : `POST ${path} answered ${res.status}`,
      res.status,
      typeof b.field === 'string' ? b.field : undefined,
      typeof b.fix === 'string' ? b.fix : undefined,
    );
  }
  return json;
}

/** GET of a route this server may not have (e.g. anomalies on an older server): undefined on 404. */
export async function getOptional(
  path: string,
  query?: Readonly<Record<string, QueryValue>>,
): Promise<unknown> {
  const session = loadSession();
  const res = await fetch(path + queryString(query), {
    headers: session === undefined ? {} : { authorization: `Bearer ${session.token}` },
  });
  if (res.status === 404) return undefined;
  if (res.status === 401) setSession(undefined);
  if (!res.ok) throw new ApiError(`${path} answered ${res.status}`, res.status, undefined, undefined);
  return res.json() as Promise<unknown>;
}
