// Entry point of the bundled `heimdall` command.
import { main } from './cli.ts';

// Closed pipes (`heimdall psd ... | head`) end the program quietly instead of throwing EPIPE.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

process.exitCode = await main(process.argv.slice(2));
