import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Welch } from '@heimdall/dsp';
import { loadBuiltinScenario } from './demo-scenario.ts';
import { SimReceiver } from './receiver.ts';
import { compileScene } from './scene.ts';

test('the demo scenario has the seven sites at their places, each hearing something', () => {
  const demo = loadBuiltinScenario('demo');
  assert.ok(demo);
  const names = demo.nodes.map((n) => n.name);
  assert.deepEqual(names.sort(), [
    'bratislava',
    'doorn',
    'enschede',
    'graz',
    'hack-green',
    'linkoping',
    'twente',
  ]);
  const near = (name: string, lat: number, lon: number) => {
    const n = demo.nodes.find((x) => x.name === name);
    assert.ok(n && Math.abs(n.latitude - lat) < 0.1 && Math.abs(n.longitude - lon) < 0.1, name);
  };
  near('twente', 52.24, 6.85);
  near('hack-green', 53.03, -2.53);
  near('bratislava', 48.15, 17.11);
  near('doorn', 52.03, 5.35);
  near('graz', 47.07, 15.44);
  near('linkoping', 58.41, 15.62);
  near('enschede', 52.22, 6.89);
  const scene = compileScene(demo);
  for (const n of names) {
    const heard = new SimReceiver(scene, n).heard();
    assert.ok(heard.length > 0, `${n} hears nothing at its default tuning`);
    // strong signals stay below full scale at the default gain (jammers excepted)
    for (const h of heard)
      if (h.emitter.service !== 'jammer')
        assert.ok(h.powerDbfs < -3, `${n}: ${h.emitter.name} ${h.powerDbfs}`);
  }
  const services = new Set(scene.emitters.map((e) => e.service));
  for (const s of ['broadcast', 'amateur', 'utility', 'ism']) assert.ok(services.has(s), s);
  assert.ok(demo.anomalies.length >= 5);
});

test('every demo node: a Gaussian noise floor where its link budget puts it, and nothing clipping', () => {
  const demo = loadBuiltinScenario('demo');
  assert.ok(demo);
  // the worst case for clipping: every emitter transmitting at once (anomalies left out)
  const scene = compileScene({
    ...demo,
    emitters: demo.emitters.map((e) => ({ ...e, schedule: { type: 'always' as const } })),
    anomalies: [],
  });
  const fftSize = 1024;
  for (const node of demo.nodes) {
    const rx = new SimReceiver(scene, node.name);
    const fs = rx.sampleRate;
    // the floor the link budget predicts, written out: thermal noise through the gain, plus the
    // receiver's own noise after the gain; the 8-bit ADC's quantization noise must be far below it
    const thermalDbfs =
      -174 + 10 * Math.log10(fs) + node.noise_figure_db + node.gain_db - node.adc_full_scale_dbm;
    const ownDbfs = (node.adc_noise_dbfs_hz ?? -Infinity) + 10 * Math.log10(fs);
    const predictedDbfs = 10 * Math.log10(10 ** (thermalDbfs / 10) + 10 ** (ownDbfs / 10));
    const quantDbfs = 10 * Math.log10((2 * (1 / 128) ** 2) / 12);
    assert.ok(
      predictedDbfs > -40 && predictedDbfs < -30,
      `${node.name}: noise ${predictedDbfs.toFixed(1)} dBFS is not a few LSB rms`,
    );
    assert.ok(predictedDbfs - quantDbfs > 10, `${node.name}: quantization noise is not far below the floor`);

    const n = 1 << 21;
    const bytes = new Uint8Array(2 * n);
    rx.readCu8(bytes);
    let rails = 0;
    for (const b of bytes) if (b === 0 || b === 255) rails++;
    assert.ok(rails <= 4, `${node.name}: ${rails} of ${bytes.length} I/Q values at the ADC rails`);

    const w = new Welch({ fftSize, format: 'cu8' });
    w.push(bytes);
    const r = w.result(fs, 0);
    // signal-free bins: away from DC and from every emitter's occupied band (with a margin)
    const bin = fs / fftSize;
    const bands: [number, number][] = [[-4 * bin, 4 * bin]];
    for (const h of rx.heard()) {
      const margin = 4 * bin + 0.1 * (h.occupied[1] - h.occupied[0]);
      bands.push([h.basebandHz + h.occupied[0] - margin, h.basebandHz + h.occupied[1] + margin]);
    }
    let sum = 0;
    let free = 0;
    for (let i = 0; i < fftSize; i++) {
      const f = r.frequencyHz[i] ?? 0;
      if (bands.some(([lo, hi]) => f >= lo && f <= hi)) continue;
      sum += 10 ** ((r.psdDb[i] ?? 0) / 10);
      free++;
    }
    assert.ok(free >= fftSize / 8, `${node.name}: only ${free} signal-free bins`);
    const measured = 10 * Math.log10(sum / free);
    const predicted = predictedDbfs - 10 * Math.log10(fs);
    assert.ok(
      Math.abs(measured - predicted) < 1,
      `${node.name}: floor ${measured.toFixed(2)} dBFS/Hz, link budget ${predicted.toFixed(2)} dBFS/Hz`,
    );
  }
});
