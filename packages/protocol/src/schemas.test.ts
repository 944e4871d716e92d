import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectionQuerySchema } from './detection.schema.ts';
import { heartbeatInputSchema } from './heartbeat.schema.ts';
import { nodePageSchema } from './node.schema.ts';

test('detection filters parse from a query string and refuse inverted ranges', () => {
  const q = detectionQuerySchema.parse({
    node_id: '3f2504e0-4f89-41d3-9a0c-0305e82c3301,3f2504e0-4f89-41d3-9a0c-0305e82c3302',
    freq_min_hz: '88e6',
    freq_max_hz: '108000000',
    class: 'fm',
    min_snr_db: '6',
  });
  assert.equal(q.node_id?.length, 2);
  assert.equal(q.freq_min_hz, 88e6);
  assert.equal(q.limit, 100);
  assert.deepEqual(q.class, ['fm']);
  const bad = detectionQuerySchema.safeParse({ freq_min_hz: '2e6', freq_max_hz: '1e6' });
  assert.ok(!bad.success);
  assert.deepEqual(bad.error.issues[0]?.path, ['freq_min_hz']);
  assert.ok(
    !detectionQuerySchema.safeParse({ from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' }).success,
  );
  assert.ok(!detectionQuerySchema.safeParse({ limit: '5000' }).success);
  assert.ok(!detectionQuerySchema.safeParse({ cursor: 'has spaces' }).success);
});

test('a node page has the items / next_cursor shape the contract names', () => {
  const page = {
    items: [
      {
        id: '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
        name: 'roof',
        status: 'online',
        location: { lat: 52.1, lon: 4.3, alt_m: null },
        capabilities: { receivers: ['rtl-sdr'], custom: true },
        groups: ['north'],
        tags: ['vhf'],
        last_heartbeat_at: '2026-01-01T00:00:00.123456Z',
        ingest: { frames_received: 10, duplicates: 1, sequence_gaps: 0 },
        created_at: '2026-01-01T00:00:00Z',
      },
    ],
    next_cursor: null,
  };
  assert.deepEqual(nodePageSchema.parse(page), page);
  assert.ok(!nodePageSchema.safeParse({ ...page, items: [{ ...page.items[0], status: 'busy' }] }).success);
});

test('a heartbeat out of range is refused with the field named', () => {
  const hb = {
    time: '2026-01-01T00:00:00Z',
    cpu_percent: 140,
    memory_used_bytes: 1,
    memory_total_bytes: 2,
    disk_free_bytes: 3,
    temperature_c: 40,
    sample_drops: 0,
    clock_source: 'gps',
    clock_offset_ms: 0.2,
  };
  const r = heartbeatInputSchema.safeParse(hb);
  assert.ok(!r.success);
  assert.deepEqual(r.error.issues[0]?.path, ['cpu_percent']);
  assert.ok(heartbeatInputSchema.safeParse({ ...hb, cpu_percent: 14 }).success);
});
