/**
 * The HTTP boundary's one error mapper. `UserError` -> 4xx with `{ error, field, fix }` (not logged
 * as a failure); `OperationalError` -> 503 (logged); anything else -> 500 with only a correlation id
 * (the details are logged under that id, never sent).
 */
import { randomUUID } from 'node:crypto';
import { OperationalError, UserError } from '@heimdall/errors';
import { ApiError, type UserErrorKind } from '../errors.ts';
import type { Logger } from './logger.ts';

export interface ErrorBody {
  readonly error: string;
  readonly field?: string;
  readonly fix?: string;
  readonly correlation_id?: string;
}

export interface MappedError {
  readonly status: number;
  readonly body: ErrorBody;
  readonly headers: Readonly<Record<string, string>>;
}

const STATUS: Readonly<Record<UserErrorKind, number>> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  rate_limited: 429,
};

/** Fastify's own errors for bad requests (unparsable JSON, body too large, ...). */
function frameworkStatus(e: unknown): number | undefined {
  const s = (e as { statusCode?: unknown } | null)?.statusCode;
  return typeof s === 'number' && s >= 400 && s < 500 ? s : undefined;
}

export function mapError(
  e: unknown,
  logger: Logger,
  context: Readonly<Record<string, unknown>> = {},
): MappedError {
  if (e instanceof UserError) {
    const status = e instanceof ApiError ? STATUS[e.reason] : 400;
    const headers: Record<string, string> = {};
    if (e instanceof ApiError && e.retryAfterSeconds !== undefined)
      headers['retry-after'] = String(e.retryAfterSeconds);
    if (status === 401) headers['www-authenticate'] = 'Bearer';
    return {
      status,
      headers,
      body: {
        error: e.problem,
        ...(e.field === undefined ? {} : { field: e.field }),
        ...(e.fix === undefined ? {} : { fix: e.fix }),
      },
    };
  }
  const fw = frameworkStatus(e);
  if (fw !== undefined) {
    const message = e instanceof Error ? e.message : 'bad request';
    return {
      status: fw,
      headers: {},
      body: { error: message, fix: fw === 413 ? 'send a smaller body' : 'send a valid request body' },
    };
  }
  const correlationId = randomUUID();
  if (e instanceof OperationalError) {
    logger.warn('dependency failed', {
      ...context,
      correlation_id: correlationId,
      error: e.message,
      cause: String(e.cause ?? ''),
    });
    return {
      status: 503,
      headers: { 'retry-after': '5' },
      body: {
        error: 'a service the server depends on is unavailable',
        fix: 'try again shortly',
        correlation_id: correlationId,
      },
    };
  }
  logger.error('unexpected error', {
    ...context,
    correlation_id: correlationId,
    error: e instanceof Error ? (e.stack ?? e.message) : String(e),
  });
  return { status: 500, headers: {}, body: { error: 'internal error', correlation_id: correlationId } };
}
