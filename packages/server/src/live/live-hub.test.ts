import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeFrame } from '@heimdall/protocol';
import { createInProcessBus } from '../bus/in-process.bus.ts';
import { spectrum } from '../ingest/ingest-harness.ts';
import { LiveHub, liveSubscribeSchema, type LiveSink } from './live-hub.ts';

const NODE = '6bfba06b-abf3-40a3-822f-eb9322fb528b';

test('a slow viewer gets frames again once it drains, the ones in between are dropped and counted; a fast one gets all', async () => {
  const bus = createInProcessBus();
  let drops = 0;
  const hub = new LiveHub(bus, { maxBufferedBytes: 1000, onDrop: () => drops++ });
  await hub.start();
  const slowGot: number[] = [];
  const fastGot: number[] = [];
  // the slow viewer's socket has 5 kB unsent until the fast one has had 8 frames (then it caught up)
  const backlog = () => (fastGot.length >= 8 ? 0 : 5000);
  const slow: LiveSink = {
    send: (d) => slowGot.push((decodeFrame(d as Uint8Array) as { sequence: number }).sequence),
    bufferedAmount: () => backlog(),
  };
  const fast: LiveSink = {
    send: (d) => fastGot.push((decodeFrame(d as Uint8Array) as { sequence: number }).sequence),
    bufferedAmount: () => 0,
  };
  const filter = liveSubscribeSchema.parse({ type: 'subscribe', kinds: ['spectrum'] });
  const slowClient = hub.add(slow);
  slowClient.filter = filter;
  hub.add(fast).filter = filter;
  const frame = (seq: number) => decodeFrame(spectrum(NODE, seq));
  for (let seq = 0; seq < 10; seq++) {
    const f = frame(seq);
    if (f.kind !== 'spectrum') throw new Error('not spectrum');
    await bus.publish('spectrum.frame', f);
  }
  for (let i = 0; i < 100 && fastGot.length < 10; i++) await new Promise((r) => setImmediate(r));
  assert.deepEqual(fastGot, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(slowGot, [8, 9], 'only the newest frames after it drained');
  assert.equal(slowClient.dropped, 8);
  assert.equal(drops, 8);
  await hub.close();
  await bus.close();
});

test('filters select nodes, frequency range and kinds', async () => {
  const bus = createInProcessBus();
  const hub = new LiveHub(bus);
  await hub.start();
  const got: string[] = [];
  const c = hub.add({
    send: (d) => got.push(typeof d === 'string' ? (JSON.parse(d) as { type: string }).type : 'frame'),
    bufferedAmount: () => 0,
  });
  c.filter = liveSubscribeSchema.parse({
    type: 'subscribe',
    nodes: [NODE],
    freq_min_hz: 90e6,
    freq_max_hz: 95e6,
    kinds: ['spectrum', 'detections'],
  });
  const publish = async (center: number, node = NODE) => {
    const f = decodeFrame(spectrum(node, 0, { centerHz: center }));
    if (f.kind === 'spectrum') await bus.publish('spectrum.frame', f);
  };
  await publish(100e6); // 98.8-101.2 MHz: outside
  await publish(94e6); // overlaps
  await publish(94e6, '00000000-0000-4000-8000-000000000001'); // another node
  await bus.publish('node.heartbeat', {
    node_id: NODE,
    time: '2026-06-01T12:00:00Z',
    received_at: '2026-06-01T12:00:00Z',
    cpu_percent: null,
    memory_used_bytes: null,
    memory_total_bytes: null,
    disk_free_bytes: null,
    temperature_c: null,
    sample_drops: 0,
    clock_source: 'ntp',
    clock_offset_ms: null,
  });
  await bus.publish('detection.created', {
    id: '00000000-0000-4000-8000-000000000002',
    node_id: NODE,
    start_time: '2026-06-01T12:00:00Z',
    end_time: '2026-06-01T12:00:01Z',
    freq_low_hz: 94.9e6,
    freq_high_hz: 95.1e6,
    snr_db: 10,
    power_dbfs: -50,
    class: 'fm',
  });
  for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
  assert.deepEqual(got, ['frame', 'detection']);
  await hub.close();
  await bus.close();
});
