import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { loadConfig } from '@heimdall/config';
import { UserError } from '@heimdall/errors';
import type { DspEngine, DspPrecision } from './fft.ts';
import { bytesPerSample } from './iq-format.ts';
import type { SampleFormat } from './iq-format.ts';
import { segmentCount, splitForWorkers, Welch } from './welch.ts';
import type { WelchOptions } from './welch.ts';
import { parseWindowSpec } from './window.ts';

interface Case {
  format: SampleFormat;
  samples: number;
  sampleRate: number;
  centerHz: number;
  fftSize: number;
  overlap: number;
  window: string;
  reference: string;
  input?: string;
  path?: string;
}

const fixtures = new URL('../fixtures/', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('manifest.json', fixtures), 'utf8')) as {
  synthetic: Case[];
  real: Case[];
};
const gz = (name: string) => new Uint8Array(gunzipSync(readFileSync(new URL(name, fixtures))));
const referenceDb = (c: Case) => new Float32Array(gz(c.reference).buffer);

function options(c: Case, engine: DspEngine): WelchOptions {
  const { name, beta } = parseWindowSpec(c.window);
  return {
    fftSize: c.fftSize,
    overlap: c.overlap,
    window: name,
    format: c.format,
    engine,
    ...(beta === undefined ? {} : { windowBeta: beta }),
  };
}

function welchOf(c: Case, bytes: Uint8Array, engine: DspEngine = 'wasm', precision: DspPrecision = 'double') {
  const w = new Welch({ ...options(c, engine), precision });
  w.push(bytes);
  const r = w.result(c.sampleRate, c.centerHz);
  const segments = w.segments;
  w.dispose();
  return { ...r, segments };
}

/** Largest |a - b| in dB over all bins. */
function maxDbError(a: Float64Array, b: Float32Array): { err: number; bin: number } {
  let err = 0;
  let bin = -1;
  for (let k = 0; k < b.length; k++) {
    const e = Math.abs((a[k] as number) - (b[k] as number));
    if (!(e <= err)) {
      err = e;
      bin = k;
    }
  }
  return { err, bin };
}

const TOLERANCE_DB = 0.05;

for (const engine of ['wasm', 'js'] as DspEngine[]) {
  test(`${engine}: PSD equals scipy.signal.welch within ${TOLERANCE_DB} dB in every bin on synthetic cf32, ci16 and cu8 recordings`, () => {
    const formats = new Set<string>();
    for (const c of manifest.synthetic) {
      const expected = referenceDb(c);
      const r = welchOf(c, gz(c.input as string), engine);
      assert.equal(r.psdDb.length, c.fftSize);
      const { err, bin } = maxDbError(r.psdDb, expected);
      const label = `${c.input} N=${c.fftSize} ${c.window} overlap ${c.overlap}`;
      assert.ok(
        err <= TOLERANCE_DB,
        `${label}: ${err.toFixed(4)} dB off at bin ${bin} (scipy ${expected[bin]} dB)`,
      );
      // Computed in float64 like scipy: what is left is the float32 rounding of the stored reference.
      assert.ok(err < 1e-4, `${label}: ${err} dB off at bin ${bin}; the float64 path should be exact`);
      formats.add(c.format);
    }
    assert.deepEqual([...formats].sort(), ['cf32_le', 'ci16_le', 'cu8']);
  });
}

test('the deep-floor fixtures need float64: a float32 FFT (precision single) misses them', () => {
  // cf32: a 0.9 tone over -80 dB noise; ci16: a 0.95 tone over 16-bit quantization. If these
  // cases stopped discriminating, the test above could not catch a precision regression.
  let worst = 0;
  for (const c of manifest.synthetic.filter((x) => x.format !== 'cu8' && x.fftSize === 4096)) {
    const w = new Welch({ ...options(c, 'wasm'), precision: 'single' });
    w.push(gz(c.input as string));
    worst = Math.max(worst, maxDbError(w.result(c.sampleRate, c.centerHz).psdDb, referenceDb(c)).err);
  }
  assert.ok(worst > TOLERANCE_DB, `float32 worst error only ${worst} dB`);
});

test('precision single stays within 0.05 dB where the floor is not extreme (cu8 recording)', () => {
  for (const c of manifest.synthetic.filter((x) => x.format === 'cu8')) {
    const w = new Welch({ ...options(c, 'wasm'), precision: 'single' });
    w.push(gz(c.input as string));
    const { err, bin } = maxDbError(w.result(c.sampleRate, c.centerHz).psdDb, referenceDb(c));
    assert.ok(err <= TOLERANCE_DB, `N=${c.fftSize}: ${err} dB off at bin ${bin}`);
  }
});

const sharedDir = loadConfig().sharedDataDir;
const haveShared = existsSync(join(sharedDir, 'CATALOG.md'));

