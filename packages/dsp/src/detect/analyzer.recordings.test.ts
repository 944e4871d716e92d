/**
 * Detection on the real recordings of ../shared/data (see its CATALOG.md), compared with their
 * annotations and stated contents. Skipped, with a message, when the folder is missing.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { loadConfig } from '@heimdall/config';
import { openRecording } from '@heimdall/formats';
import type { Annotation } from '@heimdall/formats';
import { Analyzer } from './analyzer.ts';
import type { Detection } from './detection.ts';

interface Analysed {
  readonly detections: Detection[];
  readonly annotations: readonly Annotation[];
  readonly centre: number;
  readonly sampleRate: number;
}

function analyse(t: TestContext, folder: string): Analysed | undefined {
  const dir = join(loadConfig().sharedDataDir, folder);
  const meta = existsSync(dir) ? readdirSync(dir).find((f) => f.endsWith('.sigmf-meta')) : undefined;
  if (meta === undefined) {
    t.skip(`reference recording missing: ${dir} (set HEIMDALL_SHARED_DATA)`);
    return undefined;
  }
  const rec = openRecording(join(dir, meta));
  try {
    const centre = rec.centerFrequency ?? 0;
    const a = new Analyzer({ format: rec.format, sampleRate: rec.sampleRate, centerFrequency: centre });
    for (const { bytes } of rec.chunks({ chunkSamples: 1 << 16 })) a.survey(bytes);
    a.plan();
    for (const { bytes } of rec.chunks({ chunkSamples: 1 << 16 })) a.segment(bytes);
    return { detections: a.finish(), annotations: rec.annotations, centre, sampleRate: rec.sampleRate };
  } finally {
    rec.close();
  }
}

const end = (x: { sampleStart: number; sampleCount: number | undefined }): number =>
  x.sampleStart + (x.sampleCount ?? 0);
const overlapsInTime = (d: Detection, a: Annotation): boolean =>
  d.sampleStart < end(a) && a.sampleStart < end(d);

/** For each annotation, the detection matching it best in time, and start/end errors. */
function match(
  r: Analysed,
): { annotation: Annotation; detection: Detection | undefined; startError: number; endError: number }[] {
  return r.annotations.map((annotation) => {
    const candidates = r.detections.filter((d) => overlapsInTime(d, annotation));
    // Best match: largest overlap over union in time (a whole-recording spur overlaps every burst).
    const iou = (d: Detection): number =>
      (Math.min(end(d), end(annotation)) - Math.max(d.sampleStart, annotation.sampleStart)) /
      (Math.max(end(d), end(annotation)) - Math.min(d.sampleStart, annotation.sampleStart));
    const detection = candidates.sort((x, y) => iou(y) - iou(x))[0];
    return {
      annotation,
      detection,
      startError: detection === undefined ? Infinity : detection.sampleStart - annotation.sampleStart,
      endError: detection === undefined ? Infinity : end(detection) - end(annotation),
    };
  });
}

test('tpms-rtl433-cu8: the 4 bursts near 433.92 MHz, each timed to its annotation', (t) => {
  const r = analyse(t, 'tpms-rtl433-cu8');
  if (r === undefined) return;
  assert.equal(
    r.detections.length,
    4,
    JSON.stringify(r.detections.map((d) => [d.sampleStart, d.sampleCount])),
  );
  for (const m of match(r)) {
    t.diagnostic(`annotation ${m.annotation.sampleStart}: start ${m.startError} end ${m.endError} samples`);
    assert.ok(
      Math.abs(m.startError) <= 100 && Math.abs(m.endError) <= 100,
      `start/end error ${m.startError}/${m.endError}`,
    );
    assert.ok(Math.abs((m.detection?.centerHz ?? 0) - 433.92e6) < 20e3);
  }
});

test('urh-enocean-ask: the 3 ASK telegrams, timed to their annotations', (t) => {
  const r = analyse(t, 'urh-enocean-ask');
  if (r === undefined) return;
  for (const m of match(r)) {
    t.diagnostic(`annotation ${m.annotation.sampleStart}: start ${m.startError} end ${m.endError} samples`);
    assert.ok(
      Math.abs(m.startError) <= 200 && Math.abs(m.endError) <= 200,
      `start/end error ${m.startError}/${m.endError}`,
    );
  }
  // Anything else is a narrow line: the receiver's steady spurs at +-1.7 MHz, weak spurs during a telegram.
  const telegrams = r.detections.filter((d) => d.bandwidthHz > 100e3);
  assert.equal(telegrams.length, 3);
  for (const d of r.detections.filter((x) => !telegrams.includes(x)))
    assert.ok(d.bandwidthHz < 10e3, `${d.bandwidthHz} Hz`);
});

