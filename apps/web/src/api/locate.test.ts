import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CAPTURE_LEAD_MS, isPending, locateBody, mapPathFor } from './locate.ts';

test('a detection is located at its centre and width, a few seconds ahead, and linked back', () => {
  const now = Date.parse('2026-01-02T03:04:05.000Z');
  const b = locateBody({ freq_low_hz: 98.8e6, freq_high_hz: 99.0e6, detection_id: 'd-1' }, now);
  assert.equal(b.freq_hz, 98.9e6);
  assert.equal(b.bandwidth_hz, 200e3);
  assert.equal(Date.parse(b.capture_time) - now, CAPTURE_LEAD_MS);
  assert.ok(b.duration_ms > 0 && b.duration_ms <= 1000);
  assert.equal(b.detection_id, 'd-1');
  assert.equal('anomaly_id' in b, false);
});

test('an anomaly is linked as such; a carrier a few Hz wide still asks for a usable band', () => {
  const b = locateBody({ freq_low_hz: 144_428_490, freq_high_hz: 144_428_510, anomaly_id: 'a-1' });
  assert.equal(b.anomaly_id, 'a-1');
  assert.equal('detection_id' in b, false);
  assert.equal(b.bandwidth_hz, 1000);
  assert.equal(b.freq_hz, 144_428_500);
});

test('the map path focuses the localization; capturing and solving are pending', () => {
  assert.equal(mapPathFor('x y'), '/map?loc=x%20y');
  assert.equal(isPending({ status: 'capturing' }), true);
  assert.equal(isPending({ status: 'solving' }), true);
  assert.equal(isPending({ status: 'completed' }), false);
  assert.equal(isPending({ status: 'failed' }), false);
});
