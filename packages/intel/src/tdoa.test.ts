import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UserError } from '@heimdall/errors';
import { insideEllipse } from './fix.ts';
import { EnuFrame } from './geodesy.ts';
import { FIVE_NODES, ORIGIN, prng, synthesize, type TrialOptions } from './synthetic-trial.ts';
import { localizeTdoa, type TdoaSnippet } from './tdoa.ts';

const FREQ = 433.92e6;
const base: Omit<TrialOptions, 'emitter' | 'seed'> = {
  nodes: FIVE_NODES,
  snrDb: 10,
  bandwidth: 100e3,
  sampleRate: 250e3,
  samples: 5000,
  clockJitter: 20e-9,
  centerFrequency: FREQ,
  offset: 20e3,
};
const opts = { frequency: FREQ + 20e3, bandwidth: 100e3, emitterAltitude: ORIGIN.altitude };

function trial(emitter: readonly [number, number], seed: number, over: Partial<TrialOptions> = {}) {
  return synthesize({ ...base, emitter, seed, ...over });
}

test('five GPS nodes over 20 km, 100 kHz at 10 dB SNR: median error under 30 m, 95 % ellipses honest', () => {
  const frame = new EnuFrame(ORIGIN);
  const rnd = prng(3);
  const trials = 150;
  const errors: number[] = [];
  let inside = 0;
  for (let t = 0; t < trials; t++) {
    const emitter = [(rnd.uniform() - 0.5) * 20_000, (rnd.uniform() - 0.5) * 20_000] as const;
    const { snippets, truth } = trial(emitter, 100 + t);
    const fix = localizeTdoa(snippets, opts);
    assert.equal(fix.method, 'tdoa');
    const p = frame.toEnu(fix.position);
    const q = frame.toEnu(truth);
    errors.push(Math.hypot(p[0] - q[0], p[1] - q[1]));
    if (insideEllipse(p[0] - q[0], p[1] - q[1], fix.covariance)) inside++;
  }
  errors.sort((a, b) => a - b);
  const median = errors[trials >> 1] as number;
  const coverage = inside / trials;
  assert.ok(median < 30 * 0.8, `median error ${median.toFixed(1)} m`);
  // 95 % nominal; with 150 trials the binomial spread is about 1.8 %.
  assert.ok(coverage >= 0.9 && coverage <= 0.985, `coverage ${coverage}`);
});

test('a fix reports its ellipse, GDOP, residuals and a good quality for a well-placed emitter', () => {
  const { snippets } = trial([2_000, 3_000], 42);
  const fix = localizeTdoa(snippets, opts);
  assert.equal(fix.quality, 'good');
  assert.ok(fix.gdop > 0.3 && fix.gdop < 3, `gdop ${fix.gdop}`);
  assert.ok(fix.ellipse.semiMajor >= fix.ellipse.semiMinor && fix.ellipse.semiMajor < 200);
  assert.equal(fix.residuals.length, 5);
  assert.equal(fix.pairs.length, 10);
  assert.ok(fix.pairs.every((p) => p.used));
});

test('an emitter far outside the nodes is flagged as poor geometry, not a precise point', () => {
  const { snippets } = trial([400_000, 30_000], 43, { snrDb: 10 });
  const fix = localizeTdoa(snippets, opts);
  assert.equal(fix.quality, 'poor-geometry');
  assert.ok(fix.ellipse.semiMajor > 10_000, `semi-major ${fix.ellipse.semiMajor}`);
});

test('a node whose clock is off by microseconds is rejected as an outlier', () => {
  const { snippets, truth } = trial([1_000, -2_000], 44);
  const bad = snippets.map((s, k) => (k === 2 ? { ...s, startNs: s.startNs + 3_000n } : s));
  const fix = localizeTdoa(bad, opts);
  assert.deepEqual(fix.used, [0, 1, 3, 4]);
  const frame = new EnuFrame(ORIGIN);
  const p = frame.toEnu(fix.position);
  const q = frame.toEnu(truth);
  assert.ok(Math.hypot(p[0] - q[0], p[1] - q[1]) < 100);
});

function throwsUser(f: () => unknown, pattern: RegExp): void {
  assert.throws(f, (e: unknown) => e instanceof UserError && pattern.test(e.describe()), String(pattern));
}

test('degenerate inputs give a clear UserError with a fix', () => {
  const { snippets } = trial([1_000, 1_000], 45);
  const s = snippets as TdoaSnippet[];
  throwsUser(() => localizeTdoa(s.slice(0, 2), opts), /at least 3 nodes.*fix:/);
  throwsUser(
    () =>
      localizeTdoa(
        s.map((x, k) => (k === 1 ? { ...x, position: undefined } : x)),
        opts,
      ),
    /node1: captures\[0\]\.core:geolocation: .*missing.*fix:/,
  );
  throwsUser(
    () =>
      localizeTdoa(
        s.map((x, k) => (k === 3 ? { ...x, centerFrequency: FREQ + 1e6 } : x)),
        opts,
      ),
    /different frequencies.*fix:/,
  );
  throwsUser(
    () =>
      localizeTdoa(
        s.map((x, k) => (k === 0 ? { ...x, timestampResolutionNs: 1e6 } : x)),
        opts,
      ),
    /core:datetime: .*sub-microsecond.*fix:/,
  );
  throwsUser(
    () =>
      localizeTdoa(
        s.map((x) => ({ ...x, clockSource: 'ntp' })),
        opts,
      ),
    /heimdall:clock_source: .*"ntp".*fix:/,
  );
  const frame = new EnuFrame(ORIGIN);
  const line = s.map((x, k) => ({ ...x, position: frame.toGeodetic([k * 4_000 - 8_000, k * 10, 0]) }));
  throwsUser(() => localizeTdoa(line, opts), /lie on a line.*fix: add a node/);
  throwsUser(() => localizeTdoa(s, { ...opts, frequency: FREQ + 200e3 }), /not inside the recording/);
});
