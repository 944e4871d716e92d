/**
 * Power-spectrum frames for the anomaly engine from the inputs `heimdall anomalies` takes:
 * rtl_power / hackrf_sweep CSV (one frame per sweep, read with @heimdall/formats' sweep reader,
 * whose errors name file:line), SigMF recordings (Welch PSD of consecutive blocks), and folders
 * such as the output of `heimdall sim run` (every recording and CSV inside, oldest first).
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Welch } from '@heimdall/dsp';
import { UserError } from '@heimdall/errors';
import { openRecording, parseSigmfDatetime, readSweeps } from '@heimdall/formats';
import type { PsdFrame } from '@heimdall/intel';

export interface FrameOptions {
  /** Seconds of IQ per frame for recordings (default: 1 s, or a twentieth of a shorter recording). */
  readonly frameSeconds?: number | undefined;
  /** Target bin width for recordings, Hz (default 3125). */
  readonly binHz?: number | undefined;
}

export interface SourcedFrame {
  readonly frame: PsdFrame;
  /** Names the frame in errors: `file.csv (sweep at 2018-11-18T12:48:15.000Z)`. */
  readonly source: string;
}

const RECORDING = /\.(sigmf-meta|sigmf-data|sigmf)$/i;
const CSV = /\.(csv|txt)$/i;

/** The files an input names: the file itself, or the recordings and CSVs in a folder (sorted by name). */
export function expandInputs(inputs: readonly string[]): string[] {
  const out: string[] = [];
  for (const input of inputs) {
    let st;
    try {
      st = statSync(input);
    } catch {
      throw new UserError('does not exist', {
        source: input,
        fix: 'give an rtl_power/hackrf_sweep CSV, a SigMF recording, or a folder of them (e.g. sim run output)',
      });
    }
    if (!st.isDirectory()) {
      out.push(input);
      continue;
    }
    const names = readdirSync(input)
      .filter((n) => /\.sigmf-meta$/i.test(n) || CSV.test(n))
      .sort();
    if (names.length === 0) {
      throw new UserError('holds no SigMF recordings (.sigmf-meta) or sweep CSV files', {
        source: input,
        fix: 'point at the folder heimdall sim run wrote into, or at the files themselves',
      });
    }
    out.push(...names.map((n) => join(input, n)));
  }
  return out;
}

async function* csvFrames(path: string): AsyncGenerator<SourcedFrame> {
  for await (const sweep of readSweeps(path)) {
    yield {
      frame: { timeMs: sweep.time.getTime(), startHz: sweep.startHz, binHz: sweep.binHz, db: sweep.db },
      source: `${path} (sweep at ${sweep.time.toISOString()})`,
    };
  }
}

function* recordingFrames(path: string, o: FrameOptions): Generator<SourcedFrame> {
  const rec = openRecording(path);
  try {
    const fs = rec.sampleRate;
    const centre = rec.centerFrequency ?? 0;
    const dt = rec.captures[0]?.datetime;
    const t0 = dt === undefined ? 0 : Number(parseSigmfDatetime(dt) / 1_000_000n);
    const binHz = o.binHz ?? 3125;
    const fft = Math.min(65536, Math.max(64, 2 ** Math.ceil(Math.log2(fs / binHz))));
    const total = rec.sampleCount;
    const frameSamples = Math.max(
      fft,
      Math.round(o.frameSeconds !== undefined ? o.frameSeconds * fs : Math.min(fs, total / 20)),
    );
    const welch = new Welch({ fftSize: fft, format: rec.format });
    try {
      for (let start = 0; start + frameSamples <= total; start += frameSamples) {
        welch.reset();
        for (const chunk of rec.chunks({ start, count: frameSamples, chunkSamples: 1 << 18 })) {
          welch.push(chunk.bytes);
        }
        const r = welch.result(fs, centre);
        yield {
          frame: {
            timeMs: t0 + (start / fs) * 1000,
            startHz: r.frequencyHz[0] as number,
            binHz: fs / fft,
            db: Float32Array.from(r.psdDb),
          },
          source: `${path} (frame at sample ${start})`,
        };
      }
    } finally {
      welch.dispose();
    }
  } finally {
    rec.close();
  }
}

/** Frames of every input in the order given (each file's frames in time order). */
export async function* readFrames(
  inputs: readonly string[],
  o: FrameOptions = {},
): AsyncGenerator<SourcedFrame> {
  for (const file of expandInputs(inputs)) {
    if (RECORDING.test(file)) yield* recordingFrames(file, o);
    else if (CSV.test(file)) yield* csvFrames(file);
    else {
      throw new UserError('is neither a sweep CSV (.csv) nor a SigMF recording (.sigmf-meta)', {
        source: file,
        fix: 'give rtl_power/hackrf_sweep CSV files, SigMF recordings, or a folder of them',
      });
    }
  }
}
