/**
 * Walks EVERY route of the route table with every role and with none: 401 without credentials,
 * 403 for a role below the route's, node API keys refused on user routes and user tokens on node
 * routes, and every allowed caller let through (whatever the handler then says about the input).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { UserRole } from '../auth/principal.ts';
import type { RouteRole } from './route.ts';
import { listen, TestSocket } from '../ingest/ingest-harness.ts';
import { startHarness, type Harness } from './server-harness.ts';
import { SOCKET_ROUTES } from './sockets.ts';

type Caller = 'none' | UserRole | 'node';
const CALLERS: readonly Caller[] = ['none', 'viewer', 'operator', 'admin', 'node'];
const RANK: Readonly<Record<string, number>> = { viewer: 1, operator: 2, admin: 3 };

function expected(role: RouteRole, caller: Caller): 'allowed' | 401 | 403 {
  if (role === 'public') return 'allowed';
  if (caller === 'none') return 401;
  if (role === 'node') return caller === 'node' ? 'allowed' : 403;
  if (role === 'viewer-or-node') return 'allowed';
  if (caller === 'node') return 403;
  return (RANK[caller] as number) >= (RANK[role] as number) ? 'allowed' : 403;
}

describe('route table access', () => {
  let h: Harness;
  /** The node caller's own id: node routes under `/nodes/:id` are called for the caller's node. */
  let ownNodeId = '';
  const credentials = new Map<Caller, string | undefined>();
  before(async () => {
    h = await startHarness();
    credentials.set('none', undefined);
    for (const role of ['viewer', 'operator', 'admin'] as const) credentials.set(role, await h.token(role));
    const node = await h.enroll();
    credentials.set('node', node.apiKey);
    ownNodeId = node.nodeId;
  });
  after(() => h.close());

  test('the table declares a role for every route and covers the API', () => {
    const urls = new Set(h.server.routes.map((r) => `${r.method} ${r.url}`));
    for (const must of [
      'POST /api/v1/auth/login',
      'GET /api/v1/nodes',
      'GET /api/v1/detections',
      'POST /api/v1/enroll',
      'POST /api/v1/ingest/batch',
      'GET /metrics',
      'GET /api/v1/anomalies',
      'POST /api/v1/anomalies/:id/ack',
      'GET /api/v1/anomaly-models',
      'POST /api/v1/anomaly-models/:id/activate',
      'POST /api/v1/scan-plans',
      'GET /api/v1/nodes/:id/scan-plan',
      'PUT /api/v1/nodes/:id/scan-plan/reported',
      'POST /api/v1/jobs',
      'POST /api/v1/jobs/:id/status',
      'POST /api/v1/localizations',
      'POST /api/v1/jobs/:id/snippet',
    ]) {
      assert.ok(urls.has(must), `${must} is in the route table`);
    }
    for (const r of h.server.routes)
      assert.ok(
        ['public', 'viewer', 'operator', 'admin', 'node', 'viewer-or-node'].includes(r.role),
        `${r.url} has a role`,
      );
  });

  test('every route answers each caller as its role says', async () => {
    let checked = 0;
    for (const r of h.server.routes) {
      for (const caller of CALLERS) {
        const url =
          caller === 'node' && r.url.startsWith('/api/v1/nodes/:id')
            ? r.url.replace(':id', ownNodeId).replace(/:[A-Za-z_]+/g, randomUUID())
            : r.url.replace(/:[A-Za-z_]+/g, randomUUID());
        const credential = credentials.get(caller);
        const res = await h.server.app.inject({
          method: r.method,
          url,
          headers: {
            ...(credential === undefined ? {} : { authorization: `Bearer ${credential}` }),
            ...(r.binaryBody === true ? { 'content-type': 'application/octet-stream' } : {}),
          },
          ...(r.method === 'GET' || r.method === 'DELETE'
            ? {}
            : { payload: r.binaryBody === true ? Buffer.alloc(0) : {} }),
        });
        const want = expected(r.role, caller);
        const where = `${r.method} ${r.url} (role ${r.role}) as ${caller}: ${res.statusCode} ${res.body.slice(0, 120)}`;
        if (want === 'allowed') {
          assert.ok(res.statusCode !== 401 && res.statusCode !== 403, where);
          assert.ok(res.statusCode < 500, where);
        } else {
          assert.equal(res.statusCode, want, where);
          assert.ok((res.json() as { error: string }).error.length > 0, where);
        }
        checked++;
      }
    }
    assert.equal(checked, h.server.routes.length * CALLERS.length);
  });

  test('a malformed or forged credential is a 401, not a pass', async () => {
    for (const authorization of [
      'Bearer not-a-token',
      'Basic YWRtaW46YWRtaW4=',
      'Bearer hnk_forged',
      'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
    ]) {
      const res = await h.server.app.inject({ url: '/api/v1/nodes', headers: { authorization } });
      assert.equal(res.statusCode, 401, authorization);
    }
  });
});

describe('socket route access', () => {
  let h: Harness;
  let base: string;
  const credentials = new Map<Caller, string | undefined>();
  before(async () => {
    h = await startHarness();
    base = await listen(h);
    credentials.set('none', undefined);
    for (const role of ['viewer', 'operator', 'admin'] as const) credentials.set(role, await h.token(role));
    credentials.set('node', (await h.enroll()).apiKey);
  });
  after(() => h.close());

  test('every socket route refuses the upgrade (401/403) or opens, as its role says', async () => {
    for (const r of SOCKET_ROUTES) {
      for (const caller of CALLERS) {
        const credential = credentials.get(caller);
        const want = expected(r.role, caller);
        const opening = TestSocket.open(
          `${base}${r.url}`,
          credential === undefined ? {} : { authorization: `Bearer ${credential}` },
        );
        if (want === 'allowed') {
          const s = await opening;
          s.close();
        } else {
          await assert.rejects(opening, new RegExp(`HTTP ${want}`), `${r.url} as ${caller}`);
        }
      }
    }
  });
});
