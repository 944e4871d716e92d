import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Welch } from '../welch.ts';
import { makeWindow } from '../window.ts';
import {
  averagedShape,
  binSumShape,
  gammaLowerQuantile,
  gammaP,
  gammaQ,
  gammaUpperQuantile,
  lnGamma,
  maxHoldQuantile,
  windowCorrelation,
} from './noise-stats.ts';
import { Scene } from './test-signals.ts';

const close = (actual: number, expected: number, rel: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= rel * Math.abs(expected), `${what}: ${actual} vs ${expected}`);

test('Gamma functions match reference values (scipy.stats.gamma)', () => {
  close(lnGamma(0.5), Math.log(Math.sqrt(Math.PI)), 1e-12, 'lnGamma(0.5)');
  close(lnGamma(10), Math.log(362880), 1e-12, 'lnGamma(10)');
  close(gammaP(3, 2), 0.32332358381693654, 1e-10, 'P(3, 2)');
  close(gammaQ(100, 150), 5.924540335483916e-6, 1e-8, 'Q(100, 150)');
  close(gammaQ(1e5, 1.02e5), 1.650606135936284e-10, 1e-6, 'Q(1e5, 1.02e5)');
  // Thresholds (mean-1 Gamma) used by CFAR: scipy.stats.gamma.isf(p, a) / a.
  close(gammaUpperQuantile(1, 1e-6), 13.815510557964274, 1e-9, 'exponential tail');
  close(gammaUpperQuantile(4, 1e-6), 5.337614240818034, 1e-9, 'shape 4');
  close(gammaUpperQuantile(1e5, 1e-6), 1.0151036958868103, 1e-9, 'shape 1e5');
  close(gammaLowerQuantile(4, 0.25), 0.6338300529750233, 1e-9, 'lower quantile');
  close(maxHoldQuantile(1, 10000, 1e-6), 23.02585084720009, 1e-6, 'max of 10000 exponentials');
});

test('Hann 50 % correlations give the known Welch degrees of freedom', () => {
  const c = windowCorrelation(makeWindow('hann', 256), 128);
  close(c.segment[0] as number, 1 / 36, 1e-5, 'segment correlation');
  close(c.bin[0] as number, 4 / 9, 1e-5, 'adjacent bin correlation');
  close(averagedShape(c, 64), 64 / (1 + 2 * (63 / 64) * (1 / 36)), 1e-6, 'shape of 64 segments');
});

test('the predicted Gamma shape matches the spread of a measured Welch PSD of noise', () => {
  const n = 64;
  const segments = 16;
  const corr = windowCorrelation(makeWindow('hann', n), n / 2);
  const values: number[] = [];
  for (let seed = 1; seed <= 60; seed++) {
    const scene = new Scene(1e6, (n / 2) * (segments + 1), seed).noise(-60);
    const w = new Welch({ fftSize: n, format: 'cf32_le', engine: 'js' });
    w.push(scene.bytes('cf32_le'));
    const d = w.density(1e6);
    for (let k = 4; k < n - 4; k++) values.push(d[k] as number);
  }
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
  const measured = (mean * mean) / variance;
  close(measured, averagedShape(corr, segments), 0.1, 'shape from 16 segments');
  // Sums of 8 adjacent bins: less than 8x the shape, because neighbouring Hann bins correlate.
  const sums: number[] = [];
  for (let i = 0; i + 8 <= values.length; i += 8)
    sums.push(values.slice(i, i + 8).reduce((a, b) => a + b, 0));
  const sm = sums.reduce((a, b) => a + b, 0) / sums.length;
  const sv = sums.reduce((a, b) => a + (b - sm) ** 2, 0) / sums.length;
  close((sm * sm) / sv, binSumShape(corr, averagedShape(corr, segments), 8), 0.15, 'shape of 8-bin sums');
});