test('urh-homematic-fsk: the 2 FSK telegrams, timed to their annotations', (t) => {
  const r = analyse(t, 'urh-homematic-fsk');
  if (r === undefined) return;
  assert.equal(r.detections.length, 2);
  for (const m of match(r)) {
    t.diagnostic(`annotation ${m.annotation.sampleStart}: start ${m.startError} end ${m.endError} samples`);
    assert.ok(
      Math.abs(m.startError) <= 100 && Math.abs(m.endError) <= 100,
      `start/end error ${m.startError}/${m.endError}`,
    );
    assert.equal(m.detection?.class, 'digital-narrow');
  }
});

test('nbiot-uplink-v16: every annotated uplink burst is found at its frequency', (t) => {
  const r = analyse(t, 'nbiot-uplink-v16');
  if (r === undefined) return;
  const matches = match(r);
  let inBand = 0;
  for (const m of matches) {
    const d = m.detection;
    const a = m.annotation;
    const freqOverlap =
      d !== undefined && a.freqLowerEdge !== undefined && a.freqUpperEdge !== undefined
        ? d.freqLowerHz < a.freqUpperEdge && a.freqLowerEdge < d.freqUpperHz
        : false;
    if (freqOverlap) inBand++;
    t.diagnostic(
      `annotation ${a.sampleStart}+${a.sampleCount} [${((a.freqLowerEdge ?? 0) - r.centre) / 1e3}, ${((a.freqUpperEdge ?? 0) - r.centre) / 1e3}] kHz: ` +
        (d === undefined
          ? 'missed'
          : `detection ${d.sampleStart}+${d.sampleCount} [${((d.freqLowerHz - r.centre) / 1e3).toFixed(1)}, ${((d.freqUpperHz - r.centre) / 1e3).toFixed(1)}] kHz`),
    );
  }
  assert.equal(
    matches.filter((m) => m.detection !== undefined).length,
    19,
    'all 19 annotations overlap a detection in time',
  );
  assert.equal(inBand, 19, 'and in frequency');
  // Consecutive annotated subframes are one transmission on the air: fewer detections than annotations.
  assert.ok(r.detections.length <= 12, `${r.detections.length} detections`);
  // Burst starts of separate transmissions land within 100 samples (0.16 ms).
  for (const start of [107_103, 229_981, 251_741, 313_181, 329_181, 366_301, 387_420, 457_180, 471_259]) {
    const d = r.detections.find((x) => Math.abs(x.sampleStart - start) <= 100);
    assert.ok(d !== undefined, `a detection starting at ${start}`);
  }
});

test('ntsc-fpv-pysdr: one FM signal about 5.4 MHz wide, -2.9 to +2.5 MHz', (t) => {
  const r = analyse(t, 'ntsc-fpv-pysdr');
  if (r === undefined) return;
  const wide = r.detections.filter((d) => d.bandwidthHz > 1e6);
  assert.equal(wide.length, 1);
  const d = wide[0] as Detection;
  t.diagnostic(
    `band ${((d.freqLowerHz - r.centre) / 1e6).toFixed(3)} .. ${((d.freqUpperHz - r.centre) / 1e6).toFixed(3)} MHz, ${d.class}`,
  );
  assert.ok(
    Math.abs(d.freqLowerHz - r.centre + 2.9e6) < 0.3e6 && Math.abs(d.freqUpperHz - r.centre - 2.5e6) < 0.3e6,
  );
  assert.ok(Math.abs(d.bandwidthHz / 5.4e6 - 1) < 0.25);
  assert.equal(d.class, 'fm');
  assert.equal(d.sampleCount, 500_000);
});

test('gps-l1-pysdr: nothing wideband, the narrowband interferer near -418 kHz is found', (t) => {
  const r = analyse(t, 'gps-l1-pysdr');
  if (r === undefined) return;
  for (const d of r.detections) {
    t.diagnostic(
      `${((d.centerHz - r.centre) / 1e3).toFixed(1)} kHz, ${d.bandwidthHz.toFixed(0)} Hz wide, SNR ${d.snrDb.toFixed(1)} dB, ${d.class}`,
    );
    assert.ok(d.bandwidthHz < 10e3, `no wideband detection (${d.bandwidthHz} Hz)`);
    assert.equal(d.sampleCount, 40_000);
  }
  assert.ok(r.detections.some((d) => Math.abs(d.centerHz - r.centre + 418e3) < 5e3));
  // Besides it, two weaker lines (-599.2 kHz at 14 dB and +1379.3 kHz at 10 dB over the local
  // median in a 488 Hz scipy Welch PSD) are real; nothing else.
  assert.ok(r.detections.length <= 3, `${r.detections.length} detections`);
});
