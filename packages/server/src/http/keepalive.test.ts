import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { listen, TestSocket } from '../ingest/ingest-harness.ts';
import { startHarness, type Harness } from './server-harness.ts';

let h: Harness;
let base: string;
before(async () => {
  h = await startHarness({ server: { pingIntervalMs: 100 } });
  base = await listen(h);
});
after(() => h.close());

test('sockets are pinged: a peer that answers stays connected, one that never answers is dropped', async () => {
  const viewer = await h.token('viewer');
  const answering = await TestSocket.open(`${base}/api/v1/live`, { authorization: `Bearer ${viewer}` });
  let pings = 0;
  answering.ws.on('ping', () => pings++);
  const silent = await TestSocket.open(
    `${base}/api/v1/live`,
    { authorization: `Bearer ${viewer}` },
    { autoPong: false },
  );
  const closed = await silent.untilClosed();
  assert.equal(closed.code, 1006, 'terminated without a close handshake');
  assert.ok(pings >= 1);
  assert.equal(answering.closed, undefined);
  answering.close();
});
