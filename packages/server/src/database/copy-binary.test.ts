/**
 * The COPY data Blob that PGlite reads: its fast arrayBuffer() gives exactly the bytes (a view into
 * a larger buffer included), and it is still a whole Blob for everything else.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CopyDataBlob } from './copy-binary.ts';

test('CopyDataBlob answers arrayBuffer() with exactly its bytes, a view into a larger buffer too', async () => {
  const whole = new Uint8Array([1, 2, 3, 4, 5, 6]);
  const own = await new CopyDataBlob(whole).arrayBuffer();
  assert.equal(own, whole.buffer, 'the bytes own their buffer: no copy');

  const view = whole.subarray(2, 5);
  const blob = new CopyDataBlob(view);
  assert.deepEqual([...new Uint8Array(await blob.arrayBuffer())], [3, 4, 5]);
  assert.equal(blob.size, 3);
  assert.deepEqual([...new Uint8Array(await blob.slice(1).arrayBuffer())], [4, 5]);
  const streamed: number[] = [];
  for await (const chunk of blob.stream()) streamed.push(...chunk);
  assert.deepEqual(streamed, [3, 4, 5]);
});
