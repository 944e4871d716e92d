import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Spectrogram } from '../spectrogram.ts';
import { makeWindow } from '../window.ts';
import { BurstTracker, framesToAverage, hangoverFor } from './burst.ts';
import type { BurstRecord } from './burst.ts';
import type { Channel } from './cfar.ts';
import { averagedShape, windowCorrelation } from './noise-stats.ts';
import { Scene } from './test-signals.ts';

const FS = 1e6;
const N0 = -90;

/** Runs a tracker over a scene's frames (cf32, Hann, 50 % overlap) with the true noise floor. */
function track(scene: Scene, n: number, span: Channel, level: number): BurstRecord[] {
  const sg = new Spectrogram({ fftSize: n, format: 'cf32_le', segmentsPerFrame: 1, sampleRate: FS });
  const correlation = windowCorrelation(makeWindow('hann', n), sg.step);
  const frameShape = averagedShape(correlation, 1);
  const floor = new Float64Array(n).fill(10 ** (N0 / 10));
  const averageFrames = framesToAverage(correlation, frameShape, span.to - span.from, level);
  const hangoverFrames = hangoverFor(FS, sg.step);
  const tracker = new BurstTracker({ span, floor, frameShape, correlation, averageFrames, hangoverFrames });
  sg.push(scene.bytes('cf32_le'), (f) => tracker.push(f.psd, f.startSample, f.sampleCount));
  tracker.flush(scene.length);
  sg.dispose();
  return tracker.take();
}

/** Bins of an fftshifted n-point spectrum covering [lo, hi] Hz. */
const bins = (n: number, lo: number, hi: number): Channel => ({
  from: Math.floor(lo / (FS / n) + n / 2),
  to: Math.ceil(hi / (FS / n) + n / 2) + 1,
});

test('a burst is timed within one frame step at both ends', () => {
  for (const [start, end] of [
    [100_123, 160_456],
    [20_001, 23_777],
  ] as const) {
    const scene = new Scene(FS, 200_000, start)
      .reference(N0)
      .bandNoise(150e3, 100e3, 20, { start, end })
      .noise();
    const found = track(scene, 256, bins(256, 95e3, 205e3), 100);
    assert.equal(found.length, 1, JSON.stringify(found.map((b) => [b.startSample, b.endSample])));
    const b = found[0] as BurstRecord;
    // Frame step 128 samples: the interpolated half-level crossing lands within one step.
    assert.ok(Math.abs(b.startSample - start) < 128, `start ${b.startSample.toFixed(0)} vs ${start}`);
    assert.ok(Math.abs(b.endSample - end) < 128, `end ${b.endSample.toFixed(0)} vs ${end}`);
  }
});

test('the off-bits of on-off keying do not split a transmission', () => {
  const scene = new Scene(FS, 200_000, 3)
    .reference(N0)
    .ook(-200e3, 20, 2e3, { start: 50_000, end: 90_000 })
    .noise();
  const found = track(scene, 512, bins(512, -206e3, -194e3), 100);
  assert.equal(found.length, 1, JSON.stringify(found.map((b) => [b.startSample, b.endSample])));
  assert.ok(Math.abs((found[0]?.startSample ?? 0) - 50_500) < 600, 'starts at the first on-bit');
});

test('a weak steady carrier is one detection from start to end, not a flicker', () => {
  // 6 dB above the noise in one bin: single frames cross the threshold only now and then.
  const scene = new Scene(FS, 400_000, 8).noise(N0).tone(100e3, N0 + 6 + 10 * Math.log10((1.5 * FS) / 512));
  const found = track(scene, 512, bins(512, 96e3, 104e3), 0.8);
  assert.equal(found.length, 1, JSON.stringify(found.map((b) => [b.startSample, b.endSample])));
  assert.equal(found[0]?.startSample, 0);
  assert.equal(found[0]?.endSample, 400_000);
});

test('noise alone starts no burst', () => {
  for (const seed of [11, 12, 13]) {
    const scene = new Scene(FS, 300_000, seed).noise(N0);
    assert.deepEqual(track(scene, 256, bins(256, -50e3, 50e3), 0), []);
    assert.deepEqual(track(scene, 256, bins(256, 200e3, 204e3), 50), []);
  }
});
