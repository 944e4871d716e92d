import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isoToNs, nsToIso } from './ns-time.ts';

test('ns timestamps round-trip through ISO text to the microsecond', () => {
  const ns = 1_780_315_200_123_456_789n;
  assert.equal(nsToIso(ns), '2026-06-01T12:00:00.123456Z');
  assert.equal(isoToNs(nsToIso(ns)), 1_780_315_200_123_456_000n);
  assert.equal(isoToNs('2026-06-01T14:00:00.5+02:00'), 1_780_315_200_500_000_000n);
});
