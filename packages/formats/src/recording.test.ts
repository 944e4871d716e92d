import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadConfig } from '@heimdall/config';
import { UserError } from '@heimdall/errors';
import { openRecording, type OpenRecordingOptions, type Recording } from './recording.ts';
import { writeSigmfArchive } from './sigmf-writer.ts';

const DATA = loadConfig().sharedDataDir;
const noData = existsSync(join(DATA, 'CATALOG.md'))
  ? false
  : `shared recordings not found in ${DATA} (set HEIMDALL_SHARED_DATA)`;
const tmp = mkdtempSync(join(tmpdir(), 'heimdall-recording-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Catalog figures (../shared/data/CATALOG.md). */
const CATALOG = [
  {
    path: 'nbiot-uplink-v16/V16-beacon-NB-IoT-uplink',
    format: 'ci16_le',
    rate: 640e3,
    freq: 832.344126e6,
    count: 512_000,
    ann: 19,
  },
  { path: 'adsb-modes1/modes1', format: 'cu8', rate: 2e6, freq: 1090e6, count: 356_868, ann: 214 },
  {
    path: 'tpms-rtl433-cu8/g001_433.92M_250k',
    format: 'cu8',
    rate: 250e3,
    freq: 433.92e6,
    count: 196_608,
    ann: 4,
  },
  {
    path: 'gps-l1-pysdr/GPS_L1_recording_10ms_4MHz_cf32',
    format: 'cf32_le',
    rate: 4e6,
    freq: 1575.42e6,
    count: 40_000,
    ann: 0,
  },
  {
    path: 'ntsc-fpv-pysdr/ntsc_remy_10MHz_5925Hz_500ksamples_cf32',
    format: 'cf32_le',
    rate: 10e6,
    freq: 5.925e9,
    count: 500_000,
    ann: 0,
  },
  {
    path: 'wifi-80211a-24mbps-conducted/dot11a_24mbps_qos_data',
    format: 'ci16_le',
    rate: 20e6,
    freq: undefined,
    count: 21_440,
    ann: 0,
  },
  {
    path: 'wifi-80211n-6.5mbps-radiated/dot11n_6.5mbps',
    format: 'ci16_le',
    rate: 20e6,
    freq: undefined,
    count: 169_040,
    ann: 0,
  },
  {
    path: 'urh-homematic-fsk/homematic',
    format: 'ci16_le',
    rate: 1e6,
    freq: 868.3e6,
    count: 117_396,
    ann: 2,
  },
  { path: 'urh-enocean-ask/enocean', format: 'cf32_le', rate: 5e6, freq: 868.3e6, count: 49_100, ann: 3 },
] as const;

function userError(fn: () => unknown): UserError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof UserError, `expected a UserError, got ${String(e)}`);
    assert.ok(e.fix !== undefined && e.fix !== '', 'the error says how to fix it');
    assert.ok(!e.describe().includes('\n'));
    return e;
  }
  assert.fail('expected a UserError');
}

function open(path: string, opts?: OpenRecordingOptions): Recording {
  return openRecording(path, opts);
}

/** SHA-256 of every sample byte of `rec` read through chunks(). */
function digest(rec: Recording, chunkSamples = 10_000): string {
  const h = createHash('sha256');
  for (const { bytes } of rec.chunks({ chunkSamples })) h.update(bytes);
  return h.digest('hex');
}

test(
  'every real SigMF pair opens with the catalog format, rate, frequency, length and annotations',
  { skip: noData },
  () => {
    for (const c of CATALOG) {
      for (const ext of ['.sigmf-meta', '.sigmf-data']) {
        const rec = open(join(DATA, c.path + ext), { verifyChecksum: true });
        try {
          assert.equal(rec.format, c.format, c.path);
          assert.equal(rec.sampleRate, c.rate, c.path);
          assert.equal(rec.centerFrequency, c.freq, c.path);
          assert.equal(rec.sampleCount, c.count, c.path);
          assert.equal(rec.annotations.length, c.ann, c.path);
          assert.equal(rec.numChannels, 1);
          assert.equal(rec.captures[0]?.sampleStart, 0);
          assert.equal(rec.dataPath, join(DATA, `${c.path}.sigmf-data`));
        } finally {
          rec.close();
        }
      }
    }
  },
);

