/**
 * `heimdall anomalies train` learns what is normal for one node from history (sweep CSVs, SigMF
 * recordings, simulator runs) and writes a model; `heimdall anomalies detect` scores new data with
 * it and prints the anomalies, as text or one JSON object per line.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { UserError } from '@heimdall/errors';
import {
  AnomalyMonitor,
  ModelTrainer,
  parseModel,
  serializeModel,
  type AnomalyEvent,
  type AnomalyModel,
} from '@heimdall/intel';
import { readFrames } from '../anomaly-input.ts';
import {
  parseCommandArgs,
  parseQuantity,
  UsageError,
  type Command,
  type CommandContext,
} from '../command.ts';
import { writeOut } from '../output.ts';

const inputHelp = `INPUT is an rtl_power or hackrf_sweep CSV (one frame per sweep), a SigMF recording
(Welch PSD frames of --frame seconds), or a folder of them such as the output of
heimdall sim run. Several inputs are read in the order given, as one stream in time order.`;

const trainHelp = `usage: heimdall anomalies train INPUT... --out MODEL [options]

Learns one node's baseline: for every channel (bins summed to about --channel Hz) and every
hour of the day, robust levels (median, 0.1 % and 99.9 % quantiles) and occupancy. The latest
fifth of the input (or every fifth hour, for two days or more) is held out to calibrate scores
and to count false alarms on normal data; the model records them with its training window.

${inputHelp}

options:
  --out FILE         model file to write (required)
  --node NAME        node name for events (default: the first input's file name)
  --channel HZ       channel width (default 12.5k)
  --frame S          seconds of IQ per frame for SigMF inputs (default 1)

example:
  heimdall anomalies train week1.csv week2.csv --out site.model.json`;

const detectHelp = `usage: heimdall anomalies detect --model MODEL INPUT... [--json]

Scores the inputs against a model and prints every anomaly: kind (new_emitter,
missing_emitter, power_jump, frequency_drift, wideband_noise, occupancy_change,
out_of_schedule), time span, frequency range, calibrated score in [0, 1], severity
(low/medium/high) and a one-sentence explanation.

${inputHelp}

options:
  --model FILE       model written by heimdall anomalies train (required)
  --json             one JSON object per line: kind, start, end (ISO 8601), freq_lower_hz,
                     freq_upper_hz, score, severity, explanation, node, nodes, details
  --min-severity S   print only low (default), medium or high and above
  --node NAME        node name for events (default: the model's)
  --frame S          seconds of IQ per frame for SigMF inputs (default 1)
  --out FILE         write to FILE instead of standard output

example:
  heimdall anomalies detect --model site.model.json today.csv --json`;

function baseName(path: string): string {
  const name =
    path
      .split(/[\\/]/)
      .filter((p) => p !== '')
      .pop() ?? 'node';
  return name.replace(/\.(sigmf-meta|sigmf-data|sigmf|csv|txt)$/i, '') || 'node';
}

export const anomaliesTrainCommand: Command = {
  name: 'anomalies train',
  summary: 'learn a node baseline from sweep CSVs, SigMF recordings or simulator runs',
  help: trainHelp,
  async run(ctx: CommandContext): Promise<number> {
    const args = parseCommandArgs(ctx, anomaliesTrainCommand, {
      out: { type: 'string', short: 'o' },
      node: { type: 'string' },
      channel: { type: 'string' },
      frame: { type: 'string' },
    });
    if (!args) return 0;
    const inputs = args.positionals;
    if (inputs.length === 0) throw new UsageError('give at least one INPUT');
    const out = args.values.out;
    if (out === undefined || out === '') throw new UsageError('--out is required');
    const channelHz = parseQuantity('channel', args.values.channel);
    if (channelHz !== undefined && !(channelHz > 0)) throw new UsageError('--channel must be positive');
    const frameSeconds = parseQuantity('frame', args.values.frame);
    const node = args.values.node ?? baseName(inputs[0] as string);
    const trainer = new ModelTrainer({
      node,
      source: inputs.join(', '),
      ...(channelHz === undefined ? {} : { params: { channelHz } }),
    });
    const t0 = performance.now();
    for await (const { frame, source } of readFrames(inputs, { frameSeconds })) {
      if (ctx.signal.aborted) return 130;
      trainer.push(frame, source);
    }
    const model = trainer.finish();
    writeFileSync(out, serializeModel(model));
    const m = model.metrics;
    ctx.stderr.write(
      `${out}: model ${model.id}, ${model.training.frames} frames from ${new Date(model.training.startMs).toISOString()} ` +
        `to ${new Date(model.training.endMs).toISOString()}, ${model.plan.channels} channels; ` +
        `held out ${m.holdoutFrames} frames: ${m.holdoutEvents.high} high, ${m.holdoutEvents.medium} medium, ` +
        `${m.holdoutEvents.low} low events (${m.holdoutEventsPerDay} per day); ` +
        `${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
    );
    return 0;
  },
};

const SEVERITIES = ['low', 'medium', 'high'] as const;

/** The `--json` line of an event (the documented fields first). */
export function eventJson(e: AnomalyEvent): Record<string, unknown> {
  return {
    kind: e.kind,
    start: new Date(e.startMs).toISOString(),
    end: new Date(e.endMs).toISOString(),
    freq_lower_hz: Math.round(e.freqLowHz),
    freq_upper_hz: Math.round(e.freqHighHz),
    score: Math.round(e.score * 1e6) / 1e6,
    severity: e.severity,
    explanation: e.explanation,
    node: e.node,
    nodes: e.nodes,
    details: e.details,
  };
}

