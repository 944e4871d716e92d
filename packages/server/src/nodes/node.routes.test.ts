import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Node } from '@heimdall/protocol';
import { FakeClock, startHarness, type Harness } from '../http/server-harness.ts';

const heartbeat = (time: string) => ({
  time,
  cpu_percent: 12.5,
  memory_used_bytes: 1_000_000,
  memory_total_bytes: 4_000_000,
  disk_free_bytes: 9_000_000,
  temperature_c: 48,
  sample_drops: 3,
  clock_source: 'gps',
  clock_offset_ms: 0.02,
  agent_version: '0.1.0',
});

describe('nodes', () => {
  let h: Harness;
  const clock = new FakeClock();
  before(async () => {
    h = await startHarness({ clock, server: { nodes: { offlineAfterMs: 60_000 } } });
  });
  after(() => h.close());

  async function as(role: 'viewer' | 'operator' | 'admin') {
    return { authorization: `Bearer ${await h.token(role)}` };
  }

  test('an enrollment token enrolls exactly one node; its key is shown once and stored hashed', async () => {
    const t = await h.server.app.inject({
      method: 'POST',
      url: '/api/v1/enrollment-tokens',
      headers: await as('operator'),
      payload: { groups: ['north'], tags: ['roof'] },
    });
    assert.equal(t.statusCode, 201);
    const token = (t.json() as { token: string }).token;
    const enroll = (name: string) =>
      h.server.app.inject({
        method: 'POST',
        url: '/api/v1/enroll',
        payload: {
          token,
          name,
          location: { lat: 59.3, lon: 18.1, alt_m: 20 },
          capabilities: { receivers: ['rtl-sdr'] },
        },
      });
    const first = await enroll('roof-1');
    assert.equal(first.statusCode, 201, first.body);
    const body = first.json() as { node_id: string; api_key: string; node: Node };
    assert.match(body.api_key, /^hnk_/);
    assert.deepEqual(body.node.groups, ['north']);
    assert.deepEqual(body.node.tags, ['roof']);
    assert.deepEqual(body.node.location, { lat: 59.3, lon: 18.1, alt_m: 20 });
    const reuse = await enroll('roof-2');
    assert.equal(reuse.statusCode, 401);
    assert.equal((reuse.json() as { field: string }).field, 'token');
    const { rows } = await h.db.query('SELECT key_hash FROM api_keys WHERE node_id = $1', [body.node_id]);
    assert.equal(rows.length, 1);
    assert.notEqual(rows[0]?.['key_hash'], body.api_key);
    const tokens = await h.db.query('SELECT token_hash FROM enrollment_tokens');
    assert.ok(tokens.rows.every((r) => r['token_hash'] !== token));
  });

  test('an expired enrollment token is refused', async () => {
    const t = await h.server.app.inject({
      method: 'POST',
      url: '/api/v1/enrollment-tokens',
      headers: await as('operator'),
      payload: { ttl_seconds: 60 },
    });
    clock.advance(61_000);
    const r = await h.server.app.inject({
      method: 'POST',
      url: '/api/v1/enroll',
      payload: { token: (t.json() as { token: string }).token, name: 'late' },
    });
    assert.equal(r.statusCode, 401);
  });

  test('heartbeats make a node online until they stop; a node reports only for itself', async () => {
    const node = await h.enroll('hb-node');
    const other = await h.enroll('hb-other');
    const get = async () =>
      (
        await h.server.app.inject({ url: `/api/v1/nodes/${node.nodeId}`, headers: await as('viewer') })
      ).json() as Node;
    assert.equal((await get()).status, 'offline');
    const post = (nodeId: string, key: string, body: Record<string, unknown>) =>
      h.server.app.inject({
        method: 'POST',
        url: `/api/v1/nodes/${nodeId}/heartbeats`,
        headers: { authorization: `Bearer ${key}` },
        payload: body,
      });
    const ok = await post(node.nodeId, node.apiKey, heartbeat(new Date(clock.now()).toISOString()));
    assert.equal(ok.statusCode, 201, ok.body);
    const seen = await get();
    assert.equal(seen.status, 'online');
    assert.equal(Date.parse(seen.last_heartbeat_at ?? ''), clock.now());
    assert.equal(
      (await post(other.nodeId, node.apiKey, heartbeat(new Date(clock.now()).toISOString()))).statusCode,
      403,
      "another node's heartbeat",
    );
    const bad = await post(node.nodeId, node.apiKey, {
      ...heartbeat(new Date(clock.now()).toISOString()),
      cpu_percent: 250,
    });
    assert.equal(bad.statusCode, 400);
    assert.equal((bad.json() as { field: string }).field, 'cpu_percent');
    const history = await h.server.app.inject({
      url: `/api/v1/nodes/${node.nodeId}/heartbeats`,
      headers: await as('viewer'),
    });
    const items = (
      history.json() as { items: { clock_source: string; sample_drops: number; agent_version: string }[] }
    ).items;
    assert.equal(items.length, 1);
    assert.equal(items[0]?.clock_source, 'gps');
    assert.equal(items[0]?.sample_drops, 3);
    assert.equal(items[0]?.agent_version, '0.1.0');
    clock.advance(61_000);
    assert.equal((await get()).status, 'offline');
    const online = await h.server.app.inject({
      url: '/api/v1/nodes?status=online',
      headers: await as('viewer'),
    });
    assert.equal((online.json() as { items: Node[] }).items.length, 0);
  });

  test('GET /api/v1/nodes pages with next_cursor and filters by group; operators change groups and tags', async () => {
    for (let i = 0; i < 3; i++) await h.enroll(`page-${i}`);
    const all: Node[] = [];
    let cursor: string | null = null;
    do {
      const q: string = cursor === null ? '' : `&cursor=${cursor}`;
      const r = await h.server.app.inject({ url: `/api/v1/nodes?limit=2${q}`, headers: await as('viewer') });
      const page = r.json() as { items: Node[]; next_cursor: string | null };
      assert.ok(page.items.length <= 2);
      all.push(...page.items);
      cursor = page.next_cursor;
    } while (cursor !== null);
    assert.equal(new Set(all.map((n) => n.id)).size, all.length);
    assert.ok(all.length >= 3);
    for (const n of all)
      assert.deepEqual(Object.keys(n.ingest).sort(), ['duplicates', 'frames_received', 'sequence_gaps']);
    const target = all.find((n) => n.name === 'page-1');
    assert.ok(target);
    const patched = await h.server.app.inject({
      method: 'PATCH',
      url: `/api/v1/nodes/${target.id}`,
      headers: await as('operator'),
      payload: { groups: ['south'], tags: ['mast'] },
    });
    assert.equal(patched.statusCode, 200);
    const south = await h.server.app.inject({
      url: '/api/v1/nodes?group=south',
      headers: await as('viewer'),
    });
    assert.deepEqual(
      (south.json() as { items: Node[] }).items.map((n) => n.name),
      ['page-1'],
    );
  });
});

