import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { decodeFrame, type AckMessage, type Detection } from '@heimdall/protocol';
import { failingOnce } from '../database/failing-once.ts';
import { freshDb, startHarness, type Harness } from '../http/server-harness.ts';
import { detections, listen, spectrum, TestSocket } from './ingest-harness.ts';

function lastAck(s: TestSocket): AckMessage | undefined {
  const b = s.binaries[s.binaries.length - 1];
  if (b === undefined) return undefined;
  const f = decodeFrame(b);
  return f.kind === 'ack' ? f : undefined;
}

describe('ingest', () => {
  let h: Harness;
  let base: string;
  before(async () => {
    h = await startHarness();
    base = await listen(h);
  });
  after(() => h.close());

  async function counters(nodeId: string) {
    const viewer = await h.token('viewer');
    const r = await h.server.app.inject({
      url: `/api/v1/nodes/${nodeId}`,
      headers: { authorization: `Bearer ${viewer}` },
    });
    return (r.json() as { ingest: { frames_received: number; duplicates: number; sequence_gaps: number } })
      .ingest;
  }

  test('WebSocket frames are acked only once stored; duplicates dropped and gaps counted per node', async () => {
    const node = await h.enroll();
    const published: string[] = [];
    const sub = await h.bus.subscribe('spectrum.frame', (f) => {
      published.push(`${f.nodeId}:${f.sequence}`);
    });
    const s = await TestSocket.open(`${base}/api/v1/ingest`, { authorization: `Bearer ${node.apiKey}` });
    for (const seq of [0, 1, 2]) s.ws.send(spectrum(node.nodeId, seq));
    await s.until(() => lastAck(s)?.nextSequence === 3, 'ack of 0..2');
    // the ack means durable: the counters and the tiles are in the database already
    assert.equal((await counters(node.nodeId)).frames_received, 3);
    const tiles = await h.db.query(
      'SELECT count(*)::int AS n FROM spectrum_tiles t JOIN spectrum_bands b ON b.id = t.band_id WHERE b.node_id = $1',
      [node.nodeId],
    );
    assert.ok(Number(tiles.rows[0]?.['n']) > 0, 'tiles stored before the ack');

    s.ws.send(spectrum(node.nodeId, 1)); // a resend
    s.ws.send(spectrum(node.nodeId, 5)); // 3 and 4 missing
    await s.until(() => (lastAck(s)?.acked ?? []).includes(5), 'ack of 5');
    assert.equal(lastAck(s)?.nextSequence, 3, 'nothing below a hole is claimed');
    s.ws.send(spectrum(node.nodeId, 3));
    s.ws.send(detections(node.nodeId, 4, [{ label: 'fm' }]));
    await s.until(() => lastAck(s)?.nextSequence === 6, 'the hole filled');
    assert.deepEqual(lastAck(s)?.acked, []);
    assert.deepEqual(await counters(node.nodeId), { frames_received: 6, duplicates: 1, sequence_gaps: 1 });
    s.close();
    await sub.unsubscribe();
    assert.deepEqual(
      published.filter((p) => p.startsWith(node.nodeId)).sort(),
      [0, 1, 2, 3, 5].map((q) => `${node.nodeId}:${q}`).sort(),
    );
  });

  test("a key used for another node's frames closes the socket with a reason, and stores nothing", async () => {
    const mine = await h.enroll();
    const other = await h.enroll();
    const s = await TestSocket.open(`${base}/api/v1/ingest`, { authorization: `Bearer ${mine.apiKey}` });
    s.ws.send(spectrum(other.nodeId, 0));
    const closed = await s.untilClosed();
    assert.equal(closed.code, 4003);
    assert.equal(closed.reason, 'node:wrong_node');
    assert.equal((await counters(other.nodeId)).frames_received, 0);
    assert.equal((await counters(mine.nodeId)).frames_received, 0);
  });

  test('wrong version, truncated, garbage, text and oversized messages each close with their code and are counted', async () => {
    const node = await h.enroll();
    const good = spectrum(node.nodeId, 0);
    const wrongVersion = good.slice();
    wrongVersion[4] = 99;
    const cases: { name: string; send: Uint8Array | string; code: number; reason: RegExp }[] = [
      { name: 'wrong version', send: wrongVersion, code: 1002, reason: /^frame:unsupported_version$/ },
      { name: 'truncated', send: good.subarray(0, good.length - 5), code: 1007, reason: /^frame:truncated$/ },
      { name: 'garbage', send: new Uint8Array(100).fill(7), code: 1002, reason: /^frame:bad_magic$/ },
      { name: 'text', send: 'hello', code: 1003, reason: /binary/ },
      { name: 'oversized', send: new Uint8Array((1 << 20) + 10), code: 1009, reason: /.*/ },
    ];
    for (const c of cases) {
      const s = await TestSocket.open(`${base}/api/v1/ingest`, { authorization: `Bearer ${node.apiKey}` });
      s.ws.send(c.send);
      const closed = await s.untilClosed();
      assert.equal(closed.code, c.code, c.name);
      assert.match(closed.reason, c.reason, c.name);
    }
    assert.equal((await counters(node.nodeId)).frames_received, 0);
    const metrics = (await h.server.app.inject({ url: '/metrics' })).body;
    for (const reason of ['unsupported_version', 'truncated', 'bad_magic', 'text_message', 'oversized']) {
      assert.match(
        metrics,
        new RegExp(`heimdall_ingest_rejected_total\\{reason="${reason}"\\} [1-9]`),
        reason,
      );
    }
  });

  test('the ingest socket refuses a missing key (401) and a user token (403) before upgrading', async () => {
    await assert.rejects(TestSocket.open(`${base}/api/v1/ingest`), /HTTP 401/);
    const admin = await h.token('admin');
    await assert.rejects(
      TestSocket.open(`${base}/api/v1/ingest`, { authorization: `Bearer ${admin}` }),
      /HTTP 403/,
    );
  });

  test('POST /api/v1/ingest/batch stores several frames and answers with the ack; bad batches change nothing', async () => {
    const node = await h.enroll();
    const post = (body: Uint8Array, key = node.apiKey) =>
      h.server.app.inject({
        method: 'POST',
        url: '/api/v1/ingest/batch',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/octet-stream' },
        payload: Buffer.from(body),
      });
    const batch = Buffer.concat([
      spectrum(node.nodeId, 0),
      spectrum(node.nodeId, 1),
      detections(node.nodeId, 2, [{}, { label: 'lte' }]),
    ]);
    const ok = await post(batch);
    assert.equal(ok.statusCode, 200, ok.body);
    assert.deepEqual(ok.json(), {
      node_id: node.nodeId,
      accepted: 3,
      duplicates: 0,
      next_sequence: 3,
      acked: [],
    });
    const again = await post(batch);
    assert.deepEqual(again.json(), {
      node_id: node.nodeId,
      accepted: 0,
      duplicates: 3,
      next_sequence: 3,
      acked: [],
    });

    const truncated = await post(
      Buffer.concat([spectrum(node.nodeId, 3), spectrum(node.nodeId, 4).subarray(0, 50)]),
    );
    assert.equal(truncated.statusCode, 400);
    assert.match((truncated.json() as { field: string }).field, /^frames\[1\]/);
    const other = await h.enroll();
    const foreign = await post(spectrum(other.nodeId, 0));
    assert.equal(foreign.statusCode, 403);
    const version = spectrum(node.nodeId, 3);
    version[4] = 2;
    assert.equal((await post(version)).statusCode, 400);
    assert.deepEqual(await counters(node.nodeId), { frames_received: 3, duplicates: 3, sequence_gaps: 0 });
    assert.equal((await counters(other.nodeId)).frames_received, 0);
  });

  test('detections from nodes are listed with filters and cursor pagination, and published after commit', async () => {
    const node = await h.enroll();
    const created: Detection[] = [];
    const sub = await h.bus.subscribe('detection.created', (d) => {
      created.push(d);
    });
    const body = detections(node.nodeId, 0, [
      { label: 'fm', snrDb: 30, freqLowHz: 99.9e6, freqHighHz: 100.1e6 },
      { label: 'lte', snrDb: 12, freqLowHz: 800e6, freqHighHz: 810e6 },
      { label: 'fm', snrDb: 8, freqLowHz: 101.9e6, freqHighHz: 102.1e6 },
    ]);
    const r = await h.server.app.inject({
      method: 'POST',
      url: '/api/v1/ingest/batch',
      headers: { authorization: `Bearer ${node.apiKey}`, 'content-type': 'application/octet-stream' },
      payload: Buffer.from(body),
    });
    assert.equal(r.statusCode, 200);
    const viewer = await h.token('viewer');
    const list = async (q: string) => {
      const res = await h.server.app.inject({
        url: `/api/v1/detections?node_id=${node.nodeId}&${q}`,
        headers: { authorization: `Bearer ${viewer}` },
      });
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as { items: Detection[]; next_cursor: string | null };
    };
    assert.equal((await list('')).items.length, 3);
    assert.deepEqual((await list('class=fm')).items.map((d) => d.snr_db).sort(), [30, 8]);
    assert.deepEqual((await list('min_snr_db=10')).items.map((d) => d.class).sort(), ['fm', 'lte']);
    assert.deepEqual(
      (await list('freq_min_hz=700e6&freq_max_hz=900e6')).items.map((d) => d.class),
      ['lte'],
    );
    const first = await list('limit=2');
    assert.equal(first.items.length, 2);
    assert.ok(first.next_cursor);
    const second = await list(`limit=2&cursor=${first.next_cursor}`);
    assert.equal(second.items.length, 1);
    assert.equal(second.next_cursor, null);
    assert.equal(new Set([...first.items, ...second.items].map((d) => d.id)).size, 3);
    const bad = await h.server.app.inject({
      url: `/api/v1/detections?freq_min_hz=5e6&freq_max_hz=1e6`,
      headers: { authorization: `Bearer ${viewer}` },
    });
    assert.equal(bad.statusCode, 400);
    assert.equal((bad.json() as { field: string }).field, 'freq_min_hz');
    const badNode = await h.server.app.inject({
      url: `/api/v1/detections?node_id=${randomUUID()},nope`,
      headers: { authorization: `Bearer ${viewer}` },
    });
    assert.equal(badNode.statusCode, 400);
    assert.match((badNode.json() as { field: string }).field, /^node_id/);
    for (let i = 0; i < 50 && created.filter((d) => d.node_id === node.nodeId).length < 3; i++)
      await new Promise((res) => setTimeout(res, 20));
    assert.equal(created.filter((d) => d.node_id === node.nodeId).length, 3);
    await sub.unsubscribe();
  });
});

