import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reportedScanPlanSchema, scanPlanSchema } from '@heimdall/protocol';
import { scanPlanFromWire, scanPlanToWire } from './scan-plan.ts';

test('a plan from the server runs as the contract plan and is reported back in the wire form', () => {
  const wire = scanPlanSchema.parse({
    id: '0b6f3a52-7c1e-4a8e-9b2d-4f1e2d3c4b5a',
    version: 3,
    created_at: '2026-12-01T21:00:00.000Z',
    name: '2 m',
    target_groups: ['twente'],
    bands: [
      {
        name: '2m',
        center_hz: 145e6,
        span_hz: 2e6,
        fft_size: 2048,
        frames_per_second: 5,
        averaging: 16,
        threshold_db: 10,
      },
      {
        center_hz: 433.92e6,
        span_hz: 1e6,
        fft_size: 1024,
        frames_per_second: 2,
        averaging: 8,
        threshold_db: 8,
      },
    ],
  });
  const plan = scanPlanFromWire(wire);
  assert.deepEqual(plan.bands[0], {
    name: '2m',
    centerHz: 145e6,
    spanHz: 2e6,
    fftSize: 2048,
    framesPerSecond: 5,
    averaging: 16,
    thresholdDb: 10,
  });
  assert.equal('name' in (plan.bands[1] ?? {}), false);
  const reported = reportedScanPlanSchema.parse(scanPlanToWire(plan));
  assert.deepEqual(reported, { id: wire.id, version: 3, bands: wire.bands });
});
