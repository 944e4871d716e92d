import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { UserError } from '@heimdall/errors';
import { loadScenario } from './scenario-file.ts';
import { runSimulation } from './sim-run.service.ts';

test('sim run writes SigMF with truth annotations and a JSON event list, identical for the same seed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'heimdall-simrun-'));
  const scene = loadScenario('demo');
  const run = (name: string) =>
    runSimulation({
      scene,
      node: 'twente',
      seconds: 2,
      out: join(dir, `${name}.sigmf-meta`),
      startTime: 119,
    });
  const a = run('a');
  const b = run('b');
  assert.equal(statSync(a.dataPath).size, 2 * 2 * 2_400_000);
  const meta = JSON.parse(readFileSync(a.metaPath, 'utf8')) as {
    global: Record<string, unknown>;
    annotations: Record<string, unknown>[];
  };
  assert.equal(meta.global['core:datatype'], 'cu8');
  assert.equal(meta.global['heimdall:node'], 'twente');
  assert.equal(
    meta.global['core:sha512'],
    (JSON.parse(readFileSync(b.metaPath, 'utf8')) as typeof meta).global['core:sha512'],
  );
  // the jammer anomaly starts at 120 s: one second into this recording
  const jam = meta.annotations.find((x) => x['heimdall:kind'] === 'jammer');
  assert.ok(jam, 'no jammer annotation');
  assert.ok(Math.abs(Number(jam['core:sample_start']) - 2_400_000) < 2400);
  assert.equal(jam['heimdall:truth'], true);
  assert.ok(
    meta.annotations.some(
      (x) => x['heimdall:kind'] === 'transmission' && x['heimdall:emitter'] === 'beacon-2m-jo32',
    ),
  );
  const truth = JSON.parse(readFileSync(a.truthPath, 'utf8')) as {
    events: { kind: string }[];
    samples: number;
  };
  assert.equal(truth.samples, 4_800_000);
  assert.equal(truth.events.length, meta.annotations.length);
});

test('a missing scenario file or unknown node is a UserError that says what to do', () => {
  assert.throws(
    () => loadScenario('/nonexistent/scene.yaml'),
    (e: unknown) => e instanceof UserError && /demo/.test(e.fix ?? ''),
  );
  assert.throws(
    () =>
      runSimulation({ scene: loadScenario('demo'), node: 'atlantis', seconds: 1, out: join(tmpdir(), 'x') }),
    (e: unknown) => e instanceof UserError && /twente/.test(e.fix ?? ''),
  );
});
