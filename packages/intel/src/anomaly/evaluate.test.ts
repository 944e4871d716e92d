import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateEvents, rocAuc, type TruthAnomaly } from './evaluate.ts';
import { mergeAcrossNodes } from './merge.ts';
import type { AnomalyEvent } from './types.ts';

const H = 3_600_000;

function event(over: Partial<AnomalyEvent>): AnomalyEvent {
  return {
    kind: 'new_emitter',
    node: 'a',
    nodes: ['a'],
    startMs: 0,
    endMs: 600_000,
    freqLowHz: 100e6,
    freqHighHz: 100.0125e6,
    score: 0.9999,
    severity: 'high',
    explanation: 'x',
    details: { deltaDb: 20, excessDb: 15, usualDb: -100, frames: 60, baseline: 'hour' },
    ...over,
  };
}

test('ROC-AUC counts ties as half', () => {
  assert.equal(rocAuc([1, 1], [0, 0, 0]), 1);
  assert.equal(rocAuc([0], [0]), 0.5);
  assert.equal(rocAuc([0.5, 0], [0.2, 0.7]), 0.25);
  assert.equal(rocAuc([0.2], [0.2, 0.1]), 0.75);
});

test('evaluation: caught anomalies, a missed one, a false alarm, by kind', () => {
  const truths: TruthAnomaly[] = [
    { kind: 'new_emitter', startMs: H, endMs: H + 600_000, freqLowHz: 100e6, freqHighHz: 100.01e6 },
    { kind: 'wideband_noise', startMs: 3 * H, endMs: 3 * H + 600_000, freqLowHz: 101e6, freqHighHz: 101.3e6 },
  ];
  const events = [
    event({ startMs: H + 20_000, endMs: H + 600_000 }),
    // right time, wrong frequency: does not catch the jammer
    event({
      kind: 'wideband_noise',
      startMs: 3 * H,
      endMs: 3 * H + 600_000,
      freqLowHz: 90e6,
      freqHighHz: 90.3e6,
    }),
    // a false alarm far from both
    event({ startMs: 10 * H, endMs: 10 * H + 60_000, score: 0.999 }),
  ];
  const r = evaluateEvents(events, truths, { periodStartMs: 0, periodEndMs: 24 * H });
  const kinds = new Map(r.kinds.map((k) => [k.kind, k]));
  assert.equal(kinds.get('new_emitter')?.detected, 1);
  assert.equal(kinds.get('new_emitter')?.kindCorrect, 1);
  assert.equal(kinds.get('wideband_noise')?.detected, 0);
  // one false window among about 280: the 1 % threshold lets it be exceeded
  assert.equal(r.threshold, 0);
  assert.ok((kinds.get('new_emitter')?.auc ?? 0) > 0.99);
  assert.equal(kinds.get('wideband_noise')?.auc, 0.5 - 0.5 / r.negativeWindows);
  assert.equal(r.falseEventsPerDay, 2);
});

test('the same anomaly at two nodes becomes one event naming both', () => {
  const merged = mergeAcrossNodes([
    event({ node: 'twente', nodes: ['twente'], score: 0.999 }),
    event({ node: 'enschede', nodes: ['enschede'], startMs: 30_000, endMs: 700_000, severity: 'medium' }),
    event({ node: 'graz', nodes: ['graz'], freqLowHz: 7e6, freqHighHz: 7.01e6 }),
  ]);
  assert.equal(merged.length, 2);
  const both = merged.find((e) => e.nodes.length === 2);
  assert.ok(both);
  assert.deepEqual([...both.nodes].sort(), ['enschede', 'twente']);
  assert.equal(both.node, 'enschede');
  assert.equal(both.severity, 'high');
  assert.equal(both.endMs, 700_000);
  assert.match(both.explanation, /at 2 nodes \((twente, enschede|enschede, twente)\)$/);
});
