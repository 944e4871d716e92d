/**
 * `heimdall eval anomalies SCENARIO --days D`: trains on D - 1 days of a scenario's normal traffic
 * at each node, scores the last day with the scenario's anomalies plus injected ones, and prints
 * ROC-AUC and the detection rate at 1 % false alarms per anomaly kind (see anomaly-eval.ts).
 */
import { loadScenario } from '@heimdall/agent';
import { runAnomalyEval, type AnomalyEvalReport } from '../anomaly-eval.ts';
import {
  parseCommandArgs,
  parseQuantity,
  UsageError,
  type Command,
  type CommandContext,
} from '../command.ts';
import { writeOut } from '../output.ts';

const help = `usage: heimdall eval anomalies SCENARIO --days D [options]

Measures the anomaly engine against the simulator's ground truth. For each node, the first
D - 1 days of normal traffic (the scenario without its anomalies) train a model; the last day
is scored with the scenario's own anomalies moved into it plus --per-kind injected anomalies of
each kind (new emitter, missing emitter, power jump, frequency drift, jammer, out of schedule)
at random times, free frequencies and strengths. Spectra are the simulator's PSD frames (link
budgets and schedules, no IQ), one per --frame seconds.

Prints, per kind: anomalies injected, ROC-AUC (5-minute windows that overlap an anomaly
against windows far from any, scored by the strongest matching event), and the share caught
at the score threshold that 1 % of anomaly-free windows exceed.

SCENARIO is a scenario file (YAML or JSON) or "demo".

options:
  --days D           days simulated per node, at least 2 (required)
  --nodes A,B        nodes to evaluate (default: all)
  --per-kind N       injected anomalies per kind per node (default 3)
  --frame S          seconds per PSD frame (default 10)
  --json             print the report as JSON

example:
  heimdall eval anomalies demo --days 8`;

function fmt(x: number, digits: number): string {
  return Number.isNaN(x) ? '-' : x.toFixed(digits);
}

/** The report as a table. */
export function formatReport(r: AnomalyEvalReport): string {
  const lines = [
    `kind               injected  detected@1%FA   ROC-AUC  right kind`,
    ...r.result.kinds.map(
      (k) =>
        `${k.kind.padEnd(18)} ${String(k.injected).padStart(8)}  ${`${k.detected} (${fmt(100 * k.detectionRate, 0)} %)`.padStart(13)}  ${fmt(k.auc, 3).padStart(8)}  ${String(k.kindCorrect).padStart(10)}`,
    ),
    `${'all'.padEnd(18)} ${String(r.result.overall.injected).padStart(8)}  ${`(${fmt(100 * r.result.overall.detectionRate, 0)} %)`.padStart(13)}  ${fmt(r.result.overall.auc, 3).padStart(8)}`,
    '',
    `nodes: ${r.nodes.map((n) => n.node).join(', ')}; ${r.result.negativeWindows} anomaly-free windows; ` +
      `1 % false-alarm threshold: score > ${fmt(r.result.threshold, 4)}; ` +
      `events away from any anomaly: ${fmt(r.result.falseEventsPerDay, 2)} per node-day`,
  ];
  return `${lines.join('\n')}\n`;
}

export const evalAnomaliesCommand: Command = {
  name: 'eval anomalies',
  summary: 'score the anomaly engine on simulated days: ROC-AUC and detection at 1 % false alarms per kind',
  help,
  async run(ctx: CommandContext): Promise<number> {
    const args = parseCommandArgs(ctx, evalAnomaliesCommand, {
      days: { type: 'string' },
      nodes: { type: 'string' },
      'per-kind': { type: 'string' },
      frame: { type: 'string' },
      json: { type: 'boolean' },
      out: { type: 'string', short: 'o' },
    });
    if (!args) return 0;
    const { values, positionals } = args;
    const name = positionals[0];
    if (name === undefined || positionals.length > 1)
      throw new UsageError('eval anomalies needs one SCENARIO (a file or demo)');
    const days = parseQuantity('days', values.days);
    if (days === undefined) throw new UsageError('--days is required (e.g. --days 8)');
    const perKind = parseQuantity('per-kind', values['per-kind']) ?? 3;
    if (!Number.isInteger(perKind) || perKind < 1)
      throw new UsageError('--per-kind must be a positive integer');
    const frameSeconds = parseQuantity('frame', values.frame) ?? 10;
    if (!(frameSeconds > 0)) throw new UsageError('--frame must be positive');
    const scene = loadScenario(name);
    const nodes = values.nodes
      ?.split(',')
      .map((n) => n.trim())
      .filter((n) => n !== '');
    for (const n of nodes ?? []) scene.node(n);
    const progress = ctx.progress('eval anomalies', (nodes ?? scene.spec.nodes).length, 'nodes');
    const report = runAnomalyEval(scene.spec, {
      days,
      perKind,
      frameSeconds,
      ...(nodes === undefined ? {} : { nodes }),
      onNode: (_node, i) => progress.update(i),
    });
    progress.done();
    const text =
      values.json === true
        ? `${JSON.stringify({ ...report.result, nodes: report.nodes.map((n) => ({ node: n.node, events: n.events.length, anomalies: n.truths.length, holdout_events_per_day: n.holdoutEventsPerDay })) }, null, 2)}\n`
        : formatReport(report);
    await writeOut(ctx, values.out, text);
    return 0;
  },
};
