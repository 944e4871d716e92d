import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runSimulation } from '@heimdall/agent';
import { UserError } from '@heimdall/errors';
import { writeSweepCsv } from '@heimdall/formats';
import {
  compileScene,
  loadBuiltinScenario,
  renderPowerFrames,
  SimReceiver,
  validateScenario,
} from '@heimdall/sim';
import { tempDir } from '../cli-harness.ts';
import { anomaliesDetectCommand, anomaliesTrainCommand } from './anomalies.command.ts';
import { commandContext as context } from '../command-test-kit.ts';

const DATA = new URL('../../../../../shared/data/', import.meta.url).pathname;

interface EventLine {
  kind: string;
  start: string;
  end: string;
  freq_lower_hz: number;
  freq_upper_hz: number;
  score: number;
  severity: string;
  explanation: string;
}

async function train(argv: string[]): Promise<string> {
  const c = context(argv);
  assert.equal(await anomaliesTrainCommand.run(c.ctx), 0);
  return c.err();
}

async function detect(argv: string[]): Promise<EventLine[]> {
  const c = context([...argv, '--json']);
  assert.equal(await anomaliesDetectCommand.run(c.ctx), 0);
  return c
    .out()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as EventLine);
}

for (const name of ['fm802-3.csv', 'fmosaka-3.csv']) {
  test(`real rtl_power sweeps with nothing unusual (${name}): trained on the first half, the second half raises no high-severity anomaly`, async () => {
    const dir = tempDir('anomalies-real');
    const lines = readFileSync(join(DATA, 'sweep-rtl_power-fm802', name), 'utf8')
      .trimEnd()
      .split('\n');
    const half = Math.floor(lines.length / 2);
    writeFileSync(join(dir, 'first.csv'), `${lines.slice(0, half).join('\n')}\n`);
    writeFileSync(join(dir, 'second.csv'), `${lines.slice(half).join('\n')}\n`);
    const model = join(dir, 'model.json');
    const summary = await train([join(dir, 'first.csv'), '--out', model, '--node', 'osaka']);
    assert.match(summary, /model osaka@2018-11-18T\d\d:\d\d:\d\d\.000Z, \d+ frames/);
    const events = await detect(['--model', model, join(dir, 'second.csv')]);
    const high = events.filter((e) => e.severity === 'high');
    assert.deepEqual(high, [], JSON.stringify(high));
  });
}

test('rtl_power CSV from the simulator: a new emitter in the scored day is reported with its band, time and JSON fields', async () => {
  const dir = tempDir('anomalies-csv');
  const spec = loadBuiltinScenario('demo');
  assert.ok(spec);
  const normal = compileScene({ ...spec, anomalies: [] });
  const day = 86_400;
  const trainRun = renderPowerFrames(new SimReceiver(normal, 'bratislava', { startTime: 0 }), {
    seconds: day,
    frameSeconds: 60,
  });
  const sweeps = (frames: typeof trainRun.frames) =>
    frames.map((f) => ({ time: new Date(f.timeMs), startHz: f.startHz, binHz: f.binHz, db: f.db }));
  await writeSweepCsv(join(dir, 'day1.csv'), sweeps(trainRun.frames), { format: 'rtl_power' });
  const start = day + 3 * 3600;
  const withNew = compileScene(
    validateScenario(
      {
        ...spec,
        anomalies: [
          {
            type: 'new_emitter',
            start_s: start + 1800,
            duration_s: 900,
            emitter: {
              name: 'intruder',
              latitude: 48.15,
              longitude: 17.11,
              frequency: 433.5e6,
              power_dbm: 0,
              modulation: { type: 'fsk', symbol_rate: 4800, deviation: 3000 },
            },
          },
        ],
      },
      'test',
    ),
  );
  const testRun = renderPowerFrames(new SimReceiver(withNew, 'bratislava', { startTime: start }), {
    seconds: 3 * 3600,
    frameSeconds: 60,
  });
  await writeSweepCsv(join(dir, 'day2.csv'), sweeps(testRun.frames), { format: 'rtl_power' });
  const model = join(dir, 'bratislava.model.json');
  await train([join(dir, 'day1.csv'), '--out', model, '--node', 'bratislava']);
  const events = await detect(['--model', model, join(dir, 'day2.csv')]);
  const found = events.filter((e) => e.freq_lower_hz <= 433.5e6 && e.freq_upper_hz >= 433.5e6);
  assert.equal(found.length, 1, JSON.stringify(events));
  const e = found[0] as EventLine;
  assert.equal(e.kind, 'new_emitter');
  assert.equal(e.severity, 'high');
  assert.ok(e.score > 0.999 && e.score <= 1);
  const t0 = withNew.startMs + (start + 1800) * 1000;
  assert.ok(Math.abs(Date.parse(e.start) - t0) <= 120_000, e.start);
  assert.ok(Math.abs(Date.parse(e.end) - (t0 + 900_000)) <= 120_000, e.end);
  assert.match(
    e.explanation,
    // a day of training: the hour-of-day baseline (no weekday named)
    /^new emitter at 433\.(49|50)\d MHz, \d+ dB above the usual level for 0\d:00 UTC at bratislava$/,
  );
  // nothing else loud in a normal morning
  assert.deepEqual(
    events.filter((x) => x !== e && x.severity === 'high'),
    [],
  );
});

