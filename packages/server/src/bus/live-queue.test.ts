import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LiveQueue } from './live-queue.ts';

test('a slow live subscriber keeps the newest messages, in order, and counts what it dropped', async () => {
  const seen: number[] = [];
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  const drops: number[] = [];
  const q = new LiveQueue<number>(
    async (n) => {
      if (seen.length === 0) await gate; // the first message is slow to handle
      seen.push(n);
    },
    10,
    (d) => drops.push(d),
  );
  q.push(0);
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  for (let i = 1; i <= 100; i++) q.push(i); // the publisher never waits
  release();
  while (seen.length < 11) await new Promise((r) => setTimeout(r, 1));
  assert.deepEqual(seen, [0, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100]);
  assert.equal(q.dropped, 90);
  assert.deepEqual(drops, [1], 'reported on the first drop (then every 1000th)');
});

test('a stopped queue runs nothing more', async () => {
  const seen: number[] = [];
  const q = new LiveQueue<number>(
    async (n) => void seen.push(n),
    10,
    () => undefined,
  );
  q.push(1);
  q.stop();
  q.push(2);
  await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(seen, []);
});
