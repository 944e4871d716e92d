import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import type { Detection, SpectrumFrame } from '@heimdall/protocol';
import type { MessageMeta } from './bus.ts';
import { idempotent } from './dedupe.ts';
import { forEachBus } from './for-each-bus.ts';
import { waitFor } from '../wait-for.ts';

const settle = () => new Promise((r) => setTimeout(r, 200));

function detection(i: number): Detection {
  return {
    id: randomUUID(),
    node_id: '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
    start_time: '2026-01-01T00:00:00.000001Z',
    end_time: '2026-01-01T00:00:01Z',
    freq_low_hz: 100e6 + i,
    freq_high_hz: 100.2e6 + i,
    snr_db: 12,
    power_dbfs: -50,
    class: 'fm',
  };
}

forEachBus((name, makeBus) => {
  test(`${name}: a message published on one instance reaches a live subscriber on another`, async () => {
    const a = await makeBus();
    const b = await makeBus();
    try {
      const got: { d: Detection; meta: MessageMeta }[] = [];
      await b.subscribe('detection.created', (d, meta) => {
        got.push({ d, meta });
      });
      const d = detection(1);
      await a.publish('detection.created', d, { id: 'det-1' });
      await waitFor('the detection', () => got.length === 1);
      assert.deepEqual(got[0]?.d, d);
      assert.equal(got[0]?.meta.id, 'det-1');
    } finally {
      await a.close();
      await b.close();
    }
  });

  test(`${name}: spectrum frames travel as binary frames with their bins intact`, async () => {
    const a = await makeBus();
    const b = await makeBus();
    try {
      const got: SpectrumFrame[] = [];
      await b.subscribe('spectrum.frame', (f) => {
        got.push(f);
      });
      const frame: SpectrumFrame = {
        kind: 'spectrum',
        nodeId: '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
        sequence: 7,
        captureTimeNs: 1_767_225_600_000_000_123n,
        centerHz: 433.92e6,
        sampleRateHz: 2.4e6,
        fftSize: 4096,
        refDb: -120,
        stepDb: 0.5,
        bins: Uint8Array.from({ length: 4096 }, (_, i) => i % 251),
      };
      await a.publish('spectrum.frame', frame, { id: `${frame.nodeId}:7` });
      frame.bins.fill(0); // the publisher reuses its buffer: the subscriber must not see that
      await waitFor('the frame', () => got.length === 1);
      assert.equal(got[0]?.captureTimeNs, frame.captureTimeNs);
      assert.deepEqual(
        [...(got[0]?.bins ?? [])],
        Array.from({ length: 4096 }, (_, i) => i % 251),
      );
    } finally {
      await a.close();
      await b.close();
    }
  });

  test(`${name}: a throwing live handler does not stop the others, nor its own next message`, async () => {
    const errors: unknown[] = [];
    const bus = await makeBus({ onError: (e) => errors.push(e) });
    try {
      const good: number[] = [];
      const bad: number[] = [];
      await bus.subscribe('detection.created', (d) => {
        bad.push(d.freq_low_hz);
        throw new Error('viewer bug');
      });
      await bus.subscribe('detection.created', (d) => {
        good.push(d.freq_low_hz);
      });
      await bus.publish('detection.created', detection(1));
      await bus.publish('detection.created', detection(2));
      await waitFor('both messages at both subscribers', () => good.length === 2 && bad.length === 2);
      assert.equal(errors.length, 2);
    } finally {
      await bus.close();
    }
  });

  test(`${name}: subscribers that come and go get exactly the messages published while they listen`, async () => {
    const errors: unknown[] = [];
    const bus = await makeBus({ onError: (e) => errors.push(e) });
    try {
      const first: number[] = [];
      const second: number[] = [];
      const a = await bus.subscribe('detection.created', (d) => void first.push(d.freq_low_hz));
      await bus.publish('detection.created', detection(1));
      await waitFor('the first message', () => first.length === 1);
      await a.unsubscribe();
      // an async handler whose promise rejects is reported like one that throws
      await bus.subscribe('detection.created', async (d) => {
        second.push(d.freq_low_hz);
        await Promise.resolve();
        throw new Error('late failure');
      });
      await bus.publish('detection.created', detection(2));
      await waitFor('the second message', () => second.length === 1 && errors.length === 1);
      await settle();
      assert.deepEqual(first, [detection(1).freq_low_hz]);
      assert.deepEqual(second, [detection(2).freq_low_hz]);
      assert.match(String(errors[0]), /late failure/);
    } finally {
      await bus.close();
    }
  });

  test(`${name}: a live queue group gives each message to one member`, async () => {
    const a = await makeBus();
    const b = await makeBus();
    try {
      const byA: number[] = [];
      const byB: number[] = [];
      await a.subscribe('job.updated', (j) => void byA.push(Number(j.params['i'])), { group: 'workers' });
      await b.subscribe('job.updated', (j) => void byB.push(Number(j.params['i'])), { group: 'workers' });
      for (let i = 0; i < 20; i++) {
        await a.publish('job.updated', {
          id: randomUUID(),
          kind: 'scan',
          status: 'queued',
          node_id: null,
          params: { i },
          result: null,
          error: null,
          created_by: null,
          created_at: '2026-01-01T00:00:00Z',
          updated_at: '2026-01-01T00:00:00Z',
          started_at: null,
          finished_at: null,
        });
      }
      await waitFor('20 jobs', () => byA.length + byB.length === 20);
      await settle();
      assert.equal(byA.length + byB.length, 20, 'no message went to both');
      assert.deepEqual(
        [...byA, ...byB].sort((x, y) => x - y),
        Array.from({ length: 20 }, (_, i) => i),
      );
    } finally {
      await a.close();
      await b.close();
    }
  });

  test(`${name}: a durable subscriber that fails gets the message again (at least once)`, async () => {
    const bus = await makeBus({ redeliveryDelayMs: 50, ackWaitMs: 2000, onError: () => undefined });
    try {
      const deliveries: number[] = [];
      await bus.subscribe(
        'anomaly.created',
        (_a, meta) => {
          deliveries.push(meta.deliveryCount);
          if (meta.deliveryCount === 1) throw new Error('database briefly down');
        },
        { durable: 'scorer' },
      );
      await bus.publish('anomaly.created', {
        id: randomUUID(),
        node_id: null,
        time: '2026-01-01T00:00:00Z',
        end_time: null,
        freq_low_hz: null,
        freq_high_hz: null,
        kind: 'new_emitter',
        score: 4.2,
        node_ids: [],
        severity: 'medium',
        explanation: 'a carrier never seen here before',
        details: {},
        acknowledged_at: null,
        acknowledged_by: null,
        ack_comment: null,
      });
      await waitFor('the redelivery', () => deliveries.length === 2);
      assert.deepEqual(deliveries, [1, 2]);
      await settle();
      assert.equal(deliveries.length, 2, 'acked after the handler succeeded: no third delivery');
    } finally {
      await bus.close();
    }
  });

  test(`${name}: a message a subscriber took but never acked goes to another after ack_wait`, async (t) => {
    if (name === 'in-process') {
      t.skip('in-process: a subscriber cannot die without its process, which takes the bus with it');
      return;
    }
    const a = await makeBus({ ackWaitMs: 800 });
    const b = await makeBus({ ackWaitMs: 800 });
    try {
      let tookIt = false;
      await a.subscribe(
        'detection.created',
        () => {
          tookIt = true;
          return new Promise<void>(() => undefined); // hangs: this server is wedged
        },
        { durable: 'wedged' },
      );
      const d = detection(9);
      await a.publish('detection.created', d);
      await waitFor('the first delivery', () => tookIt);
      const rescued: MessageMeta[] = [];
      await b.subscribe('detection.created', (_d, meta) => void rescued.push(meta), { durable: 'wedged' });
      await waitFor('the redelivery to the other server', () => rescued.length === 1, 5000);
      assert.ok((rescued[0]?.deliveryCount ?? 0) >= 2, 'a redelivery, not a new message');
    } finally {
      await b.close();
      await a.close();
    }
  });

  test(`${name}: subscribers of one durable name on two instances share its messages`, async () => {
    const a = await makeBus();
    const b = await makeBus();
    try {
      const seen: number[] = [];
      const handler = (d: Detection) => {
        seen.push(d.freq_low_hz);
      };
      await a.subscribe('detection.created', handler, { durable: 'store' });
      await b.subscribe('detection.created', handler, { durable: 'store' });
      for (let i = 0; i < 30; i++) await a.publish('detection.created', detection(i));
      await waitFor('30 detections', () => seen.length >= 30);
      await settle();
      assert.deepEqual(
        [...seen].sort((x, y) => x - y),
        Array.from({ length: 30 }, (_, i) => 100e6 + i),
      );
    } finally {
      await a.close();
      await b.close();
    }
  });

  test(`${name}: an idempotent consumer drops a duplicate of a message it handled`, async () => {
    const bus = await makeBus();
    try {
      const effects: string[] = [];
      const dups: string[] = [];
      await bus.subscribe(
        'detection.created',
        idempotent<'detection.created'>(
          (d) => {
            effects.push(d.id);
          },
          { onDuplicate: (id) => dups.push(id) },
        ),
      );
      const d = detection(3);
      await bus.publish('detection.created', d, { id: 'node-x:41' });
      await bus.publish('detection.created', d, { id: 'node-x:41' }); // the agent resent it
      await bus.publish('detection.created', detection(4), { id: 'node-x:42' });
      await waitFor('both ids', () => effects.length === 2 && dups.length === 1);
      assert.deepEqual(dups, ['node-x:41']);
    } finally {
      await bus.close();
    }
  });

  test(`${name}: a payload that breaks its schema is refused at publish`, async () => {
    const bus = await makeBus();
    try {
      await assert.rejects(
        bus.publish('detection.created', { ...detection(1), node_id: 'nope' }),
        /does not match its schema/,
      );
    } finally {
      await bus.close();
    }
  });
});

test('idempotent: a failed handling is not remembered, so the redelivery runs', async () => {
  let calls = 0;
  const h = idempotent<'detection.created'>(() => {
    calls++;
    if (calls === 1) throw new Error('first try fails');
  });
  const meta = { id: 'm1', deliveryCount: 1 };
  await assert.rejects(Promise.resolve(h(detection(1), meta)), /first try fails/);
  await h(detection(1), { ...meta, deliveryCount: 2 });
  await h(detection(1), { ...meta, deliveryCount: 3 });
  assert.equal(calls, 2);
});
