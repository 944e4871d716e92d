import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classify } from './classify.ts';
import type { ClassFeatures } from './classify.ts';
import { measureSpectrum } from './features.ts';

const floor = new Float64Array(400).fill(1);

test('a flat band: 99 % edges at its ends, centroid in the middle, flatness near 1', () => {
  const psd = new Float64Array(400).fill(1);
  for (let j = 100; j < 200; j++) psd[j] = 11;
  const f = measureSpectrum(psd, floor);
  assert.ok(f !== undefined);
  assert.ok(
    Math.abs(f.lowerBin - 100) < 0.01 && Math.abs(f.upperBin - 199) < 0.01,
    `${f.lowerBin}..${f.upperBin}`,
  );
  assert.ok(Math.abs(f.centroidBin - 149.5) < 1e-9);
  assert.ok(f.flatness > 0.99);
  assert.ok(Math.abs(f.signalSum / f.noiseSum - 10) < 0.2, 'SNR 10 in band');
  assert.ok(f.carrierFraction < 0.05);
});

test('noise left in empty bins does not move the edges (20 dB range)', () => {
  const psd = new Float64Array(400).fill(1);
  for (let j = 0; j < 400; j++) psd[j] = 1 + 0.05 * Math.sin(j * 1.7); // averaged noise ripple
  for (let j = 180; j < 220; j++) psd[j] = 31;
  const f = measureSpectrum(psd, floor);
  assert.ok(f !== undefined);
  assert.ok(Math.abs(f.upperBin - f.lowerBin - 39) < 1, `width ${f.upperBin - f.lowerBin}`);
});

test('shape features tell a carrier with sidebands from two FSK tones', () => {
  const am = new Float64Array(400).fill(1);
  am[200] = 1001;
  am[199] = 201;
  am[201] = 201;
  for (const d of [20, 45]) {
    am[200 - d] = 61;
    am[200 + d] = 61;
  }
  const fa = measureSpectrum(am, floor);
  assert.ok(fa !== undefined);
  assert.ok(
    fa.carrierFraction > 0.6 && fa.symmetry > 0.9 && fa.peakOffset < 0.05 && fa.centreDip < 0.1,
    JSON.stringify(fa),
  );

  const fsk = new Float64Array(400).fill(1);
  for (let j = 150; j < 160; j++) fsk[j] = 101;
  for (let j = 240; j < 250; j++) fsk[j] = 91;
  const ff = measureSpectrum(fsk, floor);
  assert.ok(ff !== undefined);
  assert.ok(ff.centreDip > 0.9 && ff.peakOffset > 0.6, JSON.stringify(ff));
});

const base: ClassFeatures = {
  bandwidthHz: 50e3,
  bandwidthBins: 40,
  flatness: 0.8,
  carrierFraction: 0.1,
  symmetry: 0.5,
  peakOffset: 0.2,
  centreDip: 0.1,
  frameWidthRatio: 1,
  sweepFraction: 0,
  sweepR2: 0,
  envelopeRatio: 0.7,
  frames: 100,
};

test('classes follow the documented rules', () => {
  const cases: [Partial<ClassFeatures>, string][] = [
    [{ bandwidthBins: 3, carrierFraction: 0.99, bandwidthHz: 0 }, 'cw'],
    [{ sweepFraction: 1, sweepR2: 0.99, frameWidthRatio: 0.2, envelopeRatio: 0.3 }, 'chirp'],
    [{ envelopeRatio: 1.5, carrierFraction: 0.7, symmetry: 0.9, peakOffset: 0 }, 'digital-narrow'],
    [{ envelopeRatio: 0.25, centreDip: 0.95, flatness: 0.3 }, 'digital-narrow'],
    [{ carrierFraction: 0.8, symmetry: 0.9, peakOffset: 0.01, envelopeRatio: 0.2 }, 'am'],
    [{ envelopeRatio: 0.22, carrierFraction: 0.1 }, 'fm'],
    [{ bandwidthHz: 2e6, flatness: 0.98, envelopeRatio: 0.8 }, 'wideband'],
    [{ bandwidthHz: 30e3, flatness: 0.9, envelopeRatio: 0.8 }, 'digital-narrow'],
    [
      {
        bandwidthHz: 2e6,
        flatness: 0.1,
        carrierFraction: 0.45,
        envelopeRatio: 0.8,
        symmetry: 0.1,
        peakOffset: 0.7,
      },
      'unknown',
    ],
  ];
  for (const [over, expected] of cases) {
    const c = classify({ ...base, ...over });
    assert.equal(c.class, expected, JSON.stringify(over));
    assert.ok(c.confidence >= 0 && c.confidence <= 1);
  }
  // Near a boundary the confidence drops.
  const clear = classify({ ...base, envelopeRatio: 0.15, carrierFraction: 0.05 });
  const marginal = classify({ ...base, envelopeRatio: 0.43, carrierFraction: 0.05 });
  assert.equal(clear.class, 'fm');
  assert.equal(marginal.class, 'fm');
  assert.ok(marginal.confidence < clear.confidence);
});