describe('node status events', () => {
  test('a first heartbeat announces node.status online; silence past the limit announces offline once', async () => {
    const clock = new FakeClock();
    const h = await startHarness({ clock, server: { nodes: { offlineAfterMs: 60_000 } } });
    try {
      const events: string[] = [];
      const sub = await h.bus.subscribe('node.status', (e) => {
        events.push(`${e.node_id}:${e.status}`);
      });
      const node = await h.enroll('status-node');
      await h.server.nodes.sweepOffline(); // learns who is online (nobody)
      const r = await h.server.app.inject({
        method: 'POST',
        url: `/api/v1/nodes/${node.nodeId}/heartbeats`,
        headers: { authorization: `Bearer ${node.apiKey}` },
        payload: heartbeat(new Date(clock.now()).toISOString()),
      });
      assert.equal(r.statusCode, 201);
      clock.advance(30_000);
      assert.deepEqual(await h.server.nodes.sweepOffline(), []);
      clock.advance(31_000);
      assert.deepEqual(await h.server.nodes.sweepOffline(), [node.nodeId]);
      assert.deepEqual(await h.server.nodes.sweepOffline(), [], 'announced once');
      for (let i = 0; i < 50 && events.length < 2; i++) await new Promise((res) => setImmediate(res));
      assert.deepEqual(events, [`${node.nodeId}:online`, `${node.nodeId}:offline`]);
      await sub.unsubscribe();
    } finally {
      await h.close();
    }
  });
});
