import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '@heimdall/config';
import { Welch } from '@heimdall/dsp';
import { UserError } from '@heimdall/errors';
import { openRecording } from '@heimdall/formats';
import type { ScanPlan } from '../edge.contract.ts';
import { createEdge } from './edge.ts';
import { collectingSink, levels, runUntil } from './edge-test-kit.ts';

const DATA = loadConfig().sharedDataDir;
/** Real RTL-SDR capture, cu8 at 250 kS/s around 433.92 MHz, 196,608 samples (CATALOG.md). */
const TPMS = join(DATA, 'tpms-rtl433-cu8', 'g001_433.92M_250k.sigmf-meta');
/** Real NB-IoT uplink, ci16_le at 640 kS/s, core:datetime 2025-11-15T17:34:32.232Z. */
const NBIOT = join(DATA, 'nbiot-uplink-v16', 'V16-beacon-NB-IoT-uplink.sigmf-meta');

const band = (centerHz: number, spanHz: number, fftSize: number, averaging: number): ScanPlan => ({
  id: null,
  version: 1,
  bands: [{ centerHz, spanHz, fftSize, framesPerSecond: 10, averaging, thresholdDb: 10 }],
});

/** The Welch PSD in dB (the one `heimdall psd` prints) of samples [start, start + count). */
function referencePsd(path: string, start: number, count: number, fftSize: number): Float64Array {
  const rec = openRecording(path);
  const bytes = new Uint8Array(count * 2 * (rec.format === 'cu8' ? 1 : 2));
  rec.read(start, count, bytes);
  const w = new Welch({ fftSize, format: rec.format });
  w.push(bytes);
  const psd = w.result(rec.sampleRate, rec.centerFrequency ?? 0).psdDb;
  rec.close();
  return psd;
}

test('sigmf replay at speed=max: frames equal the Welch PSD of the same segments within 0.5 dB', async () => {
  const fft = 1024;
  const averaging = 32;
  const edge = createEdge({ url: `sigmf://${TPMS}?speed=max`, plan: band(433.92e6, 250e3, fft, averaging) });
  const sink = collectingSink();
  await runUntil(edge, sink, () => false, 20_000);
  // frames every 0.1 s of recording (25,000 samples) while a whole capture fits: 8 of them
  const frames = sink.spectra();
  assert.equal(frames.length, 8);
  assert.equal(edge.status().state, 'stopped');
  assert.match(edge.status().message ?? '', /reached the end of the recording/);
  const capture = fft + (averaging - 1) * (fft / 2);
  for (const [k, f] of frames.entries()) {
    assert.equal(f.centerHz, 433.92e6);
    assert.equal(f.sampleRateHz, 250e3);
    const ref = referencePsd(TPMS, k * 25_000, capture, fft);
    const { db } = levels(f);
    let worst = 0;
    for (let i = 0; i < fft; i++) worst = Math.max(worst, Math.abs((db[i] as number) - (ref[i] as number)));
    assert.ok(worst <= 0.5, `frame ${k}: ${worst.toFixed(3)} dB off`);
  }
  // the TPMS bursts (0.29 s on) are detected in some frames
  assert.ok(sink.frames.some((f) => f.kind === 'detections'));
});

test('one frame averaging every segment of the file is what `heimdall psd --fft 1024` prints for it', async () => {
  // 196,608 samples hold (196608 - 1024) / 512 + 1 = 383 segments: frame 0 takes all, frame 1 no longer fits
  const edge = createEdge({ url: `sigmf://${TPMS}?speed=max`, plan: band(433.92e6, 250e3, 1024, 383) });
  const sink = collectingSink();
  await runUntil(edge, sink, () => false, 20_000);
  assert.equal(sink.spectra().length, 1);
  const ref = referencePsd(TPMS, 0, 196_608, 1024);
  const { db } = levels(sink.spectra()[0]!);
  for (let i = 0; i < 1024; i++)
    assert.ok(Math.abs((db[i] as number) - (ref[i] as number)) <= 0.5, `bin ${i}`);
});

test('a sub-band of a recording keeps the bins inside it; times come from core:datetime', async () => {
  const edge = createEdge({
    url: `sigmf://${NBIOT}?speed=max`,
    plan: band(832.344126e6 + 100e3, 200e3, 1024, 4),
  });
  const sink = collectingSink();
  await runUntil(edge, sink, () => sink.spectra().length >= 3, 20_000);
  const [f0, , f2] = sink.spectra();
  assert.ok(f0 !== undefined && f2 !== undefined);
  assert.equal(f0.bins.length, 320); // 200 kHz of 625 Hz bins
  assert.ok(Math.abs(f0.centerHz - (832.344126e6 + 100e3)) < 1e-3);
  const ref = referencePsd(NBIOT, 0, 1024 + 3 * 512, 1024);
  const first = 512; // the band starts at the capture's centre frequency
  const { db } = levels(f0);
  for (let i = 0; i < 320; i++) {
    assert.ok(Math.abs((db[i] as number) - (ref[first + i] as number)) <= 0.5, `bin ${i}`);
  }
  assert.equal(f0.captureTimeNs, BigInt(Date.UTC(2025, 10, 15, 17, 34, 32, 232)) * 1_000_000n);
  assert.equal(f2.captureTimeNs - f0.captureTimeNs, 200_000_000n);
});

test('a looping replay at speed=max wraps around and still stops when asked', async () => {
  const edge = createEdge({ url: `sigmf://${TPMS}?speed=max&loop=1`, plan: band(433.92e6, 250e3, 1024, 8) });
  const sink = collectingSink();
  await runUntil(edge, sink, () => sink.spectra().length >= 40, 20_000);
  // 0.786 s of recording holds 7 frames at 10 frames/s: 40 frames went round more than 5 times
  assert.ok(sink.spectra().length >= 40);
  // the replay position is the replay time modulo the recording: frame 8 (0.8 s) is at sample 3392
  const { db } = levels(sink.spectra()[8]!);
  const ref = referencePsd(TPMS, 200_000 - 196_608, 1024 + 7 * 512, 1024);
  for (let i = 0; i < 1024; i++)
    assert.ok(Math.abs((db[i] as number) - (ref[i] as number)) <= 0.5, `bin ${i}`);
});

test('a band outside the recording, and a missing file, are UserErrors at once', () => {
  assert.throws(
    () => createEdge({ url: `sigmf://${TPMS}`, plan: band(145.5e6, 100e3, 1024, 4) }),
    (e: unknown) =>
      e instanceof UserError &&
      /outside the recording's capture 433\.795 MHz to 434\.045 MHz; a recording cannot be retuned/.test(
        e.message,
      ),
  );
  assert.throws(() => createEdge({ url: 'sigmf:///nonexistent/rec.sigmf-meta' }), UserError);
});
