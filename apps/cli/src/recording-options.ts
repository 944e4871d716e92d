/**
 * The options every verb that reads a recording shares: how to open raw files (`--rate`,
 * `--freq`, `--datatype`), which channel and which capture to use.
 */
import { openRecording, type OpenOptions, type Recording } from '@heimdall/formats';
import { UserError } from '@heimdall/errors';
import { parseQuantity, UsageError } from './command.ts';

export const recordingOptions = {
  rate: { type: 'string' },
  freq: { type: 'string' },
  datatype: { type: 'string' },
  channel: { type: 'string' },
  capture: { type: 'string' },
} as const;

export const recordingHelp = `recording options (raw .cu8/.cs8/.cs16/.cf32/.cfile/.iq files have no metadata):
  --rate HZ          sample rate of a raw file, e.g. 2.4M
  --freq HZ          centre frequency of a raw file, e.g. 433.92M (default 0: offsets)
  --datatype T       SigMF datatype of a .iq/.raw/.bin file, e.g. cf32_le, ci16_le, cu8
  --channel K        channel of a multi-channel recording (default 0)
  --capture K        analyse only capture K of a multi-capture recording`;

export interface RecordingArgs {
  rate?: string | undefined;
  freq?: string | undefined;
  datatype?: string | undefined;
  channel?: string | undefined;
  capture?: string | undefined;
}

export function positionalRecording(positionals: readonly string[], verb: string): string {
  if (positionals.length === 0)
    throw new UsageError(`${verb} needs a recording (a .sigmf-meta, .sigmf or raw IQ file)`);
  if (positionals.length > 1) throw new UsageError(`${verb} takes one recording (got ${positionals.length})`);
  return positionals[0] as string;
}

function intFlag(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0)
    throw new UsageError(`--${name} must be a whole number >= 0 (got "${raw}")`);
  return n;
}

/** The options of `openRecording` that the flags give; also sent to worker threads to reopen the file. */
export function openOptionsFromArgs(args: RecordingArgs): OpenOptions {
  const sampleRate = parseQuantity('rate', args.rate);
  const centerFrequency = parseQuantity('freq', args.freq);
  const channel = intFlag('channel', args.channel);
  return {
    ...(sampleRate === undefined ? {} : { sampleRate }),
    ...(centerFrequency === undefined ? {} : { centerFrequency }),
    ...(args.datatype === undefined ? {} : { datatype: args.datatype }),
    ...(channel === undefined ? {} : { channel }),
  };
}

export function openFromArgs(path: string, args: RecordingArgs): Recording {
  return openRecording(path, openOptionsFromArgs(args));
}

/** The sample range and centre frequency to analyse: one capture, or the whole file when all captures share a frequency. */
export interface SampleRange {
  readonly start: number;
  readonly count: number;
  readonly centerFrequency: number;
  readonly captureIndex: number | undefined;
}

export function selectRange(rec: Recording, args: RecordingArgs): SampleRange {
  const index = intFlag('capture', args.capture);
  const caps = rec.captures;
  if (index !== undefined) {
    const cap = caps[index];
    if (!cap) {
      throw new UserError(`capture ${index} does not exist (the recording has ${caps.length})`, {
        source: rec.source,
        field: '--capture',
        fix: `use --capture 0..${Math.max(0, caps.length - 1)}`,
      });
    }
    const end = caps[index + 1]?.sampleStart ?? rec.sampleCount;
    return {
      start: cap.sampleStart,
      count: end - cap.sampleStart,
      centerFrequency: cap.frequency ?? rec.centerFrequency ?? 0,
      captureIndex: index,
    };
  }
  const freqs = new Set(caps.map((c) => c.frequency ?? rec.centerFrequency ?? 0));
  if (freqs.size > 1) {
    throw new UserError(`the recording has ${caps.length} captures at ${freqs.size} different frequencies`, {
      source: rec.source,
      field: 'captures',
      fix: `choose one with --capture 0..${caps.length - 1}`,
    });
  }
  return {
    start: 0,
    count: rec.sampleCount,
    centerFrequency: rec.centerFrequency ?? 0,
    captureIndex: undefined,
  };
}

/** Runs a verb's work so that every UserError it throws names the recording the user gave. */
export async function namingRecording<T>(path: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    throw e instanceof UserError ? e.at({ source: path }) : e;
  }
}
