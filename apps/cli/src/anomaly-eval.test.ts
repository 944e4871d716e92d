import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Welch } from '@heimdall/dsp';
import { compileScene, renderPowerFrames, SimReceiver, validateScenario } from '@heimdall/sim';

// A node with 12-bit ADC (no 8-bit quantization floor) hearing two flat noise emitters.
const SCENARIO = {
  name: 'frames-vs-iq',
  seed: 11,
  nodes: [
    {
      name: 'rx',
      latitude: 52,
      longitude: 6,
      center_frequency: 145e6,
      sample_rate: 2.4e6,
      gain_db: 40,
      adc_bits: 12,
    },
  ],
  emitters: [
    {
      name: 'a',
      latitude: 52.01,
      longitude: 6.01,
      frequency: 145.2e6,
      power_dbm: 0,
      modulation: { type: 'noise', bandwidth: 50_000 },
    },
    {
      name: 'b',
      latitude: 52.02,
      longitude: 6.0,
      frequency: 144.6e6,
      power_dbm: -10,
      modulation: { type: 'noise', bandwidth: 100_000 },
    },
  ],
};

test('the PSD frames the anomaly eval renders agree with the Welch PSD of the simulator IQ (floor within 1 dB, emitters within 1.5 dB)', () => {
  const scene = compileScene(validateScenario(SCENARIO));
  const fft = 1024;
  const rx = new SimReceiver(scene, 'rx', { startTime: 100 });
  const frames = renderPowerFrames(rx, {
    seconds: 1,
    frameSeconds: 1,
    binHz: 2.4e6 / fft,
    binNoiseDb: 0,
    emitterJitterDb: 0,
    gainWanderDb: 0,
  });
  const frame = frames.frames[0];
  assert.ok(frame);
  const n = 2_400_000;
  const iq = new Float32Array(2 * n);
  rx.readCf32(iq);
  const welch = new Welch({ fftSize: fft, format: 'cf32_le' });
  welch.push(new Uint8Array(iq.buffer));
  const psd = welch.result(2.4e6, 145e6).psdDb;
  welch.dispose();
  // compare 5-bin groups (about 12 kHz) over the inner 80 % of the band, away from DC
  const diffs: { at: number; d: number }[] = [];
  for (let i = 110; i < fft - 110; i += 5) {
    if (Math.abs(i - fft / 2) < 8) continue;
    let a = 0;
    let b = 0;
    for (let k = i; k < i + 5; k++) {
      a += 10 ** ((psd[k] as number) / 10);
      b += 10 ** ((frame.db[k] as number) / 10);
    }
    diffs.push({ at: frame.startHz + (i + 2) * frame.binHz, d: 10 * Math.log10(a / b) });
  }
  const inside = (lo: number, hi: number) => diffs.filter((x) => x.at > lo && x.at < hi);
  const emitterA = inside(145.185e6, 145.215e6);
  const emitterB = inside(144.57e6, 144.63e6);
  const floor = diffs.filter(
    (x) =>
      !emitterA.includes(x) &&
      !emitterB.includes(x) &&
      Math.abs(x.at - 145.2e6) > 40e3 &&
      Math.abs(x.at - 144.6e6) > 70e3,
  );
  assert.ok(emitterA.length >= 2 && emitterB.length >= 5 && floor.length > 100);
  const median = (xs: { d: number }[]) =>
    [...xs].map((x) => x.d).sort((p, q) => p - q)[Math.floor(xs.length / 2)] ?? NaN;
  assert.ok(Math.abs(median(floor)) < 1, `floor ${median(floor)} dB`);
  assert.ok(Math.abs(median(emitterA)) < 1.5, `emitter a ${median(emitterA)} dB`);
  assert.ok(Math.abs(median(emitterB)) < 1.5, `emitter b ${median(emitterB)} dB`);
});
