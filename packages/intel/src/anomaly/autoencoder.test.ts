import assert from 'node:assert/strict';
import { test } from 'node:test';
import { days, frame } from './anomaly-fixture.ts';
import {
  autoencoderInput,
  AutoencoderScorer,
  buildErrorCalibration,
  calibrateError,
  trainAutoencoder,
} from './autoencoder.ts';
import { hourOfWeek, HOURS_OF_WEEK } from './baseline.ts';
import { channelize } from './channel-plan.ts';
import { modelBaseline, type AnomalyModel } from './model.ts';
import { AnomalyMonitor } from './monitor.ts';
import { trainAnomalyModel } from './train.ts';

/**
 * Frames of 24 channels where groups move together: channels 4-7 are one station (on or off as a
 * whole, sidebands 6 dB down), channels 12-19 a band whose level follows one slow variable. What
 * the network must learn is the structure, not each channel alone.
 */
function structured(n: number, seed: number): Float64Array[] {
  let s = seed;
  const r = (): number => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 4294967296;
  };
  return Array.from({ length: n }, () => {
    const x = new Float64Array(24);
    for (let c = 0; c < 24; c++) x[c] = 0.05 * (r() - 0.5);
    const on = r() < 0.5 ? 1 : 0;
    for (let c = 4; c < 8; c++) x[c] = (x[c] as number) + on * (c === 4 || c === 7 ? 1.4 : 2);
    const band = 2 * r() - 1;
    for (let c = 12; c < 20; c++) x[c] = (x[c] as number) + band * (0.5 + (c - 12) / 16);
    return x;
  });
}

test('the autoencoder learns: held-out loss falls well below predicting the mean frame', () => {
  const ae = trainAutoencoder(structured(1500, 7), { seed: 3 });
  const m = ae.metrics;
  assert.ok(m.epochs >= 2 && m.trainFrames + m.heldOutFrames === 1500);
  assert.ok(m.heldOutLoss < 0.2 * m.meanPredictorLoss, JSON.stringify(m));
  // a fresh sample of the same structure is reconstructed as well as the held-out one
  const scorer = new AutoencoderScorer(ae);
  const fresh = structured(200, 99).map((x) => scorer.error(x));
  const mean = fresh.reduce((a, b) => a + b, 0) / fresh.length;
  assert.ok(mean < 0.3 * m.meanPredictorLoss, `fresh loss ${mean} vs mean predictor ${m.meanPredictorLoss}`);
});

test('the same frames and seed give the same weights; another seed other weights', () => {
  const frames = structured(400, 11);
  const a = trainAutoencoder(frames, { seed: 5, maxEpochs: 5 });
  const b = trainAutoencoder(frames, { seed: 5, maxEpochs: 5 });
  const c = trainAutoencoder(frames, { seed: 6, maxEpochs: 5 });
  assert.deepEqual(a.weights, b.weights);
  assert.deepEqual(a.metrics, b.metrics);
  assert.notDeepEqual(a.weights, c.weights);
});

test('error calibration: the largest normal error scores about 1 - 1/n, larger ones closer to 1', () => {
  const errors = Array.from({ length: 1000 }, (_, i) => i / 1000);
  const cal = buildErrorCalibration(errors);
  assert.ok(Math.abs(calibrateError(cal, 0.5) - 0.5) < 0.01);
  assert.ok(calibrateError(cal, 0.999) > 0.998);
  assert.ok(calibrateError(cal, 2) > calibrateError(cal, 1.2));
  assert.ok(calibrateError(cal, 1.2) > calibrateError(cal, 0.999));
});

test('a trained model scores a frame with a new wideband block near 1 and a normal frame not', () => {
  const model = trainAnomalyModel(days(1), { node: 'graz' });
  const ae = model.autoencoder;
  assert.ok(ae.metrics.heldOutLoss < ae.metrics.meanPredictorLoss, JSON.stringify(ae.metrics));
  assert.ok(ae.calibration.frames > 1000);
  const scorer = new AutoencoderScorer(ae);
  const median = modelBaseline(model).stats().median;
  const score = (i: number, block: boolean): number => {
    const f = frame(i, 86_400_000, block ? [{ bins: [20, 80], db: -85 }] : []);
    const levels = channelize(model.plan, f.db, new Float32Array(model.plan.channels));
    const input = autoencoderInput(
      levels,
      median,
      hourOfWeek(f.timeMs),
      HOURS_OF_WEEK,
      new Float64Array(levels.length),
    );
    return calibrateError(ae.calibration, scorer.error(input));
  };
  const normal = Array.from({ length: 50 }, (_, i) => score(i * 97, false));
  assert.ok(score(1234, true) > 0.9999, `block scored ${score(1234, true)}`);
  // normal frames spread over the calibrated range, few of them anywhere near 1
  assert.ok(normal.filter((s) => s > 0.99).length <= 3, normal.join(' '));
  assert.ok(Math.max(...normal) < 0.9999);
});

test("an event's score is the larger of its robust score and the autoencoder's over its frames", () => {
  const model = trainAnomalyModel(days(1), { node: 'graz' });
  const run = (m: AnomalyModel): number[] => {
    const mon = new AnomalyMonitor(m);
    const out = [];
    for (let i = 0; i < 60; i++)
      out.push(...mon.push(frame(i, 86_400_000, i > 20 && i < 40 ? [{ bins: [20, 23], db: -95 }] : [])));
    return [...out, ...mon.flush()].map((e) => e.score);
  };
  const robust = run(model);
  assert.equal(robust.length, 1);
  // an autoencoder whose normal frames all reconstruct perfectly finds every real frame unusual
  const strict: AnomalyModel = {
    ...model,
    autoencoder: { ...model.autoencoder, calibration: { frames: 1e6, body: [0], top: [0] } },
  };
  const combined = run(strict);
  assert.equal(combined.length, 1);
  assert.ok((combined[0] as number) > (robust[0] as number), `${combined[0]} vs ${robust[0]}`);
  assert.ok((robust[0] as number) < 1 && (combined[0] as number) > 1 - 1e-9);
});
