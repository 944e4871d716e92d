/**
 * `heimdall eval detect`: the detector's offline check (the first `heimdall demo`). It simulates
 * the seven receiver sites of the built-in demo scenario, writes each one's recording as SigMF with ground truth,
 * finds the signals in each with the same detector `heimdall analyze` uses, and scores them
 * against the truth. The recordings stay in the data folder for `heimdall psd`/`analyze`, IQEngine
 * or any SigMF tool.
 */
import { mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadScenario, runSimulation } from '@heimdall/agent';
import type { Detection } from '@heimdall/dsp';
import { openRecording } from '@heimdall/formats';
import {
  parseCommandArgs,
  parseQuantity,
  UsageError,
  type Command,
  type CommandContext,
} from '../command.ts';
import { selectRange } from '../recording-options.ts';
import { parseDemoSites } from './agent-options.ts';
import { detectSignals } from '../signal-analysis.ts';
import { scoreDetections } from '../truth-score.ts';

const help = `usage: heimdall eval detect [--seconds S] [--nodes a,b,...] [--data DIR]

Simulates the seven receiver sites of the built-in demo scenario (Twente, Enschede, Doorn,
Hack Green, Bratislava, Graz, Linkoping), records what each hears as SigMF with the ground
truth, detects and classifies the signals in every recording, and scores the detections
against the truth: transmissions at 10 dB SNR or more found and missed, and detections that
match nothing.

options:
  --seconds S        length of each site's recording (default 2)
  --nodes LIST       comma-separated site names (default: all seven)
  --data DIR         where to write the recordings (default: $HEIMDALL_DATA_DIR/eval-detect)

example:
  heimdall eval detect
  heimdall eval detect --nodes twente,bratislava --seconds 5`;

const MIN_SNR_DB = 10;

export const evalDetectCommand: Command = {
  name: 'eval detect',
  summary: 'simulate the seven demo sites, detect their signals and score them against the truth',
  help,
  async run(ctx: CommandContext): Promise<number> {
    const args = parseCommandArgs(
      ctx,
      evalDetectCommand,
      { seconds: { type: 'string' }, nodes: { type: 'string' }, data: { type: 'string' } },
      false,
    );
    if (!args) return 0;
    const seconds = parseQuantity('seconds', args.values.seconds) ?? 2;
    if (!(seconds > 0 && seconds <= 3600))
      throw new UsageError(`--seconds must be from 0 to 3600 (got ${seconds})`);
    const scene = loadScenario('demo');
    const nodes = parseDemoSites(
      args.values.nodes,
      scene.spec.nodes.map((n) => n.name),
    );
    const dir = args.values.data ?? join(ctx.config.dataDir, 'eval-detect');
    mkdirSync(dir, { recursive: true });
    const out = ctx.stdout;
    out.write(
      `Detection check: ${nodes.length} simulated sites, ${seconds} s each, recordings in ${dir}\n\n`,
    );

    const rows: string[][] = [];
    let expected = 0;
    let found = 0;
    let unmatched = 0;
    for (const node of nodes) {
      if (ctx.signal.aborted) break;
      const progress = ctx.progress(`simulate ${node}`, 1, 'S');
      const sim = runSimulation({
        scene,
        node,
        seconds,
        out: join(dir, `${node}.sigmf-meta`),
        onProgress: (done, total) => progress.update(done / total),
        signal: ctx.signal,
      });
      progress.done();
      const rec = openRecording(sim.metaPath);
      let detections: Detection[];
      try {
        detections = detectSignals(rec, selectRange(rec, {}), ctx.progress);
      } finally {
        rec.close();
      }
      const half = rec.sampleRate / 2;
      const center = rec.centerFrequency ?? 0;
      const truth = sim.events.map((e) => ({ ...e, name: e.emitter }));
      const score = scoreDetections(truth, detections, {
        minSnrDb: MIN_SNR_DB,
        band: [center - half, center + half],
        freqSlackHz: (2 * rec.sampleRate) / 1024,
      });
      expected += score.expected.length;
      found += score.found.length;
      unmatched += score.unmatched.length;
      rows.push([
        node,
        `${(center / 1e6).toFixed(3)} MHz`,
        String(detections.length),
        `${score.found.length}/${score.expected.length}`,
        score.missed.map((m) => m.name).join(' ') || '-',
        String(score.unmatched.length),
        classes(detections),
      ]);
    }
    out.write(
      formatTable(
        ['site', 'tuned to', 'signals', `found (>=${MIN_SNR_DB} dB)`, 'missed', 'unmatched', 'classes'],
        rows,
      ),
    );
    out.write(
      `\n${found} of ${expected} transmissions at ${MIN_SNR_DB} dB SNR or more found; ${unmatched} detections match no transmission.\n`,
    );
    const first = join(dir, `${nodes[0] ?? 'twente'}.sigmf-meta`);
    const shown = relative(process.cwd(), first).startsWith('..') ? first : relative(process.cwd(), first);
    out.write(
      [
        '',
        'Next:',
        `  npx heimdall analyze ${shown}                 the detections of one site`,
        `  npx heimdall psd ${shown} --fft 1024 > psd.csv    its spectrum`,
        '  npx heimdall sim serve demo --node twente --rtl-tcp 127.0.0.1:1234   a live rtl_tcp receiver for GQRX, SDR++ or GNU Radio',
        '',
      ].join('\n'),
    );
    return ctx.signal.aborted ? 130 : 0;
  },
};

function classes(detections: readonly Detection[]): string {
  const counts = new Map<string, number>();
  for (const d of detections) counts.set(d.class, (counts.get(d.class) ?? 0) + 1);
  return [...counts].map(([c, n]) => `${n} ${c}`).join(', ') || '-';
}

function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return (
    all
      .map((r) =>
        r
          .map((c, i) => c.padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}
