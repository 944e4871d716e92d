/**
 * The detection quality bar on synthesized signals: signals at 10 dB in-band SNR are found with
 * their centre (one survey bin or 2 kHz), occupied bandwidth (25 % for signals wider than 5 kHz,
 * against the 99 % bandwidth of the clean signal), start and end; noise-only input of any length,
 * FFT size and quantization yields nothing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UserError } from '@heimdall/errors';
import type { SampleFormat } from '../iq-format.ts';
import { analyzeBytes, Analyzer, defaultFftSize } from './analyzer.ts';
import type { Detection } from './detection.ts';
import { Scene } from './test-signals.ts';

const FS = 1e6;
const N0 = -90;
const FORMATS: readonly SampleFormat[] = ['cf32_le', 'ci16_le', 'cu8'];

interface Truth {
  readonly kind: string;
  readonly start: number;
  readonly end: number;
  readonly centreHz: number;
  readonly bandwidthHz: number;
}

const KINDS = ['tone', 'fm', 'fsk', 'band-noise', 'wide-band-noise', 'chirp', 'ook', 'short-burst'] as const;

/** One signal of `kind` at 10 dB in-band SNR with random frequency, size and timing. */
function scene(kind: (typeof KINDS)[number], seed: number): { scene: Scene; truth: Truth } {
  const s = new Scene(FS, 500_000, seed).reference(N0);
  const r = (): number => s.rng.uniform();
  const f = (r() - 0.5) * 600e3;
  let start = Math.floor(r() * 200_000);
  let end = start + 20_000 + Math.floor(r() * 250_000);
  const snr = 10;
  switch (kind) {
    case 'tone': // 10 dB in the window's noise bandwidth of one survey bin
      s.tone(f, N0 + snr + 10 * Math.log10((1.5 * FS) / defaultFftSize(FS)), { start, end });
      break;
    case 'fm':
      s.fm(f, snr, 5e3 + r() * 40e3, 3e3 + r() * 10e3, { start, end });
      break;
    case 'fsk':
      s.fsk(f, snr, 5e3 + r() * 30e3, 2e3 + r() * 20e3, { start, end });
      break;
    case 'band-noise':
      s.bandNoise(f, 8e3 + r() * 100e3, snr, { start, end });
      break;
    case 'wide-band-noise':
      s.bandNoise(f * 0.3, 200e3 + r() * 200e3, snr, { start, end });
      break;
    case 'chirp': {
      const bw = 50e3 + r() * 300e3;
      s.chirp(f - bw / 4, f + bw / 4, snr, { start, end });
      break;
    }
    case 'ook':
      s.ook(f, snr, 2e3 + r() * 10e3, { start, end });
      break;
    case 'short-burst': // 3 ms at 20 dB
      end = start + 3000;
      s.bandNoise(f, 50e3, snr + 10, { start, end });
      break;
  }
  const occ = s.occupied(start, end);
  start = Math.max(0, start);
  s.noise();
  return {
    scene: s,
    truth: { kind, start, end, centreHz: occ.centroidHz, bandwidthHz: occ.upperHz - occ.lowerHz },
  };
}

function detect(s: Scene, format: SampleFormat, opts: { fftSize?: number } = {}): Detection[] {
  return analyzeBytes(s.bytes(format), { format, sampleRate: s.sampleRate, centerFrequency: 0 }, opts);
}

test('signals at 10 dB in-band SNR are found once, with centre, bandwidth, start and end', () => {
  const binHz = FS / defaultFftSize(FS);
  const worst = { centreHz: 0, bandwidth: 1, edge: 0 };
  let seed = 100;
  for (const kind of KINDS) {
    for (const format of FORMATS) {
      const { scene: s, truth } = scene(kind, seed++);
      const found = detect(s, format);
      const what = `${kind} ${format} seed ${seed - 1}: ${JSON.stringify(truth)} -> ${JSON.stringify(
        found.map((d) => [d.sampleStart, d.sampleCount, Math.round(d.centerHz), Math.round(d.bandwidthHz)]),
      )}`;
      assert.equal(found.length, 1, `one detection and nothing else: ${what}`);
      const d = found[0] as Detection;
      const centreError = Math.abs(d.centerHz - truth.centreHz);
      assert.ok(centreError <= Math.max(binHz, 2000), `centre off by ${centreError.toFixed(0)} Hz: ${what}`);
      // Hard-keyed OOK has no finite 99 % bandwidth worth comparing (sinc sidelobes); its band is
      // measured within 20 dB of the carrier.
      if (truth.bandwidthHz > 5e3 && kind !== 'ook') {
        const ratio = d.bandwidthHz / truth.bandwidthHz;
        assert.ok(ratio > 0.75 && ratio < 1.25, `bandwidth ratio ${ratio.toFixed(2)}: ${what}`);
        worst.bandwidth = Math.abs(ratio - 1) > Math.abs(worst.bandwidth - 1) ? ratio : worst.bandwidth;
      }
      // Bursts are timed within one survey FFT length (a line: its 4x longer pass-2 FFT; keyed
      // signals: within one symbol of the first and last on-bit).
      const tolerance = kind === 'tone' ? 4 * defaultFftSize(FS) : kind === 'ook' ? 2000 : defaultFftSize(FS);
      const startError = Math.abs(d.sampleStart - truth.start);
      const endError = Math.abs(d.sampleStart + d.sampleCount - truth.end);
      assert.ok(
        startError <= tolerance && endError <= tolerance,
        `start/end off by ${startError}/${endError}: ${what}`,
      );
      worst.centreHz = Math.max(worst.centreHz, centreError);
      if (kind !== 'tone' && kind !== 'ook') worst.edge = Math.max(worst.edge, startError, endError);
    }
  }
  assert.ok(worst.centreHz < 2000 && worst.edge < defaultFftSize(FS), JSON.stringify(worst));
});

