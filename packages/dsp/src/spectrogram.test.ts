import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { UserError } from '@heimdall/errors';
import { Spectrogram } from './spectrogram.ts';
import type { SpectrumFrame } from './spectrogram.ts';
import { Welch } from './welch.ts';

const bytes = new Uint8Array(
  gunzipSync(readFileSync(new URL('../fixtures/tones-ci16.iq.gz', import.meta.url))),
);
const FS = 2e6;
const BPS = 4; // ci16_le

interface Kept {
  index: number;
  startSample: number;
  sampleCount: number;
  psd: Float32Array;
}

function frames(
  opts: { fftSize: number; segmentsPerFrame: number; overlap?: number },
  chunks: number[] = [],
): Kept[] {
  const sg = new Spectrogram({ ...opts, format: 'ci16_le', sampleRate: FS });
  const out: Kept[] = [];
  const keep = (f: SpectrumFrame) => out.push({ ...f, psd: f.psd.slice() });
  let off = 0;
  for (const c of chunks) {
    sg.push(bytes.subarray(off, off + c), keep);
    off += c;
  }
  sg.push(bytes.subarray(off), keep);
  sg.dispose();
  return out;
}

test('each frame is the Welch density of its own samples, fftshifted', () => {
  const fftSize = 512;
  const segmentsPerFrame = 4;
  const got = frames({ fftSize, segmentsPerFrame });
  const step = fftSize / 2;
  const samples = bytes.length / BPS;
  const segments = Math.floor((samples - fftSize) / step) + 1;
  assert.equal(got.length, Math.floor(segments / segmentsPerFrame));
  for (const f of got) {
    assert.equal(f.startSample, f.index * segmentsPerFrame * step);
    assert.equal(f.sampleCount, (segmentsPerFrame - 1) * step + fftSize);
    const w = new Welch({ fftSize, format: 'ci16_le' });
    w.push(bytes.subarray(f.startSample * BPS, (f.startSample + f.sampleCount) * BPS));
    assert.equal(w.segments, segmentsPerFrame);
    const d = w.density(FS);
    for (let k = 0; k < fftSize; k++) {
      const expected = d[(k + fftSize / 2) % fftSize] as number;
      assert.ok(Math.abs((f.psd[k] as number) / expected - 1) < 1e-6, `frame ${f.index} bin ${k}`);
    }
  }
});

test('frames do not depend on how the bytes are chunked (odd sizes split samples)', () => {
  const whole = frames({ fftSize: 256, segmentsPerFrame: 3, overlap: 0.25 });
  const chunked = frames(
    { fftSize: 256, segmentsPerFrame: 3, overlap: 0.25 },
    [1, 2, 5, 1023, 3, 4097, 17, 9999],
  );
  assert.ok(whole.length > 10);
  assert.deepEqual(chunked, whole);
});

test('a burst shows in the frames that cover it and not in the others', () => {
  // 64 frames of silence-level noise with a strong tone in samples 20000..30000.
  const n = 65536;
  const iq = new Int16Array(2 * n);
  let seed = 1;
  for (let i = 0; i < n; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    const on = i >= 20000 && i < 30000;
    iq[2 * i] = ((seed >>> 24) - 128) / 4 + (on ? Math.round(8000 * Math.cos(0.5 * i)) : 0);
    iq[2 * i + 1] = ((seed >>> 16) & 255) / 4 - 32 + (on ? Math.round(8000 * Math.sin(0.5 * i)) : 0);
  }
  const sg = new Spectrogram({
    fftSize: 1024,
    segmentsPerFrame: 2,
    overlap: 0.5,
    format: 'ci16_le',
    sampleRate: FS,
  });
  const loud: number[] = [];
  sg.push(new Uint8Array(iq.buffer), (f) => {
    const peak = Math.max(...f.psd);
    const median = Float32Array.from(f.psd).sort()[512] as number;
    if (peak / median > 1e4) loud.push(f.startSample);
  });
  assert.ok(loud.length > 0);
  for (const start of loud) assert.ok(start + 2048 > 20000 && start < 30000, `frame at ${start}`);
});

test('bad frame options are UserErrors', () => {
  assert.throws(
    () => new Spectrogram({ fftSize: 1024, segmentsPerFrame: 0, format: 'cu8', sampleRate: FS }),
    UserError,
  );
  assert.throws(
    () => new Spectrogram({ fftSize: 1024, segmentsPerFrame: 1, format: 'cu8', sampleRate: 0 }),
    UserError,
  );
  assert.throws(
    () => new Spectrogram({ fftSize: 1000, segmentsPerFrame: 1, format: 'cu8', sampleRate: FS }),
    UserError,
  );
});
