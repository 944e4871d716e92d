import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../command.ts';
import { evalLocalizeCommand } from './eval-localize.command.ts';
import { commandContext as context } from '../command-test-kit.ts';

interface Row {
  trials: number;
  median_m: number;
  p90_m: number;
  ellipse_coverage: number;
  failed: number;
}

test('eval localize on simulated GPS nodes over 20 km meets the TDOA and power bars', async () => {
  const c = context(['tdoa-20km', '--trials', '40', '--json']);
  assert.equal(await evalLocalizeCommand.run(c.ctx), 0);
  const s = JSON.parse(c.out()) as { mean_spacing_m: number; tdoa: Row; power: Row };
  assert.equal(s.tdoa.trials, 40);
  assert.equal(s.tdoa.failed, 0);
  assert.ok(s.tdoa.median_m < 30, `TDOA median ${s.tdoa.median_m} m`);
  // 95 % nominal; 40 trials leave a binomial spread of about 3.5 %.
  assert.ok(s.tdoa.ellipse_coverage >= 0.85, `TDOA coverage ${s.tdoa.ellipse_coverage}`);
  assert.ok(s.power.median_m < 0.12 * s.mean_spacing_m, `power median ${s.power.median_m} m`);
});

test('eval localize prints a table and refuses a missing scenario argument', async () => {
  const c = context(['tdoa-20km', '--trials', '3']);
  assert.equal(await evalLocalizeCommand.run(c.ctx), 0);
  assert.match(c.out(), /^tdoa-20km: 5 nodes, mean spacing \d+ m\nmethod +trials +median_m +p90_m/);
  assert.match(c.out(), /\ntdoa +3 /);
  await assert.rejects(evalLocalizeCommand.run(context(['--trials', '3']).ctx), UsageError);
});
