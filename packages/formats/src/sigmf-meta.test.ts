import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UserError } from '@heimdall/errors';
import {
  formatSigmfDatetime,
  formatSigmfMeta,
  parseSigmfDatetime,
  parseSigmfMeta,
  sigmfMetaToJson,
} from './sigmf-meta.ts';

const SRC = 'rec.sigmf-meta';

function doc(
  overrides: { global?: Record<string, unknown>; captures?: unknown; annotations?: unknown } = {},
): string {
  return JSON.stringify({
    global: {
      'core:datatype': 'cf32_le',
      'core:sample_rate': 2e6,
      'core:version': '1.2.0',
      ...overrides.global,
    },
    captures: overrides.captures ?? [{ 'core:sample_start': 0, 'core:frequency': 100e6 }],
    annotations: overrides.annotations ?? [],
  });
}

/** Asserts a UserError naming the file and `field`, whose one-line description contains `words`. */
function rejects(text: string, field: string | undefined, ...words: string[]): UserError {
  let caught: unknown;
  try {
    parseSigmfMeta(text, SRC);
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof UserError, `expected a UserError, got ${String(caught)}`);
  assert.equal(caught.source, SRC);
  assert.equal(caught.field, field);
  assert.ok(caught.fix !== undefined && caught.fix.length > 0, 'the error says how to fix it');
  const line = caught.describe();
  assert.ok(!line.includes('\n'), 'one line');
  for (const w of words) assert.ok(line.includes(w), `"${line}" should mention ${w}`);
  return caught;
}

test('parses the core global, capture and annotation fields', () => {
  const meta = parseSigmfMeta(
    JSON.stringify({
      global: {
        'core:datatype': 'ci16_le',
        'core:sample_rate': 640000.0,
        'core:version': '1.2.5',
        'core:num_channels': 1,
        'core:offset': 10,
        'core:sha512': 'AB'.repeat(64),
        'core:description': 'test',
      },
      captures: [
        {
          'core:sample_start': 10,
          'core:frequency': 832344126.0,
          'core:datetime': '2025-11-15T17:34:32.232000000Z',
        },
        { 'core:sample_start': 500, 'core:header_bytes': 4, 'core:global_index': 1000 },
      ],
      annotations: [
        {
          'core:sample_start': 107103,
          'core:sample_count': 15360,
          'core:freq_lower_edge': 832325846.5,
          'core:freq_upper_edge': 832355846.5,
          'core:label': 'NPUSCH',
          'core:generator': 'notebook',
          'core:comment': 'NPUSCH format 1',
          'heimdall:snr_db': 12.5,
        },
      ],
    }),
    SRC,
  );
  assert.equal(meta.global.datatype, 'ci16_le');
  assert.equal(meta.global.sampleRate, 640000);
  assert.equal(meta.global.offset, 10);
  assert.equal(meta.global.sha512, 'ab'.repeat(64));
  assert.equal(meta.captures[0]?.frequency, 832344126);
  assert.equal(meta.captures[0]?.datetime, '2025-11-15T17:34:32.232000000Z');
  assert.equal(meta.captures[1]?.headerBytes, 4);
  assert.equal(meta.captures[1]?.globalIndex, 1000);
  const a = meta.annotations[0];
  assert.equal(a?.sampleCount, 15360);
  assert.equal(a?.freqUpperEdge, 832355846.5);
  assert.equal(a?.label, 'NPUSCH');
  assert.deepEqual(a?.extra, { 'heimdall:snr_db': 12.5 });
});

test('invalid JSON names the line and column', () => {
  const text = '{\n  "global": {\n    "core:datatype": "cf32_le",\n    "core:version": "1.2.0"\n  ,\n}';
  const e = rejects(text, undefined, 'invalid JSON', 'line 6');
  assert.equal(e.line, 6);
  assert.ok(e.describe().startsWith(`${SRC}:6: invalid JSON`));
  assert.equal(rejects('{"global": {"a": 1}', undefined, 'end of file').line, 1);
  assert.equal(rejects('{\n"global": {"core:datatype": "cf32_le\n"}}', undefined, 'inside a string').line, 2);
  assert.equal(rejects('{"global": {}} x', undefined, 'after the end').line, 1);
  assert.equal(rejects('', undefined, 'empty').line, 1);
});

test('datatype: missing, unknown and malformed are refused; real types parse (recordings refuse them)', () => {
  rejects(doc({ global: { 'core:datatype': undefined } }), 'global.core:datatype', 'missing');
  rejects(doc({ global: { 'core:datatype': 'cf24_le' } }), 'global.core:datatype', 'cf24_le');
  rejects(doc({ global: { 'core:datatype': 'ci16' } }), 'global.core:datatype', 'byte order');
  rejects(doc({ global: { 'core:datatype': 7 } }), 'global.core:datatype', 'string');
  assert.equal(
    parseSigmfMeta(doc({ global: { 'core:datatype': 'ri16_le' } }), SRC).global.datatype,
    'ri16_le',
  );
});

