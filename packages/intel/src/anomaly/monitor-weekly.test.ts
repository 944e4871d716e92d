import assert from 'node:assert/strict';
import { test } from 'node:test';
import { frame, START_MS } from './anomaly-fixture.ts';
import { AnomalyMonitor } from './monitor.ts';
import { trainAnomalyModel } from './train.ts';
import type { AnomalyEvent, PsdFrame } from './types.ts';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const WEEKLY: { bins: [number, number]; db: number } = { bins: [40, 43], db: -75 };

/**
 * One frame a minute from START_MS (a Monday). The net's channel is a known one (busy every day
 * 12:00-13:00 UTC), and the net also meets every Tuesday 03:00-04:00 UTC.
 */
function weeks(n: number): PsdFrame[] {
  return Array.from({ length: n * 7 * 1440 }, (_, i) => {
    const d = new Date(START_MS + i * MINUTE_MS);
    const h = d.getUTCHours();
    const on = h === 12 || (d.getUTCDay() === 2 && h === 3);
    return frame(6 * i, 0, on ? [WEEKLY] : []);
  });
}

const model = trainAnomalyModel(weeks(3), { node: 'wien' });

/** Day `day` after START_MS, 02:30-04:30 UTC, with the net on from 03:00 for `onMinutes`. */
function night(day: number, onMinutes: number): AnomalyEvent[] {
  const m = new AnomalyMonitor(model);
  const out: AnomalyEvent[] = [];
  const first = (day * DAY_MS + 2.5 * 3_600_000) / MINUTE_MS;
  for (let k = 0; k < 120; k++) {
    const on = k >= 30 && k < 30 + onMinutes;
    out.push(...m.push(frame(6 * (first + k), 0, on ? [WEEKLY] : [])));
  }
  return [...out, ...m.flush()];
}

test('a net that meets every Tuesday at 03:00 is normal on a Tuesday', () => {
  const events = night(22, 60).filter((e) => e.severity !== 'low');
  assert.deepEqual(events, [], JSON.stringify(events));
});

test('the same net on a Wednesday at 03:00 is out of schedule, explained for Wednesday 03:00', () => {
  const events = night(23, 10);
  const oos = events.filter((e) => e.kind === 'out_of_schedule');
  assert.equal(oos.length, 1, JSON.stringify(events));
  const e = oos[0] as AnomalyEvent;
  assert.equal(e.details.baseline, 'week');
  assert.match(e.explanation, /for Wednesday 03:00 UTC at wien$/);
});