test(
  'PSD equals scipy within 0.05 dB on real recordings (NB-IoT ci16, ADS-B cu8, GPS cf32)',
  { skip: haveShared ? false : `reference recordings not found in ${sharedDir} (set HEIMDALL_SHARED_DATA)` },
  () => {
    for (const c of manifest.real) {
      const bytes = new Uint8Array(readFileSync(join(sharedDir, c.path as string))).subarray(
        0,
        c.samples * bytesPerSample(c.format),
      );
      const expected = referenceDb(c);
      for (const engine of ['wasm', 'js'] as DspEngine[]) {
        const r = welchOf(c, bytes, engine);
        const { err, bin } = maxDbError(r.psdDb, expected);
        assert.ok(
          err <= TOLERANCE_DB,
          `${c.path} N=${c.fftSize} ${engine}: ${err.toFixed(4)} dB off at bin ${bin}`,
        );
      }
    }
  },
);

test('frequencies are absolute, ascending, centre + (k - N/2) * fs / N; segments follow scipy', () => {
  const c = manifest.synthetic[0] as Case;
  const r = welchOf(c, gz(c.input as string));
  const n = c.fftSize;
  assert.equal(r.frequencyHz[0], c.centerHz - c.sampleRate / 2);
  assert.equal(r.frequencyHz[n / 2], c.centerHz);
  assert.equal(r.frequencyHz[n - 1], c.centerHz + ((n / 2 - 1) * c.sampleRate) / n);
  assert.equal(r.segments, segmentCount(c.samples, n, n / 2));
  assert.equal(r.segments, Math.floor((c.samples - n) / (n / 2)) + 1);
});

test('the strongest synthetic tone shows at its frequency', () => {
  // make_reference.py puts a 0.9-amplitude tone at 0.1234 * fs in the cf32 recording.
  const c = manifest.synthetic.find((x) => x.format === 'cf32_le' && x.fftSize === 4096) as Case;
  const r = welchOf(c, gz(c.input as string));
  let peak = 0;
  for (let k = 1; k < r.psdDb.length; k++) if ((r.psdDb[k] as number) > (r.psdDb[peak] as number)) peak = k;
  const offset = (r.frequencyHz[peak] as number) - c.centerHz;
  assert.ok(Math.abs(offset - 0.1234 * c.sampleRate) <= c.sampleRate / c.fftSize, `peak at ${offset} Hz`);
});

