import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { UserError } from '@heimdall/errors';
import { Fft } from './fft.ts';
import type { DspEngine, DspPrecision } from './fft.ts';
import { kernelAvailable } from './kernel.ts';

const fixtures = new URL('../fixtures/', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('manifest.json', fixtures), 'utf8')) as {
  fft: { file: string; sizes: number[] };
};
const expectedAll = new Float32Array(gunzipSync(readFileSync(new URL(manifest.fft.file, fixtures))).buffer);

/** The exact input formula of make_reference.py (multiples of 1/1024, exact in float32). */
function fixtureInput(n: number): Float32Array {
  const x = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    x[2 * i] = (((i * 7919) % 2001) - 1000) / 1024;
    x[2 * i + 1] = (((i * 104729 + 17) % 2003) - 1001) / 1024;
  }
  return x;
}

/** Largest |a - b| relative to the largest |b|. */
function relError(a: Float32Array, b: Float32Array): number {
  let err = 0;
  let max = 0;
  for (let i = 0; i < b.length; i++) {
    err = Math.max(err, Math.abs((a[i] as number) - (b[i] as number)));
    max = Math.max(max, Math.abs(b[i] as number));
  }
  return err / max;
}

const engines: [DspEngine, DspPrecision][] = [
  ['wasm', 'double'],
  ['wasm', 'single'],
  ['js', 'double'],
];

test('the WebAssembly SIMD kernel is available on this Node', () => {
  assert.ok(kernelAvailable());
  assert.equal(new Fft(1024).engine, 'wasm');
});

for (const [engine, precision] of engines) {
  test(`${engine} ${precision}: forward FFT equals numpy.fft.fft for n = 2 .. 4096`, () => {
    let off = 0;
    for (const n of manifest.fft.sizes) {
      const x = fixtureInput(n);
      new Fft(n, { engine, precision }).forward(x);
      const expected = expectedAll.subarray(off, off + 2 * n);
      off += 2 * n;
      const e = relError(x, expected);
      // float64 arithmetic leaves only the float32 rounding of input and output.
      assert.ok(e < (precision === 'double' ? 2e-7 : 2e-6), `n=${n}: relative error ${e}`);
    }
  });
}

test('inverse(forward(x)) gives x back up to 2^20 points; inverseUnnormalized is N times it', () => {
  for (const n of [16, 32, 2048, 65536, 1 << 20]) {
    const x = new Float32Array(2 * n);
    for (let i = 0; i < x.length; i++) x[i] = Math.sin(i * 0.37) + Math.cos(i * i * 0.001);
    const y = x.slice();
    const fft = new Fft(n);
    fft.forward(y);
    const z = y.slice();
    fft.inverse(y);
    assert.ok(relError(y, x) < 5e-6, `n=${n}: round trip error ${relError(y, x)}`);
    fft.inverseUnnormalized(z);
    for (let i = 0; i < z.length; i++) z[i] = (z[i] as number) / n;
    assert.ok(relError(z, x) < 5e-6, `n=${n}: unnormalized round trip`);
  }
});

test('a tone lands in its bin with amplitude N (forward is unnormalized, e^-i)', () => {
  const n = 4096;
  const k = 123;
  const x = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    x[2 * i] = Math.cos((2 * Math.PI * k * i) / n);
    x[2 * i + 1] = Math.sin((2 * Math.PI * k * i) / n);
  }
  new Fft(n).forward(x);
  assert.ok(Math.abs((x[2 * k] as number) - n) < 1e-2);
  let leak = 0;
  for (let b = 0; b < n; b++)
    if (b !== k) leak = Math.max(leak, Math.hypot(x[2 * b] as number, x[2 * b + 1] as number));
  assert.ok(leak < 1e-2, `leakage ${leak}`);
});

test('wasm and TypeScript FFTs agree at large sizes', () => {
  const n = 65536;
  const x = new Float32Array(2 * n);
  for (let i = 0; i < x.length; i++) x[i] = Math.sin(i * 1.37 + (i % 7));
  const a = x.slice();
  const b = x.slice();
  new Fft(n).forward(a);
  new Fft(n, { engine: 'js' }).forward(b);
  assert.ok(relError(a, b) < 2e-7);
  const c = x.slice();
  new Fft(n, { precision: 'single' }).forward(c);
  assert.ok(relError(c, b) < 2e-6);
});

test('an FFT size that is not a power of two from 2 to 2^20 is a UserError naming --fft', () => {
  for (const n of [0, 1, 3, 1000, 4095, 1.5, -1024, 1 << 21, Number.NaN]) {
    assert.throws(
      () => new Fft(n),
      (e: unknown) =>
        e instanceof UserError && e.field === '--fft' && e.fix === 'use a power of two such as 1024 or 4096',
      String(n),
    );
  }
});
