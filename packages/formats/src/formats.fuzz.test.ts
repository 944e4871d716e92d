/**
 * Bad input never crashes: thousands of random and mutated metadata documents, data files, tar
 * archives and CSV lines. Each either yields a valid result or throws a UserError; never another
 * exception, never a hang. Seeded, so a failure names a case that can be replayed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { bytesPerSample } from '@heimdall/dsp';
import { UserError } from '@heimdall/errors';
import { openRecording } from './recording.ts';
import { formatSigmfMeta, parseSigmfMeta } from './sigmf-meta.ts';
import { SigmfWriter, writeSigmfArchive } from './sigmf-writer.ts';
import { readSweeps } from './sweep-stitcher.ts';

const tmp = mkdtempSync(join(tmpdir(), 'heimdall-fuzz-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** mulberry32: small, fast, seeded. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Fuzz {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = rng(seed);
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)] as T;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** Odd JSON values: wrong types, edge numbers, deep nesting. */
  value(depth = 0): unknown {
    switch (this.int(depth > 3 ? 9 : 12)) {
      case 0:
        return this.pick([0, -1, 1, 0.5, -0.0, 1e308, -1e308, 2 ** 53, 2 ** 63, 1e-320, 640000, 7]);
      case 1:
        return this.int(1_000_000);
      case 2:
        return this.pick([
          '',
          'cf32_le',
          'ri16_le',
          'cu8',
          'ci16',
          'cf32_xx',
          '1.2.0',
          'x',
          '2024-01-01T00:00:00Z',
          '\u0000',
          'a'.repeat(500),
        ]);
      case 3:
        return null;
      case 4:
        return this.chance(0.5);
      case 5:
        return this.pick([
          '2021-06-18T23:17:51.163959Z',
          '2021-13-01T00:00:00Z',
          '2021-06-18T23:17:51',
          '9999-12-31T23:59:60.999999999999Z',
        ]);
      case 6:
        return 'ab'.repeat(64);
      case 7:
        return -this.int(1000);
      case 8:
        return this.pick([1, 2, 3, 1e6, 2.4e6]);
      case 9:
        return Array.from({ length: this.int(4) }, () => this.value(depth + 1));
      case 10:
        return Object.fromEntries(
          Array.from({ length: this.int(5) }, () => [this.key(), this.value(depth + 1)]),
        );
      default:
        return JSON.parse('['.repeat(200) + ']'.repeat(200)) as unknown;
    }
  }
  key(): string {
    return this.pick([
      'core:datatype',
      'core:sample_rate',
      'core:version',
      'core:num_channels',
      'core:offset',
      'core:sha512',
      'core:trailing_bytes',
      'core:dataset',
      'core:metadata_only',
      'core:extensions',
      'core:sample_start',
      'core:sample_count',
      'core:frequency',
      'core:datetime',
      'core:header_bytes',
      'core:global_index',
      'core:freq_lower_edge',
      'core:freq_upper_edge',
      'core:label',
      'core:comment',
      'core:generator',
      'heimdall:snr_db',
      '__proto__',
      'constructor',
      'global',
      'captures',
      'annotations',
      'x',
    ]);
  }
  /** Byte/character-level damage to a text. */
  mutateText(s: string): string {
    let out = s;
    for (let k = 1 + this.int(3); k > 0; k--) {
      const at = this.int(out.length + 1);
      switch (this.int(6)) {
        case 0:
          out = out.slice(0, at); // truncate
          break;
        case 1:
          out = out.slice(0, at) + out.slice(at + 1 + this.int(20)); // delete
          break;
        case 2:
          out =
            out.slice(0, at) +
            this.pick([
              '{',
              '}',
              '[',
              ']',
              ',',
              ':',
              '"',
              '\\',
              '-',
              '0',
              'e',
              '\n',
              ' ',
              'nan',
              '\u0001',
              '9'.repeat(30),
            ]) +
            out.slice(at);
          break;
        case 3:
          out = out.slice(0, at) + String.fromCharCode(this.int(128)) + out.slice(at + 1); // replace
          break;
        case 4: {
          const len = this.int(40);
          out = out.slice(0, at) + out.slice(at, at + len) + out.slice(at); // duplicate
          break;
        }
        default:
          out = out.slice(0, at) + String(this.value()) + out.slice(at);
      }
    }
    return out;
  }
  /** Structure-level damage: a field gets a random value, is removed, or a random field appears. */
  mutateDoc(doc: Record<string, unknown>): Record<string, unknown> {
    const copy = JSON.parse(JSON.stringify(doc)) as Record<string, unknown>;
    const containers: Record<string, unknown>[] = [copy];
    const g = copy['global'];
    if (typeof g === 'object' && g !== null && !Array.isArray(g))
      containers.push(g as Record<string, unknown>);
    for (const list of [copy['captures'], copy['annotations']]) {
      if (Array.isArray(list))
        for (const o of list)
          if (typeof o === 'object' && o !== null) containers.push(o as Record<string, unknown>);
    }
    for (let k = 1 + this.int(3); k > 0; k--) {
      const target = this.pick(containers);
      const keys = Object.keys(target);
      const key = keys.length > 0 && this.chance(0.7) ? this.pick(keys) : this.key();
      if (this.chance(0.25)) Reflect.deleteProperty(target, key);
      else
        Object.defineProperty(target, key, {
          value: this.value(),
          enumerable: true,
          writable: true,
          configurable: true,
        });
    }
    return copy;
  }
}

