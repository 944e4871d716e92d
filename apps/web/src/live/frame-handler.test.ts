import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeSpectrumFrame, quantizeDb } from '@heimdall/protocol';
import { FrameHandler } from './frame-handler.ts';
import { NO_DATA, resampleMax } from './resample.ts';

const NODE = '6bfba06b-abf3-40a3-822f-eb9322fb528b';

function frameBytes(bins = 1024): Uint8Array {
  const db = new Float32Array(bins).fill(-100);
  db[bins / 2] = -40;
  return encodeSpectrumFrame({
    nodeId: NODE,
    sequence: 7,
    captureTimeNs: 1_700_000_000_000_000_000n,
    centerHz: 100e6,
    sampleRateHz: 2.048e6,
    fftSize: bins,
    refDb: -120,
    stepDb: 0.5,
    bins: quantizeDb(db, 0.5, -120),
  });
}

test('a spectrum frame comes out in dB with its frequency axis', () => {
  const h = new FrameHandler();
  const m = h.handle(frameBytes().slice().buffer);
  assert.equal(m.kind, 'spectrum');
  if (m.kind !== 'spectrum') return;
  assert.equal(m.nodeId, NODE);
  assert.equal(m.db.length, 1024);
  assert.ok(Math.abs((m.db[512] as number) + 40) < 0.5, `carrier at -40 dB (got ${m.db[512]})`);
  assert.ok(Math.abs((m.db[0] as number) + 100) < 0.5);
  assert.equal(m.startHz, 100e6 - 1.024e6);
  assert.equal(m.binHz, 2000);
  assert.equal(m.timeMs, 1_700_000_000_000);
  assert.deepEqual(h.stats, { frames: 1, malformed: 0, bytes: frameBytes().length });
});

test('malformed messages are counted and dropped, and the next good frame still decodes', () => {
  const h = new FrameHandler();
  const good = frameBytes();
  const truncated = good.slice(0, 100);
  const badMagic = good.slice();
  badMagic[0] = 0;
  const inputs: (Uint8Array | string)[] = [
    truncated,
    badMagic,
    new Uint8Array(0),
    'not json',
    '{"no":"type"}',
    '{"type":"detection","data":{"freq_low_hz":"x"}}',
  ];
  for (const i of inputs) assert.equal(h.handle(i).kind, 'malformed', String(i));
  assert.equal(h.stats.malformed, inputs.length);
  assert.equal(h.handle(good).kind, 'spectrum');
  assert.equal(h.stats.frames, 1);
});

test('JSON events: detections, the subscription answer and server errors', () => {
  const h = new FrameHandler();
  const d = {
    id: 'a',
    node_id: NODE,
    start_time: '2026-06-01T12:00:00Z',
    end_time: '2026-06-01T12:00:01Z',
    freq_low_hz: 1,
    freq_high_hz: 2,
    snr_db: 12,
    class: 'fm',
  };
  const m = h.handle(JSON.stringify({ type: 'detection', data: d }));
  assert.equal(m.kind, 'detection');
  assert.equal(h.handle('{"type":"subscribed","filter":{}}').kind, 'subscribed');
  const e = h.handle('{"type":"error","error":"bad range","fix":"send a number"}');
  assert.deepEqual(e, { kind: 'server-error', message: 'bad range (send a number)' });
  assert.equal(h.stats.malformed, 0);
});

test('resampling keeps a one-bin carrier at any zoom and marks columns with no data', () => {
  const db = new Float32Array(4096).fill(-100);
  db[1000] = -30;
  const out = new Float32Array(512);
  resampleMax(db, 0, 1, 0, 4096, out);
  assert.equal(out[125], -30, 'max-hold: 8 bins a column');
  assert.equal(Math.max(...out), -30);
  resampleMax(db, 0, 1, 990, 1010, out);
  assert.equal(out[256], -30, 'zoomed in: a bin spans many columns');
  resampleMax(db, 0, 1, 4000, 5000, out);
  assert.equal(out[500], NO_DATA, 'beyond the spectrum');
});
