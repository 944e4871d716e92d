import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UserError } from '@heimdall/errors';
import { insideEllipse } from './fix.ts';
import { EnuFrame } from './geodesy.ts';
import { localizePower } from './power.ts';
import { FIVE_NODES, ORIGIN, prng } from './synthetic-trial.ts';

const frame = new EnuFrame(ORIGIN);

function readings(emitter: readonly [number, number], shadowDb: number, rnd: ReturnType<typeof prng>) {
  return FIVE_NODES.map(([e, n], k) => ({
    name: `node${k}`,
    position: frame.toGeodetic([e, n, 0]),
    powerDb: 30 - 28 * Math.log10(Math.hypot(emitter[0] - e, emitter[1] - n)) + shadowDb * rnd.gauss(),
  }));
}

test('power-only: median error under 10 % of the mean node spacing with 2 dB shadowing', () => {
  const rnd = prng(5);
  let spacing = 0;
  let pairs = 0;
  for (let i = 0; i < FIVE_NODES.length; i++)
    for (let j = i + 1; j < FIVE_NODES.length; j++) {
      const a = FIVE_NODES[i] as readonly [number, number];
      const b = FIVE_NODES[j] as readonly [number, number];
      spacing += Math.hypot(a[0] - b[0], a[1] - b[1]);
      pairs++;
    }
  spacing /= pairs;
  const trials = 120;
  const errors: number[] = [];
  let inside = 0;
  for (let t = 0; t < trials; t++) {
    const emitter = [(rnd.uniform() - 0.5) * 20_000, (rnd.uniform() - 0.5) * 20_000] as const;
    const fix = localizePower(readings(emitter, 2, rnd), {
      shadowingDb: 2,
      emitterAltitude: ORIGIN.altitude,
    });
    assert.equal(fix.method, 'power');
    const p = frame.toEnu(fix.position);
    errors.push(Math.hypot(p[0] - emitter[0], p[1] - emitter[1]));
    if (insideEllipse(p[0] - emitter[0], p[1] - emitter[1], fix.covariance)) inside++;
  }
  errors.sort((a, b) => a - b);
  const median = errors[trials >> 1] as number;
  assert.ok(median < 0.1 * spacing, `median ${median.toFixed(0)} m of spacing ${spacing.toFixed(0)} m`);
  assert.ok(inside / trials > 0.8, `coverage ${inside / trials}`);
});

test('power-only without shadowing recovers position, power and exponent', () => {
  const rnd = prng(6);
  const fix = localizePower(readings([3_000, -4_000], 0, rnd), {
    shadowingDb: 0.1,
    emitterAltitude: ORIGIN.altitude,
  });
  const p = frame.toEnu(fix.position);
  assert.ok(Math.hypot(p[0] - 3_000, p[1] + 4_000) < 20);
  assert.ok(Math.abs(fix.exponent - 2.8) < 0.01);
  assert.ok(Math.abs(fix.powerAt1mDb - 30) < 0.1);
});

test('power-only refuses three nodes and nodes on a line', () => {
  const rnd = prng(7);
  const r = readings([0, 0], 1, rnd);
  assert.throws(
    () => localizePower(r.slice(0, 3)),
    (e: unknown) => e instanceof UserError && /at least 4 nodes/.test(e.message),
  );
  const line = r.map((x, k) => ({ ...x, position: frame.toGeodetic([k * 3_000, 0, 0]) }));
  assert.throws(
    () => localizePower(line),
    (e: unknown) => e instanceof UserError && /on a line/.test(e.message),
  );
});