function readModel(path: string): AnomalyModel {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new UserError(
      code === 'ENOENT' ? 'no such model file' : `cannot read the model (${code ?? String(e)})`,
      {
        source: path,
        field: '--model',
        fix: 'give a model written by heimdall anomalies train',
      },
    );
  }
  return parseModel(text, path);
}

export const anomaliesDetectCommand: Command = {
  name: 'anomalies detect',
  summary: 'score sweep CSVs, SigMF recordings or simulator runs against a model',
  help: detectHelp,
  async run(ctx: CommandContext): Promise<number> {
    const args = parseCommandArgs(ctx, anomaliesDetectCommand, {
      model: { type: 'string', short: 'm' },
      json: { type: 'boolean' },
      'min-severity': { type: 'string' },
      node: { type: 'string' },
      frame: { type: 'string' },
      out: { type: 'string', short: 'o' },
    });
    if (!args) return 0;
    const inputs = args.positionals;
    if (inputs.length === 0) throw new UsageError('give at least one INPUT');
    const modelPath = args.values.model;
    if (modelPath === undefined || modelPath === '') throw new UsageError('--model is required');
    const minSeverity = args.values['min-severity'] ?? 'low';
    const minRank = SEVERITIES.indexOf(minSeverity as (typeof SEVERITIES)[number]);
    if (minRank < 0)
      throw new UsageError(`--min-severity must be low, medium or high (got "${minSeverity}")`);
    const model = readModel(modelPath);
    const frameSeconds = parseQuantity('frame', args.values.frame);
    let monitor: AnomalyMonitor | undefined;
    const events: AnomalyEvent[] = [];
    for await (const { frame, source } of readFrames(inputs, { frameSeconds })) {
      if (ctx.signal.aborted) break;
      monitor ??= new AnomalyMonitor(model, {
        source,
        ...(args.values.node === undefined ? {} : { node: args.values.node }),
      });
      events.push(...monitor.push(frame, source));
    }
    events.push(...(monitor?.flush() ?? []));
    const shown = events
      .filter((e) => SEVERITIES.indexOf(e.severity) >= minRank)
      .sort((a, b) => a.startMs - b.startMs);
    const text = shown
      .map((e) =>
        args.values.json === true
          ? JSON.stringify(eventJson(e))
          : `${new Date(e.startMs).toISOString()}  ${new Date(e.endMs).toISOString()}  ${e.severity.padEnd(6)} ${e.score.toFixed(4)}  ${e.explanation}`,
      )
      .join('\n');
    await writeOut(ctx, args.values.out, text === '' ? '' : `${text}\n`);
    if (args.values.json !== true) {
      const high = shown.filter((e) => e.severity === 'high').length;
      ctx.stderr.write(`${shown.length} anomalies (${high} high) in ${inputs.join(', ')}\n`);
    }
    return ctx.signal.aborted ? 130 : 0;
  },
};
