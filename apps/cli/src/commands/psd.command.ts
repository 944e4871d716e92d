/**
 * `heimdall psd REC --fft N [--overlap R] [--window W] --format csv|json`: the Welch power
 * spectral density of a recording, with exactly scipy.signal.welch's convention (see
 * ARCHITECTURE.md): CSV `frequency_hz,psd_db`, N rows ascending in frequency.
 */
import { checkFftSize, parseWindowSpec, segmentCount, segmentStep } from '@heimdall/dsp';
import { UserError } from '@heimdall/errors';
import {
  parseCommandArgs,
  parseQuantity,
  UsageError,
  type Command,
  type CommandContext,
} from '../command.ts';
import {
  openFromArgs,
  openOptionsFromArgs,
  positionalRecording,
  recordingHelp,
  recordingOptions,
  namingRecording,
  selectRange,
  type RecordingArgs,
} from '../recording-options.ts';
import { writeOut } from '../output.ts';
import { welchOfRecording } from '../welch-file.ts';

interface PsdValues extends RecordingArgs {
  fft?: string | undefined;
  overlap?: string | undefined;
  window?: string | undefined;
  format?: string | undefined;
  out?: string | undefined;
  threads?: string | undefined;
}

const help = `usage: heimdall psd REC [--fft N] [--overlap R] [--window W] [--format csv|json] [--out FILE]

Welch power spectral density of a recording, identical to scipy.signal.welch(x, fs,
window='hann', nperseg=N, noverlap=N/2, return_onesided=False, detrend=False,
scaling='density'): dB per Hz, fftshifted, absolute frequencies (centre + offset).

REC is a SigMF recording (.sigmf-meta, .sigmf-data or a .sigmf archive) or a raw IQ file.

options:
  --fft N            segment length, a power of two (default 4096)
  --overlap R        fraction of a segment shared with the next, 0 <= R < 1 (default 0.5)
  --window W         hann, hamming, blackmanharris, flattop or kaiser[:BETA] (default hann)
  --format F         csv (frequency_hz,psd_db; N rows ascending) or json (default csv)
  --out FILE         write to FILE instead of standard output
  --threads N        threads to split the work over (default: 2 for files over 8 M samples)
${recordingHelp}

example:
  heimdall psd capture.sigmf-meta --fft 4096 > psd.csv
  heimdall psd rtl.cu8 --rate 2.4M --freq 100M --fft 1024 --format json`;

export const psdCommand: Command = {
  name: 'psd',
  summary: 'power spectral density of a recording (Welch, scipy-identical), as CSV or JSON',
  help,
  async run(ctx: CommandContext): Promise<number> {
    const args = parseCommandArgs(ctx, psdCommand, {
      fft: { type: 'string' },
      overlap: { type: 'string' },
      window: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string', short: 'o' },
      threads: { type: 'string' },
      ...recordingOptions,
    });
    if (!args) return 0;
    const { values } = args;
    const path = positionalRecording(args.positionals, 'psd');
    return namingRecording(path, () => psd(ctx, path, values));
  },
};

async function psd(ctx: CommandContext, path: string, values: PsdValues): Promise<number> {
  const format = values.format ?? 'csv';
  if (format !== 'csv' && format !== 'json')
    throw new UsageError(`--format must be csv or json (got "${format}")`);
  const fftSize = parseQuantity('fft', values.fft) ?? 4096;
  checkFftSize(fftSize, '--fft');
  const overlap = parseQuantity('overlap', values.overlap) ?? 0.5;
  const step = segmentStep(fftSize, overlap);
  const windowSpec = parseWindowSpec(values.window ?? 'hann');
  const threads = parseQuantity('threads', values.threads);
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1 && threads <= 64)) {
    throw new UsageError(`--threads must be a whole number from 1 to 64 (got "${values.threads}")`);
  }

  const rec = openFromArgs(path, values);
  try {
    const range = selectRange(rec, values);
    if (segmentCount(range.count, fftSize, step) === 0) {
      throw new UserError(
        `the recording has ${range.count} samples, fewer than one FFT segment of ${fftSize}`,
        {
          source: rec.source,
          field: '--fft',
          fix: `use --fft ${largestPow2(range.count)} or smaller`,
        },
      );
    }
    const progress = ctx.progress('psd', range.count, 'S');
    const welch = await welchOfRecording(
      rec,
      openOptionsFromArgs(values),
      range,
      { fftSize, overlap, window: windowSpec.name, windowBeta: windowSpec.beta },
      progress,
      threads,
    );
    progress.done();
    const { frequencyHz, psdDb } = welch.result(rec.sampleRate, range.centerFrequency);
    const text =
      format === 'csv'
        ? toCsv(frequencyHz, psdDb)
        : `${JSON.stringify({
            source: rec.source,
            sample_rate: rec.sampleRate,
            center_frequency: range.centerFrequency,
            capture: range.captureIndex ?? null,
            fft_size: fftSize,
            overlap,
            window: values.window ?? 'hann',
            segments: welch.segments,
            frequency_hz: Array.from(frequencyHz),
            psd_db: Array.from(psdDb, (v) => (Number.isFinite(v) ? v : null)),
          })}\n`;
    welch.dispose();
    await writeOut(ctx, values.out, text);
    return 0;
  } finally {
    rec.close();
  }
}

function largestPow2(n: number): number {
  return n < 2 ? 2 : 2 ** Math.floor(Math.log2(n));
}

function toCsv(frequencyHz: Float64Array, psdDb: Float64Array): string {
  const lines = new Array<string>(frequencyHz.length + 1);
  lines[0] = 'frequency_hz,psd_db';
  for (let k = 0; k < frequencyHz.length; k++) {
    const db = psdDb[k] as number;
    lines[k + 1] = `${(frequencyHz[k] as number).toFixed(3)},${Number.isFinite(db) ? db.toFixed(6) : '-inf'}`;
  }
  return `${lines.join('\n')}\n`;
}
