import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UserError } from '@heimdall/errors';
import { parseScenario } from './scenario.ts';

const GOOD = `seed: 1
nodes:
  - name: a
    latitude: 52.2
    longitude: 6.8
    center_frequency: 145.5 MHz
emitters:
  - name: beacon
    latitude: 52.3
    longitude: 6.9
    frequency: 145.4 MHz
    power_w: 10
    modulation: cw
  - name: rep
    latitude: 52.3
    longitude: 6.9
    frequency: 145.6 MHz
    power_dbm: 44
    modulation: { type: nbfm, ctcss: 88.5 }
    schedule: { type: poisson, rate_per_hour: 20, mean_duration_s: 15 min }
`;

function problem(text: string): UserError {
  try {
    parseScenario(text, 'demo.yaml');
  } catch (e) {
    assert.ok(e instanceof UserError, `expected a UserError, got ${String(e)}`);
    return e;
  }
  assert.fail('the scenario was accepted');
}

test('a valid scenario parses with defaults and unit strings', () => {
  const s = parseScenario(GOOD, 'good.yaml');
  assert.equal(s.nodes[0]?.sample_rate, 2_400_000);
  assert.equal(s.nodes[0]?.center_frequency, 145_500_000);
  assert.equal(s.emitters[1]?.schedule.type, 'poisson');
  assert.equal(s.emitters[1]?.schedule.type === 'poisson' && s.emitters[1].schedule.mean_duration_s, 900);
  assert.equal(s.emitters[0]?.modulation.type, 'cw');
});

test('an unknown modulation names the field as written, the line and the choices', () => {
  const e = problem(GOOD.replace('modulation: cw', 'modulation: fmm'));
  assert.equal(e.field, 'emitters[0].modulation');
  assert.equal(e.line, 13);
  assert.match(
    e.describe(),
    /^demo\.yaml:13: emitters\[0\]\.modulation: unknown modulation "fmm"; fix: use one of cw, am, wbfm/,
  );
});

test('an unknown modulation type inside a mapping names the type field', () => {
  const e = problem(GOOD.replace('type: nbfm', 'type: fmm'));
  assert.equal(e.field, 'emitters[1].modulation.type');
  assert.match(e.message, /unknown modulation "fmm"/);
});

test('a negative power is refused with a fix', () => {
  const e = problem(GOOD.replace('power_w: 10', 'power_w: -5'));
  assert.equal(e.field, 'emitters[0].power_w');
  assert.match(e.message, /must be positive \(got -5\)/);
  assert.match(e.fix ?? '', /watts/);
});

test('a node tuned outside its frequency range is refused', () => {
  const e = problem(GOOD.replace('center_frequency: 145.5 MHz', 'center_frequency: 5 MHz'));
  assert.equal(e.field, 'nodes[0].center_frequency');
  assert.match(e.message, /5 MHz is outside the node's frequency range 24 MHz to 1.766 GHz/);
  assert.equal(e.line, 6);
});

test('a missing field is named with an example', () => {
  const e = problem(GOOD.replace('seed: 1\n', ''));
  assert.equal(e.field, 'seed');
  assert.match(e.describe(), /missing required field "seed"; fix: add seed: 42/);
  const f = problem(GOOD.replace('    frequency: 145.4 MHz\n', ''));
  assert.equal(f.field, 'emitters[0].frequency');
});

test('a missing power, an unknown field and an anomaly on an unknown emitter are named', () => {
  assert.equal(problem(GOOD.replace('    power_w: 10\n', '')).field, 'emitters[0].power_w');
  const u = problem(GOOD.replace('power_w: 10', 'power_w: 10\n    colour: red'));
  assert.equal(u.field, 'emitters[0].colour');
  const a = problem(
    `${GOOD}anomalies:\n  - { type: power_jump, emitter: nope, start_s: 1, duration_s: 2, change_db: 6 }\n`,
  );
  assert.equal(a.field, 'anomalies[0].emitter');
  assert.match(a.fix ?? '', /beacon/);
});

test('broken YAML reports its line', () => {
  const e = problem('seed: 1\nnodes: [\n  - name: a\n');
  assert.equal(e.source, 'demo.yaml');
  assert.ok(e.line !== undefined && e.line >= 2);
});
