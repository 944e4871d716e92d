import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadConfig } from '@heimdall/config';
import { UserError } from '@heimdall/errors';
import { formatSweepRow, parseSweepRow, sweepToRows, writeSweepCsv, type Sweep } from './sweep-csv.ts';
import { detectSweepFormat, readSweeps } from './sweep-stitcher.ts';

const DATA = loadConfig().sharedDataDir;
const noData = existsSync(join(DATA, 'CATALOG.md'))
  ? false
  : `shared recordings not found in ${DATA} (set HEIMDALL_SHARED_DATA)`;
const RTL = join(DATA, 'sweep-rtl_power-fm802');
const HACKRF = join(DATA, 'sweep-hackrf_sweep-0-6GHz/hackrf_sweep.csv');
const tmp = mkdtempSync(join(tmpdir(), 'heimdall-sweep-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

async function all(
  input: Parameters<typeof readSweeps>[0],
  opts?: Parameters<typeof readSweeps>[1],
): Promise<Sweep[]> {
  const out: Sweep[] = [];
  for await (const s of readSweeps(input, opts)) out.push(s);
  return out;
}

async function failure(lines: string[]): Promise<UserError> {
  try {
    await all(lines, { source: 'scan.csv' });
  } catch (e) {
    assert.ok(e instanceof UserError, `expected a UserError, got ${String(e)}`);
    assert.equal(e.source, 'scan.csv');
    assert.ok(e.fix !== undefined && e.fix !== '');
    return e;
  }
  assert.fail('expected a UserError');
}

/** Mean spectrum (linear power average) of several sweeps, in dB. */
function mean(sweeps: readonly Sweep[]): number[] {
  const n = sweeps[0]?.db.length ?? 0;
  const acc = new Float64Array(n);
  for (const s of sweeps)
    for (let i = 0; i < n; i++) acc[i] = (acc[i] as number) + 10 ** ((s.db[i] as number) / 10);
  return [...acc].map((v) => 10 * Math.log10(v / sweeps.length));
}

const argmax = (v: readonly number[]): number =>
  v.reduce((best, x, i) => (x > (v[best] as number) ? i : best), 0);

test(
  'rtl_power FM802: 299 one-second sweeps of 129 bins, the FM carrier at 80.2 MHz',
  { skip: noData },
  async () => {
    const reader = readSweeps(join(RTL, 'fm802-3.csv'));
    const sweeps: Sweep[] = [];
    for await (const s of reader) sweeps.push(s);
    assert.equal(reader.format, 'rtl_power');
    assert.equal(sweeps.length, 299);
    for (const s of sweeps) {
      assert.deepEqual([s.db.length, s.startHz, s.binHz], [129, 80_150_000, 781.25]);
      assert.ok(s.db.every((v) => Number.isFinite(v)));
    }
    assert.equal(sweeps[0]?.time.toISOString(), '2018-11-18T12:48:15.000Z');
    assert.equal(sweeps[298]?.time.toISOString(), '2018-11-18T12:53:13.000Z');
    assert.equal(sweeps[0]?.db[0], Math.fround(-28.02));
    assert.equal(
      sweeps[0]?.db[128],
      Math.fround(Number(readFileSync(join(RTL, 'fm802-3.csv'), 'utf8').split('\n')[0]?.split(',').at(-1))),
    );
    const spectrum = mean(sweeps);
    const peakHz = 80_150_000 + argmax(spectrum) * 781.25;
    assert.ok(Math.abs(peakHz - 80.2e6) <= 2 * 781.25, `strongest bin at ${peakHz} Hz`);
    assert.ok((spectrum[64] as number) > (spectrum[0] as number) + 2, 'carrier stands out of the band edges');

    const osaka = mean(await all(join(RTL, 'fmosaka-3.csv')));
    const osakaHz = 85_050_000 + argmax(osaka) * 781.25;
    assert.ok(Math.abs(osakaHz - 85.1e6) <= 10_000, `FM OSAKA strongest bin at ${osakaHz} Hz`);
  },
);

test(
  'hackrf_sweep 0-6 GHz: 1,200 interleaved rows stitch into one sweep of 6,000 ascending bins',
  { skip: noData },
  async () => {
    const reader = readSweeps(HACKRF);
    const sweeps: Sweep[] = [];
    for await (const s of reader) sweeps.push(s);
    assert.equal(reader.format, 'hackrf_sweep');
    assert.equal(await detectSweepFormat(HACKRF), 'hackrf_sweep');
    assert.equal(await detectSweepFormat(join(RTL, 'fm802-3.csv')), 'rtl_power');
    assert.equal(sweeps.length, 1);
    const s = sweeps[0] as Sweep;
    assert.deepEqual([s.db.length, s.startHz, s.binHz], [6000, 0, 1e6]);
    assert.equal(s.time.toISOString(), '2020-06-26T14:57:57.000Z');
    assert.ok(
      s.db.every((v) => Number.isFinite(v)),
      'no gaps',
    );
    // Rows 1-3 of the file: 0-5 MHz, then 10-15 MHz, then 5-10 MHz; bins land by frequency.
    assert.deepEqual([...s.db.subarray(0, 5)], [-8.3, -20.33, -41.12, -46.21, -58.57].map(Math.fround));
    assert.deepEqual([...s.db.subarray(5, 10)], [-55.66, -54.51, -64.75, -57.63, -62.6].map(Math.fround));
    assert.deepEqual([...s.db.subarray(10, 15)], [-55.28, -52.98, -50.1, -50.96, -48.47].map(Math.fround));
    assert.equal(s.db[5999], Math.fround(-61.89));
  },
);

test('writers round-trip the real files in both formats', { skip: noData }, async () => {
  const rtl = await all(join(RTL, 'fm802-3.csv'));
  const hackrf = await all(HACKRF);
  for (const [name, sweeps, format] of [
    ['rtl.csv', rtl, 'rtl_power'],
    ['hackrf.csv', hackrf, 'hackrf_sweep'],
    ['rtl-as-hackrf.csv', rtl.slice(0, 20), 'hackrf_sweep'],
    ['hackrf-as-rtl.csv', hackrf, 'rtl_power'],
  ] as const) {
    const path = join(tmp, name);
    assert.equal(await writeSweepCsv(path, sweeps, { format, samples: 20 }), sweeps.length);
    const reader = readSweeps(path);
    const back: Sweep[] = [];
    for await (const s of reader) back.push(s);
    assert.equal(reader.format, format, name);
    assert.deepEqual(back, sweeps, name);
  }
  // The file we write looks like the tool's own.
  const line = readFileSync(join(tmp, 'hackrf.csv'), 'utf8').split('\n').slice(0, 3);
  assert.deepEqual(line, [
    '2020-06-26, 14:57:57.000000, 0, 5000000, 1000000.00, 20, -8.30, -20.33, -41.12, -46.21, -58.57',
    '2020-06-26, 14:57:57.000000, 10000000, 15000000, 1000000.00, 20, -55.28, -52.98, -50.10, -50.96, -48.47',
    '2020-06-26, 14:57:57.000000, 5000000, 10000000, 1000000.00, 20, -55.66, -54.51, -64.75, -57.63, -62.60',
  ]);
});

const T = '2024-01-01, 10:00:00';
const row = (
  time: string,
  low: number,
  high: number,
  step: number,
  values: readonly (number | string)[],
): string => `${time}, ${low}, ${high}, ${step.toFixed(2)}, 10, ${values.join(', ')}`;

test('bad rows are UserErrors naming file:line, the column and the fix', async () => {
  const good = row(T, 1000, 1005, 1, [1, 2, 3, 4, 5]);
  const ragged = await failure([good, row('2024-01-01, 10:00:01', 1000, 1005, 1, [1, 2, 3])]);
  assert.equal(ragged.line, 2);
  assert.match(
    ragged.describe(),
    /^scan\.csv:2: dB values: has 3 dB values, but 1000-1005 Hz in steps of 1 Hz needs 5/,
  );
  const nonNumeric = await failure([good, row('2024-01-01, 10:00:01', 1000, 1005, 1, [1, 2, 'x3', 4, 5])]);
  assert.match(nonNumeric.describe(), /^scan\.csv:2: column 9 \(dB value 3\): is not a number \(got "x3"\)/);
  const badLow = await failure([`${T}, 1e3x, 1005, 1.00, 10, 1, 2, 3, 4, 5`]);
  assert.deepEqual([badLow.line, badLow.field], [1, 'Hz low']);
  const backwards = await failure([good, row('2024-01-01, 09:59:59', 1000, 1005, 1, [1, 2, 3, 4, 5])]);
  assert.match(
    backwards.describe(),
    /^scan\.csv:2: time: goes backwards: 2024-01-01T09:59:59\.000Z is before 2024-01-01T10:00:00\.000Z on line 1/,
  );
  const step = await failure([good, row('2024-01-01, 10:00:01', 1000, 1010, 2, [1, 2, 3, 4, 5])]);
  assert.deepEqual([step.line, step.field], [2, 'Hz step']);
  assert.match(step.message, /mixes frequency plans/);
  const range = await failure([
    good,
    good.replace('10:00:00', '10:00:01'),
    row('2024-01-01, 10:00:02', 2000, 2005, 1, [1, 2, 3, 4, 5]),
  ]);
  assert.deepEqual([range.line, range.field], [3, 'Hz low']);
  assert.match(range.message, /not in the frequency plan of the first sweep \(lines 1-1\)/);
  const columns = await failure([good, '2024-01-01, 10:00:01, 1000']);
  assert.deepEqual([columns.line, columns.field], [2, 'columns']);
  const date = await failure([row('2024-02-30, 10:00:00', 1000, 1005, 1, [1, 2, 3, 4, 5])]);
  assert.deepEqual([date.line, date.field], [1, 'date']);
  const empty = await failure(['', '# comment only']);
  assert.match(empty.describe(), /has no sweep rows/);
});

test('nan and inf values as the C tools print them are accepted', () => {
  const r = parseSweepRow(row(T, 0, 4, 1, ['nan', '-inf', 'inf', '-nan']), 1, 'x.csv');
  assert.ok(r);
  assert.ok(Number.isNaN(r.db[0]) && r.db[1] === -Infinity && r.db[2] === Infinity && Number.isNaN(r.db[3]));
  assert.equal(formatSweepRow(r, 'rtl_power'), '2024-01-01, 10:00:00, 0, 4, 1.00, 10, nan, -inf, inf, nan');
  assert.equal(parseSweepRow('   ', 1, 'x.csv'), undefined);
  assert.equal(parseSweepRow('date, time, Hz low, Hz high, Hz step, samples, dB', 1, 'x.csv'), undefined);
});

test('multi-hop rtl_power: hops sharing a timestamp form one sweep; gaps are NaN; overlaps averaged in power', async () => {
  const lines = [
    row(T, 100, 104, 1, [1, 1, 1, 1]),
    row(T, 106, 110, 1, [2, 2, 2, 2]), // 104-105 not covered
    row('2024-01-01, 10:00:05', 100, 104, 1, [3, 3, 3, 3]),
    row('2024-01-01, 10:00:05', 106, 110, 1, [4, 4, 4, 4]),
    row('2024-01-01, 10:00:10', 100, 104, 1, [5, 5, 5, 5]), // cut short: the last sweep is partial
  ];
  const reader = readSweeps(lines);
  const sweeps: Sweep[] = [];
  for await (const s of reader) sweeps.push(s);
  assert.equal(reader.format, 'rtl_power');
  assert.equal(sweeps.length, 3);
  assert.deepEqual(
    sweeps.map((s) => [s.startHz, s.binHz, s.db.length]),
    [
      [100, 1, 10],
      [100, 1, 10],
      [100, 1, 10],
    ],
  );
  assert.deepEqual([...(sweeps[0]?.db ?? [])], [1, 1, 1, 1, NaN, NaN, 2, 2, 2, 2]);
  assert.deepEqual([...(sweeps[2]?.db ?? [])], [5, 5, 5, 5, NaN, NaN, NaN, NaN, NaN, NaN]);

  // rtl_power with cropping: hops overlap by a bin; the shared bin is the power mean.
  const overlapping = await all([
    row(T, 100, 104, 1, [0, 0, 0, 0, 10]),
    row(T, 104, 108, 1, [20, 0, 0, 0, 0]),
  ]);
  assert.equal(overlapping.length, 1);
  assert.equal(overlapping[0]?.db.length, 9);
  assert.ok(Math.abs((overlapping[0]?.db[4] as number) - 10 * Math.log10((10 + 100) / 2)) < 1e-4);
});

test('several hackrf_sweep sweeps in one file: a sweep ends when its first range comes round again', async () => {
  const lines: string[] = [];
  let second = 0;
  for (let sweep = 0; sweep < 3; sweep++) {
    for (const low of [0, 10, 5, 15, 20, 30, 25, 35]) {
      const t = `2024-01-01, 10:00:${String(Math.floor(second++ / 6)).padStart(2, '0')}.${String(second * 1000).padStart(6, '0')}`;
      lines.push(row(t, low * 1e6, (low + 5) * 1e6, 1e6, [sweep, sweep, sweep, sweep, low]));
    }
  }
  async function* asAsync(): AsyncGenerator<string> {
    yield* lines;
  }
  const reader = readSweeps(asAsync(), { source: 'stream' });
  const sweeps: Sweep[] = [];
  for await (const s of reader) sweeps.push(s);
  assert.equal(reader.format, 'hackrf_sweep');
  assert.equal(sweeps.length, 3);
  for (const [i, s] of sweeps.entries()) {
    assert.equal(s.db.length, 40);
    assert.deepEqual([...s.db.subarray(0, 4)], [i, i, i, i]);
    assert.equal(s.db[14], 10, 'the 10-15 MHz row lands at 14 MHz');
  }
});

test("sweepToRows writes hackrf_sweep rows in the tool's interleaved order", () => {
  const sweep: Sweep = { time: new Date(0), startHz: 0, binHz: 1e6, db: new Float32Array(40) };
  assert.deepEqual(
    sweepToRows(sweep, { format: 'hackrf_sweep' }).map((r) => r.lowHz / 1e6),
    [0, 10, 5, 15, 20, 30, 25, 35],
  );
  assert.deepEqual(
    sweepToRows(sweep, { format: 'rtl_power' }).map((r) => [r.lowHz, r.highHz, r.db.length]),
    [[0, 40e6, 40]],
  );
});
