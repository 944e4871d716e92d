/**
 * `heimdall analyze REC [--annotate OUT.sigmf-meta] [--json]`: finds the signals in a recording
 * (two streaming passes: survey, then burst segmentation per channel) and writes them as SigMF
 * annotations with Heimdall's extension fields.
 */
import { basename, dirname, resolve } from 'node:path';
import type { Detection } from '@heimdall/dsp';
import {
  formatSigmfMeta,
  withAnnotations,
  writeSigmfMeta,
  type AnnotationInput,
  type Recording,
  type SigmfMeta,
} from '@heimdall/formats';
import {
  parseCommandArgs,
  parseQuantity,
  UsageError,
  type Command,
  type CommandContext,
} from '../command.ts';
import {
  openFromArgs,
  positionalRecording,
  recordingHelp,
  recordingOptions,
  namingRecording,
  selectRange,
  type RecordingArgs,
  type SampleRange,
} from '../recording-options.ts';
import { detectSignals } from '../signal-analysis.ts';
import { writeOut } from '../output.ts';

const GENERATOR = 'heimdall';

interface AnalyzeValues extends RecordingArgs {
  annotate?: string | undefined;
  'keep-annotations'?: boolean | undefined;
  json?: boolean | undefined;
  fft?: string | undefined;
  pfa?: string | undefined;
  'min-snr'?: string | undefined;
}

const help = `usage: heimdall analyze REC [--annotate OUT.sigmf-meta] [--json] [--fft N] [--pfa P] [--min-snr DB]

Finds the signals in a recording and measures them: centre frequency, occupied bandwidth
(99 % power), peak and mean power (dBFS), SNR, spectral flatness, duty cycle, start and end of
each burst, and a coarse class (cw, am, fm, digital-narrow, wideband, chirp, unknown) with a
confidence.

REC is a SigMF recording (.sigmf-meta, .sigmf-data or a .sigmf archive) or a raw IQ file.

options:
  --annotate OUT     write the detections as SigMF annotations to OUT.sigmf-meta (the
                     recording's metadata with Heimdall's annotations; when OUT is the
                     recording's own metadata file its existing annotations are kept)
  --keep-annotations keep the recording's existing annotations in OUT as well
  --json             print the annotated SigMF metadata as JSON on standard output
  --fft N            survey FFT size, a power of two (default: about 1.5 kHz bins)
  --pfa P            false-alarm probability per spectrum search (default 1e-3)
  --min-snr DB       drop detections below this in-band SNR (default 6)
${recordingHelp}

Without --json a table is printed: start and duration (s), centre (MHz), bandwidth (kHz),
SNR (dB), power (dBFS), class and confidence.

example:
  heimdall analyze tpms.sigmf-meta --annotate tpms.found.sigmf-meta
  heimdall analyze rtl.cu8 --rate 250k --freq 433.92M --json`;

export const analyzeCommand: Command = {
  name: 'analyze',
  summary: 'detect and classify the signals in a recording; write them as SigMF annotations',
  help,
  async run(ctx: CommandContext): Promise<number> {
    const args = parseCommandArgs(ctx, analyzeCommand, {
      annotate: { type: 'string' },
      'keep-annotations': { type: 'boolean' },
      json: { type: 'boolean' },
      fft: { type: 'string' },
      pfa: { type: 'string' },
      'min-snr': { type: 'string' },
      ...recordingOptions,
    });
    if (!args) return 0;
    const { values } = args;
    const path = positionalRecording(args.positionals, 'analyze');
    return namingRecording(path, () => analyze(ctx, path, values));
  },
};

async function analyze(ctx: CommandContext, path: string, values: AnalyzeValues): Promise<number> {
  const fftSize = parseQuantity('fft', values.fft);
  const pfa = parseQuantity('pfa', values.pfa);
  if (pfa !== undefined && !(pfa > 0 && pfa < 1))
    throw new UsageError(`--pfa must be between 0 and 1 (got "${values.pfa}")`);
  const minSnrDb = parseQuantity('min-snr', values['min-snr']);

  const rec = openFromArgs(path, values);
  try {
    const range = selectRange(rec, values);
    const detections = detectSignals(rec, range, ctx.progress, {
      ...(fftSize === undefined ? {} : { fftSize }),
      ...(pfa === undefined ? {} : { pfa }),
      ...(minSnrDb === undefined ? {} : { minSnrDb }),
    });
    const out = values.annotate;
    const keep = values['keep-annotations'] === true || (out !== undefined && isOwnMeta(out, rec));
    const meta = annotatedMeta(rec, detections, keep, out);
    if (out !== undefined) writeSigmfMeta(out, meta);
    if (values.json === true) await writeOut(ctx, undefined, formatSigmfMeta(meta));
    else await writeOut(ctx, undefined, table(rec, detections, range));
    return 0;
  } finally {
    rec.close();
  }
}

