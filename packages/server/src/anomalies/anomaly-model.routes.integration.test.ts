/**
 * The anomaly model registry and cross-node merging against the real storage: the engine saves
 * every training as a version, an operator lists versions and rolls back (audit-logged, the engine
 * switches at once, a restart resumes with the active version), and one emitter seen at two nodes
 * is one stored anomaly.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Anomaly, AnomalyModelVersion } from '@heimdall/protocol';
import { forEachDatabase } from '../database/for-each-database.ts';
import { startHarness, type Harness } from '../http/server-harness.ts';
import { AuditLogRepository } from '../repositories/audit-log.repository.ts';
import { AnomalyMonitorService } from './anomaly-monitor.service.ts';
import { frame } from './frame-fixture.ts';

const idle = { subscribe: () => Promise.resolve({ unsubscribe: () => Promise.resolve() }) };
/** Frames (10 s apart) of the 12-hour warm-up. */
const WARM = 12 * 360 + 2;

forEachDatabase((_engine, makeDb) =>
  describe('anomaly model registry and merging', () => {
    let h: Harness;
    let viewer: string;
    let operator: string;
    let a: string;
    let b: string;
    const call = (method: 'GET' | 'POST', url: string, token: string) =>
      h.server.app.inject({ method, url, headers: { authorization: `Bearer ${token}` } });
    const engine = () =>
      new AnomalyMonitorService(idle, h.server.anomalies.repository, {
        warmupMs: 12 * 3_600_000,
        retrainMs: 6 * 3_600_000,
        models: h.server.anomalyModels.repository,
      });
    before(async () => {
      h = await startHarness({ db: await makeDb(), ownDb: true });
      viewer = await h.token('viewer');
      operator = await h.token('operator');
      a = (await h.enroll()).nodeId;
      b = (await h.enroll()).nodeId;
    });
    after(() => h.close());

    test('each training is a version; an operator rolls back and the engine switches at once', async () => {
      const service = engine();
      const off = h.server.anomalyModels.onActivated((m) => service.useModel(m));
      await service.start();
      // the warm-up trains version 1, six more hours retrain version 2
      for (let i = 0; i < WARM + 6 * 360 + 2; i++) service.onFrame(frame(i, false, a));
      await service.stop();

      const r = await call('GET', `/api/v1/anomaly-models?node=${a}`, viewer);
      assert.equal(r.statusCode, 200, r.body);
      const items = (r.json() as { items: AnomalyModelVersion[] }).items;
      assert.deepEqual(
        items.map((v) => [v.version, v.active]),
        [
          [2, true],
          [1, false],
        ],
      );
      const [v2, v1] = items as [AnomalyModelVersion, AnomalyModelVersion];
      assert.equal(v1.created_by, null);
      assert.equal(v1.node_id, a);
      assert.match(v1.training_from, /^2024-06-03T00:00:00\.0+Z$/);
      assert.ok(v1.training_to <= v2.training_from, `${v1.training_to} then ${v2.training_from}`);
      assert.equal(typeof v1.metrics['holdoutEventsPerDay'], 'number');
      assert.equal(service.modelOf(a)?.training.endMs, Date.parse(v2.training_to.replace(/\d{3}Z$/, 'Z')));
      assert.equal(
        ((await call('GET', `/api/v1/anomaly-models?node=${b}`, viewer)).json() as { items: unknown[] }).items
          .length,
        0,
      );

      assert.equal((await call('POST', `/api/v1/anomaly-models/${v1.id}/activate`, viewer)).statusCode, 403);
      const act = await call('POST', `/api/v1/anomaly-models/${v1.id}/activate`, operator);
      assert.equal(act.statusCode, 200, act.body);
      assert.deepEqual(
        [(act.json() as AnomalyModelVersion).version, (act.json() as AnomalyModelVersion).active],
        [1, true],
      );
      const after = (
        (await call('GET', `/api/v1/anomaly-models?node=${a}`, viewer)).json() as {
          items: AnomalyModelVersion[];
        }
      ).items;
      assert.deepEqual(
        after.map((v) => [v.version, v.active]),
        [
          [2, false],
          [1, true],
        ],
      );
      // the engine switched at once
      assert.equal(service.modelOf(a)?.training.endMs, Date.parse(v1.training_to.replace(/\d{3}Z$/, 'Z')));
      const log = await new AuditLogRepository(h.db).list(20);
      const entry = log.find((e) => e.action === 'anomaly_model.activate');
      assert.equal(entry?.target, v1.id);
      assert.deepEqual(entry?.details, { node_id: a, version: 1 });
      off();

      // a restart resumes with the active version instead of learning again
      const restarted = engine();
      await restarted.start();
      assert.equal(restarted.modelOf(a)?.training.endMs, service.modelOf(a)?.training.endMs);
      await restarted.stop();

      const missing = await call(
        'POST',
        '/api/v1/anomaly-models/3f2504e0-4f89-41d3-9a0c-0305e82c3301/activate',
        operator,
      );
      assert.equal(missing.statusCode, 404);
    });

    test('the same new emitter at two nodes is stored once, listing both', async () => {
      const service = new AnomalyMonitorService(idle, h.server.anomalies.repository, {
        warmupMs: 12 * 3_600_000,
      });
      await service.start();
      for (let i = 0; i < WARM + 720; i++) {
        const t = i - WARM;
        const intruder = t >= 180 && t < 360;
        service.onFrame(frame(i, intruder, a));
        service.onFrame(frame(i, intruder, b));
      }
      await service.stop();
      const r = await call('GET', '/api/v1/anomalies?kind=new_emitter', viewer);
      const items = (r.json() as { items: Anomaly[] }).items;
      assert.equal(items.length, 1, r.body);
      assert.deepEqual(new Set(items[0]?.node_ids), new Set([a, b]));
      assert.match(items[0]?.explanation ?? '', /; also seen at /);
    });
  }),
);