/** Runs `fn`; anything thrown must be a UserError with a one-line description. */
function expectUserErrorOrResult<T>(label: string, fn: () => T): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof UserError)) {
      assert.fail(
        `${label}: threw ${e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e)}`,
      );
    }
    assert.ok(!e.describe().includes('\n'), `${label}: one-line error: ${e.describe()}`);
    return undefined;
  }
}

const BASE_DOC = {
  global: {
    'core:datatype': 'ci16_le',
    'core:sample_rate': 640000,
    'core:version': '1.2.0',
    'core:num_channels': 1,
    'core:extensions': [{ name: 'heimdall', version: '0.1.0', optional: true }],
  },
  captures: [
    { 'core:sample_start': 0, 'core:frequency': 832e6, 'core:datetime': '2025-11-15T17:34:32.232000000Z' },
    { 'core:sample_start': 600, 'core:frequency': 833e6, 'core:header_bytes': 0 },
  ],
  annotations: [
    {
      'core:sample_start': 10,
      'core:sample_count': 100,
      'core:freq_lower_edge': 1,
      'core:freq_upper_edge': 2,
      'heimdall:snr_db': 3,
    },
    { 'core:sample_start': 700, 'core:label': 'x', 'core:comment': 'y', 'core:generator': 'z' },
  ],
};

test(
  'metadata: random and mutated documents parse to valid metadata or a UserError',
  { timeout: 120_000 },
  () => {
    const f = new Fuzz(0x5167);
    const base = JSON.stringify(BASE_DOC, null, 2);
    let valid = 0;
    for (let i = 0; i < 6000; i++) {
      let text: string;
      const mode = i % 3;
      if (mode === 0) text = f.mutateText(base);
      else if (mode === 1) text = JSON.stringify(f.mutateDoc(BASE_DOC));
      else
        text = JSON.stringify(
          f.chance(0.5) ? f.value() : { global: f.value(), captures: f.value(), annotations: f.value() },
        );
      const label = `meta case ${i} (mode ${mode}): ${text.slice(0, 200)}`;
      let jsonOk = true;
      try {
        JSON.parse(text);
      } catch {
        jsonOk = false;
      }
      let meta: ReturnType<typeof parseSigmfMeta> | undefined;
      try {
        meta = parseSigmfMeta(text, 'fuzz.sigmf-meta');
      } catch (e) {
        if (!(e instanceof UserError)) assert.fail(`${label}: threw ${String(e)}`);
        assert.ok(!e.describe().includes('\n'), `${label}: one-line error: ${e.describe()}`);
        if (!jsonOk)
          assert.ok(e.line !== undefined && /line \d+, column \d+/.test(e.message), `${label}: ${e.message}`);
      }
      if (meta !== undefined) {
        valid++;
        // Whatever parses must write back and parse to the same thing (annotations come out sorted).
        const written = formatSigmfMeta(meta);
        const again = parseSigmfMeta(written, 'again');
        assert.equal(formatSigmfMeta(again), written, label);
        assert.deepEqual({ ...again, annotations: [] }, { ...meta, annotations: [] }, label);
        assert.equal(again.annotations.length, meta.annotations.length, label);
      }
    }
    assert.ok(valid > 300, `some mutations stay valid (${valid}), so the round trip is exercised`);
  },
);