function toAnnotation(d: Detection): AnnotationInput {
  return {
    sampleStart: d.sampleStart,
    sampleCount: d.sampleCount,
    freqLowerEdge: d.freqLowerHz,
    freqUpperEdge: d.freqUpperHz,
    label: d.class,
    generator: GENERATOR,
    comment: `${d.class} (${(d.classConfidence * 100).toFixed(0)}%) at ${(d.centerHz / 1e6).toFixed(6)} MHz, ${(d.bandwidthHz / 1e3).toFixed(1)} kHz wide, SNR ${d.snrDb.toFixed(1)} dB`,
    extra: {
      'heimdall:snr_db': round(d.snrDb, 2),
      'heimdall:power_dbfs': round(d.powerDbfs, 2),
      'heimdall:peak_power_dbfs': round(d.peakPowerDbfs, 2),
      'heimdall:class': d.class,
      'heimdall:class_confidence': round(d.classConfidence, 3),
      'heimdall:center_frequency': round(d.centerHz, 1),
      'heimdall:bandwidth_hz': round(d.bandwidthHz, 1),
      'heimdall:flatness': round(d.flatness, 4),
      'heimdall:duty_cycle': round(d.dutyCycle, 4),
      ...(d.noiseFloorDbfsPerHz === undefined
        ? {}
        : { 'heimdall:noise_floor_dbfs_per_hz': round(d.noiseFloorDbfsPerHz, 2) }),
    },
  };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Whether OUT is the recording's own metadata file. */
function isOwnMeta(out: string, rec: Recording): boolean {
  const metaPath = rec.dataPath.replace(/\.sigmf-data$/, '.sigmf-meta');
  return resolve(out) === resolve(metaPath);
}

function annotatedMeta(
  rec: Recording,
  detections: readonly Detection[],
  keepExisting: boolean,
  out: string | undefined,
): SigmfMeta {
  const ours = detections.map(toAnnotation);
  const existing: AnnotationInput[] = keepExisting ? rec.annotations.map((a) => ({ ...a })) : [];
  let meta = withAnnotations(rec.meta, [...existing, ...ours]);
  // An OUT beside the data under another name points at the data file, so it opens as a recording.
  if (out !== undefined && dirname(resolve(out)) === dirname(resolve(rec.dataPath))) {
    const dataName = basename(rec.dataPath);
    if (basename(out).replace(/\.sigmf-meta$/, '') !== dataName.replace(/\.sigmf-data$/, '')) {
      meta = { ...meta, global: { ...meta.global, dataset: dataName } };
    }
  }
  return meta;
}

function table(rec: Recording, detections: readonly Detection[], range: SampleRange): string {
  const fs = rec.sampleRate;
  const header = `${detections.length} signal${detections.length === 1 ? '' : 's'} in ${rec.source} (${(range.count / fs).toFixed(3)} s at ${(fs / 1e6).toFixed(3)} MS/s, centre ${(range.centerFrequency / 1e6).toFixed(6)} MHz)\n`;
  if (detections.length === 0) return header;
  const rows = [
    ['start_s', 'dur_s', 'center_mhz', 'bw_khz', 'snr_db', 'power_dbfs', 'class', 'conf'],
    ...detections.map((d) => [
      (d.sampleStart / fs).toFixed(6),
      (d.sampleCount / fs).toFixed(6),
      (d.centerHz / 1e6).toFixed(6),
      (d.bandwidthHz / 1e3).toFixed(2),
      d.snrDb.toFixed(1),
      d.powerDbfs.toFixed(1),
      d.class,
      d.classConfidence.toFixed(2),
    ]),
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return header + rows.map((r) => r.map((c, i) => c.padStart(widths[i] ?? 0)).join('  ')).join('\n') + '\n';
}
