import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OperationalError, UnexpectedError, UserError } from '@heimdall/errors';
import { ApiError } from '../errors.ts';
import { mapError } from './error-mapper.ts';
import type { Logger } from './logger.ts';

function recorder(): Logger & {
  lines: { level: string; message: string; fields: Readonly<Record<string, unknown>> }[];
} {
  const lines: { level: string; message: string; fields: Readonly<Record<string, unknown>> }[] = [];
  const at =
    (level: string) =>
    (message: string, fields: Readonly<Record<string, unknown>> = {}) =>
      lines.push({ level, message, fields });
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

test('a UserError becomes a 4xx with error, field and fix, and is not logged', () => {
  const log = recorder();
  const m = mapError(new UserError('must be positive', { field: 'rate', fix: 'use a positive rate' }), log);
  assert.equal(m.status, 400);
  assert.deepEqual(m.body, { error: 'must be positive', field: 'rate', fix: 'use a positive rate' });
  assert.equal(log.lines.length, 0);
  assert.equal(
    mapError(new ApiError('rate_limited', 'slow down', { retryAfterSeconds: 42 }), log).headers[
      'retry-after'
    ],
    '42',
  );
  assert.equal(mapError(new ApiError('forbidden', 'no'), log).status, 403);
  assert.equal(mapError(new ApiError('unauthenticated', 'who?'), log).status, 401);
});

test('an OperationalError becomes a 503 and is logged', () => {
  const log = recorder();
  const m = mapError(new OperationalError('database down'), log);
  assert.equal(m.status, 503);
  assert.equal(log.lines[0]?.level, 'warn');
  assert.equal(log.lines[0]?.fields['correlation_id'], m.body.correlation_id);
});

test('anything else becomes a 500 that hides the details but logs them under the correlation id', () => {
  const log = recorder();
  const m = mapError(new UnexpectedError('secret table xyz is corrupt'), log);
  assert.equal(m.status, 500);
  assert.deepEqual(Object.keys(m.body).sort(), ['correlation_id', 'error']);
  assert.doesNotMatch(JSON.stringify(m.body), /xyz/);
  assert.equal(log.lines[0]?.level, 'error');
  assert.equal(log.lines[0]?.fields['correlation_id'], m.body.correlation_id);
  assert.match(String(log.lines[0]?.fields['error']), /xyz/);
  assert.equal(mapError(new TypeError('x is undefined'), log).status, 500);
});
