/**
 * Bad-input errors with a meaning the boundaries map to a status: all are `UserError`s (never
 * logged as failures). Services throw these; only http/error-mapper.ts turns them into statuses.
 */
import { UserError, type UserErrorOptions } from '@heimdall/errors';

export type UserErrorKind =
  'invalid' | 'unauthenticated' | 'forbidden' | 'not_found' | 'conflict' | 'rate_limited' | 'too_large';

export class ApiError extends UserError {
  constructor(
    readonly reason: UserErrorKind,
    problem: string,
    options: UserErrorOptions & { retryAfterSeconds?: number } = {},
  ) {
    super(problem, options);
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
  readonly retryAfterSeconds: number | undefined;
}

export const unauthenticated = (
  problem = 'sign in first',
  fix = 'send Authorization: Bearer <token> from POST /api/v1/auth/login',
) => new ApiError('unauthenticated', problem, { field: 'authorization', fix });

export const forbidden = (problem: string) =>
  new ApiError('forbidden', problem, { fix: 'ask an admin for a role that may do this' });

export const notFound = (what: string, field = 'id') =>
  new ApiError('not_found', `${what} not found`, { field, fix: `check the ${field}` });
