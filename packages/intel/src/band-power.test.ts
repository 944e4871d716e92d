import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bandPowerDb } from './band-power.ts';
import { prng } from './synthetic-trial.ts';

test('band power measures a tone under noise and removes the noise in the band', () => {
  const fs = 250e3;
  const n = 40_000;
  const rnd = prng(9);
  for (const [amp, noise] of [
    [0.1, 0.01],
    [0.01, 0.01],
  ] as const) {
    const iq = new Float32Array(2 * n);
    for (let i = 0; i < n; i++) {
      const ph = (2 * Math.PI * 20e3 * i) / fs;
      iq[2 * i] = amp * Math.cos(ph) + noise * rnd.gauss();
      iq[2 * i + 1] = amp * Math.sin(ph) + noise * rnd.gauss();
    }
    const got = bandPowerDb(iq, fs, -30e3, 70e3);
    const want = 20 * Math.log10(amp);
    // The noise in the 100 kHz band (2 * 0.01^2 * 0.4 = 8e-5) nearly equals the weaker tone's
    // power (1e-4): without its removal that reading would be 2.5 dB high.
    assert.ok(Math.abs(got - want) < 0.3, `${got.toFixed(2)} dB, want ${want.toFixed(2)} dB`);
  }
});
