import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../command.ts';
import { evalAnomaliesCommand } from './eval-anomalies.command.ts';
import { commandContext as context } from '../command-test-kit.ts';

interface KindRow {
  kind: string;
  injected: number;
  detected: number;
  detectionRate: number;
  auc: number;
}

test('eval anomalies on three demo nodes (2 days of training, 1 scored): ROC-AUC >= 0.98 and >= 95 % caught at 1 % false alarms, per kind', async () => {
  const c = context(['demo', '--days', '3', '--nodes', 'twente,hack-green,bratislava', '--json']);
  assert.equal(await evalAnomaliesCommand.run(c.ctx), 0);
  const r = JSON.parse(c.out()) as { kinds: KindRow[]; overall: { auc: number; detectionRate: number } };
  const kinds = new Map(r.kinds.map((k) => [k.kind, k]));
  for (const kind of [
    'new_emitter',
    'missing_emitter',
    'power_jump',
    'frequency_drift',
    'wideband_noise',
    'out_of_schedule',
  ]) {
    const k = kinds.get(kind);
    assert.ok(k !== undefined && k.injected >= 2, `${kind}: ${JSON.stringify(k)}`);
    assert.ok(k.auc >= 0.98, `${kind}: ROC-AUC ${k.auc}`);
    assert.ok(k.detectionRate >= 0.95, `${kind}: detection ${k.detected}/${k.injected}`);
  }
});

test('eval anomalies prints a table per kind and refuses fewer than 2 days', async () => {
  const c = context(['demo', '--days', '2', '--nodes', 'bratislava', '--per-kind', '1']);
  assert.equal(await evalAnomaliesCommand.run(c.ctx), 0);
  assert.match(c.out(), /^kind +injected +detected@1%FA +ROC-AUC +right kind\n/);
  assert.match(c.out(), /\nnew_emitter +\d+ +\d+ \(\d+ %\) +[\d.]+ +\d+\n/);
  await assert.rejects(
    evalAnomaliesCommand.run(context(['demo', '--days', '1']).ctx),
    (e: unknown) => e instanceof Error && /at least 2 days/.test(e.message),
  );
  await assert.rejects(evalAnomaliesCommand.run(context(['--days', '3']).ctx), UsageError);
});
