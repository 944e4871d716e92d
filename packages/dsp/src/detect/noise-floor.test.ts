import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '@heimdall/config';
import { Welch } from '../welch.ts';
import { makeWindow } from '../window.ts';
import { bridgeGuard, dcGuardRange } from './dc-guard.ts';
import { estimateNoiseFloor } from './noise-floor.ts';
import { averagedShape, windowCorrelation } from './noise-stats.ts';
import { Scene } from './test-signals.ts';

const FS = 1e6;
const N0 = -90;

/** fftshifted Welch density of a scene (cf32), and the Gamma shape of its bins. */
function welch(scene: Scene, n: number): { psd: Float64Array; shape: number } {
  const w = new Welch({ fftSize: n, format: 'cf32_le' });
  w.push(scene.bytes('cf32_le'));
  const d = w.density(scene.sampleRate);
  const psd = new Float64Array(n);
  for (let k = 0; k < n; k++) psd[k] = d[(k + n / 2) % n] as number;
  w.dispose();
  return { psd, shape: averagedShape(windowCorrelation(makeWindow('hann', n), n / 2), w.segments) };
}

const db = (x: number): number => 10 * Math.log10(x);

test('white noise: the floor is the noise density within 0.3 dB in every bin', () => {
  for (const seed of [1, 2, 3]) {
    const { psd, shape } = welch(new Scene(FS, 200_000, seed).noise(N0), 1024);
    const floor = estimateNoiseFloor(psd, { shape });
    for (const v of floor.density)
      assert.ok(Math.abs(db(v) - N0) < 0.3, `floor ${db(v).toFixed(2)} dB vs ${N0}`);
    assert.ok(Math.abs(floor.levelDb - N0) < 0.2);
    assert.ok(floor.uncertaintyDb > 0 && floor.uncertaintyDb < 0.3, `uncertainty ${floor.uncertaintyDb}`);
    assert.equal(floor.occupancy, 0);
  }
});

test('a band 60 % occupied by a wide signal keeps the floor at the noise density under it', () => {
  const scene = new Scene(FS, 300_000, 4).reference(N0).bandNoise(50e3, 600e3, 15).noise();
  const { psd, shape } = welch(scene, 1024);
  const floor = estimateNoiseFloor(psd, { shape });
  // A quantile over the whole band would sit near the signal; the floor must not.
  for (let k = 0; k < 1024; k++) {
    assert.ok(
      Math.abs(db(floor.density[k] as number) - N0) < 1,
      `bin ${k}: ${db(floor.density[k] as number).toFixed(2)} dB`,
    );
  }
  assert.ok(floor.occupancy > 0.5, `occupancy ${floor.occupancy}`);
});

test('a rolled-off floor (RTL-SDR-like, 9.5 dB to the band edges) is followed within 1 dB', () => {
  const taps = [0.25, 1, 0.25];
  const scene = new Scene(FS, 400_000, 5).noise(N0).filter(taps);
  const n = 512;
  const { psd, shape } = welch(scene, n);
  const floor = estimateNoiseFloor(psd, { shape });
  for (let k = 0; k < n; k++) {
    const f = (k - n / 2) / n;
    const gain = (1 + 0.5 * Math.cos(2 * Math.PI * f)) ** 2;
    const expected = N0 + db(gain);
    const got = db(floor.density[k] as number);
    assert.ok(
      Math.abs(got - expected) < 1,
      `bin ${k}: floor ${got.toFixed(2)} dB, true ${expected.toFixed(2)} dB`,
    );
  }
});

test('gps-l1-pysdr: the floor follows the 8 dB front-end hump and only the interferer stands out', (t) => {
  const dir = join(loadConfig().sharedDataDir, 'gps-l1-pysdr');
  const data = join(dir, 'GPS_L1_recording_10ms_4MHz_cf32.sigmf-data');
  if (!existsSync(data)) {
    t.skip(`reference recording missing: ${data}`);
    return;
  }
  const n = 1024;
  const w = new Welch({ fftSize: n, format: 'cf32_le' });
  w.push(new Uint8Array(readFileSync(data)));
  const d = w.density(4e6);
  const psd = new Float64Array(n);
  for (let k = 0; k < n; k++) psd[k] = d[(k + n / 2) % n] as number;
  bridgeGuard(psd, dcGuardRange(n, 1));
  const shape = averagedShape(windowCorrelation(makeWindow('hann', n), n / 2), w.segments);
  const floor = estimateNoiseFloor(psd, { shape });
  let above = 0;
  let maxDev = 0;
  for (let k = 0; k < n; k++) {
    const r = db((psd[k] as number) / (floor.density[k] as number));
    if (r > 3) above++;
    maxDev = Math.max(maxDev, Math.abs(r));
  }
  // The spectrum spans 8 dB edge to centre; only the -418 kHz interferer's few bins exceed 3 dB.
  assert.ok(above <= 6, `${above} bins more than 3 dB above the floor`);
  assert.ok(maxDev > 8, 'the interferer is well above the floor');
  w.dispose();
});
