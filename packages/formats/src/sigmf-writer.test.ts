import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadConfig } from '@heimdall/config';
import { UserError } from '@heimdall/errors';
import { openRecording } from './recording.ts';
import { formatSigmfMeta, parseSigmfDatetime, parseSigmfMeta, readSigmfMeta } from './sigmf-meta.ts';
import { annotationsToMeta, SigmfWriter, withAnnotations, writeSigmfMeta } from './sigmf-writer.ts';

const DATA = loadConfig().sharedDataDir;
const noData = existsSync(join(DATA, 'CATALOG.md'))
  ? false
  : `shared recordings not found in ${DATA} (set HEIMDALL_SHARED_DATA)`;
const tmp = mkdtempSync(join(tmpdir(), 'heimdall-writer-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('SigmfWriter streams samples, computes sha512 and writes metadata that reads back', () => {
  const base = join(tmp, 'sim-node-1');
  const w = SigmfWriter.open(`${base}.sigmf-data`, {
    format: 'ci16_le',
    sampleRate: 2.4e6,
    centerFrequency: 433.92e6,
    datetime: '2024-05-01T12:00:00.123456789Z',
    description: 'simulated scene',
    global: { 'heimdall:node': 'node-1' },
  });
  const n = 50_000;
  const samples = new Int16Array(n * 2);
  for (let i = 0; i < samples.length; i++) samples[i] = (i * 37) % 30000;
  const bytes = new Uint8Array(samples.buffer);
  // Odd splits, even mid-sample: only the total has to be whole samples.
  for (let at = 0; at < bytes.length;) {
    const k = Math.min(bytes.length - at, 4093);
    w.write(bytes.subarray(at, at + k));
    at += k;
  }
  assert.equal(w.sampleCount, n);
  w.addCapture({ sampleStart: 30_000, frequency: 868.3e6 });
  w.addAnnotation({
    sampleStart: 40_000,
    sampleCount: 500,
    freqLowerEdge: 868.2e6,
    freqUpperEdge: 868.4e6,
    label: 'fsk',
    generator: 'heimdall sim',
    extra: { 'heimdall:snr_db': 17.25, 'heimdall:class': 'digital-narrow', 'heimdall:power_dbfs': -31.5 },
  });
  w.addAnnotation({ sampleStart: 1_000, sampleCount: 20, label: 'first', comment: 'added second' });
  const written = w.close();
  assert.equal(written.global.sha512, createHash('sha512').update(bytes).digest('hex'));

  const rec = openRecording(`${base}.sigmf-meta`, { verifyChecksum: true });
  try {
    assert.deepEqual(
      [rec.format, rec.sampleRate, rec.centerFrequency, rec.sampleCount],
      ['ci16_le', 2.4e6, 433.92e6, n],
    );
    const back = new Uint8Array(bytes.length);
    rec.read(0, n, back);
    assert.deepEqual(back, bytes);
    assert.deepEqual(
      rec.captures.map((c) => [c.sampleStart, c.frequency]),
      [
        [0, 433.92e6],
        [30_000, 868.3e6],
      ],
    );
    assert.deepEqual(
      rec.annotations.map((a) => a.label),
      ['first', 'fsk'],
      'annotations sorted by sample_start',
    );
    assert.deepEqual(rec.annotations[1]?.extra, {
      'heimdall:snr_db': 17.25,
      'heimdall:class': 'digital-narrow',
      'heimdall:power_dbfs': -31.5,
    });
    assert.equal(rec.annotations[1]?.freqUpperEdge, 868.4e6);
    assert.equal(rec.captures[0]?.datetime, '2024-05-01T12:00:00.123456789Z');
    assert.equal(parseSigmfDatetime(rec.captures[0]?.datetime ?? '') % 1_000_000_000n, 123_456_789n);
    assert.equal(rec.meta.global.extra['heimdall:node'], 'node-1');
    assert.deepEqual(rec.meta.global.extensions, [{ name: 'heimdall', version: '0.1.0', optional: true }]);
    assert.equal(rec.meta.global.recorder, 'Heimdall');
  } finally {
    rec.close();
  }
  const text = readFileSync(`${base}.sigmf-meta`, 'utf8');
  assert.ok(text.startsWith('{\n  "global": {\n    "core:datatype": "ci16_le"'), 'pretty JSON, global first');
  assert.ok(text.indexOf('"captures"') < text.indexOf('"annotations"'));
});

