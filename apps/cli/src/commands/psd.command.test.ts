import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { heimdall, parsePsdCsv, tempDir } from '../cli-harness.ts';

const fixtures = new URL('../../../../packages/dsp/fixtures/', import.meta.url).pathname;

interface SyntheticCase {
  input: string;
  format: 'cf32_le' | 'ci16_le' | 'cu8';
  samples: number;
  sampleRate: number;
  centerHz: number;
  fftSize: number;
  overlap: number;
  window: string;
  reference: string;
}

const manifest = JSON.parse(readFileSync(join(fixtures, 'manifest.json'), 'utf8')) as {
  synthetic: SyntheticCase[];
};
const ext = { cf32_le: 'cf32', ci16_le: 'cs16', cu8: 'cu8' } as const;
const dir = tempDir('psd-cli');

function rawFile(c: SyntheticCase): string {
  const path = join(dir, `${c.input.replace(/\.iq\.gz$/, '')}.${ext[c.format]}`);
  writeFileSync(path, gunzipSync(readFileSync(join(fixtures, c.input))));
  return path;
}

describe('heimdall psd matches scipy.signal.welch (checked-in scipy reference vectors)', () => {
  for (const c of manifest.synthetic) {
    it(`${c.format} N=${c.fftSize} ${c.window} overlap ${c.overlap}: every bin within 0.05 dB`, async () => {
      const file = rawFile(c);
      const r = await heimdall([
        'psd',
        file,
        '--rate',
        String(c.sampleRate),
        '--freq',
        String(c.centerHz),
        '--fft',
        String(c.fftSize),
        '--overlap',
        String(c.overlap),
        '--window',
        c.window,
      ]);
      assert.equal(r.code, 0, r.stderr);
      const { frequencyHz, psdDb } = parsePsdCsv(r.stdout);
      const ref = new Float32Array(
        Uint8Array.from(gunzipSync(readFileSync(join(fixtures, c.reference)))).buffer,
      );
      assert.equal(psdDb.length, c.fftSize);
      assert.equal(ref.length, c.fftSize);
      let worst = 0;
      for (let k = 0; k < c.fftSize; k++) {
        worst = Math.max(worst, Math.abs((psdDb[k] as number) - (ref[k] as number)));
        const f = c.centerHz + ((k - c.fftSize / 2) * c.sampleRate) / c.fftSize;
        assert.ok(
          Math.abs((frequencyHz[k] as number) - f) < 1e-3,
          `bin ${k}: ${frequencyHz[k]} Hz, want ${f}`,
        );
      }
      assert.ok(worst <= 0.05, `largest difference from scipy ${worst.toFixed(4)} dB`);
      for (let k = 1; k < frequencyHz.length; k++)
        assert.ok((frequencyHz[k] as number) > (frequencyHz[k - 1] as number));
    });
  }

  it('splitting the file over worker threads gives the same spectrum as one thread', async () => {
    const c = manifest.synthetic.find((s) => s.format === 'cf32_le' && s.fftSize === 256) as SyntheticCase;
    const file = rawFile(c);
    const args = ['psd', file, '--rate', String(c.sampleRate), '--fft', '256'];
    const one = await heimdall([...args, '--threads', '1']);
    const two = await heimdall([...args, '--threads', '2']);
    assert.equal(one.code, 0, one.stderr);
    assert.equal(two.code, 0, two.stderr);
    const a = parsePsdCsv(one.stdout).psdDb;
    const b = parsePsdCsv(two.stdout).psdDb;
    for (let k = 0; k < a.length; k++)
      assert.ok(Math.abs((a[k] as number) - (b[k] as number)) < 1e-4, `bin ${k}`);
  });

  it('--format json gives the same spectrum with its parameters', async () => {
    const c = manifest.synthetic.find((s) => s.format === 'ci16_le') as SyntheticCase;
    const file = rawFile(c);
    const base = ['psd', file, '--rate', String(c.sampleRate), '--freq', String(c.centerHz), '--fft', '1024'];
    const csv = parsePsdCsv((await heimdall(base)).stdout);
    const r = await heimdall([...base, '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as {
      fft_size: number;
      segments: number;
      sample_rate: number;
      psd_db: number[];
    };
    assert.equal(j.fft_size, 1024);
    assert.equal(j.sample_rate, c.sampleRate);
    assert.equal(j.segments, Math.floor((c.samples - 1024) / 512) + 1);
    assert.equal(j.psd_db.length, 1024);
    for (let k = 0; k < 1024; k++)
      assert.ok(Math.abs((j.psd_db[k] as number) - (csv.psdDb[k] as number)) < 1e-5);
  });
});