/** Deterministic pseudo-random generator for chunk sizes. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

test('pushing the same bytes in random chunk sizes (splitting samples) gives the identical PSD', () => {
  for (const c of manifest.synthetic.filter((x) => x.fftSize === 1024 || x.overlap !== 0.5)) {
    const bytes = gz(c.input as string);
    for (const [engine, precision] of [
      ['wasm', 'double'],
      ['wasm', 'single'],
      ['js', 'double'],
    ] as const) {
      const whole = welchOf(c, bytes, engine, precision);
      const w = new Welch({ ...options(c, engine), precision });
      const next = rng(c.fftSize + bytes.length);
      let off = 0;
      while (off < bytes.length) {
        // Sizes from 0 to ~3 segments, many of them odd so samples split across calls.
        const size = Math.floor(next() ** 3 * 3 * c.fftSize * bytesPerSample(c.format));
        w.push(bytes.subarray(off, off + size));
        off += size;
      }
      assert.equal(w.samplesConsumed, c.samples);
      const r = w.result(c.sampleRate, c.centerHz);
      assert.deepEqual(r.psdDb, whole.psdDb, `${c.reference} ${engine}`);
    }
  }
});

test('inputBuffer + pushInput (zero copy) equals push', () => {
  const c = manifest.synthetic.find((x) => x.format === 'ci16_le' && x.fftSize === 1024) as Case;
  const bytes = gz(c.input as string);
  const w = new Welch(options(c, 'wasm'));
  for (let off = 0; off < bytes.length; off += 777) {
    const part = bytes.subarray(off, off + 777);
    const view = w.inputBuffer(1000);
    assert.equal(view.length, 1000);
    view.set(part);
    w.pushInput(part.length);
  }
  assert.deepEqual(w.result(c.sampleRate, c.centerHz).psdDb, welchOf(c, bytes).psdDb);
  // Handing over more bytes than the view offered would read past what the caller wrote.
  w.inputBuffer(10);
  assert.throws(() => w.pushInput(11), RangeError);
});

test('splitting a recording with splitForWorkers and merging the states equals the whole', () => {
  const c = manifest.synthetic.find(
    (x) => x.format === 'cf32_le' && x.fftSize === 1024 && x.overlap === 0.75,
  ) as Case;
  const bytes = gz(c.input as string);
  const bps = bytesPerSample(c.format);
  const whole = new Welch(options(c, 'wasm'));
  whole.push(bytes);
  const step = whole.step;
  for (const parts of [2, 3, 7]) {
    const ranges = splitForWorkers(c.samples, c.fftSize, step, parts);
    assert.equal(ranges.length, parts);
    assert.equal(
      ranges.reduce((s, r) => s + r.segments, 0),
      whole.segments,
    );
    const merged = new Welch(options(c, 'wasm'));
    for (const r of ranges) {
      const worker = new Welch(options(c, 'wasm'));
      worker.push(bytes.subarray(r.start * bps, r.end * bps));
      assert.equal(worker.segments, r.segments);
      merged.merge(worker.state());
    }
    assert.equal(merged.segments, whole.segments);
    const a = merged.density(c.sampleRate);
    const b = whole.density(c.sampleRate);
    for (let k = 0; k < a.length; k++) {
      assert.ok(Math.abs((a[k] as number) / (b[k] as number) - 1) < 1e-12, `parts=${parts} bin ${k}`);
    }
  }
});

test('splitForWorkers never returns more ranges than segments, nor empty ones', () => {
  assert.deepEqual(splitForWorkers(100, 1024, 512, 4), []);
  assert.deepEqual(splitForWorkers(1024, 1024, 512, 4), [{ start: 0, end: 1024, segments: 1 }]);
  const r = splitForWorkers(9000, 1024, 512, 3); // 16 segments
  assert.deepEqual(
    r.map((x) => x.segments),
    [5, 5, 6],
  );
  assert.equal(r[1]?.start, 5 * 512);
});

test('reset starts a new grid; formats other than the fused four give the same PSD as their cf32 twin', () => {
  const c = manifest.synthetic.find((x) => x.format === 'ci16_le' && x.fftSize === 256) as Case;
  const bytes = gz(c.input as string);
  const w = new Welch(options(c, 'wasm'));
  w.push(bytes.subarray(0, 3));
  w.reset();
  w.push(bytes);
  const expected = welchOf(c, bytes).psdDb;
  assert.deepEqual(w.result(c.sampleRate, c.centerHz).psdDb, expected);

  // The same samples as big-endian int16 and as cf64 go through the decode-to-staging path.
  const be = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += 2) {
    be[i] = bytes[i + 1] as number;
    be[i + 1] = bytes[i] as number;
  }
  const beResult = welchOf({ ...c, format: 'ci16_be' }, be).psdDb;
  assert.ok(maxDbError(beResult, new Float32Array(expected)).err < 1e-4);
  const i16 = new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2);
  const f64 = new Float64Array(i16.length);
  for (let i = 0; i < i16.length; i++) f64[i] = (i16[i] as number) / 32768;
  const cf64Result = welchOf({ ...c, format: 'cf64_le' }, new Uint8Array(f64.buffer)).psdDb;
  assert.ok(maxDbError(cf64Result, new Float32Array(expected)).err < 1e-4);
});

test('before any full segment the density is zero and the segment count 0', () => {
  const w = new Welch({ fftSize: 1024, format: 'cu8' });
  w.push(new Uint8Array(2 * 1023 + 1));
  assert.equal(w.segments, 0);
  assert.equal(w.samplesConsumed, 1023);
  assert.ok(w.density(1e6).every((v) => v === 0));
  w.push(new Uint8Array(1));
  assert.equal(w.segments, 1);
});

test('bad options are UserErrors naming the flag: FFT size, overlap, window length, sample rate', () => {
  const isUser = (field: string) => (e: unknown) => e instanceof UserError && e.field === field;
  assert.throws(() => new Welch({ fftSize: 1000, format: 'cf32_le' }), isUser('--fft'));
  assert.throws(() => new Welch({ fftSize: 1024, overlap: 1, format: 'cf32_le' }), isUser('--overlap'));
  assert.throws(() => new Welch({ fftSize: 1024, overlap: -0.1, format: 'cf32_le' }), isUser('--overlap'));
  assert.throws(() => new Welch({ fftSize: 4, overlap: 0.9, format: 'cf32_le' }), isUser('--overlap'));
  assert.throws(
    () => new Welch({ fftSize: 8, window: new Float32Array(4), format: 'cf32_le' }),
    isUser('window'),
  );
  const w = new Welch({ fftSize: 16, format: 'cf32_le' });
  assert.throws(() => w.result(0, 1e6), isUser('core:sample_rate'));
  assert.throws(() => w.density(-5), isUser('core:sample_rate'));
});

test('small FFT sizes (2 .. 8, below the kernel minimum) still follow the contract', () => {
  const c = manifest.synthetic.find((x) => x.format === 'cu8' && x.fftSize === 256) as Case;
  const bytes = gz(c.input as string);
  for (const n of [2, 4, 8, 16]) {
    const a = new Welch({ fftSize: n, format: 'cu8' });
    const b = new Welch({ fftSize: n, format: 'cu8', engine: 'js' });
    a.push(bytes);
    b.push(bytes);
    assert.equal(a.segments, segmentCount(c.samples, n, n / 2));
    assert.ok(maxDbError(a.result(1, 0).psdDb, new Float32Array(b.result(1, 0).psdDb)).err < 1e-3, `N=${n}`);
  }
});
