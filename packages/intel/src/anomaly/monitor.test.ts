import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UserError } from '@heimdall/errors';
import { BIN_HZ, CARRIER_BIN, days, frame, OFFICE_BIN, START_HZ } from './anomaly-fixture.ts';
import { AnomalyMonitor } from './monitor.ts';
import { trainAnomalyModel } from './train.ts';
import type { AnomalyEvent } from './types.ts';

const model = trainAnomalyModel(days(3), { node: 'hack-green' });
const DAY_MS = 86_400_000;

/** Scores frames of day 4 (from hour `fromHour`, `count` frames), with `extra` from frame a to b. */
function score(
  fromHour: number,
  count: number,
  change: (i: number) => Parameters<typeof frame>[2],
  carrier: (i: number) => number | null = () => -60,
): AnomalyEvent[] {
  const m = new AnomalyMonitor(model);
  const out: AnomalyEvent[] = [];
  const off = 3 * DAY_MS + fromHour * 3_600_000;
  for (let i = 0; i < count; i++) out.push(...m.push(frame(i, off, change(i), carrier(i))));
  out.push(...m.flush());
  return out;
}

test('a normal day raises no medium or high anomaly', () => {
  const events = score(0, 8640, () => []);
  const loud = events.filter((e) => e.severity !== 'low');
  assert.deepEqual(loud, [], JSON.stringify(loud.slice(0, 3)));
});

test('a new emitter in an empty channel is a high new_emitter event with its band, time and an explanation', () => {
  const events = score(3, 180, (i) => (i >= 60 && i < 120 ? [{ bins: [40, 43], db: -82 }] : []));
  assert.equal(events.length, 1, JSON.stringify(events));
  const e = events[0] as AnomalyEvent;
  assert.equal(e.kind, 'new_emitter');
  assert.equal(e.severity, 'high');
  assert.ok(e.score > 0.999, `score ${e.score}`);
  const centre = START_HZ + 41.5 * BIN_HZ;
  assert.ok(e.freqLowHz <= centre && e.freqHighHz >= centre, `${e.freqLowHz}-${e.freqHighHz}`);
  const start = Date.UTC(2024, 5, 6, 3, 10, 0);
  assert.ok(Math.abs(e.startMs - start) <= 20_000, new Date(e.startMs).toISOString());
  assert.ok(Math.abs(e.endMs - (start + 600_000)) <= 30_000, new Date(e.endMs).toISOString());
  assert.match(
    e.explanation,
    /^new emitter at 144\.13\d MHz, 18 dB above the usual level for 03:00 UTC at hack-green$/,
  );
  assert.deepEqual(e.nodes, ['hack-green']);
});

test('a carrier that goes silent is a missing_emitter; one that jumps 10 dB is a power_jump', () => {
  const silent = score(
    12,
    120,
    () => [],
    (i) => (i >= 30 && i < 90 ? null : -60),
  );
  assert.equal(silent.length, 1, JSON.stringify(silent));
  assert.equal(silent[0]?.kind, 'missing_emitter');
  assert.match(silent[0]?.explanation ?? '', /below the usual level/);
  const jump = score(
    12,
    120,
    () => [],
    (i) => (i >= 30 && i < 90 ? -50 : -60),
  );
  assert.equal(jump.length, 1, JSON.stringify(jump));
  assert.equal(jump[0]?.kind, 'power_jump');
});

test('the office-hours channel on at night is out_of_schedule; wide noise is wideband_noise', () => {
  const night = score(2, 120, (i) =>
    i >= 30 && i < 100 ? [{ bins: [OFFICE_BIN, OFFICE_BIN + 3], db: -70 }] : [],
  );
  assert.equal(night.length, 1, JSON.stringify(night));
  assert.equal(night[0]?.kind, 'out_of_schedule');
  const jam = score(12, 120, (i) => (i >= 30 && i < 90 ? [{ bins: [10, 80], db: -90 }] : []));
  assert.ok(
    jam.some((e) => e.kind === 'wideband_noise'),
    JSON.stringify(jam.map((e) => e.kind)),
  );
  assert.ok(!jam.some((e) => e.freqLowHz > START_HZ + 82 * BIN_HZ));
});

test('a carrier that moves two channels is one frequency_drift event', () => {
  const moved = score(
    12,
    120,
    (i) => (i >= 30 && i < 90 ? [{ bins: [CARRIER_BIN + 8, CARRIER_BIN + 11], db: -60 }] : []),
    (i) => (i >= 30 && i < 90 ? null : -60),
  );
  assert.equal(moved.length, 1, JSON.stringify(moved.map((e) => e.kind)));
  assert.equal(moved[0]?.kind, 'frequency_drift');
});

test('frames of another frequency plan or going back in time are refused, naming the input', () => {
  const m = new AnomalyMonitor(model, { source: 'day4.csv' });
  const f = frame(0, 3 * DAY_MS);
  assert.throws(
    () => m.push({ ...f, binHz: 1000 }),
    (e: unknown) => e instanceof UserError && e.source === 'day4.csv' && /frequency plan/.test(e.message),
  );
  m.push(f);
  assert.throws(
    () => m.push(frame(-5, 3 * DAY_MS), 'day4.csv:17'),
    (e: unknown) => e instanceof UserError && e.source === 'day4.csv:17' && /back in time/.test(e.message),
  );
});

test('training records its window and held-out false alarms', () => {
  assert.equal(model.training.frames, 3 * 8640);
  assert.equal(model.node, 'hack-green');
  assert.ok(model.metrics.holdoutFrames > 1000);
  assert.equal(model.metrics.holdoutEvents.high, 0);
});