test('samples read are the bytes of the data file, across any chunking', { skip: noData }, () => {
  const c = CATALOG[0];
  const file = readFileSync(join(DATA, `${c.path}.sigmf-data`));
  const rec = open(join(DATA, `${c.path}.sigmf-meta`));
  try {
    const buf = new Uint8Array(100 * 4);
    assert.equal(rec.read(1234, 100, buf), 100);
    assert.deepEqual(buf, new Uint8Array(file.subarray(1234 * 4, 1334 * 4)));
    assert.equal(rec.read(c.count - 10, 100, buf), 10, 'a read past the end returns what is there');
    assert.equal(rec.read(c.count, 5, buf), 0);
    assert.equal(digest(rec, 7777), createHash('sha256').update(file).digest('hex'));
    const seen: number[] = [];
    let backing: ArrayBufferLike | undefined;
    for (const { start, bytes } of rec.chunks({ chunkSamples: 1000, start: 500, count: 2500 })) {
      seen.push(start, bytes.length);
      backing ??= bytes.buffer;
      assert.equal(bytes.buffer, backing, 'one reused buffer');
    }
    assert.deepEqual(seen, [500, 4000, 1500, 4000, 2500, 2000]);
  } finally {
    rec.close();
  }
});

test(
  'a frequency given by the caller fills in captures that have none, never overrides the metadata',
  { skip: noData },
  () => {
    const wifi = open(join(DATA, 'wifi-80211a-24mbps-conducted/dot11a_24mbps_qos_data.sigmf-meta'), {
      centerFrequency: 5.18e9,
    });
    assert.equal(wifi.centerFrequency, 5.18e9);
    assert.equal(wifi.captures[0]?.frequency, 5.18e9);
    assert.equal(wifi.meta.captures[0]?.frequency, undefined, 'the metadata itself is left as it was');
    wifi.close();
    const tpms = open(join(DATA, 'tpms-rtl433-cu8/g001_433.92M_250k.sigmf-meta'), {
      centerFrequency: 1,
      sampleRate: 7,
    });
    assert.deepEqual([tpms.centerFrequency, tpms.sampleRate], [433.92e6, 250e3]);
    tpms.close();
  },
);

test('NB-IoT annotations and capture datetime are parsed', { skip: noData }, () => {
  const rec = open(join(DATA, `${CATALOG[0].path}.sigmf-meta`));
  rec.close();
  const comments = rec.annotations.map((a) => a.comment ?? '');
  assert.equal(comments.filter((s) => s === 'NPUSCH format 1').length, 7);
  assert.equal(comments.filter((s) => s.startsWith('NPUSCH format 2')).length, 12);
  const first = rec.annotations[0];
  assert.deepEqual(
    [first?.sampleStart, first?.sampleCount, first?.freqLowerEdge, first?.freqUpperEdge, first?.generator],
    [107103, 15360, 832325846.5, 832355846.5, 'destevez Jupyter notebook'],
  );
  assert.equal(rec.captures[0]?.datetime, '2025-11-15T17:34:32.232000000Z');
  assert.equal(rec.meta.global.recorder, 'Maia SDR v0.6.1');
});

test(
  'the SigMF logo (ri16_le, 2 channels) is refused with a clear real-datatype error',
  { skip: noData },
  () => {
    const e = userError(() => open(join(DATA, 'sigmf-logo/sigmf_logo.sigmf-meta')));
    assert.equal(e.field, 'global.core:datatype');
    assert.equal(e.source, join(DATA, 'sigmf-logo/sigmf_logo.sigmf-meta'));
    assert.match(e.describe(), /real-valued datatype "ri16_le"/);
  },
);

