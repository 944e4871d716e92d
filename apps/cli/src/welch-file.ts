/**
 * Welch PSD of a sample range of a recording, read straight into kernel memory (no copies), split
 * across worker threads for large files. The workers' partial sums merge to exactly the
 * single-thread result (see `splitForWorkers` in @heimdall/dsp).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import {
  bytesPerSample,
  segmentStep,
  splitForWorkers,
  Welch,
  type WelchState,
  type WindowName,
} from '@heimdall/dsp';
import type { OpenOptions, Recording } from '@heimdall/formats';
import { OperationalError } from '@heimdall/errors';
import type { Progress } from './progress.ts';

export interface WelchFileOptions {
  readonly fftSize: number;
  readonly overlap: number;
  readonly window: WindowName;
  readonly windowBeta: number | undefined;
}

/** What a worker needs to reopen the recording and compute one range. */
export interface WelchTask extends WelchFileOptions {
  readonly kind: 'welch';
  readonly path: string;
  readonly open: OpenOptions;
  readonly start: number;
  readonly end: number;
}

/** Below this many samples one thread is faster than starting workers. */
const PARALLEL_MIN_SAMPLES = 8_000_000;
/** Workers run the bundled dist/welch-worker.js; from TypeScript source (tests) work stays on one thread. */
const CAN_SPAWN_WORKERS = import.meta.url.endsWith('.js');
const WORKER_SCRIPT = new URL('./welch-worker.js', import.meta.url);
const CHUNK_BYTES = 4 << 20;

/** Feeds samples [start, end) of `rec` to `welch`, reporting progress in samples. */
export function feedRange(
  rec: Recording,
  welch: Welch,
  start: number,
  end: number,
  onProgress?: (samplesDone: number) => void,
): void {
  const bps = bytesPerSample(rec.format);
  const chunkSamples = Math.max(1, Math.floor(CHUNK_BYTES / bps));
  for (let s = start; s < end;) {
    const want = Math.min(chunkSamples, end - s);
    const view = welch.inputBuffer(want * bps);
    const got = rec.read(s, want, view);
    if (got <= 0) break;
    welch.pushInput(got * bps);
    s += got;
    onProgress?.(s - start);
  }
}

export async function welchOfRecording(
  rec: Recording,
  openOptions: OpenOptions,
  range: { start: number; count: number },
  opts: WelchFileOptions,
  progress: Progress,
  explicitThreads?: number,
): Promise<Welch> {
  const welch = new Welch({
    fftSize: opts.fftSize,
    overlap: opts.overlap,
    window: opts.window,
    format: rec.format,
    ...(opts.windowBeta === undefined ? {} : { windowBeta: opts.windowBeta }),
  });
  const step = segmentStep(opts.fftSize, opts.overlap);
  // an explicit thread count is obeyed whatever the size; the default splits large files only
  const parallel = explicitThreads !== undefined ? explicitThreads > 1 : range.count >= PARALLEL_MIN_SAMPLES;
  const threads = explicitThreads ?? Math.min(2, availableParallelism());
  const parts =
    CAN_SPAWN_WORKERS && parallel ? splitForWorkers(range.count, opts.fftSize, step, threads) : [];
  if (parts.length <= 1) {
    feedRange(rec, welch, range.start, range.start + range.count, (done) => progress.update(done));
    return welch;
  }
  // The main thread computes the first part itself; workers take the others.
  const [own, ...others] = parts;
  const done = new Float64Array(parts.length);
  const report = () => progress.update(done.reduce((a, b) => a + b, 0));
  const states = others.map((part, i) =>
    runWelchWorker(
      {
        kind: 'welch',
        path: rec.source,
        open: openOptions,
        start: range.start + part.start,
        end: range.start + part.end,
        ...opts,
      },
      (n) => {
        done[i + 1] = n;
        report();
      },
    ),
  );
  if (own) {
    feedRange(rec, welch, range.start + own.start, range.start + own.end, (n) => {
      done[0] = n;
      report();
    });
  }
  for (const state of await Promise.all(states)) welch.merge(state);
  return welch;
}

type WorkerMessage = { type: 'progress'; samples: number } | { type: 'done'; state: WelchState };

function runWelchWorker(task: WelchTask, onProgress: (samples: number) => void): Promise<WelchState> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SCRIPT, { workerData: task });
    let result: WelchState | undefined;
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'progress') onProgress(m.samples);
      else result = m.state;
    });
    worker.on('error', reject);
    worker.on('exit', (code) => {
      if (result) resolve(result);
      else reject(new OperationalError(`a PSD worker thread exited with code ${code} before finishing`));
    });
  });
}
