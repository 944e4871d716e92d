/**
 * Entry point of the worker threads that `heimdall psd` splits large files over (bundled as
 * dist/welch-worker.js). The task arrives in `workerData`; the partial Welch sums go back as one
 * message.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Welch } from '@heimdall/dsp';
import { openRecording } from '@heimdall/formats';
import { feedRange, type WelchTask } from './welch-file.ts';

function runWorker(): void {
  const task = workerData as WelchTask;
  const port = parentPort;
  if (!port || task.kind !== 'welch') throw new Error('heimdall worker started without a task');
  const rec = openRecording(task.path, task.open);
  try {
    const welch = new Welch({
      fftSize: task.fftSize,
      overlap: task.overlap,
      window: task.window,
      format: rec.format,
      ...(task.windowBeta === undefined ? {} : { windowBeta: task.windowBeta }),
    });
    let last = 0;
    feedRange(rec, welch, task.start, task.end, (samples) => {
      if (samples - last >= 1 << 22) {
        last = samples;
        port.postMessage({ type: 'progress', samples });
      }
    });
    const state = welch.state();
    port.postMessage({ type: 'done', state }, [state.sum.buffer as ArrayBuffer]);
    welch.dispose();
  } finally {
    rec.close();
  }
}

runWorker();