test('SigmfWriter refuses a partial sample at close and bad options up front', () => {
  const w = SigmfWriter.open(join(tmp, 'partial'), { format: 'cf32_le', sampleRate: 1e6 });
  w.write(new Uint8Array(8 * 3 + 5));
  assert.throws(
    () => w.close(),
    (e: unknown) => e instanceof UserError && /29 bytes/.test(e.message),
  );
  assert.throws(() => SigmfWriter.open(join(tmp, 'x'), { format: 'cf32_le', sampleRate: 0 }), UserError);
  assert.throws(() => SigmfWriter.open(join(tmp, 'x'), { format: 'rf32_le', sampleRate: 1 }), UserError);
  assert.throws(
    () => SigmfWriter.open(join(tmp, 'x'), { format: 'cu8', sampleRate: 1, datetime: 'noon' }),
    (e: unknown) => e instanceof UserError && e.field === 'datetime',
  );
  const aborted = SigmfWriter.open(join(tmp, 'aborted'), { format: 'cu8', sampleRate: 1 });
  aborted.write(new Uint8Array(4));
  aborted.abort();
  assert.equal(existsSync(join(tmp, 'aborted.sigmf-data')), false);
});

test('annotationsToMeta builds core and extension fields, sorted, with the offset added', () => {
  const objs = annotationsToMeta(
    [
      { sampleStart: 500, sampleCount: 10, label: 'b', extra: { 'heimdall:snr_db': 9 } },
      {
        sampleStart: 100,
        sampleCount: 5,
        freqLowerEdge: 1e6,
        freqUpperEdge: 2e6,
        generator: 'heimdall analyze',
      },
    ],
    { offset: 1000 },
  );
  assert.deepEqual(objs, [
    {
      'core:sample_start': 1100,
      'core:sample_count': 5,
      'core:freq_lower_edge': 1e6,
      'core:freq_upper_edge': 2e6,
      'core:generator': 'heimdall analyze',
    },
    { 'core:sample_start': 1500, 'core:sample_count': 10, 'core:label': 'b', 'heimdall:snr_db': 9 },
  ]);
  const field = (fn: () => unknown): string | undefined => {
    try {
      fn();
    } catch (e) {
      assert.ok(e instanceof UserError);
      return e.field;
    }
    return undefined;
  };
  assert.equal(
    field(() => annotationsToMeta([{ sampleStart: -1 }])),
    'annotations[0].core:sample_start',
  );
  assert.equal(
    field(() => annotationsToMeta([{ sampleStart: 0, extra: { snr: 3 } }])),
    'annotations[0].snr',
  );
  assert.equal(
    field(() => annotationsToMeta([{ sampleStart: 0, extra: { 'heimdall:snr_db': NaN } }])),
    'annotations[0].heimdall:snr_db',
  );
  assert.equal(
    field(() => annotationsToMeta([{ sampleStart: 0, extra: { 'core:label': 'x' } }])),
    'annotations[0].core:label',
  );
  assert.equal(
    field(() => annotationsToMeta([{ sampleStart: 0, freqLowerEdge: 5, freqUpperEdge: 1 }])),
    'annotations[0].core:freq_upper_edge',
  );
});

test(
  'analyze --annotate: a real recording with added detections round-trips, extras kept',
  { skip: noData },
  () => {
    const rec = openRecording(join(DATA, 'nbiot-uplink-v16/V16-beacon-NB-IoT-uplink.sigmf-meta'));
    rec.close();
    const out = join(tmp, 'annotated.sigmf-meta');
    const detection = {
      sampleStart: 3,
      sampleCount: 15360,
      freqLowerEdge: 832.3e6,
      freqUpperEdge: 832.36e6,
      label: 'digital-narrow',
      generator: 'heimdall analyze',
      extra: { 'heimdall:snr_db': 21.5, 'heimdall:class': 'digital-narrow' },
    };
    writeSigmfMeta(out, withAnnotations(rec.meta, [...rec.annotations, detection]));
    const back = readSigmfMeta(out);
    assert.equal(back.annotations.length, 20);
    assert.equal(back.annotations[0]?.label, 'digital-narrow', 'sorted first by sample_start');
    assert.deepEqual(back.annotations[0]?.extra, detection.extra);
    assert.deepEqual(back.annotations.slice(1), rec.meta.annotations);
    assert.deepEqual(back.global.extensions, [{ name: 'heimdall', version: '0.1.0', optional: true }]);
    assert.equal(back.global.sha512, rec.meta.global.sha512);
    assert.deepEqual(back.captures, rec.meta.captures);
  },
);

test('every real metadata file survives parse -> write -> parse unchanged', { skip: noData }, () => {
  for (const dir of readdirSync(DATA)) {
    if (!statSync(join(DATA, dir)).isDirectory()) continue;
    for (const f of readdirSync(join(DATA, dir)).filter((x) => x.endsWith('.sigmf-meta'))) {
      const meta = readSigmfMeta(join(DATA, dir, f));
      const again = parseSigmfMeta(formatSigmfMeta(meta), f);
      assert.deepEqual(again, meta, f);
    }
  }
});