test('sha512 verification passes on the real files and fails on one flipped byte', { skip: noData }, () => {
  const base = join(tmp, 'flip');
  copyFileSync(join(DATA, 'tpms-rtl433-cu8/g001_433.92M_250k.sigmf-meta'), `${base}.sigmf-meta`);
  const data = readFileSync(join(DATA, 'tpms-rtl433-cu8/g001_433.92M_250k.sigmf-data'));
  writeFileSync(`${base}.sigmf-data`, data);
  open(`${base}.sigmf-meta`, { verifyChecksum: true }).close();
  data[123_456] = (data[123_456] as number) ^ 0x01;
  writeFileSync(`${base}.sigmf-data`, data);
  open(`${base}.sigmf-meta`).close(); // without verification the damage goes unnoticed
  const e = userError(() => open(`${base}.sigmf-meta`, { verifyChecksum: true }));
  assert.equal(e.field, 'global.core:sha512');
  assert.match(e.describe(), /does not match/);
});

function tarAvailable(): boolean {
  try {
    execFileSync('tar', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

test(
  'a .sigmf archive reads identically to its pair (system tar: pax, ustar, gnu, long names; our writer)',
  { skip: noData },
  () => {
    const c = CATALOG[0];
    const pair = open(join(DATA, `${c.path}.sigmf-meta`));
    const want = digest(pair);
    pair.close();
    const long =
      'a-rather-long-recording-name-that-goes-past-the-hundred-byte-limit-of-the-ustar-name-field-x';
    const cases: { archive: string; make: () => void }[] = [
      {
        archive: join(tmp, 'ours.sigmf'),
        make: () => writeSigmfArchive(join(tmp, 'ours.sigmf'), [join(DATA, `${c.path}.sigmf-meta`)]),
      },
    ];
    if (tarAvailable()) {
      for (const format of ['pax', 'ustar', 'gnu'] as const) {
        const dir = join(tmp, `src-${format}`);
        const name = format === 'ustar' ? 'ustar-prefix-split-'.padEnd(60, 'x') : long; // ustar: name + prefix fields
        cases.push({
          archive: join(tmp, `${format}.sigmf`),
          make: () => {
            mkdirSync(join(dir, name), { recursive: true });
            copyFileSync(join(DATA, `${c.path}.sigmf-meta`), join(dir, name, `${name}.sigmf-meta`));
            copyFileSync(join(DATA, `${c.path}.sigmf-data`), join(dir, name, `${name}.sigmf-data`));
            execFileSync('tar', [`--format=${format}`, '-cf', join(tmp, `${format}.sigmf`), '-C', dir, name]);
          },
        });
      }
    }
    for (const { archive, make } of cases) {
      make();
      const rec = open(archive, { verifyChecksum: true });
      try {
        assert.equal(rec.dataPath, archive, 'samples are read in place from the archive');
        assert.equal(rec.format, c.format);
        assert.equal(rec.sampleRate, c.rate);
        assert.equal(rec.sampleCount, c.count);
        assert.equal(rec.annotations.length, c.ann);
        assert.equal(digest(rec, 65_536), want, archive);
      } finally {
        rec.close();
      }
    }
  },
);

test('an archive with several recordings needs one to be named, and lists them', { skip: noData }, () => {
  const archive = join(tmp, 'two.sigmf');
  writeSigmfArchive(archive, [
    join(DATA, 'tpms-rtl433-cu8/g001_433.92M_250k.sigmf-data'),
    join(DATA, 'urh-enocean-ask/enocean.sigmf-meta'),
  ]);
  const e = userError(() => open(archive));
  assert.match(e.describe(), /2 recordings: g001_433\.92M_250k, enocean/);
  const byHash = open(`${archive}#enocean`);
  assert.equal(byHash.format, 'cf32_le');
  assert.equal(byHash.sampleCount, 49_100);
  byHash.close();
  const byOption = open(archive, { recording: 'g001_433.92M_250k' });
  assert.equal(byOption.sampleCount, 196_608);
  byOption.close();
  assert.match(userError(() => open(archive, { recording: 'nope' })).describe(), /no recording named "nope"/);
});

test('truncated and damaged archives are UserErrors naming the archive', { skip: noData }, () => {
  const archive = join(tmp, 'whole.sigmf');
  writeSigmfArchive(archive, [join(DATA, 'urh-enocean-ask/enocean')]);
  const bytes = readFileSync(archive);
  const cut = join(tmp, 'cut.sigmf');
  writeFileSync(cut, bytes.subarray(0, 3000));
  assert.match(userError(() => open(cut)).describe(), /truncated/);
  const bad = Buffer.from(bytes);
  bad[520] = (bad[520] as number) ^ 0xff; // second header's name
  writeFileSync(cut, bad);
  assert.match(userError(() => open(cut)).describe(), /checksum/);
  writeFileSync(cut, 'not a tar file at all');
  assert.equal(userError(() => open(cut)).source, cut);
});

// ---------------------------------------------------------------------------------------------
// Synthetic recordings

function writeMeta(
  path: string,
  global: Record<string, unknown>,
  captures: unknown[] = [{ 'core:sample_start': 0 }],
  annotations: unknown[] = [],
): void {
  writeFileSync(
    path,
    JSON.stringify({
      global: { 'core:version': '1.2.0', 'core:sample_rate': 1000, ...global },
      captures,
      annotations,
    }),
  );
}

test('raw files: format from the extension, rate and frequency from the caller', () => {
  const cu8 = join(tmp, 'capture.cu8');
  writeFileSync(
    cu8,
    Uint8Array.from({ length: 2000 }, (_, i) => i & 0xff),
  );
  const e = userError(() => open(cu8));
  assert.equal(e.field, '--rate');
  assert.match(e.describe(), /pass --rate/);
  assert.equal(userError(() => open(cu8, { sampleRate: 0 })).field, '--rate');
  const rec = open(cu8, { sampleRate: 2.4e6, centerFrequency: 433.92e6 });
  assert.deepEqual(
    [rec.format, rec.sampleRate, rec.centerFrequency, rec.sampleCount],
    ['cu8', 2.4e6, 433.92e6, 1000],
  );
  assert.equal(rec.meta.global.sampleRate, 2.4e6);
  rec.close();
  const formats: [string, string, number][] = [
    ['x.cs8', 'ci8', 2],
    ['x.cs16', 'ci16_le', 4],
    ['x.cf32', 'cf32_le', 8],
    ['x.cfile', 'cf32_le', 8],
    ['x.cu16', 'cu16_le', 4],
    ['x.cf64', 'cf64_le', 16],
  ];
  for (const [name, format, size] of formats) {
    writeFileSync(join(tmp, name), new Uint8Array(size * 10));
    const r = open(join(tmp, name), { sampleRate: 1e6 });
    assert.deepEqual([r.format, r.sampleCount], [format, 10], name);
    r.close();
  }
  const iq = join(tmp, 'x.iq');
  writeFileSync(iq, new Uint8Array(64));
  assert.equal(userError(() => open(iq, { sampleRate: 1e6 })).field, '--datatype');
  const r = open(iq, { sampleRate: 1e6, datatype: 'ci16_be' });
  assert.deepEqual([r.format, r.sampleCount], ['ci16_be', 16]);
  r.close();
  assert.match(userError(() => open(iq, { sampleRate: 1e6, datatype: 'rf32_le' })).describe(), /real-valued/);
  writeFileSync(join(tmp, 'odd.cs16'), new Uint8Array(4 * 10 + 3));
  const odd = userError(() => open(join(tmp, 'odd.cs16'), { sampleRate: 1e6 }));
  assert.match(
    odd.describe(),
    /43 bytes, not a whole number of samples \(4 bytes per ci16_le sample; 3 bytes left over\)/,
  );
  assert.match(userError(() => open(join(tmp, 'thing.wav'))).describe(), /cannot tell the format/);
});

test('a missing data file names the path and says it must sit beside the meta', () => {
  writeMeta(join(tmp, 'lonely.sigmf-meta'), { 'core:datatype': 'cf32_le' });
  const e = userError(() => open(join(tmp, 'lonely.sigmf-meta')));
  assert.ok(e.message.includes(join(tmp, 'lonely.sigmf-data')), e.message);
  assert.match(e.describe(), /beside/);
  assert.match(userError(() => open(join(tmp, 'nothing-here.sigmf-meta'))).describe(), /does not exist/);
  assert.match(userError(() => open(join(tmp, 'nothing-here.sigmf-data'))).describe(), /does not exist/);
});

test('data sizes, captures and headers that do not fit the data are UserErrors naming the field', () => {
  const base = join(tmp, 'fit');
  writeFileSync(`${base}.sigmf-data`, new Uint8Array(4 * 100 + 2));
  writeMeta(`${base}.sigmf-meta`, { 'core:datatype': 'ci16_le' });
  const size = userError(() => open(`${base}.sigmf-meta`));
  assert.equal(size.field, 'global.core:datatype');
  assert.match(
    size.describe(),
    /402 bytes, not a whole number of samples \(4 bytes per ci16_le sample; 2 bytes left over\)/,
  );

  writeFileSync(`${base}.sigmf-data`, new Uint8Array(4 * 100));
  writeMeta(`${base}.sigmf-meta`, { 'core:datatype': 'ci16_le' }, [
    { 'core:sample_start': 0 },
    { 'core:sample_start': 100 },
  ]);
  const past = userError(() => open(`${base}.sigmf-meta`));
  assert.equal(past.field, 'captures[1].core:sample_start');
  assert.match(past.describe(), /past the end/);

  writeMeta(`${base}.sigmf-meta`, { 'core:datatype': 'ci16_le' }, [
    { 'core:sample_start': 0, 'core:header_bytes': 401 },
  ]);
  assert.equal(userError(() => open(`${base}.sigmf-meta`)).field, 'captures[0].core:header_bytes');

  writeMeta(`${base}.sigmf-meta`, { 'core:datatype': 'ci16_le', 'core:sample_rate': 0 });
  assert.equal(userError(() => open(`${base}.sigmf-meta`)).field, 'global.core:sample_rate');

  writeMeta(`${base}.sigmf-meta`, { 'core:datatype': 'ci16_le', 'core:sample_rate': undefined });
  const norate = userError(() => open(`${base}.sigmf-meta`));
  assert.equal(norate.field, 'global.core:sample_rate');
  assert.match(norate.describe(), /--rate/);
  assert.equal(open(`${base}.sigmf-meta`, { sampleRate: 5e5 }).sampleRate, 5e5);

  writeMeta(`${base}.sigmf-meta`, { 'core:datatype': 'ci16_le', 'core:num_channels': 0 });
  assert.equal(userError(() => open(`${base}.sigmf-meta`)).field, 'global.core:num_channels');

  writeMeta(`${base}.sigmf-meta`, { 'core:datatype': 'ci16_le', 'core:offset': 50 }, [
    { 'core:sample_start': 10 },
  ]);
  assert.equal(userError(() => open(`${base}.sigmf-meta`)).field, 'captures[0].core:sample_start');

  writeFileSync(`${base}.sigmf-meta`, '{"global": {');
  assert.equal(userError(() => open(`${base}.sigmf-meta`)).line, 1);
});

test('non-conforming dataset: header bytes are skipped per capture, trailing bytes ignored (the spec example)', () => {
  // The SigMF spec's example: cu8, two captures at samples 0 and 500, each after a 4-byte header.
  const ncd = join(tmp, 'non-conforming-dataset-01.dat');
  const second = 300;
  const bytes = new Uint8Array(4 + 1000 + 4 + second * 2 + 7);
  bytes.fill(0xff, 0, 4);
  for (let i = 0; i < 1000; i++) bytes[4 + i] = i % 200;
  bytes.fill(0xff, 1004, 1008);
  for (let i = 0; i < second * 2; i++) bytes[1008 + i] = 200 + (i % 10);
  bytes.fill(0xfe, 1008 + second * 2);
  writeFileSync(ncd, bytes);
  writeMeta(
    join(tmp, 'ncd.sigmf-meta'),
    { 'core:datatype': 'cu8', 'core:dataset': 'non-conforming-dataset-01.dat', 'core:trailing_bytes': 7 },
    [
      { 'core:sample_start': 0, 'core:header_bytes': 4 },
      { 'core:sample_start': 500, 'core:header_bytes': 4 },
    ],
  );
  const rec = open(join(tmp, 'ncd.sigmf-meta'));
  assert.equal(rec.sampleCount, 500 + second);
  assert.equal(rec.dataPath, ncd);
  const all = new Uint8Array(rec.sampleCount * 2);
  assert.equal(rec.read(0, rec.sampleCount, all), rec.sampleCount);
  assert.ok(!all.includes(0xff) && !all.includes(0xfe), 'no header or trailing byte is read as a sample');
  const across = new Uint8Array(4);
  rec.read(499, 2, across);
  assert.deepEqual([...across], [998 % 200, 999 % 200, 200, 201]);
  rec.close();
});

test('core:offset: capture and annotation indices become relative to the data file', () => {
  const base = join(tmp, 'offset');
  writeFileSync(`${base}.sigmf-data`, new Uint8Array(8 * 1000));
  writeMeta(
    `${base}.sigmf-meta`,
    { 'core:datatype': 'cf32_le', 'core:offset': 1_000_000 },
    [
      { 'core:sample_start': 1_000_000, 'core:frequency': 1e9 },
      { 'core:sample_start': 1_000_600, 'core:frequency': 2e9 },
    ],
    [{ 'core:sample_start': 1_000_200, 'core:sample_count': 10 }],
  );
  const rec = open(`${base}.sigmf-meta`, { centerFrequency: 5 });
  assert.deepEqual(
    rec.captures.map((c) => [c.sampleStart, c.frequency]),
    [
      [0, 1e9],
      [600, 2e9],
    ],
  );
  assert.equal(rec.annotations[0]?.sampleStart, 200);
  assert.equal(rec.meta.annotations[0]?.sampleStart, 1_000_200, 'the metadata keeps the absolute index');
  assert.equal(rec.centerFrequency, 1e9, 'metadata wins over the raw-file frequency flag');
  rec.close();
});

test('multi-channel data is de-interleaved; a channel that does not exist is refused', () => {
  const base = join(tmp, 'stereo');
  const n = 10_000;
  const v = new Int16Array(n * 4);
  for (let i = 0; i < n; i++) v.set([i, -i, 1000 + (i % 7), -1000], i * 4);
  writeFileSync(`${base}.sigmf-data`, new Uint8Array(v.buffer));
  writeMeta(`${base}.sigmf-meta`, { 'core:datatype': 'ci16_le', 'core:num_channels': 2 });
  const ch1 = open(`${base}.sigmf-meta`, { channel: 1 });
  assert.equal(ch1.sampleCount, n);
  const buf = new Uint8Array(n * 4);
  assert.equal(ch1.read(0, n, buf), n);
  const got = new Int16Array(buf.buffer);
  for (let i = 0; i < n; i += 997) assert.deepEqual([got[2 * i], got[2 * i + 1]], [1000 + (i % 7), -1000]);
  ch1.close();
  const ch0 = open(`${base}.sigmf-meta`);
  ch0.read(5000, 2, buf);
  assert.deepEqual([...new Int16Array(buf.buffer, 0, 4)], [5000, -5000, 5001, -5001]);
  ch0.close();
  assert.equal(userError(() => open(`${base}.sigmf-meta`, { channel: 2 })).field, '--channel');
});

test('read after close is refused instead of reading a recycled descriptor', () => {
  writeFileSync(join(tmp, 'closed.cu8'), new Uint8Array(10));
  const rec = open(join(tmp, 'closed.cu8'), { sampleRate: 1 });
  rec.close();
  rec.close();
  assert.throws(() => rec.read(0, 1, new Uint8Array(2)), /after close/);
});
