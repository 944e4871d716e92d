import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSchedule } from './schedule.ts';

const ctx = { key: 12345, localOffsetS: 0 };

test('Poisson bursts come at the configured rate and follow the daily profile', () => {
  const s = createSchedule(
    { type: 'poisson', rate_per_hour: 60, mean_duration_s: 10, profile: 'busy_mornings' },
    ctx,
  );
  const perHour = new Array<number>(24).fill(0);
  const days = 5;
  for (const b of s.bursts(0, days * 86400)) perHour[Math.floor(b.start / 3600) % 24]! += 1;
  const morning = (perHour[8]! + perHour[9]!) / (2 * days);
  const night = (perHour[2]! + perHour[3]!) / (2 * days);
  // profile: 1.0 at 08-09 h, 0.02 at 02-03 h, times 60 bursts per hour
  assert.ok(morning > 40 && morning < 80, `morning ${morning} bursts/hour`);
  assert.ok(night < 5, `night ${night} bursts/hour`);
});

test('every schedule agrees with itself: burstAt, bursts and nextStart', () => {
  const specs = [
    { type: 'always' as const },
    { type: 'always' as const, profile: 'quiet_nights' as const },
    { type: 'duty_cycle' as const, period_s: 60, on_s: 10, offset_s: 5 },
    { type: 'poisson' as const, rate_per_hour: 120, mean_duration_s: 5 },
  ];
  for (const spec of specs) {
    const s = createSchedule(spec, ctx);
    const list = s.bursts(1000, 1000 + 7200);
    for (let t = 1000; t < 8200; t += 0.7) {
      const inList = list.some((b) => t >= b.start && t < b.end);
      assert.equal(s.burstAt(t) >= 0, inList, `${spec.type} at ${t}`);
    }
    if (spec.type === 'poisson' || spec.type === 'duty_cycle') {
      const t = 2000.3;
      const next = s.nextStart(t);
      assert.ok(
        list.some((b) => b.start === next),
        `${spec.type}: nextStart ${next} is a burst start`,
      );
      assert.ok(!list.some((b) => b.start > t && b.start < next));
    }
  }
});

test('bursts are the same for the same key and differ for another', () => {
  const spec = { type: 'poisson' as const, rate_per_hour: 30, mean_duration_s: 20 };
  const a = createSchedule(spec, ctx).bursts(0, 36000);
  const b = createSchedule(spec, ctx).bursts(0, 36000);
  const c = createSchedule(spec, { ...ctx, key: 999 }).bursts(0, 36000);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});
