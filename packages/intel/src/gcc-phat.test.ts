import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bandSpectrum, correlationSize, gccPhat } from './gcc-phat.ts';
import { SPEED_OF_LIGHT } from './geodesy.ts';
import { synthesize } from './synthetic-trial.ts';

test('GCC-PHAT finds a fractional delay and its standard deviation matches the scatter', () => {
  const fs = 250e3;
  const errors: number[] = [];
  const sigmas: number[] = [];
  for (let t = 0; t < 60; t++) {
    const { snippets } = synthesize({
      nodes: [
        [0, 0],
        [3_000, 0],
      ],
      emitter: [0, 0],
      snrDb: 10,
      bandwidth: 100e3,
      sampleRate: fs,
      samples: 4000,
      clockJitter: 0,
      centerFrequency: 433.92e6,
      offset: 20e3,
      seed: 900 + t,
    });
    const [a, b] = snippets;
    assert.ok(a && b);
    const n = correlationSize(4000);
    const sa = bandSpectrum(a.iq, fs, -30e3, 70e3, n);
    const sb = bandSpectrum(b.iq, fs, -30e3, 70e3, n);
    const ds = Number(a.startNs - b.startNs) * 1e-9;
    const est = gccPhat(sa, sb, -ds - 30e-6, -ds + 30e-6);
    assert.ok(est);
    assert.ok(est.peak > est.threshold);
    errors.push(est.delay + ds + 3_000 / SPEED_OF_LIGHT);
    sigmas.push(est.sigma);
  }
  const rms = Math.sqrt(errors.reduce((s, e) => s + e * e, 0) / errors.length);
  const sigma = Math.sqrt(sigmas.reduce((s, e) => s + e * e, 0) / sigmas.length);
  // 3 km at 250 kS/s is 2.5 samples: the error is a small fraction of a sample (4 us).
  assert.ok(rms < 100e-9, `rms ${rms * 1e9} ns`);
  assert.ok(rms / sigma > 0.75 && rms / sigma < 1.3, `rms ${rms * 1e9} ns, predicted ${sigma * 1e9} ns`);
});