test('a simulator run folder (SigMF) trains a model; a jammer in another run is found', async () => {
  const scene = compileScene(loadBuiltinScenario('demo') ?? assert.fail('no demo'));
  const trainDir = tempDir('anomalies-simrun-train');
  const testDir = tempDir('anomalies-simrun-test');
  runSimulation({
    scene,
    node: 'twente',
    seconds: 24,
    startTime: 3600,
    out: join(trainDir, 'twente.sigmf-meta'),
  });
  // the demo's noise jammer: 145.3 MHz, 120-165 s
  runSimulation({
    scene,
    node: 'twente',
    seconds: 24,
    startTime: 126,
    out: join(testDir, 'twente.sigmf-meta'),
  });
  const model = join(trainDir, 'model.json');
  await train([trainDir, '--out', model, '--frame', '0.5']);
  const events = await detect(['--model', model, testDir, '--frame', '0.5']);
  const jam = events.find((e) => e.kind === 'wideband_noise');
  assert.ok(jam, JSON.stringify(events.map((e) => e.explanation)));
  assert.ok(
    jam.freq_lower_hz < 145.3e6 && jam.freq_upper_hz > 145.3e6,
    `${jam.freq_lower_hz}-${jam.freq_upper_hz}`,
  );
});

test('bad inputs are refused with the file (and line) named', async () => {
  const dir = tempDir('anomalies-bad');
  const good = '2018-11-18, 12:48:15, 80150000, 80250000, 25000, 10, -28.1, -27.9, -28.4, -27.5';
  const ragged = '2018-11-18, 12:48:16, 80150000, 80250000, 25000, 10, -28.1, -27.9';
  writeFileSync(join(dir, 'ragged.csv'), `${good}\n${ragged}\n`);
  await assert.rejects(
    anomaliesTrainCommand.run(context([join(dir, 'ragged.csv'), '--out', join(dir, 'm.json')]).ctx),
    (e: unknown) => e instanceof UserError && e.source === join(dir, 'ragged.csv') && e.line === 2,
  );
  const back = '2018-11-18, 12:48:14, 80150000, 80250000, 25000, 10, -28.1, -27.9, -28.4, -27.5';
  writeFileSync(join(dir, 'back.csv'), `${good}\n${back}\n`);
  await assert.rejects(
    anomaliesTrainCommand.run(context([join(dir, 'back.csv'), '--out', join(dir, 'm.json')]).ctx),
    (e: unknown) => e instanceof UserError && e.line === 2 && /backwards/.test(e.message),
  );
  const other = '2018-11-18, 12:48:16, 80150000, 80300000, 50000, 10, -28.1, -27.9, -28.4';
  writeFileSync(join(dir, 'mixed.csv'), `${good}\n${other}\n`);
  await assert.rejects(
    anomaliesTrainCommand.run(context([join(dir, 'mixed.csv'), '--out', join(dir, 'm.json')]).ctx),
    (e: unknown) => e instanceof UserError && e.line === 2 && /mixes frequency plans/.test(e.message),
  );
  // a model of another format version
  const lines = readFileSync(join(DATA, 'sweep-rtl_power-fm802', 'fm802-3.csv'), 'utf8');
  writeFileSync(join(dir, 'fm.csv'), lines);
  const model = join(dir, 'fm.model.json');
  await train([join(dir, 'fm.csv'), '--out', model]);
  const m = JSON.parse(readFileSync(model, 'utf8')) as Record<string, unknown>;
  writeFileSync(join(dir, 'v99.json'), JSON.stringify({ ...m, version: 99 }));
  await assert.rejects(
    anomaliesDetectCommand.run(context(['--model', join(dir, 'v99.json'), join(dir, 'fm.csv')]).ctx),
    (e: unknown) =>
      e instanceof UserError && e.source === join(dir, 'v99.json') && /format version 99/.test(e.message),
  );
  // a sweep of another frequency plan than the model's
  writeFileSync(join(dir, 'osaka.csv'), readFileSync(join(DATA, 'sweep-rtl_power-fm802', 'fmosaka-3.csv')));
  await assert.rejects(
    anomaliesDetectCommand.run(context(['--model', model, join(dir, 'osaka.csv')]).ctx),
    (e: unknown) =>
      e instanceof UserError &&
      (e.source ?? '').startsWith(join(dir, 'osaka.csv')) &&
      /frequency plan/.test(e.message),
  );
});
