/**
 * Retraining from stored history: a node's spectrum tiles (what the ingest stored) train its next
 * model version on schedule, without the engine having seen the frames, and that model finds a new
 * emitter.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { AnomalyModelVersion } from '@heimdall/protocol';
import { forEachDatabase } from '../database/for-each-database.ts';
import { FakeClock, startHarness, type Harness } from '../http/server-harness.ts';
import type { StoredAnomalyModel } from '../repositories/anomaly-model.repository.ts';
import type { NewAnomaly } from '../repositories/anomaly.repository.ts';
import { AnomalyHistoryRetrainer } from './anomaly-history-retrain.service.ts';
import { AnomalyMonitorService } from './anomaly-monitor.service.ts';
import { CENTRE, FFT, frame, RATE, START_NS } from './frame-fixture.ts';

const idle = { subscribe: () => Promise.resolve({ unsubscribe: () => Promise.resolve() }) };
const HOUR = 3_600_000;
const T0 = Number(START_NS / 1_000_000n);
/** A day of frames, 10 s apart. */
const STORED = 24 * 360;

forEachDatabase((_engine, makeDb) =>
  describe('anomaly retraining from stored history', () => {
    let h: Harness;
    let node: string;
    before(async () => {
      h = await startHarness({ db: await makeDb(), ownDb: true });
      node = (await h.enroll()).nodeId;
      for (let i = 0; i < STORED; i++) h.server.ingest.tiles.append(frame(i, false, node));
      await h.server.ingest.tiles.flush();
    });
    after(() => h.close());

    test('a due node is retrained from its tiles; the new version is active, applied, and finds a new emitter', async () => {
      const clock = new FakeClock(T0 + 12 * HOUR);
      const applied: StoredAnomalyModel[] = [];
      const errors: unknown[] = [];
      const retrainer = new AnomalyHistoryRetrainer(
        h.db,
        h.server.ingest.tiles,
        h.server.anomalyModels.repository,
        (m) => applied.push(m),
        clock,
        { periodMs: 12 * HOUR, zoom: 1, onError: (e) => errors.push(e) },
      );
      const planKey = `${CENTRE}:${RATE}:${FFT}`;
      assert.deepEqual(await retrainer.runDue(), [], 'no model yet: nothing is due');
      const v1 = await retrainer.retrain(node, planKey, T0, T0 + 12 * HOUR);
      assert.equal(v1?.version, 1);
      assert.equal(applied.length, 1);
      assert.ok(Date.parse(v1.training_from) - T0 < 60_000, v1.training_from);
      assert.ok(T0 + 12 * HOUR - Date.parse(v1.training_to) < 120_000, v1.training_to);
      assert.equal(await retrainer.retrain(node, '1:2:3', T0, T0 + 12 * HOUR), undefined, 'no such band');

      // not due until its data is a period old
      assert.deepEqual(await retrainer.runDue(), []);
      clock.advance(12 * HOUR);
      const due = await retrainer.runDue();
      assert.deepEqual(errors, []);
      assert.deepEqual(
        due.map((v) => v.version),
        [2],
      );
      assert.ok(Date.parse(due[0]?.training_from ?? '') >= T0 + 12 * HOUR, due[0]?.training_from);
      const r = await h.server.app.inject({
        url: `/api/v1/anomaly-models?node=${node}`,
        headers: { authorization: `Bearer ${await h.token('viewer')}` },
      });
      assert.deepEqual(
        (r.json() as { items: AnomalyModelVersion[] }).items.map((v) => [v.version, v.active]),
        [
          [2, true],
          [1, false],
        ],
      );

      // the engine, given the model learned from history, reports an intruder at once
      const stored: NewAnomaly[] = [];
      const monitor = new AnomalyMonitorService(idle, {
        insert: async (a) => {
          stored.push(a);
          return { id: String(stored.length) };
        },
        merge: async () => undefined,
      });
      monitor.useModel(applied[applied.length - 1] as StoredAnomalyModel);
      for (let i = STORED; i < STORED + 720; i++) {
        const t = i - STORED;
        monitor.onFrame(frame(i, t >= 180 && t < 360, node));
      }
      await monitor.stop();
      assert.deepEqual(
        stored.map((a) => a.kind),
        ['new_emitter'],
      );
    });
  }),
);
