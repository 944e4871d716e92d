import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '@heimdall/config';
import { openRecording } from '@heimdall/formats';
import type { SampleFormat } from '../iq-format.ts';
import type { Detection } from './detection.ts';
import { StreamingDetector } from './stream-detector.ts';
import { Scene } from './test-signals.ts';

function stream(bytes: Uint8Array, format: SampleFormat, sampleRate: number, chunk = 40_000): Detection[] {
  const det = new StreamingDetector({ format, sampleRate, centerFrequency: 0 });
  const out: Detection[] = [];
  for (let o = 0; o < bytes.length; o += chunk) det.push(bytes.subarray(o, o + chunk), (d) => out.push(d));
  det.flush((d) => out.push(d));
  return out.sort((a, b) => a.sampleStart - b.sampleStart);
}

test('single pass: bursts and steady signals are found, once each, as the stream goes', () => {
  const s = new Scene(1e6, 600_000, 5).reference(-90);
  s.fsk(-100e3, 12, 20e3, 10e3, { start: 50_000, end: 80_000 });
  s.bandNoise(200e3, 100e3, 10, { start: 300_000, end: 500_000 });
  s.tone(-300e3, -90 + 15 + 33);
  const found = stream(s.noise().bytes('ci16_le'), 'ci16_le', 1e6);
  const summary = found.map((d) => [d.sampleStart, d.sampleCount, Math.round(d.centerHz / 1e3)]);
  assert.equal(found.length, 3, JSON.stringify(summary));
  const [tone, fsk, band] = found as [Detection, Detection, Detection];
  assert.ok(Math.abs(tone.centerHz + 300e3) < 1e3 && tone.sampleStart === 0 && tone.sampleCount === 600_000);
  assert.ok(
    Math.abs(fsk.sampleStart - 50_000) < 512 && Math.abs(fsk.sampleStart + fsk.sampleCount - 80_000) < 512,
  );
  assert.ok(
    Math.abs(band.sampleStart - 300_000) < 512 &&
      Math.abs(band.sampleStart + band.sampleCount - 500_000) < 512,
  );
  assert.ok(Math.abs(band.bandwidthHz / 100e3 - 1) < 0.25);
});

test('single pass: noise alone yields nothing', () => {
  for (const seed of [1, 2, 3, 4]) {
    const s = new Scene(1e6, 400_000, seed).noise(-90);
    assert.deepEqual(stream(s.bytes('cu8'), 'cu8', 1e6), []);
  }
});

test('single pass: the 4 TPMS bursts of tpms-rtl433-cu8, timed to their annotations', (t) => {
  const dir = join(loadConfig().sharedDataDir, 'tpms-rtl433-cu8');
  const meta = existsSync(dir) ? readdirSync(dir).find((f) => f.endsWith('.sigmf-meta')) : undefined;
  if (meta === undefined) {
    t.skip(`reference recording missing: ${dir}`);
    return;
  }
  const rec = openRecording(join(dir, meta));
  const det = new StreamingDetector({
    format: rec.format,
    sampleRate: rec.sampleRate,
    centerFrequency: rec.centerFrequency ?? 0,
  });
  const out: Detection[] = [];
  for (const { bytes } of rec.chunks({ chunkSamples: 10_000 })) det.push(bytes, (d) => out.push(d));
  det.flush((d) => out.push(d));
  for (const a of rec.annotations) {
    const d = out.find((x) => Math.abs(x.sampleStart - a.sampleStart) < 200 && x.bandwidthHz > 50e3);
    assert.ok(
      d !== undefined,
      `burst at ${a.sampleStart}: ${JSON.stringify(out.map((x) => [x.sampleStart, x.sampleCount]))}`,
    );
    assert.ok(Math.abs(d.sampleStart + d.sampleCount - (a.sampleStart + (a.sampleCount ?? 0))) < 200);
  }
  rec.close();
});
