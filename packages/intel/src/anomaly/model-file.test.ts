import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UserError } from '@heimdall/errors';
import { days, frame } from './anomaly-fixture.ts';
import { AnomalyMonitor } from './monitor.ts';
import { parseModel, serializeModel } from './model-file.ts';
import { trainAnomalyModel } from './train.ts';

const model = trainAnomalyModel(days(1), { node: 'graz' });

test('a model survives its file: same window, metrics and the same events on the same frames', () => {
  const text = serializeModel(model);
  const back = parseModel(text, 'graz.model.json');
  assert.equal(back.id, model.id);
  assert.deepEqual(back.training, model.training);
  assert.deepEqual(back.metrics, model.metrics);
  assert.deepEqual(back.hist, model.hist);
  assert.deepEqual(back.counts, model.counts);
  assert.deepEqual(back.weekHours, model.weekHours);
  // the weekly histogram is stored sparse: the file is much smaller than its dense float32s
  assert.ok(
    text.length < model.hist.byteLength / 2,
    `${text.length} chars for ${model.hist.byteLength} bytes`,
  );
  assert.deepEqual(back.autoencoder, model.autoencoder);
  const run = (m: typeof model) => {
    const mon = new AnomalyMonitor(m);
    const out = [];
    for (let i = 0; i < 120; i++)
      out.push(...mon.push(frame(i, 86_400_000, i > 30 && i < 90 ? [{ bins: [20, 23], db: -80 }] : [])));
    return [...out, ...mon.flush()];
  };
  assert.deepEqual(run(back), run(model));
  assert.equal(run(model).length, 1);
});

test('model files from another version or program are refused with the file named and what to do', () => {
  const m = JSON.parse(serializeModel(model)) as Record<string, unknown>;
  const refuse = (text: string, pattern: RegExp) =>
    assert.throws(
      () => parseModel(text, 'old.json'),
      (e: unknown) =>
        e instanceof UserError &&
        e.source === 'old.json' &&
        pattern.test(e.message) &&
        /heimdall anomalies train/.test(e.fix ?? ''),
    );
  refuse(JSON.stringify({ ...m, version: 2 }), /format version 2; this heimdall reads version 3/);
  refuse('{"hello": 1}', /not a Heimdall anomaly model/);
  refuse('not json', /not JSON/);
  refuse(JSON.stringify({ ...m, calibration: undefined }), /lacks "calibration"/);
  const hist = m['hist'] as Record<string, unknown>;
  refuse(JSON.stringify({ ...m, hist: { ...hist, length: (hist['length'] as number) + 1 } }), /wrong size/);
  refuse(JSON.stringify({ ...m, hist: { ...hist, values: '' } }), /lacks its histograms/);
  const ae = m['autoencoder'] as Record<string, unknown>;
  refuse(
    JSON.stringify({ ...m, autoencoder: { ...ae, weights: (ae['weights'] as string).slice(0, 400) } }),
    /wrong size/,
  );
  refuse(JSON.stringify({ ...m, autoencoder: { ...ae, weights: undefined } }), /autoencoder weights/);
});
