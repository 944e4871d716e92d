import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeWindow } from '../window.ts';
import { findChannels, findPeakChannels, hotRuns, mergeChannels } from './cfar.ts';
import { windowCorrelation } from './noise-stats.ts';
import { Prng } from './test-signals.ts';

const corr = windowCorrelation(makeWindow('hann', 1024), 512);

/** A noise-only averaged spectrum: each bin the mean of `k` exponentials (Gamma shape k, mean 1). */
function noiseSpectrum(rng: Prng, n: number, k: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < k; j++) s -= Math.log(1 - rng.uniform());
    out[i] = s / k;
  }
  return out;
}

test('runs of hot bins are merged across gaps up to the narrower run width', () => {
  const hot = Uint8Array.from([0, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0]);
  assert.deepEqual(hotRuns(hot, 2), [
    { from: 1, to: 12 },
    { from: 19, to: 20 },
  ]);
  assert.deepEqual(
    mergeChannels([
      { from: 5, to: 9 },
      { from: 1, to: 5 },
      { from: 20, to: 22 },
    ]),
    [
      { from: 1, to: 9 },
      { from: 20, to: 22 },
    ],
  );
});

test('noise-only spectra give no channels at the stated false-alarm rate', () => {
  const rng = new Prng(42);
  const floor = new Float64Array(1024).fill(1);
  let alarms = 0;
  const trials = 300;
  for (let t = 0; t < trials; t++) {
    const k = [1, 4, 16, 64][t % 4] as number;
    alarms += findChannels(noiseSpectrum(rng, 1024, k), floor, {
      shape: k,
      correlation: corr,
      pfa: 1e-2,
    }).length;
  }
  // pfa 1e-2 per spectrum: expect about 3 in 300; far more would mean the thresholds are wrong.
  assert.ok(alarms <= 10, `${alarms} channels in ${trials} noise-only spectra`);
});

test('a weak wide signal is found as one channel spanning its band, a strong line as a narrow one', () => {
  const rng = new Prng(7);
  const k = 64;
  const psd = noiseSpectrum(rng, 1024, k);
  for (let i = 300; i < 500; i++) psd[i] = (psd[i] as number) * 1.6; // +2 dB over 200 bins
  psd[800] = 40;
  const channels = findChannels(psd, new Float64Array(1024).fill(1), { shape: k, correlation: corr });
  assert.equal(channels.length, 2, JSON.stringify(channels));
  const [wide, line] = channels as [{ from: number; to: number }, { from: number; to: number }];
  assert.ok(Math.abs(wide.from - 300) <= 3 && Math.abs(wide.to - 500) <= 3, JSON.stringify(wide));
  assert.ok(line.from <= 800 && line.to >= 801 && line.to - line.from <= 4, JSON.stringify(line));
});

test('a max-hold finds a one-frame burst over its whole band, and stays quiet on noise', () => {
  const rng = new Prng(9);
  const frames = 2000;
  const n = 256;
  const hold = new Float64Array(n);
  const quiet = new Float64Array(n);
  for (let f = 0; f < frames; f++) {
    const s = noiseSpectrum(rng, n, 1);
    for (let i = 0; i < n; i++) {
      quiet[i] = Math.max(quiet[i] as number, s[i] as number);
      // A burst at 20 dB in bins 100-119 during one frame of 2000.
      const v = f === 1000 && i >= 100 && i < 120 ? (s[i] as number) * 100 : (s[i] as number);
      hold[i] = Math.max(hold[i] as number, v);
    }
  }
  const floor = new Float64Array(n).fill(1);
  const found = findPeakChannels(hold, floor, { shape: 1, count: frames });
  assert.equal(found.length, 1);
  assert.ok((found[0]?.from ?? 0) <= 101 && (found[0]?.to ?? 0) >= 119, JSON.stringify(found));
  assert.deepEqual(findPeakChannels(quiet, floor, { shape: 1, count: frames }), []);
});