describe('ingest when the database fails', () => {
  test('a commit that fails closes the socket with 1013 and a reason; the reconnected resend is stored once', async () => {
    const flaky = failingOnce(await freshDb(), 'UPDATE nodes n SET');
    const h = await startHarness({ db: flaky.db, ownDb: true });
    try {
      const base = await listen(h);
      const node = await h.enroll();
      const auth = { authorization: `Bearer ${node.apiKey}` };
      const first = await TestSocket.open(`${base}/api/v1/ingest`, auth);
      for (const seq of [0, 1]) first.ws.send(spectrum(node.nodeId, seq));
      const closed = await first.untilClosed();
      assert.ok(flaky.failed(), 'the commit failed');
      assert.deepEqual(closed, { code: 1013, reason: 'server:unavailable' });
      assert.equal(first.binaries.length, 0, 'nothing was acked');

      // what a node does: reconnect and resend everything not acked
      const again = await TestSocket.open(`${base}/api/v1/ingest`, auth);
      for (const seq of [0, 1]) again.ws.send(spectrum(node.nodeId, seq));
      await again.until(() => lastAck(again)?.nextSequence === 2, 'ack of 0..1');
      const stored = await h.db.query(
        `SELECT sum(t.frame_count)::int AS n FROM spectrum_tiles t JOIN spectrum_bands b ON b.id = t.band_id
         WHERE b.node_id = $1 AND t.zoom = 0`,
        [node.nodeId],
      );
      assert.equal(stored.rows[0]?.['n'], 2, 'each frame stored once');
      again.close();
    } finally {
      await h.close();
    }
  });
});
