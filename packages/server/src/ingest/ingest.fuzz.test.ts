/**
 * Throws thousands of random and mutated frames at the ingest route: every answer is a 200 or a
 * clear 4xx (never a 5xx), what was accepted is exactly what the counters say, another node's
 * stored history is untouched, and the server still ingests good frames afterwards.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startHarness, type Harness } from '../http/server-harness.ts';
import { detections, spectrum } from './ingest-harness.ts';

/** xorshift32: the same cases on every run. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
}

let h: Harness;
before(async () => {
  h = await startHarness({ server: { ingest: { flushIntervalMs: 0 } } });
});
after(() => h.close());

test('thousands of mutated frames: only 200 or 4xx answers, counters match what was accepted, nothing else harmed', async () => {
  const bystander = await h.enroll('bystander');
  const post = (key: string, body: Uint8Array) =>
    h.server.app.inject({
      method: 'POST',
      url: '/api/v1/ingest/batch',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/octet-stream' },
      payload: Buffer.from(body),
    });
  assert.equal(
    (
      await post(
        bystander.apiKey,
        Buffer.concat([spectrum(bystander.nodeId, 0), spectrum(bystander.nodeId, 1)]),
      )
    ).statusCode,
    200,
  );
  const tilesOf = async (nodeId: string) =>
    (
      await h.db.query(
        'SELECT count(*)::int AS n, coalesce(sum(length(t.data)), 0)::int8 AS bytes FROM spectrum_tiles t JOIN spectrum_bands b ON b.id = t.band_id WHERE b.node_id = $1',
        [nodeId],
      )
    ).rows[0];
  const before = await tilesOf(bystander.nodeId);

  const node = await h.enroll('fuzzed');
  const rand = prng(0x5eed);
  const int = (n: number) => Math.floor(rand() * n);
  const statuses = new Map<number, number>();
  let accepted = 0;
  let duplicates = 0;
  const CASES = 3000;
  for (let i = 0; i < CASES; i++) {
    const seq = int(200);
    let f: Uint8Array = (
      int(4) === 0 ? detections(node.nodeId, seq, [{ label: 'x' }]) : spectrum(node.nodeId, seq)
    ).slice();
    const flip = (at: number, mask: number) => {
      f[at] = (f[at] ?? 0) ^ mask;
    };
    switch (int(8)) {
      case 0: // flip a random byte (header or body)
        f[int(f.length)] = int(256);
        break;
      case 1: // flip a header byte
        flip(int(Math.min(f.length, 80)), 1 << int(8));
        break;
      case 2: // truncate
        f = f.subarray(0, int(f.length));
        break;
      case 3: // extend
        f = Buffer.concat([f, new Uint8Array(1 + int(64)).fill(int(256))]);
        break;
      case 4: // random bytes
        f = new Uint8Array(int(300)).map(() => int(256));
        break;
      case 5: // another node's id
        flip(12 + int(16), 0xff);
        break;
      case 6: // two frames glued, the second one mutated
        f = Buffer.concat([f, spectrum(node.nodeId, int(200)).map((b, j) => (j === int(80) ? b ^ 0x80 : b))]);
        break;
      default: // left intact
        break;
    }
    const r = await post(node.apiKey, f);
    statuses.set(r.statusCode, (statuses.get(r.statusCode) ?? 0) + 1);
    assert.ok(
      r.statusCode === 200 || (r.statusCode >= 400 && r.statusCode < 500),
      `case ${i}: ${r.statusCode} ${r.body}`,
    );
    if (r.statusCode === 200) {
      const body = r.json() as { accepted: number; duplicates: number };
      accepted += body.accepted;
      duplicates += body.duplicates;
    } else {
      assert.ok((r.json() as { error: string }).error.length > 0);
    }
  }
  assert.ok((statuses.get(200) ?? 0) > 100, `some cases were valid: ${JSON.stringify([...statuses])}`);
  assert.ok((statuses.get(400) ?? 0) > 100, `most mutations were refused: ${JSON.stringify([...statuses])}`);
  const viewer = await h.token('viewer');
  const counters = async (id: string) =>
    (
      (
        await h.server.app.inject({
          url: `/api/v1/nodes/${id}`,
          headers: { authorization: `Bearer ${viewer}` },
        })
      ).json() as { ingest: { frames_received: number; duplicates: number } }
    ).ingest;
  const c = await counters(node.nodeId);
  assert.equal(c.frames_received, accepted);
  assert.equal(c.duplicates, duplicates);
  assert.deepEqual(await counters(bystander.nodeId), { frames_received: 2, duplicates: 0, sequence_gaps: 0 });
  assert.deepEqual(await tilesOf(bystander.nodeId), before);
  const ok = await post(bystander.apiKey, spectrum(bystander.nodeId, 2));
  assert.equal(ok.statusCode, 200);
  assert.equal((ok.json() as { accepted: number }).accepted, 1);
});
