import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scoreDetection, trainDetectionModel, type DetectionLike } from './detection-model.ts';
import { averagePath, buildIsolationForest, isolationScore } from './isolation-forest.ts';

function gauss(i: number): number {
  const u = ((Math.imul(i + 1, 0x9e3779b1) >>> 0) + 0.5) / 4294967296;
  const v = ((Math.imul(i + 7, 0x85ebca6b) >>> 0) + 0.5) / 4294967296;
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

test('an isolation forest scores a far point near 1 and cluster points near 0.5', () => {
  const rows = Array.from({ length: 1000 }, (_, i) => Float64Array.from([gauss(i), gauss(i + 5000)]));
  const forest = buildIsolationForest(rows, { seed: 3 });
  const far = isolationScore(forest, Float64Array.from([6, -6]));
  const typical = isolationScore(forest, Float64Array.from([0.1, -0.2]));
  assert.ok(far > 0.7, `far ${far}`);
  assert.ok(typical < 0.5, `typical ${typical}`);
  assert.equal(averagePath(256).toFixed(3), '10.245');
  assert.deepEqual(buildIsolationForest(rows, { seed: 3 }), forest);
});

/** A node's usual traffic: a repeater (12.5 kHz NBFM) and a pager (short FSK bursts), day and night. */
function usual(i: number): DetectionLike {
  const t = Date.UTC(2024, 5, 3) + i * 97_000;
  const pager = i % 3 === 0;
  const f = pager ? 169.65e6 : 145.6625e6;
  const bw = pager ? 10e3 : 12.5e3;
  return {
    startMs: t,
    endMs: t + (pager ? 2_000 : 20_000) * (1 + 0.3 * gauss(i)),
    freqLowHz: f - bw / 2,
    freqHighHz: f + bw / 2,
    snrDb: 20 + 3 * gauss(i + 1),
    powerDbfs: -50 + 3 * gauss(i + 2),
    class: pager ? 'fsk' : 'nbfm',
  };
}

test('the detection model calls an unusual signal (new class, new place, wide) strange and usual ones not', () => {
  const model = trainDetectionModel(Array.from({ length: 2000 }, (_, i) => usual(i)));
  const normal = Array.from({ length: 300 }, (_, i) => scoreDetection(model, usual(5000 + i)).score);
  const loud = normal.filter((s) => s >= 0.99).length;
  assert.ok(loud <= 9, `${loud} of 300 usual detections at >= 0.99`);
  const t = Date.UTC(2024, 5, 10, 3);
  const odd = scoreDetection(model, {
    startMs: t,
    endMs: t + 600_000,
    freqLowHz: 145.2e6,
    freqHighHz: 145.6e6,
    snrDb: 30,
    powerDbfs: -40,
    class: 'noise',
  });
  assert.ok(odd.score >= 0.99, `odd ${JSON.stringify(odd)}`);
  // and above all but a few of the usual ones
  assert.ok(normal.filter((s) => s >= odd.score).length <= 3);
});
