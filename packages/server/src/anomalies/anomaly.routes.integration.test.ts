/**
 * Anomalies API: what the engine inserts is listed with filters and pages, acknowledged by an
 * operator (who, when, comment; audit-logged), and pushed to live viewers as it is raised.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Anomaly } from '@heimdall/protocol';
import { startHarness, type Harness } from '../http/server-harness.ts';
import { forEachDatabase } from '../database/for-each-database.ts';
import { listen, TestSocket } from '../ingest/ingest-harness.ts';
import { AuditLogRepository } from '../repositories/audit-log.repository.ts';
import type { NewAnomaly } from '../repositories/anomaly.repository.ts';

function anomaly(over: Partial<NewAnomaly> & Pick<NewAnomaly, 'node_id'>): NewAnomaly {
  return {
    node_ids: [],
    time: '2026-06-01T10:00:00Z',
    end_time: '2026-06-01T10:05:00Z',
    freq_low_hz: 433.9e6,
    freq_high_hz: 433.95e6,
    kind: 'new_emitter',
    score: 5,
    severity: 'medium',
    explanation: 'a carrier at 433.92 MHz never seen at this hour',
    details: { baseline_db: -110 },
    ...over,
  };
}

forEachDatabase((engine, makeDb) =>
  describe('anomalies API', () => {
    let h: Harness;
    let viewer: string;
    let operator: string;
    let a: string;
    let b: string;
    const get = async (url: string, token = viewer) => {
      const r = await h.server.app.inject({ url, headers: { authorization: `Bearer ${token}` } });
      assert.equal(r.statusCode, 200, r.body);
      return r.json() as { items: Anomaly[]; next_cursor: string | null };
    };
    before(async () => {
      h = await startHarness({ db: await makeDb(), ownDb: true });
      viewer = await h.token('viewer');
      operator = await h.token('operator');
      a = (await h.enroll()).nodeId;
      b = (await h.enroll()).nodeId;
      const ins = (x: NewAnomaly) => h.server.anomalies.insert(x);
      await ins(anomaly({ node_id: a, time: '2026-06-01T10:00:00Z', severity: 'low', score: 2 }));
      await ins(
        anomaly({ node_id: a, node_ids: [b], time: '2026-06-01T11:00:00Z', severity: 'high', score: 9 }),
      );
      await ins(
        anomaly({
          node_id: b,
          time: '2026-06-01T12:00:00Z',
          kind: 'missing_carrier',
          freq_low_hz: 145e6,
          freq_high_hz: 145.1e6,
        }),
      );
      await ins(
        anomaly({
          node_id: null,
          time: '2026-06-01T13:00:00Z',
          kind: 'band_noise',
          freq_low_hz: null,
          freq_high_hz: null,
        }),
      );
    });
    after(() => h.close());

    test('lists newest first, filtered by node (any node that saw it), kind, severity, score, time and frequency', async () => {
      const all = await get('/api/v1/anomalies');
      assert.deepEqual(
        all.items.map((x) => x.time),
        [
          '2026-06-01T13:00:00.000000Z',
          '2026-06-01T12:00:00.000000Z',
          '2026-06-01T11:00:00.000000Z',
          '2026-06-01T10:00:00.000000Z',
        ],
      );
      const shared = all.items[2] as Anomaly;
      assert.deepEqual(new Set(shared.node_ids), new Set([a, b]), 'one event seen at two nodes');
      assert.equal(shared.severity, 'high');
      assert.match(shared.explanation, /433\.92 MHz/);
      assert.deepEqual(shared.details, { baseline_db: -110 });

      assert.equal((await get(`/api/v1/anomalies?node_id=${b}`)).items.length, 2);
      assert.equal((await get(`/api/v1/anomalies?node_id=${a}`)).items.length, 2);
      assert.deepEqual(
        (await get('/api/v1/anomalies?severity=high,low')).items.map((x) => x.severity),
        ['high', 'low'],
      );
      assert.equal((await get('/api/v1/anomalies?kind=missing_carrier')).items.length, 1);
      assert.equal((await get('/api/v1/anomalies?min_score=8')).items.length, 1);
      // 10:00-10:05 and 11:00-11:05 overlap [10:04, 11:01]
      assert.equal(
        (await get('/api/v1/anomalies?from=2026-06-01T10:04:00Z&to=2026-06-01T11:01:00Z')).items.length,
        2,
      );
      // the band-wide anomaly (no frequency range) matches every frequency filter
      assert.deepEqual(
        (await get('/api/v1/anomalies?freq_min_hz=144e6&freq_max_hz=146e6')).items.map((x) => x.kind),
        ['band_noise', 'missing_carrier'],
      );
      const bad = await h.server.app.inject({
        url: '/api/v1/anomalies?severity=extreme',
        headers: { authorization: `Bearer ${viewer}` },
      });
      assert.equal(bad.statusCode, 400);
      assert.match((bad.json() as { field: string }).field, /severity/);
    });

    test('pages with a cursor without repeats or gaps', async () => {
      const seen: string[] = [];
      let url = '/api/v1/anomalies?limit=3';
      for (;;) {
        const page = await get(url);
        seen.push(...page.items.map((x) => x.id));
        if (page.next_cursor === null) break;
        url = `/api/v1/anomalies?limit=3&cursor=${page.next_cursor}`;
      }
      assert.equal(seen.length, 4);
      assert.equal(new Set(seen).size, 4);
    });

    test('an operator acknowledges with a comment: who and when are kept, audit-logged, and filterable', async () => {
      const target = (await get('/api/v1/anomalies?severity=high')).items[0] as Anomaly;
      assert.equal(target.acknowledged_at, null);
      const asViewer = await h.server.app.inject({
        method: 'POST',
        url: `/api/v1/anomalies/${target.id}/ack`,
        headers: { authorization: `Bearer ${viewer}` },
        payload: { comment: 'no' },
      });
      assert.equal(asViewer.statusCode, 403);
      const r = await h.server.app.inject({
        method: 'POST',
        url: `/api/v1/anomalies/${target.id}/ack`,
        headers: { authorization: `Bearer ${operator}` },
        payload: { comment: 'licensed test transmitter' },
      });
      assert.equal(r.statusCode, 200, r.body);
      const acked = r.json() as Anomaly;
      assert.match(acked.acknowledged_by ?? '', /^operator-/);
      assert.equal(acked.ack_comment, 'licensed test transmitter');
      assert.ok(acked.acknowledged_at !== null);

      const one = await h.server.app.inject({
        url: `/api/v1/anomalies/${target.id}`,
        headers: { authorization: `Bearer ${viewer}` },
      });
      assert.equal((one.json() as Anomaly).ack_comment, 'licensed test transmitter');
      assert.deepEqual(
        (await get('/api/v1/anomalies?acknowledged=true')).items.map((x) => x.id),
        [target.id],
      );
      assert.equal((await get('/api/v1/anomalies?acknowledged=false')).items.length, 3);
      const log = await new AuditLogRepository(h.db).list(20);
      const entry = log.find((e) => e.action === 'anomaly.acknowledge');
      assert.equal(entry?.target, target.id);
      assert.deepEqual(entry?.details, { comment: 'licensed test transmitter' });

      const missing = await h.server.app.inject({
        method: 'POST',
        url: '/api/v1/anomalies/3f2504e0-4f89-41d3-9a0c-0305e82c3301/ack',
        headers: { authorization: `Bearer ${operator}` },
        payload: {},
      });
      assert.equal(missing.statusCode, 404);
    });

    test('a raised anomaly reaches live viewers of any node that saw it as {"type":"anomaly"}', async () => {
      const base = await listen(h);
      const live = await TestSocket.open(`${base}/api/v1/live`, { authorization: `Bearer ${viewer}` });
      live.ws.send(JSON.stringify({ type: 'subscribe', nodes: [b], kinds: ['anomalies'] }));
      await live.until(
        () => live.texts.some((m) => (m as { type: string }).type === 'subscribed'),
        'subscribed',
      );
      const raised = await h.server.anomalies.insert(
        anomaly({ node_id: a, node_ids: [b], time: '2026-06-01T14:00:00Z', kind: 'power_jump' }),
      );
      await live.until(() => live.texts.some((m) => (m as { type: string }).type === 'anomaly'), 'anomaly');
      const msg = live.texts.find((m) => (m as { type: string }).type === 'anomaly') as { data: Anomaly };
      assert.equal(msg.data.id, raised.id);
      assert.equal(msg.data.kind, 'power_jump');
      assert.equal(msg.data.severity, 'medium');
      live.close();
    });
  }),
);