test('sample rate must be a positive number', () => {
  for (const bad of [0, -48000, '2e6', null]) {
    rejects(doc({ global: { 'core:sample_rate': bad } }), 'global.core:sample_rate', 'positive');
  }
  rejects(
    '{"global":{"core:datatype":"cu8","core:version":"1.2.0","core:sample_rate":1e999}}',
    'global.core:sample_rate',
  );
  assert.equal(
    parseSigmfMeta(doc({ global: { 'core:sample_rate': undefined } }), SRC).global.sampleRate,
    undefined,
  );
});

test('version, num_channels, offset, sha512 and extensions are validated', () => {
  rejects(doc({ global: { 'core:version': undefined } }), 'global.core:version', 'missing', '1.2.0');
  rejects(doc({ global: { 'core:version': 'v1' } }), 'global.core:version');
  rejects(doc({ global: { 'core:num_channels': 0 } }), 'global.core:num_channels', 'at least 1');
  rejects(doc({ global: { 'core:num_channels': 1.5 } }), 'global.core:num_channels');
  rejects(doc({ global: { 'core:offset': -1 } }), 'global.core:offset');
  rejects(doc({ global: { 'core:offset': 2 ** 60 } }), 'global.core:offset', 'too large');
  rejects(doc({ global: { 'core:sha512': 'abc' } }), 'global.core:sha512', '128');
  rejects(
    doc({ global: { 'core:extensions': [{ name: 'x', version: '1.0.0' }] } }),
    'global.core:extensions[0].optional',
  );
  rejects(doc({ global: { 'core:dataset': '../etc/passwd' } }), 'global.core:dataset', 'without folders');
  rejects(doc({ global: { 'core:description': 5 } }), 'global.core:description', 'string');
});

test('captures: sample_start required, sorted, and fields typed', () => {
  rejects(doc({ captures: [{ 'core:frequency': 1 }] }), 'captures[0].core:sample_start', 'missing');
  rejects(
    doc({ captures: [{ 'core:sample_start': 100 }, { 'core:sample_start': 50 }] }),
    'captures[1].core:sample_start',
    'sorted',
  );
  rejects(
    doc({ captures: [{ 'core:sample_start': 0 }, { 'core:sample_start': 0 }] }),
    'captures[1].core:sample_start',
  );
  rejects(
    doc({ captures: [{ 'core:sample_start': 0, 'core:frequency': '1e9' }] }),
    'captures[0].core:frequency',
    'number',
  );
  rejects(
    doc({ captures: [{ 'core:sample_start': 0, 'core:header_bytes': -4 }] }),
    'captures[0].core:header_bytes',
  );
  rejects(
    doc({ captures: [{ 'core:sample_start': 0, 'core:global_index': 0.5 }] }),
    'captures[0].core:global_index',
  );
  rejects(
    doc({ captures: [{ 'core:sample_start': 0, 'core:datetime': '2021-06-18 23:17:51' }] }),
    'captures[0].core:datetime',
    'RFC 3339',
  );
  rejects(
    doc({ captures: [{ 'core:sample_start': 0, 'core:datetime': '2021-02-30T00:00:00Z' }] }),
    'captures[0].core:datetime',
  );
  rejects(doc({ captures: {} }), 'captures', 'array');
  rejects(doc({ captures: [5] }), 'captures[0]', 'object');
});

test('annotations: sample_start required, counts whole, edges ordered, text fields strings', () => {
  rejects(doc({ annotations: [{ 'core:sample_count': 5 }] }), 'annotations[0].core:sample_start', 'missing');
  rejects(
    doc({ annotations: [{ 'core:sample_start': 1, 'core:sample_count': -5 }] }),
    'annotations[0].core:sample_count',
  );
  rejects(
    doc({
      annotations: [{ 'core:sample_start': 1, 'core:freq_lower_edge': 2e6, 'core:freq_upper_edge': 1e6 }],
    }),
    'annotations[0].core:freq_upper_edge',
    'below',
  );
  rejects(doc({ annotations: [{ 'core:sample_start': 1, 'core:label': 3 }] }), 'annotations[0].core:label');
  rejects(
    doc({ annotations: [{ 'core:sample_start': 1, 'core:comment': ['x'] }] }),
    'annotations[0].core:comment',
  );
  rejects(
    doc({ annotations: [{ 'core:sample_start': 1, 'core:generator': {} }] }),
    'annotations[0].core:generator',
  );
  rejects(
    doc({ annotations: [{ 'core:sample_start': 1, 'core:freq_lower_edge': 'low' }] }),
    'annotations[0].core:freq_lower_edge',
  );
});

test('top level must be an object with a global object', () => {
  rejects('[1, 2]', undefined, 'top level');
  rejects('{"captures": []}', 'global', 'missing');
  rejects('{"global": []}', 'global', 'object');
});

