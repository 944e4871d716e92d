/** Where a verb's result goes: standard output, or the file named by `--out`. */
import { createWriteStream } from 'node:fs';
import { UserError } from '@heimdall/errors';
import type { CommandContext } from './command.ts';

/** Writes to --out or stdout and waits until it is flushed. */
export function writeOut(ctx: CommandContext, out: string | undefined, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (out === undefined) {
      ctx.stdout.write(text, (e) => (e ? reject(e) : resolve()));
      return;
    }
    const stream = createWriteStream(out);
    stream.on('error', (e) =>
      reject(
        new UserError(`cannot write ${out}: ${e.message}`, { field: '--out', fix: 'choose a writable path' }),
      ),
    );
    stream.end(text, () => resolve());
  });
}
