/**
 * Scan plans and rollouts: versions by name, the desired plan of a node by its groups (newest
 * version of each name; most recent plan wins), what nodes report, and the rollout view.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { NodeScanPlan, Rollout, ScanPlanInput, ScanPlanSpec } from '@heimdall/protocol';
import { FakeClock, startHarness, type Harness } from '../http/server-harness.ts';
import { forEachDatabase } from '../database/for-each-database.ts';
import { AuditLogRepository } from '../repositories/audit-log.repository.ts';

const band = {
  center_hz: 433.92e6,
  span_hz: 2e6,
  fft_size: 4096,
  frames_per_second: 10,
  averaging: 8,
  threshold_db: 10,
};

forEachDatabase((engine, makeDb) =>
  describe('scan plans and rollouts', () => {
    let h: Harness;
    const clock = new FakeClock();
    let operator: string;
    let viewer: string;
    const nodes: Record<string, { nodeId: string; apiKey: string }> = {};
    const call = async (
      method: 'GET' | 'POST' | 'PUT' | 'PATCH',
      url: string,
      token: string,
      payload?: unknown,
    ) => {
      const r = await h.server.app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${token}` },
        ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
      });
      return { status: r.statusCode, body: r.json() as unknown };
    };
    const post = async (plan: ScanPlanInput): Promise<ScanPlanSpec> => {
      clock.advance(1000);
      const r = await call('POST', '/api/v1/scan-plans', operator, plan);
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body as ScanPlanSpec;
    };
    before(async () => {
      h = await startHarness({ clock, db: await makeDb(), ownDb: true });
      operator = await h.token('operator');
      viewer = await h.token('viewer');
      for (const [name, groups] of [
        ['north-1', ['north']],
        ['north-2', ['north', 'uhf']],
        ['south-1', ['south']],
      ] as const) {
        nodes[name] = await h.enroll(`${name}-${Math.random().toString(36).slice(2, 6)}`);
        const r = await call('PATCH', `/api/v1/nodes/${nodes[name]?.nodeId}`, operator, { groups });
        assert.equal(r.status, 200);
      }
    });
    after(() => h.close());

    test('a plan with a known name becomes its next version; versions list newest first and page', async () => {
      const v1 = await post({ name: 'ism', bands: [band], target_groups: ['north'] });
      const v2 = await post({
        name: 'ism',
        bands: [{ ...band, threshold_db: 12 }],
        target_groups: ['north'],
      });
      assert.equal(v1.version, 1);
      assert.equal(v2.version, 2);
      assert.notEqual(v1.id, v2.id);
      const page1 = await call('GET', '/api/v1/scan-plans?name=ism&limit=1', viewer);
      const p1 = page1.body as { items: ScanPlanSpec[]; next_cursor: string };
      assert.equal(p1.items[0]?.version, 2);
      const page2 = await call('GET', `/api/v1/scan-plans?name=ism&limit=1&cursor=${p1.next_cursor}`, viewer);
      assert.equal((page2.body as { items: ScanPlanSpec[] }).items[0]?.version, 1);
      const one = await call('GET', `/api/v1/scan-plans/${v1.id}`, viewer);
      assert.equal((one.body as ScanPlanSpec).bands[0]?.threshold_db, 10);
      const log = await new AuditLogRepository(h.db).list(10);
      assert.ok(log.some((e) => e.action === 'scan_plan.create' && e.target === v2.id));
      const bad = await call('POST', '/api/v1/scan-plans', operator, {
        name: 'x',
        bands: [{ ...band, fft_size: 1000 }],
      });
      assert.equal(bad.status, 400);
      assert.match((bad.body as { field: string }).field, /fft_size/);
    });

    test('a node gets the newest plan for its groups; the most recent plan wins over an older one', async () => {
      const own = nodes['north-2'] as { nodeId: string; apiKey: string };
      let r = await call('GET', `/api/v1/nodes/${own.nodeId}/scan-plan`, own.apiKey);
      assert.equal(r.status, 200);
      assert.equal((r.body as NodeScanPlan).desired?.name, 'ism');
      assert.equal((r.body as NodeScanPlan).desired?.version, 2);
      const uhf = await post({ name: 'uhf-sweep', bands: [band], target_groups: ['uhf'] });
      r = await call('GET', `/api/v1/nodes/${own.nodeId}/scan-plan`, own.apiKey);
      assert.equal(
        (r.body as NodeScanPlan).desired?.id,
        uhf.id,
        'the newer plan for another of its groups wins',
      );
      // north-1 is not in uhf: still ism
      const n1 = nodes['north-1'] as { nodeId: string; apiKey: string };
      r = await call('GET', `/api/v1/nodes/${n1.nodeId}/scan-plan`, viewer);
      assert.equal((r.body as NodeScanPlan).desired?.name, 'ism');
      // a node with no targeted group has no desired plan
      const s1 = nodes['south-1'] as { nodeId: string; apiKey: string };
      r = await call('GET', `/api/v1/nodes/${s1.nodeId}/scan-plan`, s1.apiKey);
      assert.deepEqual(r.body, { desired: null, reported: null, reported_at: null });
      // a node may not read another node's plan
      r = await call('GET', `/api/v1/nodes/${n1.nodeId}/scan-plan`, s1.apiKey);
      assert.equal(r.status, 403);
    });

    test('nodes report what they run; the rollout shows in sync, pending and other plan', async () => {
      const ism = (
        (await call('GET', '/api/v1/scan-plans?name=ism&limit=1', viewer)).body as { items: ScanPlanSpec[] }
      ).items[0] as ScanPlanSpec;
      const n1 = nodes['north-1'] as { nodeId: string; apiKey: string };
      const n2 = nodes['north-2'] as { nodeId: string; apiKey: string };
      let rollout = (await call('GET', `/api/v1/scan-plans/${ism.id}/rollout`, viewer)).body as Rollout;
      assert.deepEqual(rollout.summary, { total: 2, in_sync: 0, pending: 1, other_plan: 1 });

      const reported = { id: ism.id, version: ism.version, bands: ism.bands };
      const r = await call('PUT', `/api/v1/nodes/${n1.nodeId}/scan-plan/reported`, n1.apiKey, reported);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal((r.body as NodeScanPlan).reported?.version, ism.version);
      assert.ok((r.body as NodeScanPlan).reported_at !== null);
      // only for its own node, and users may not report
      assert.equal(
        (await call('PUT', `/api/v1/nodes/${n2.nodeId}/scan-plan/reported`, n1.apiKey, reported)).status,
        403,
      );
      assert.equal(
        (await call('PUT', `/api/v1/nodes/${n1.nodeId}/scan-plan/reported`, operator, reported)).status,
        403,
      );

      rollout = (await call('GET', `/api/v1/scan-plans/${ism.id}/rollout`, viewer)).body as Rollout;
      assert.deepEqual(rollout.summary, { total: 2, in_sync: 1, pending: 0, other_plan: 1 });
      const byNode = new Map(rollout.nodes.map((n) => [n.node_id, n]));
      assert.equal(byNode.get(n1.nodeId)?.state, 'in_sync');
      assert.equal(byNode.get(n2.nodeId)?.state, 'other_plan');
      assert.equal(byNode.get(n2.nodeId)?.desired?.name, 'uhf-sweep');

      // a new version makes the node pending again until it reports it
      const v3 = await post({ name: 'ism', bands: [band], target_groups: ['north'] });
      rollout = (await call('GET', `/api/v1/scan-plans/${v3.id}/rollout`, viewer)).body as Rollout;
      const n1state = rollout.nodes.find((n) => n.node_id === n1.nodeId);
      assert.equal(n1state?.state, 'pending');
      assert.equal(n1state?.reported?.version, 2);
      assert.equal(n1state?.desired?.version, 3);
      // v3 is newer than uhf-sweep: north-2 now runs ism too
      assert.equal(rollout.nodes.find((n) => n.node_id === n2.nodeId)?.state, 'pending');
      assert.equal(
        (await call('GET', '/api/v1/scan-plans/3f2504e0-4f89-41d3-9a0c-0305e82c3301/rollout', viewer)).status,
        404,
      );
    });
  }),
);