test('unknown and extension fields survive a round trip; annotations come out sorted', () => {
  const original = {
    global: {
      'core:datatype': 'cu8',
      'core:sample_rate': 2e6,
      'core:version': '1.2.0',
      'core:hw': 'RTL-SDR',
      'core:geolocation': { type: 'Point', coordinates: [2.35, 48.85] },
      'vendor:gain_db': 30,
      'core:extensions': [{ name: 'vendor', version: '1.0.0', optional: true }],
    },
    captures: [{ 'core:sample_start': 0, 'core:frequency': 1.09e9, 'vendor:lna': 'on' }],
    annotations: [
      { 'core:sample_start': 900, 'core:sample_count': 10, 'core:uuid': 'a', 'heimdall:snr_db': 3.5 },
      { 'core:sample_start': 100, 'core:label': 'first', 'heimdall:class': 'fm' },
    ],
    'vendor:top': [1, 2, 3],
  };
  const meta = parseSigmfMeta(JSON.stringify(original), SRC);
  const again = parseSigmfMeta(formatSigmfMeta(meta), SRC);
  assert.deepEqual(again.global.extra, {
    'core:geolocation': { type: 'Point', coordinates: [2.35, 48.85] },
    'vendor:gain_db': 30,
  });
  assert.deepEqual(again.captures[0]?.extra, { 'vendor:lna': 'on' });
  assert.deepEqual(again.extra, { 'vendor:top': [1, 2, 3] });
  assert.deepEqual(
    again.annotations.map((a) => [a.sampleStart, a.extra]),
    [
      [100, { 'heimdall:class': 'fm' }],
      [900, { 'core:uuid': 'a', 'heimdall:snr_db': 3.5 }],
    ],
  );
  assert.deepEqual(Object.keys(sigmfMetaToJson(meta)), ['global', 'captures', 'annotations', 'vendor:top']);
  assert.deepEqual(again.global.extensions, [{ name: 'vendor', version: '1.0.0', optional: true }]);
});

test('a __proto__ key in the file is kept as data, not as a prototype', () => {
  const text =
    '{"global":{"core:datatype":"cu8","core:version":"1.2.0","__proto__":{"x":1}},"captures":[],"annotations":[]}';
  const meta = parseSigmfMeta(text, SRC);
  assert.equal(({} as Record<string, unknown>)['x'], undefined);
  assert.equal((meta.global.extra as { x?: unknown }).x, undefined);
  assert.ok(Object.hasOwn(meta.global.extra, '__proto__'));
  assert.ok(formatSigmfMeta(meta).includes('"__proto__"'));
});

test('datetime keeps nanoseconds and accepts any number of fraction digits', () => {
  assert.equal(parseSigmfDatetime('1970-01-01T00:00:00Z'), 0n);
  assert.equal(parseSigmfDatetime('1970-01-01T00:00:01.5Z'), 1_500_000_000n);
  assert.equal(parseSigmfDatetime('2025-11-15T17:34:32.232000001Z') % 1_000_000_000n, 232_000_001n);
  assert.equal(parseSigmfDatetime('2025-11-15T17:34:32.2320000019999Z') % 1_000_000_000n, 232_000_001n);
  assert.equal(
    parseSigmfDatetime('2021-06-18T23:17:51.163959Z'),
    BigInt(Date.UTC(2021, 5, 18, 23, 17, 51)) * 1_000_000n + 163_959_000n,
  );
  assert.equal(parseSigmfDatetime('2021-06-19T01:17:51+02:00'), parseSigmfDatetime('2021-06-18T23:17:51Z'));
  const year1 = new Date(0);
  year1.setUTCFullYear(1, 0, 1);
  assert.equal(parseSigmfDatetime('0001-01-01T00:00:00Z'), BigInt(year1.getTime()) * 1_000_000n);
  const ns = parseSigmfDatetime('2024-02-29T12:00:00.123456789Z');
  assert.equal(formatSigmfDatetime(ns), '2024-02-29T12:00:00.123456789Z');
  assert.equal(formatSigmfDatetime(-1n), '1969-12-31T23:59:59.999999999Z');
  for (const bad of [
    '2024-13-01T00:00:00Z',
    '2023-02-29T00:00:00Z',
    '2024-01-01T24:00:00Z',
    '2024-01-01T00:00:00',
    'yesterday',
  ]) {
    assert.throws(() => parseSigmfDatetime(bad), UserError, bad);
  }
});

test('preserved fields nested absurdly deep are refused instead of overflowing the stack on write', () => {
  const deep = `${'['.repeat(50_000)}${']'.repeat(50_000)}`;
  const text = `{"global":{"core:datatype":"cu8","core:version":"1.2.0","vendor:x":${deep}},"captures":[],"annotations":[]}`;
  rejects(text, 'global.vendor:x', 'nested');
  const ok = `{"global":{"core:datatype":"cu8","core:version":"1.2.0","vendor:x":${'['.repeat(50)}${']'.repeat(50)}}}`;
  assert.ok(formatSigmfMeta(parseSigmfMeta(ok, SRC)).includes('vendor:x'));
});
