import assert from 'node:assert/strict';
import { test } from 'node:test';
import { binFrequencyHz, decodeFrame, encodeSpectrumFrame, type SpectrumFrame } from '@heimdall/protocol';
import { createInProcessBus } from '../bus/in-process.bus.ts';
import { fitFrameToView } from './live-decimate.ts';
import { LiveHub, liveSubscribeSchema } from './live-hub.ts';

const NODE = '6bfba06b-abf3-40a3-822f-eb9322fb528b';

function frame(bins: number): SpectrumFrame {
  const b = new Uint8Array(bins).fill(10);
  return {
    kind: 'spectrum',
    nodeId: NODE,
    sequence: 1,
    captureTimeNs: 1n,
    centerHz: 100e6,
    sampleRateHz: 2.048e6,
    fftSize: bins * 2,
    refDb: -120,
    stepDb: 0.5,
    bins: b,
  };
}

test('a 4096-bin frame shrinks to the requested bins by max-hold: a one-bin carrier survives', () => {
  const f = frame(4096);
  (f.bins as Uint8Array)[2049] = 200;
  const out = fitFrameToView(f, { maxBins: 1024 });
  assert.equal(out.bins.length, 1024);
  assert.equal(out.bins[512], 200, 'the carrier is kept at its place');
  assert.equal(Math.max(...out.bins), 200);
  assert.equal(out.centerHz, f.centerHz);
  assert.equal(out.sampleRateHz, f.sampleRateHz);
  // still a valid frame the codec accepts, at the carrier's frequency
  const back = decodeFrame(encodeSpectrumFrame(out));
  assert.equal(back.kind, 'spectrum');
  const binHz = f.sampleRateHz / 4096;
  assert.ok(Math.abs(binFrequencyHz(out, 512) - binFrequencyHz(f, 2048)) < binHz / 2);
});

test('a view range crops the frame; frequencies of the bins stay where they were', () => {
  const f = frame(4096);
  const low = f.centerHz - f.sampleRateHz / 2;
  const binHz = f.sampleRateHz / 4096;
  (f.bins as Uint8Array)[3000] = 250;
  const out = fitFrameToView(f, {
    freqMinHz: low + 2900 * binHz,
    freqMaxHz: low + 3100 * binHz,
    maxBins: 1024,
  });
  assert.equal(out.bins.length, 200, 'the 200 visible bins, at full resolution');
  assert.equal(out.bins[100], 250);
  assert.ok(Math.abs(binFrequencyHz(out, 100) - binFrequencyHz(f, 3000)) < 1e-3);
  assert.equal(out.sampleRateHz / out.fftSize, f.sampleRateHz / f.fftSize, 'same resolution bandwidth');
});

test('a frame that already fits is passed on as is; an uneven ratio keeps every bin value', () => {
  const f = frame(512);
  assert.equal(fitFrameToView(f, { maxBins: 1024 }), f);
  const g = frame(1000);
  (g.bins as Uint8Array)[999] = 99;
  const out = fitFrameToView(g, { maxBins: 300 });
  assert.ok(out.bins.length <= 300);
  assert.equal(out.bins[out.bins.length - 1], 99, 'the last, partial group keeps the maximum');
  assert.equal(decodeFrame(encodeSpectrumFrame(out)).kind, 'spectrum');
});

test('a viewer subscribed with max_bins gets its band decimated; one without gets whole frames', async () => {
  const bus = createInProcessBus();
  const hub = new LiveHub(bus);
  await hub.start();
  const got: { narrow: number[]; whole: number[] } = { narrow: [], whole: [] };
  const sink = (into: number[]) => ({
    send: (d: Uint8Array | string) => {
      const f = decodeFrame(d as Uint8Array);
      if (f.kind === 'spectrum') into.push(f.bins.length);
    },
    bufferedAmount: () => 0,
  });
  hub.add(sink(got.narrow)).filter = liveSubscribeSchema.parse({
    type: 'subscribe',
    kinds: ['spectrum'],
    freq_min_hz: 99.5e6,
    freq_max_hz: 100.5e6,
    max_bins: 256,
  });
  hub.add(sink(got.whole)).filter = liveSubscribeSchema.parse({ type: 'subscribe', kinds: ['spectrum'] });
  await bus.publish('spectrum.frame', frame(4096));
  for (let i = 0; i < 20 && got.whole.length === 0; i++) await new Promise((r) => setImmediate(r));
  assert.deepEqual(got.whole, [4096]);
  assert.equal(got.narrow.length, 1);
  assert.ok((got.narrow[0] as number) <= 256, `decimated to ${got.narrow[0]} bins`);
  assert.ok((got.narrow[0] as number) >= 200, 'about 2000 bins of the band, halved to 256 or fewer');
  await hub.close();
  await bus.close();
});
