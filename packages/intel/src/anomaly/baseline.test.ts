import assert from 'node:assert/strict';
import { test } from 'node:test';
import { frame, START_MS } from './anomaly-fixture.ts';
import { Baseline, BUCKET_DAY, BUCKET_WEEK, hourOfWeek, HOURS_OF_WEEK } from './baseline.ts';
import { channelize, makeChannelPlan } from './channel-plan.ts';
import { DEFAULT_ENGINE_PARAMS } from './engine-params.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Channel 10 (bins 40-43): on every Tuesday 03:00-04:00 UTC, silent otherwise. */
const TUESDAY_BINS: [number, number] = [40, 43];
const CHANNEL = 10;

function isTuesday3(timeMs: number): boolean {
  const d = new Date(timeMs);
  return d.getUTCDay() === 2 && d.getUTCHours() === 3;
}

/** A baseline fed `weeks` weeks of one frame a minute from START_MS (a Monday). */
function learn(weeks: number): Baseline {
  const plan = makeChannelPlan(frame(0), DEFAULT_ENGINE_PARAMS.channelHz);
  const b = new Baseline(plan, {
    axis: { lowDb: -130, stepDb: 0.5, bins: 200 },
    halfLifeDays: 30,
    minHourFrames: DEFAULT_ENGINE_PARAMS.minHourFrames,
    minHourWeeks: DEFAULT_ENGINE_PARAMS.minHourWeeks,
  });
  const levels = new Float32Array(plan.channels);
  for (let i = 0; i < weeks * 7 * 1440; i++) {
    const timeMs = START_MS + i * 60_000;
    const extra = isTuesday3(timeMs) ? [{ bins: TUESDAY_BINS, db: -75 }] : [];
    b.add(channelize(plan, frame(6 * i, 0, extra).db, levels), timeMs);
  }
  return b;
}

test('hour of the week counts from Sunday 00:00 UTC', () => {
  assert.equal(hourOfWeek(Date.UTC(2024, 5, 2, 0, 30)), 0); // a Sunday
  assert.equal(hourOfWeek(Date.UTC(2024, 5, 4, 3, 0)), 2 * 24 + 3); // Tuesday 03:00
  assert.equal(hourOfWeek(Date.UTC(2024, 5, 8, 23, 59)), HOURS_OF_WEEK - 1); // Saturday 23:59
});

test('one week of data: the hour of the day, where the weekly channel is on one day in seven', () => {
  const s = learn(1).stats();
  const tue = CHANNEL * HOURS_OF_WEEK + hourOfWeek(START_MS + DAY_MS + 3 * HOUR_MS);
  const wed = tue + 24;
  assert.equal(s.bucket[tue], BUCKET_DAY);
  assert.equal(s.bucket[wed], BUCKET_DAY);
  assert.ok(Math.abs((s.occupancy[tue] as number) - 1 / 7) < 0.02, `occupancy ${s.occupancy[tue]}`);
  assert.equal(s.occupancy[wed], s.occupancy[tue]);
});

test('three weeks of data: each hour of the week has its own statistics', () => {
  const s = learn(3).stats();
  const tue = CHANNEL * HOURS_OF_WEEK + hourOfWeek(START_MS + DAY_MS + 3 * HOUR_MS);
  const wed = tue + 24;
  assert.equal(s.bucket[tue], BUCKET_WEEK);
  assert.equal(s.bucket[wed], BUCKET_WEEK);
  assert.ok((s.occupancy[tue] as number) > 0.95, `Tuesday occupancy ${s.occupancy[tue]}`);
  assert.ok((s.occupancy[wed] as number) < 0.01, `Wednesday occupancy ${s.occupancy[wed]}`);
  assert.ok((s.median[tue] as number) > (s.median[wed] as number) + 20);
});
