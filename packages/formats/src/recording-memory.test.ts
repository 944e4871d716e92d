import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openRecording } from './recording.ts';

const tmp = mkdtempSync(join(tmpdir(), 'heimdall-memory-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('reading a 300 MB file through chunks() keeps memory flat', () => {
  const path = join(tmp, 'big.cf32');
  const size = 300 * 1024 * 1024;
  const block = new Uint8Array(1 << 20);
  for (let i = 0; i < block.length; i++) block[i] = (i * 7) & 0xff;
  const fd = openSync(path, 'w');
  try {
    for (let written = 0; written < size; written += block.length) writeSync(fd, block);
  } finally {
    closeSync(fd);
  }

  const rec = openRecording(path, { sampleRate: 10e6 });
  assert.equal(rec.sampleCount, size / 8);
  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  let bytes = 0;
  let checksum = 0;
  let chunks = 0;
  for (const chunk of rec.chunks({ chunkSamples: 1 << 16 })) {
    bytes += chunk.bytes.length;
    checksum = (checksum + (chunk.bytes[chunk.bytes.length - 1] as number)) | 0;
    if (++chunks % 16 === 0) peak = Math.max(peak, process.memoryUsage().rss);
  }
  rec.close();
  assert.equal(bytes, size, 'every byte was read');
  assert.notEqual(checksum, 0);
  const growth = (peak - before) / (1024 * 1024);
  assert.ok(growth < 32, `rss grew by ${growth.toFixed(1)} MB while reading 300 MB`);
});
