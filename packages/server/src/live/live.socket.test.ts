import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeFrame } from '@heimdall/protocol';
import { startHarness, type Harness } from '../http/server-harness.ts';
import { detections, listen, spectrum, TestSocket } from '../ingest/ingest-harness.ts';

describe('live API', () => {
  let h: Harness;
  let base: string;
  before(async () => {
    h = await startHarness();
    base = await listen(h);
  });
  after(() => h.close());

  test('a viewer subscribes and receives ingested spectrum frames as binary and detections as JSON', async () => {
    const node = await h.enroll();
    const viewer = await h.token('viewer');
    const live = await TestSocket.open(`${base}/api/v1/live`, { authorization: `Bearer ${viewer}` });
    live.ws.send(
      JSON.stringify({ type: 'subscribe', nodes: [node.nodeId], kinds: ['spectrum', 'detections'] }),
    );
    await live.until(
      () => live.texts.some((m) => (m as { type: string }).type === 'subscribed'),
      'subscribed',
    );
    const ingest = await TestSocket.open(`${base}/api/v1/ingest`, { authorization: `Bearer ${node.apiKey}` });
    ingest.ws.send(spectrum(node.nodeId, 0));
    ingest.ws.send(detections(node.nodeId, 1, [{ label: 'dmr' }]));
    await live.until(
      () => live.binaries.length >= 1 && live.texts.some((m) => (m as { type: string }).type === 'detection'),
      'frame and detection',
    );
    const frame = decodeFrame(live.binaries[0] as Uint8Array);
    assert.equal(frame.kind, 'spectrum');
    assert.equal(frame.kind === 'spectrum' ? frame.sequence : -1, 0);
    const det = live.texts.find((m) => (m as { type: string }).type === 'detection') as {
      data: { class: string; node_id: string };
    };
    assert.equal(det.data.class, 'dmr');
    assert.equal(det.data.node_id, node.nodeId);
    ingest.close();
    live.close();
  });

  test('a burst of frames reaches a viewer whole and in order (written together, in slices)', async () => {
    const node = await h.enroll();
    const viewer = await h.token('viewer');
    const live = await TestSocket.open(`${base}/api/v1/live`, { authorization: `Bearer ${viewer}` });
    live.ws.send(JSON.stringify({ type: 'subscribe', nodes: [node.nodeId], kinds: ['spectrum'] }));
    await live.until(
      () => live.texts.some((m) => (m as { type: string }).type === 'subscribed'),
      'subscribed',
    );
    const ingest = await TestSocket.open(`${base}/api/v1/ingest`, { authorization: `Bearer ${node.apiKey}` });
    // 200 frames of 4096 bins: 0.8 MB in one burst, more than one corked write holds, less than
    // the 1 MiB a viewer may have waiting before frames are dropped for it
    const count = 200;
    for (let i = 0; i < count; i++) ingest.ws.send(spectrum(node.nodeId, i, { bins: 4096 }));
    await live.until(() => live.binaries.length >= count, `${count} frames`);
    const sequences = live.binaries.map((b) => {
      const f = decodeFrame(b as Uint8Array);
      return f.kind === 'spectrum' ? f.sequence : -1;
    });
    assert.deepEqual(
      sequences,
      Array.from({ length: count }, (_, i) => i),
    );
    ingest.close();
    live.close();
  });

  test('a bad subscription gets an error message naming the field; the socket stays open', async () => {
    const viewer = await h.token('viewer');
    const live = await TestSocket.open(`${base}/api/v1/live?access_token=${viewer}`);
    live.ws.send(JSON.stringify({ type: 'subscribe', kinds: ['weather'] }));
    await live.until(() => live.texts.length > 0, 'error');
    const err = live.texts[0] as { type: string; field: string };
    assert.equal(err.type, 'error');
    assert.match(err.field, /^kinds/);
    live.ws.send('not json');
    await live.until(() => live.texts.length > 1, 'second error');
    assert.equal(live.closed, undefined);
    live.close();
  });

  test('the live socket wants a user token: none is 401, a node key 403', async () => {
    await assert.rejects(TestSocket.open(`${base}/api/v1/live`), /HTTP 401/);
    const node = await h.enroll();
    await assert.rejects(
      TestSocket.open(`${base}/api/v1/live`, { authorization: `Bearer ${node.apiKey}` }),
      /HTTP 403/,
    );
  });
});