test(
  'recordings: mutated metadata, data sizes and tar archives open or fail with a UserError',
  { timeout: 240_000 },
  () => {
    const f = new Fuzz(0xa11ce);
    // A valid pair to start from.
    const base = join(tmp, 'seed');
    const w = SigmfWriter.open(base, { format: 'ci16_le', sampleRate: 640000, centerFrequency: 832e6 });
    w.write(Uint8Array.from({ length: 4 * 1000 }, (_, i) => (i * 13) & 0xff));
    w.addAnnotation({ sampleStart: 10, sampleCount: 100, extra: { 'heimdall:snr_db': 3 } });
    w.close();
    const archive = join(tmp, 'seed.sigmf');
    writeSigmfArchive(archive, [base]);
    const archiveBytes = new Uint8Array(readFileSync(archive));
    const metaText = JSON.stringify({
      ...BASE_DOC,
      global: { ...BASE_DOC.global, 'core:datatype': 'ci16_le' },
    });
    const buf = new Uint8Array(1 << 16);

    const opened = { pair: 0, tar: 0, raw: 0 };
    const exercise = (
      label: string,
      path: string,
      opts: Parameters<typeof openRecording>[1] = {},
    ): boolean => {
      const rec = expectUserErrorOrResult(label, () => openRecording(path, opts));
      if (rec === undefined) return false;
      try {
        const frame = bytesPerSample(rec.format) * rec.numChannels;
        assert.ok(rec.sampleCount >= 0 && Number.isSafeInteger(rec.sampleCount), label);
        assert.ok(frame > 0);
        expectUserErrorOrResult(label, () => {
          let total = 0;
          for (const c of rec.chunks({ chunkSamples: 1 + f.int(5000) })) total += c.bytes.length;
          assert.equal(total, rec.sampleCount * bytesPerSample(rec.format), label);
          const start = f.int(rec.sampleCount + 10);
          const n = rec.read(start, f.int(20000), buf);
          assert.ok(n >= 0 && n <= Math.max(0, rec.sampleCount - start), label);
        });
      } finally {
        rec.close();
      }
      return true;
    };

    const pair = join(tmp, 'case');
    for (let i = 0; i < 2500; i++) {
      // Metadata damage plus a data file of a random size.
      const mode = i % 2;
      const text = mode === 0 ? f.mutateText(metaText) : JSON.stringify(f.mutateDoc(BASE_DOC));
      writeFileSync(`${pair}.sigmf-meta`, text);
      writeFileSync(
        `${pair}.sigmf-data`,
        new Uint8Array(f.pick([0, 1, 3, 4, 400, 2400, 2403, 4000, 4000, 4001, 8000, 8000, 12000])),
      );
      if (
        exercise(`pair case ${i}: ${text.slice(0, 160)}`, `${pair}.sigmf-meta`, {
          verifyChecksum: f.chance(0.2),
          channel: f.pick([0, 0, 1]),
        })
      ) {
        opened.pair++;
      }
    }

    const damaged = join(tmp, 'damaged.sigmf');
    for (let i = 0; i < 1500; i++) {
      const bytes = Uint8Array.from(archiveBytes);
      let out: Uint8Array = bytes;
      switch (i % 4) {
        case 0:
          out = bytes.subarray(0, f.int(bytes.length)); // truncated
          break;
        case 1: // random bytes flipped, mostly in headers
          for (let k = 1 + f.int(8); k > 0; k--) {
            const block = f.pick([0, 512, 1024, 1536, 2048, f.int(bytes.length >> 9) << 9]);
            const at = Math.min(bytes.length - 1, block + (f.chance(0.5) ? 124 + f.int(12) : f.int(512)));
            bytes[at] = f.int(256);
          }
          break;
        case 2: {
          // A size field rewritten (octal or base-256), keeping the checksum valid or not.
          const block = f.pick([0, 512, 1024, 1536, 2048]);
          const size = f.pick([0, 1, 511, 513, 4000, 1e9, 2 ** 40, 2 ** 60]);
          const field = f.chance(0.5) ? size.toString(8).padStart(11, '0').slice(-11) : '';
          if (field !== '') for (let k = 0; k < 11; k++) bytes[block + 124 + k] = field.charCodeAt(k);
          else {
            bytes[block + 124] = 0x80 | f.int(0x80);
            for (let k = 1; k < 12; k++) bytes[block + 124 + k] = f.int(256);
          }
          if (f.chance(0.7)) {
            let sum = 0;
            for (let k = 0; k < 512; k++) sum += k >= 148 && k < 156 ? 32 : (bytes[block + k] as number);
            const s = sum.toString(8).padStart(6, '0');
            for (let k = 0; k < 6; k++) bytes[block + 148 + k] = s.charCodeAt(k);
          }
          break;
        }
        default:
          out = Uint8Array.from({ length: f.int(3000) }, () => f.int(256)); // garbage
      }
      writeFileSync(damaged, out);
      if (exercise(`tar case ${i}`, damaged, { verifyChecksum: f.chance(0.3) })) opened.tar++;
    }

    // Raw files with random sizes and options.
    for (let i = 0; i < 600; i++) {
      const ext = f.pick([
        '.cu8',
        '.cs8',
        '.cs16',
        '.cf32',
        '.cfile',
        '.cu16',
        '.cf64',
        '.iq',
        '.bin',
        '.raw',
        '.wav',
      ]);
      const path = join(tmp, `raw${ext}`);
      writeFileSync(path, new Uint8Array(f.chance(0.5) ? 16 * f.int(8) : f.int(100)));
      const rate = f.pick([undefined, 0, -1, NaN, Infinity, 1, 2.4e6]);
      const ok = exercise(`raw case ${i} ${ext} rate ${rate}`, path, {
        ...(rate === undefined ? {} : { sampleRate: rate }),
        ...(f.chance(0.3) ? { datatype: String(f.value()) } : {}),
        ...(f.chance(0.2) ? { centerFrequency: f.pick([NaN, 1e9, -5]) } : {}),
      });
      if (ok) opened.raw++;
    }
    assert.ok(
      opened.pair > 30 && opened.tar > 30 && opened.raw > 20,
      `damaged inputs that stay valid are read through: ${JSON.stringify(opened)}`,
    );
  },
);

