import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dequantizeDb, QUANT_MAX_U8, quantizeDb, quantizeDb16, referenceDbFor } from './quantize.ts';

function randomPsd(n: number, lo: number, hi: number, seed: number): Float32Array {
  let s = seed;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = lo + ((hi - lo) * s) / 4294967296;
  }
  return out;
}

test('quantization error is at most half a step inside the representable range', () => {
  for (const step of [0.25, 0.5, 1]) {
    const ref = -140;
    const psd = randomPsd(100_000, ref, ref + QUANT_MAX_U8 * step, 7);
    const back = dequantizeDb(quantizeDb(psd, step, ref), step, ref);
    let worst = 0;
    for (let i = 0; i < psd.length; i++)
      worst = Math.max(worst, Math.abs((back[i] as number) - (psd[i] as number)));
    // float32 storage of the input adds at most a few ulps at these magnitudes
    assert.ok(worst <= step / 2 + 1e-4, `worst error ${worst} dB at step ${step}`);
    assert.ok(worst > step / 2 - 0.01, 'the bound is reached, so the test measures something');
  }
});

test('u16 codes keep the bound over a range far beyond what u8 can hold', () => {
  const step = 0.01;
  const psd = randomPsd(50_000, -180, 0, 3);
  const back = dequantizeDb(quantizeDb16(psd, step, -180), step, -180);
  for (let i = 0; i < psd.length; i++)
    assert.ok(Math.abs((back[i] as number) - (psd[i] as number)) <= step / 2 + 1e-4);
});

test('values outside the range clamp to the ends; NaN and -Infinity read as the floor', () => {
  const psd = Float32Array.of(-500, 1000, Number.NaN, -Infinity, Infinity);
  assert.deepEqual([...quantizeDb(psd, 0.5, -100)], [0, 255, 0, 0, 255]);
});

test('the reference for a frame keeps its lowest bin unclamped and on the step grid', () => {
  const psd = Float32Array.of(-97.3, -80, -20);
  const ref = referenceDbFor(psd, 0.5);
  assert.equal(ref, -97.5);
  const back = dequantizeDb(quantizeDb(psd, 0.5, ref), 0.5, ref);
  assert.ok(Math.abs((back[0] as number) + 97.3) <= 0.25 + 1e-5);
  assert.equal(referenceDbFor(Float32Array.of(Number.NaN), 0.5, -150), -150);
});

test('quantizing into a caller buffer reuses it', () => {
  const out = new Uint8Array(4);
  const r = quantizeDb(Float32Array.of(0, 1, 2, 3), 1, 0, out);
  assert.equal(r, out);
  assert.deepEqual([...out], [0, 1, 2, 3]);
  assert.throws(() => quantizeDb(Float32Array.of(0), 0, 0), RangeError);
});
