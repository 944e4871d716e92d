// Entry point of the bundled `heimdall` command. The main thread runs the verb; worker threads
// (started by verbs that split work across cores, such as `psd` on a large file) run worker.ts.
import { isMainThread } from 'node:worker_threads';
import { main } from './cli.ts';
import { runWorker } from './worker.ts';

// Closed pipes (`heimdall psd ... | head`) end the program quietly instead of throwing EPIPE.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

if (isMainThread) {
  process.exitCode = await main(process.argv.slice(2));
} else {
  await runWorker();
}