test(
  'sweep CSVs: mutated and random lines stitch into sweeps or fail with a UserError',
  { timeout: 120_000 },
  async () => {
    const f = new Fuzz(0xc5f);
    const rtl = (s: number): string =>
      `2018-11-18, 12:48:${String(s).padStart(2, '0')}, 80150000, 80250000, 781.25, 12480, ${Array.from({ length: 129 }, (_, k) => (-28 + (k % 7) / 10).toFixed(2)).join(', ')}`;
    const hackrf = (low: number, s: number): string =>
      `2020-06-26, 14:57:${String(s).padStart(2, '0')}.${String(low).padStart(6, '0')}, ${low * 1e6}, ${(low + 5) * 1e6}, 1000000.00, 20, -8.30, -20.33, -41.12, -46.21, -58.57`;
    let sweeps = 0;
    for (let i = 0; i < 3000; i++) {
      let lines: string[];
      if (i % 2 === 0) lines = Array.from({ length: 1 + f.int(6) }, (_, k) => rtl(k));
      else
        lines = [0, 10, 5, 15, 20, 30, 25, 35, 0, 10].slice(0, 1 + f.int(10)).map((low, k) => hackrf(low, k));
      for (let k = f.int(4); k > 0; k--) {
        if (lines.length === 0) break;
        const at = f.int(lines.length);
        const choice = f.int(5);
        if (choice === 0) lines[at] = f.mutateText(lines[at] as string);
        else if (choice === 1)
          lines.splice(at, 0, Array.from({ length: f.int(12) }, () => String(f.value())).join(','));
        else if (choice === 2) lines.splice(at, 1);
        else if (choice === 3) lines.reverse();
        else
          lines[at] = (lines[at] as string).replace(
            /, [^,]*$/,
            f.pick(['', ',', ', x', ', 1, 2', ', nan', ', 1e999']),
          );
      }
      const label = `csv case ${i}: ${lines.join(' | ').slice(0, 300)}`;
      try {
        for await (const s of readSweeps(lines, { source: 'fuzz.csv' })) {
          sweeps++;
          assert.ok(
            s.db.length > 0 && Number.isFinite(s.startHz) && s.binHz > 0 && !Number.isNaN(s.time.getTime()),
            label,
          );
        }
      } catch (e) {
        if (!(e instanceof UserError))
          assert.fail(`${label}: threw ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        assert.equal(e.source, 'fuzz.csv', label);
        assert.ok(
          e.line !== undefined || /no sweep rows/.test(e.message),
          `${label}: names the line (${e.describe()})`,
        );
      }
    }
    assert.ok(sweeps > 500, `valid inputs still produce sweeps (${sweeps})`);
  },
);
