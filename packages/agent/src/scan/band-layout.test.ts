import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UserError } from '@heimdall/errors';
import { MAX_BINS } from '@heimdall/protocol';
import type { ScanBand } from '../edge.contract.ts';
import type { ReceiverCapabilities } from '../receivers/receiver.ts';
import { layoutBand } from './band-layout.ts';

const rtl: ReceiverCapabilities = {
  tunable: true,
  sampleRate: 2.4e6,
  centerHz: undefined,
  frequencyRange: [24e6, 1766e6],
  format: 'cu8',
  dcGuardBins: 1,
  realTime: true,
};
const band = (centerHz: number, spanHz: number, fftSize = 2048): ScanBand => ({
  centerHz,
  spanHz,
  fftSize,
  framesPerSecond: 5,
  averaging: 8,
  thresholdDb: 10,
});

test('a band as wide as the sample rate is one capture; a narrower one keeps its own bins', () => {
  const full = layoutBand(band(100e6, 2.4e6), 0, rtl);
  assert.equal(full.sweep, false);
  assert.deepEqual(full.hops, [{ centerHz: 100e6, frameFrom: 0, frameTo: 2048, hopFrom: 0 }]);
  assert.equal(full.frameSpanHz, 2.4e6);
  assert.equal(full.captureSamples, 2048 + 7 * 1024);
  assert.equal(full.settleSamples, 24_000);
  const narrow = layoutBand(band(100e6, 600e3), 0, rtl);
  assert.equal(narrow.fineBins, 512);
  assert.equal(narrow.hops[0]?.hopFrom, 768);
  assert.equal(narrow.frameSpanHz, 600e3);
});

test('a wide band becomes hops whose central 75 % tile the span on one bin grid', () => {
  const l = layoutBand(band(100e6, 5e6), 0, rtl);
  assert.equal(l.sweep, true);
  assert.equal(l.hops.length, 3);
  const binHz = 2.4e6 / 2048;
  for (const [i, h] of l.hops.entries()) {
    assert.equal(h.frameTo - h.frameFrom, 1536);
    assert.equal(h.frameFrom, i * 1536);
    // frame bin frameFrom + k and hop bin hopFrom + k are the same frequency
    const frameHz = l.frameCenterHz + (h.frameFrom - l.fineBins / 2) * binHz;
    const hopHz = h.centerHz + (h.hopFrom - 1024) * binHz;
    assert.ok(Math.abs(frameHz - hopHz) < 1e-6, `hop ${i}`);
  }
  assert.equal(l.hops[1]?.centerHz, 100e6);
  assert.ok(l.frameSpanHz >= 5e6);
  // very wide sweeps group fine bins so the frame stays within the codec's bin limit
  const wide = layoutBand(band(500e6, 200e6), 0, rtl);
  assert.ok(wide.fineBins / wide.group <= MAX_BINS);
  assert.equal(wide.fineBins % wide.group, 0);
});

test('bands a receiver cannot measure are UserErrors naming the band and the range', () => {
  assert.throws(
    () => layoutBand({ ...band(10e6, 2e6), name: 'hf' }, 0, rtl),
    (e: unknown) =>
      e instanceof UserError &&
      /band "hf" needs the receiver tuned to 10 MHz, outside its range 24 MHz to 1766 MHz/.test(e.message),
  );
  const recording: ReceiverCapabilities = { ...rtl, tunable: false, centerHz: 433.92e6, sampleRate: 250e3 };
  assert.throws(
    () => layoutBand(band(145.5e6, 100e3), 1, recording),
    (e: unknown) =>
      e instanceof UserError &&
      /band 2 \(145\.5 MHz\) covers 145\.45 MHz to 145\.55 MHz, outside the recording's capture 433\.795 MHz to 434\.045 MHz/.test(
        e.message,
      ) &&
      /inside 433\.795 MHz to 434\.045 MHz/.test(e.fix ?? ''),
  );
});