test('a 5 %-duty burst channel at 20 dB is found, every burst of it', () => {
  const s = new Scene(FS, 1_000_000, 7).reference(N0);
  const starts = [100_000, 600_000];
  for (const start of starts) s.fsk(250e3, 20, 10e3, 5e3, { start, end: start + 25_000 });
  s.noise();
  const found = detect(s, 'cu8');
  assert.equal(found.length, 2, JSON.stringify(found.map((d) => [d.sampleStart, d.sampleCount])));
  found.forEach((d, i) => {
    assert.ok(Math.abs(d.sampleStart - (starts[i] as number)) < 512);
    assert.ok(Math.abs(d.dutyCycle - 0.05) < 0.01, `duty ${d.dutyCycle}`);
    assert.ok(d.snrDb > 15 && d.snrDb < 25, `snr ${d.snrDb}`);
  });
});

test('several simultaneous signals are all found at their frequencies', () => {
  const s = new Scene(FS, 400_000, 21).reference(N0);
  s.bandNoise(-300e3, 60e3, 12);
  s.fm(-100e3, 15, 20e3, 5e3, { start: 50_000, end: 350_000 });
  s.tone(120e3, N0 + 60);
  s.fsk(300e3, 15, 15e3, 5e3, { start: 200_000, end: 260_000 });
  s.noise();
  const found = detect(s, 'ci16_le');
  const centres = found.map((d) => Math.round(d.centerHz / 1e4) * 10).sort((a, b) => a - b);
  assert.deepEqual(
    centres,
    [-300, -100, 120, 300],
    JSON.stringify(found.map((d) => [d.centerHz, d.bandwidthHz])),
  );
});

test('noise alone yields no detection, for any length, FFT size, quantization and floor shape', () => {
  let runs = 0;
  for (const format of FORMATS) {
    for (const length of [3_000, 60_000, 500_000]) {
      for (const fftSize of [256, 1024, 4096]) {
        for (const seed of [1, 2]) {
          const s = new Scene(FS, length, 1000 * seed + length + fftSize).noise(N0);
          assert.deepEqual(
            detect(s, format, { fftSize }),
            [],
            `${format} ${length} samples, fft ${fftSize}, seed ${seed}`,
          );
          runs++;
        }
      }
    }
  }
  // Receiver-like floors: a 9.5 dB roll-off to the band edges, and an 8-bit DC offset spike.
  for (const seed of [3, 4, 5]) {
    const s = new Scene(2.048e6, 400_000, seed)
      .noise(N0 - 3)
      .filter([0.25, 1, 0.25])
      .dc(0.01, -0.006);
    assert.deepEqual(detect(s, 'cu8'), [], `rolled-off cu8 noise with DC, seed ${seed}`);
    runs++;
  }
  assert.equal(runs, 57);
});

test('the coarse class of each kind of signal', () => {
  const s = (seed: number) => new Scene(FS, 400_000, seed).reference(N0);
  const cases: [string, Scene][] = [
    ['cw', s(1).tone(100e3, N0 + 60)],
    ['am', s(2).am(-200e3, N0 + 60, 0.8, [2000, 5000, 9000])],
    ['fm', s(3).fm(150e3, 15, 75e3, 15e3)],
    ['digital-narrow', s(4).fsk(-100e3, 15, 20e3, 10e3, { start: 50_000, end: 150_000 })],
    ['chirp', s(5).chirp(-300e3, 300e3, 10, { start: 100_000, end: 300_000 })],
    ['wideband', s(6).bandNoise(0, 700e3, 10)],
    ['digital-narrow', s(7).bandNoise(50e3, 20e3, 10)],
    ['digital-narrow', s(8).ook(200e3, 20, 5e3, { start: 100_000, end: 150_000 })],
  ];
  for (const [expected, scene] of cases) {
    const found = detect(scene.noise(), 'cf32_le');
    assert.equal(found.length, 1, `${expected}: ${found.length} detections`);
    assert.equal(found[0]?.class, expected, JSON.stringify(found[0]?.evidence));
    assert.ok((found[0]?.classConfidence ?? 0) > 0, 'a positive confidence');
  }
});

test('bad parameters are refused with a UserError naming the field', () => {
  const params = { format: 'cf32_le' as const, sampleRate: 1e6, centerFrequency: 0 };
  const field = (f: () => unknown): string | undefined => {
    try {
      f();
    } catch (e) {
      assert.ok(e instanceof UserError, String(e));
      return e.field;
    }
    return undefined;
  };
  assert.equal(
    field(() => new Analyzer(params, { fftSize: 1000 })),
    'fftSize',
  );
  assert.equal(
    field(() => new Analyzer({ ...params, sampleRate: -1 })),
    'core:sample_rate',
  );
  assert.equal(
    field(() => new Analyzer(params, { pfa: 2 })),
    'pfa',
  );
  assert.equal(
    field(() => new Analyzer(params, { segmentsPerFrame: 0 })),
    'segmentsPerFrame',
  );
  // An empty or tiny input is not an error: there is nothing to detect.
  assert.deepEqual(analyzeBytes(new Uint8Array(0), params), []);
  assert.deepEqual(analyzeBytes(new Uint8Array(800), params), []);
});
