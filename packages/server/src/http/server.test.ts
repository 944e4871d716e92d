import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '@heimdall/config';
import { compileErrors, validate } from '@readme/openapi-parser';
import type { Database } from '../database/database.ts';
import { ADMIN_PASSWORD, startHarness, type Harness } from './server-harness.ts';

function promtool(): string | undefined {
  const r = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
  return r.error === undefined && r.status === 0 ? 'promtool' : undefined;
}

describe('http server', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  test('/health answers ok and /ready reports the database and bus reachable', async () => {
    const health = await h.server.app.inject({ url: '/health' });
    assert.equal(health.statusCode, 200);
    assert.deepEqual(health.json(), { status: 'ok' });
    const ready = await h.server.app.inject({ url: '/ready' });
    assert.equal(ready.statusCode, 200);
    assert.deepEqual(ready.json(), { status: 'ready', checks: { database: 'ok', bus: 'ok' } });
  });

  test('/openapi.json is a valid OpenAPI 3.1 document listing every route of the table', async () => {
    const r = await h.server.app.inject({ url: '/openapi.json' });
    assert.equal(r.statusCode, 200);
    const spec = r.json() as { openapi: string; paths: Record<string, Record<string, unknown>> };
    assert.equal(spec.openapi, '3.1.0');
    const result = await validate(structuredClone(spec) as never);
    assert.ok(result.valid, result.valid ? '' : compileErrors(result));
    for (const route of h.server.routes) {
      const path = route.url.replace(/:([A-Za-z_]+)/g, '{$1}');
      assert.ok(
        spec.paths[path]?.[route.method.toLowerCase()],
        `${route.method} ${route.url} missing from /openapi.json`,
      );
    }
    assert.ok(spec.paths['/api/v1/live']?.['get'], 'the WebSockets are documented too');
    const detections = spec.paths['/api/v1/detections']?.['get'] as { parameters: { name: string }[] };
    assert.ok(
      detections.parameters.some((p) => p.name === 'freq_min_hz'),
      'the detection filters are documented',
    );
  });

  test('/docs is a self-contained page that renders /openapi.json', async () => {
    const r = await h.server.app.inject({ url: '/docs' });
    assert.equal(r.statusCode, 200);
    assert.match(String(r.headers['content-type']), /text\/html/);
    assert.match(r.body, /fetch\('\/openapi\.json'\)/);
    assert.doesNotMatch(r.body, /<script[^>]+src=|<link[^>]+href="http/, 'no external scripts or styles');
  });

  test('/metrics is Prometheus text with request histograms and ingest counters, accepted by promtool', async (t) => {
    await h.server.app.inject({ url: '/health' });
    const r = await h.server.app.inject({ url: '/metrics' });
    assert.equal(r.statusCode, 200);
    assert.match(String(r.headers['content-type']), /^text\/plain/);
    assert.match(r.body, /heimdall_http_request_duration_seconds_bucket\{[^}]*route="\/health"/);
    assert.match(r.body, /# TYPE heimdall_ingest_frames_total counter/);
    assert.match(r.body, /# TYPE heimdall_ingest_duplicates_total counter/);
    const tool = promtool();
    if (tool === undefined) {
      t.skip(
        'promtool not installed (apt-get install prometheus): /metrics format not checked by Prometheus',
      );
      return;
    }
    const check = spawnSync(tool, ['check', 'metrics'], { input: r.body, encoding: 'utf8' });
    assert.equal(check.status, 0, `promtool check metrics: ${check.stdout}${check.stderr}`);
  });

  test('an out-of-range filter is a 400 naming the parameter, an unknown route a JSON 404', async () => {
    const token = await h.token('viewer');
    const r = await h.server.app.inject({
      url: '/api/v1/detections?min_snr_db=1e9',
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(r.statusCode, 400);
    const body = r.json() as { error: string; field: string; fix: string };
    assert.equal(body.field, 'min_snr_db');
    assert.ok(body.fix.length > 0);
    const missing = await h.server.app.inject({ url: '/api/v1/nope' });
    assert.equal(missing.statusCode, 404);
    assert.equal((missing.json() as { field: string }).field, 'url');
  });

  test('invalid JSON is a 400 with a message, not a 500', async () => {
    const r = await h.server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: '{"username": "admin", ',
    });
    assert.equal(r.statusCode, 400);
    assert.ok((r.json() as { error: string }).error.length > 0);
  });
});

describe('http server with a failing database', () => {
  test('/ready answers 503 naming the database, and a query failure is a 503 with a correlation id', async () => {
    const h = await startHarness({ server: { readyTimeoutMs: 500 } });
    const viewer = await h.token('viewer');
    const realDb = h.db;
    const broken = h.db as { query: Database['query'] };
    const query = broken.query;
    try {
      broken.query = (sql, params) =>
        sql === 'SELECT 1'
          ? Promise.reject(new Error('connection refused'))
          : query.call(realDb, sql, params);
      const ready = await h.server.app.inject({ url: '/ready' });
      assert.equal(ready.statusCode, 503);
      assert.deepEqual(ready.json(), { status: 'unavailable', checks: { database: 'failed', bus: 'ok' } });
    } finally {
      broken.query = query;
    }
    const nodes = await h.server.app.inject({
      url: '/api/v1/nodes',
      headers: { authorization: `Bearer ${viewer}` },
    });
    assert.equal(nodes.statusCode, 200);
    await h.close();
  });
});

describe('http server behind a proxy (HEIMDALL_TRUST_PROXY)', () => {
  /**
   * With HEIMDALL_TRUST_PROXY=`trust` and two failures allowed, signs in wrongly twice as
   * `forwarded[0]` through the peer `peer`, then rightly as `forwarded[1]`: the status of that last
   * sign-in says whether the two forwarded clients shared one limit (429) or not (200).
   */
  async function lastSignIn(trust: string | undefined, peer: string): Promise<number> {
    const h = await startHarness({
      config: loadConfig({
        HEIMDALL_LOGIN_MAX_FAILURES: '2',
        ...(trust === undefined ? {} : { HEIMDALL_TRUST_PROXY: trust }),
      }),
    });
    try {
      const login = (password: string, forwardedFor: string) =>
        h.server.app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { username: 'admin', password },
          remoteAddress: peer,
          headers: { 'x-forwarded-for': forwardedFor },
        });
      for (let i = 0; i < 2; i++) assert.equal((await login('wrong', '203.0.113.7')).statusCode, 401);
      assert.equal(
        (await login(ADMIN_PASSWORD, '203.0.113.7')).statusCode,
        429,
        'the client that failed waits',
      );
      return (await login(ADMIN_PASSWORD, '198.51.100.9')).statusCode;
    } finally {
      await h.close();
    }
  }

  test('unset, X-Forwarded-For is ignored: every client behind one peer shares its limit', async () => {
    assert.equal(await lastSignIn(undefined, '10.0.0.1'), 429);
  });

  test('true: the limiter keys on the forwarded address, so two clients are limited separately', async () => {
    assert.equal(await lastSignIn('true', '10.0.0.1'), 200);
  });

  test('a list: only the listed proxies are believed', async () => {
    assert.equal(await lastSignIn('10.0.0.1,192.168.0.0/16', '192.168.4.4'), 200, 'a listed proxy');
    assert.equal(await lastSignIn('10.0.0.1,192.168.0.0/16', '10.0.0.2'), 429, 'a peer not listed');
  });
});
