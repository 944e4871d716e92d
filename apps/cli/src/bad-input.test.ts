import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { heimdall, tempDir } from './cli-harness.ts';

const dir = tempDir('bad-input');

function pair(
  name: string,
  global: Record<string, unknown>,
  dataBytes: number | undefined,
  extra: Record<string, unknown> = {},
) {
  const meta = join(dir, `${name}.sigmf-meta`);
  writeFileSync(
    meta,
    JSON.stringify({
      global: { 'core:version': '1.0.0', 'core:datatype': 'ci16_le', 'core:sample_rate': 1e6, ...global },
      captures: [{ 'core:sample_start': 0, 'core:frequency': 100e6 }],
      annotations: [],
      ...extra,
    }),
  );
  if (dataBytes !== undefined) writeFileSync(join(dir, `${name}.sigmf-data`), Buffer.alloc(dataBytes, 1));
  return meta;
}

interface Case {
  readonly name: string;
  readonly args: () => string[];
  /** Words the one-line message must contain: the file, the field, the fix. */
  readonly mentions: readonly (string | RegExp)[];
}

const cases: Case[] = [
  {
    name: 'a missing data file',
    args: () => ['psd', pair('nodata', {}, undefined)],
    mentions: ['nodata.sigmf-data', /beside/],
  },
  {
    name: 'a size that is not a whole number of samples',
    args: () => ['psd', pair('ragged', {}, 4 * 1000 + 3)],
    mentions: ['ragged', /4003/, /fix:/],
  },
  {
    name: 'an unknown datatype',
    args: () => ['psd', pair('unknown-type', { 'core:datatype': 'cq16_le' }, 4096)],
    mentions: ['unknown-type.sigmf-meta', 'core:datatype', /fix:/],
  },
  {
    name: 'a real datatype',
    args: () => ['analyze', pair('real-type', { 'core:datatype': 'rf32_le' }, 4096)],
    mentions: ['real-type.sigmf-meta', 'core:datatype', /real/, /fix:/],
  },
  {
    name: 'invalid JSON',
    args: () => {
      const meta = join(dir, 'broken.sigmf-meta');
      writeFileSync(meta, '{\n  "global": {\n    "core:datatype": "cf32_le",,\n  }\n}\n');
      writeFileSync(join(dir, 'broken.sigmf-data'), Buffer.alloc(800));
      return ['psd', meta];
    },
    mentions: ['broken.sigmf-meta', /line 3/, /fix:/],
  },
  {
    name: 'a capture past the end of the data',
    args: () => [
      'psd',
      pair('short', {}, 4 * 1000, {
        captures: [
          { 'core:sample_start': 0, 'core:frequency': 100e6 },
          { 'core:sample_start': 5000, 'core:frequency': 100e6 },
        ],
      }),
    ],
    mentions: ['short.sigmf-meta', /captures\[1\]/, /fix:/],
  },
  {
    name: 'a zero sample rate',
    args: () => ['psd', pair('zero-rate', { 'core:sample_rate': 0 }, 4 * 4096)],
    mentions: ['zero-rate.sigmf-meta', 'core:sample_rate', /fix:/],
  },
  {
    name: 'a negative sample rate',
    args: () => ['analyze', pair('negative-rate', { 'core:sample_rate': -2e6 }, 4 * 4096)],
    mentions: ['negative-rate.sigmf-meta', 'core:sample_rate', /fix:/],
  },
  {
    name: 'an FFT size that is not a power of two',
    args: () => ['psd', pair('good', {}, 4 * 8192), '--fft', '1000'],
    mentions: ['good.sigmf-meta', '--fft', /power of two/, /fix:/],
  },
  {
    name: 'a raw file without a sample rate',
    args: () => {
      const raw = join(dir, 'capture.cu8');
      writeFileSync(raw, Buffer.alloc(2048, 128));
      return ['psd', raw];
    },
    mentions: ['capture.cu8', '--rate', /fix:/],
  },
  {
    name: 'a file that does not exist',
    args: () => ['analyze', join(dir, 'nothing-here.sigmf-meta')],
    mentions: ['nothing-here.sigmf-meta', /fix:/],
  },
];

describe('bad input gets one line naming the file, the field and the fix, and exit code 1', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const r = await heimdall(c.args());
      assert.equal(r.code, 1, `exit code ${r.code}; stderr: ${r.stderr}`);
      assert.equal(r.stdout, '');
      const lines = r.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, `expected one line, got:\n${r.stderr}`);
      for (const m of c.mentions) {
        if (typeof m === 'string') assert.ok(r.stderr.includes(m), `"${m}" missing from: ${r.stderr}`);
        else assert.match(r.stderr, m);
      }
      assert.doesNotMatch(r.stderr, /\bat .*\.(js|ts):\d+/, 'no stack trace');
    });
  }
});

describe('bad usage gets exit code 2 and the usage line', () => {
  it('an unknown option', async () => {
    const r = await heimdall(['psd', 'x.sigmf-meta', '--fast']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--fast/);
    assert.match(r.stderr, /usage: heimdall psd/);
  });
  it('no recording', async () => {
    const r = await heimdall(['analyze']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /needs a recording/);
  });
  it('an unknown verb', async () => {
    const r = await heimdall(['spectrum']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown verb "spectrum"/);
  });
  it('--help on every verb prints its usage and exits 0', async () => {
    const list = await heimdall(['--help']);
    assert.equal(list.code, 0);
    const verbs = [...list.stdout.matchAll(/^ {2}(\S+(?: (?!\s)\S+)?)\s{2,}/gm)].map((m) => m[1] as string);
    assert.ok(verbs.includes('psd') && verbs.includes('analyze'), list.stdout);
    for (const verb of verbs) {
      const r = await heimdall([...verb.split(' '), '--help']);
      assert.equal(r.code, 0, `${verb} --help: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`usage: heimdall ${verb}`));
    }
  });
});
