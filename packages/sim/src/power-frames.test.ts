import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileScene, validateScenario } from './index.ts';
import { renderPowerFrames } from './power-frames.ts';
import { SimReceiver } from './receiver.ts';

const SCENARIO = {
  name: 'frames',
  seed: 7,
  start: '2024-06-03T00:00:00Z',
  nodes: [
    { name: 'rx', latitude: 52, longitude: 6, center_frequency: 145e6, sample_rate: 2.4e6, gain_db: 40 },
  ],
  emitters: [
    {
      name: 'beacon',
      latitude: 52.01,
      longitude: 6.01,
      frequency: 145.2e6,
      power_dbm: 10,
      modulation: { type: 'noise', bandwidth: 25_000 },
    },
    {
      name: 'night',
      latitude: 52.02,
      longitude: 6.0,
      frequency: 144.8e6,
      power_dbm: 10,
      modulation: { type: 'noise', bandwidth: 25_000 },
      schedule: { type: 'duty_cycle', period_s: 600, on_s: 300 },
    },
  ],
  anomalies: [{ type: 'power_jump', start_s: 1200, duration_s: 600, emitter: 'beacon', change_db: 10 }],
};

function binOf(f: { startHz: number; binHz: number }, hz: number): number {
  return Math.round((hz - f.startHz) / f.binHz);
}

test('PSD frames put the noise floor and each emitter where the link budget says, and follow schedules and anomalies', () => {
  const scene = compileScene(validateScenario(SCENARIO));
  const rx = new SimReceiver(scene, 'rx');
  const heard = new Map(rx.heard().map((h) => [h.emitter.name, h]));
  const noiseDensity = rx.noiseDbfs - 10 * Math.log10(rx.sampleRate);
  const run = renderPowerFrames(rx, { seconds: 3600, frameSeconds: 10, binHz: 3125 });
  assert.equal(run.frames.length, 360);
  const f0 = run.frames[0];
  assert.ok(f0);
  assert.equal(f0.db.length, 768);
  assert.equal(f0.timeMs, Date.parse('2024-06-03T00:00:00Z'));
  assert.equal(run.frames[1]?.timeMs, f0.timeMs + 10_000);
  // the floor: median of the frame within 0.5 dB of the noise density
  const sorted = [...f0.db].sort((a, b) => a - b);
  assert.ok(Math.abs((sorted[384] as number) - noiseDensity) < 0.5, `${sorted[384]} vs ${noiseDensity}`);
  // the beacon: its power spread over its 25 kHz (8 bins), within 2 dB (jitter 1 dB, edges)
  const beacon = heard.get('beacon');
  assert.ok(beacon);
  const expected = 10 * Math.log10(10 ** (beacon.powerDbfs / 10) / 25_000 + 10 ** (noiseDensity / 10));
  const shift = beacon.basebandHz - (145.2e6 - 145e6);
  const b = binOf(f0, 145.2e6 + shift);
  const level = (i: number) => (run.frames[i]?.db[b] as number) ?? NaN;
  const mean = (from: number, to: number) => {
    let s = 0;
    for (let i = from; i < to; i++) s += level(i);
    return s / (to - from);
  };
  assert.ok(Math.abs(mean(0, 100) - expected) < 1, `${mean(0, 100)} vs ${expected}`);
  // the power jump: +10 dB from 1200 s to 1800 s
  assert.ok(Math.abs(mean(125, 175) - mean(0, 100) - 10) < 1, `${mean(125, 175) - mean(0, 100)}`);
  // the duty-cycled emitter: on 300 s of every 600 s (plus the frames it is on for part of)
  const n = binOf(f0, 144.8e6 + shift);
  const on = run.frames.filter((f) => (f.db[n] as number) > noiseDensity + 10).length;
  assert.ok(on >= 180 && on <= 186, `${on} frames on`);
  // the truth lists the power jump
  assert.ok(run.truth.some((t) => t.kind === 'power_jump' && Math.abs(t.startS - 1200) < 1));
  // same settings, same frames
  const again = renderPowerFrames(new SimReceiver(scene, 'rx'), {
    seconds: 60,
    frameSeconds: 10,
    binHz: 3125,
  });
  assert.deepEqual(again.frames[3]?.db, run.frames[3]?.db);
});
