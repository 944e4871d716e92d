import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DetectionRecord } from '@heimdall/protocol';
import { DetectionTracker } from './detection-tracker.ts';

const at = (frame: number, lowHz: number, label = 'fm', snrDb = 20): DetectionRecord => ({
  startTimeNs: BigInt(frame) * 100_000_000n,
  endTimeNs: BigInt(frame) * 100_000_000n + 10_000_000n,
  freqLowHz: lowHz,
  freqHighHz: lowHz + 10e3,
  snrDb,
  powerDbfs: -40,
  label,
});

test('a signal seen in consecutive frames is one record, emitted once it is gone', () => {
  const t = new DetectionTracker({ hangoverFrames: 1 });
  assert.deepEqual(t.push([at(0, 100e6), at(0, 101e6)]), []);
  assert.deepEqual(t.push([at(1, 100e6 + 500, 'fm', 25)]), []);
  // 101 MHz missed frame 1 (within the hangover) and frame 2: its record ends there
  const ended = t.push([at(2, 100e6, 'cw')]);
  assert.equal(ended.length, 1);
  assert.equal(ended[0]?.freqLowHz, 101e6);
  assert.equal(ended[0]?.endTimeNs, 10_000_000n);
  assert.deepEqual(t.push([at(3, 100e6)]), []);
  const rest = t.push([]).concat(t.push([]));
  assert.equal(rest.length, 1);
  const r = rest[0]!;
  assert.equal(r.startTimeNs, 0n);
  assert.equal(r.endTimeNs, 310_000_000n);
  assert.equal(r.freqHighHz, 100e6 + 10_500);
  assert.equal(r.snrDb, 25);
  assert.equal(r.label, 'fm');
  assert.ok(Math.abs(r.powerDbfs + 40) < 1e-9);
});

test('a signal that never stops is reported in pieces of at most maxRecordS; flush ends the rest', () => {
  const t = new DetectionTracker({ maxRecordS: 0.5 });
  const out: DetectionRecord[] = [];
  for (let f = 0; f < 13; f++) out.push(...t.push([at(f, 100e6)]));
  assert.equal(out.length, 2);
  assert.ok(out.every((r) => r.endTimeNs - r.startTimeNs >= 500_000_000n));
  assert.equal(t.flush().length, 1);
  assert.equal(t.flush().length, 0);
});
