/**
 * Entry point of the localization worker thread (bundled as dist/solve-worker.js): one fix per
 * thread, so correlating snippets of up to a million samples per node never stalls the server's
 * event loop. Answers `{ fix }` or `{ error }` (a UserError's message and fix, or a crash).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { UserError } from '@heimdall/errors';
import { solveFix, type SolveJob, type SolveOutcome } from './solve-fix.ts';

const port = parentPort;
if (port === null) throw new Error('the localization worker must run in a worker thread');
const job = workerData as SolveJob;
let outcome: SolveOutcome;
try {
  outcome = { fix: solveFix(job.snippets, job.request) };
} catch (e) {
  outcome =
    e instanceof UserError
      ? { error: e.message, fix: e.fix, user: true }
      : { error: e instanceof Error ? e.message : String(e), user: false };
}
port.postMessage(outcome);
