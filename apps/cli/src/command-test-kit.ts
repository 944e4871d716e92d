/** A command context for tests that run a verb in process: captured stdout and stderr, no progress bars. */
import { PassThrough } from 'node:stream';
import { loadConfig } from '@heimdall/config';
import type { CommandContext } from './command.ts';
import { createProgressFactory } from './progress.ts';

export function commandContext(argv: string[], signal = new AbortController().signal) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (b: Buffer) => (out += b.toString()));
  stderr.on('data', (b: Buffer) => (err += b.toString()));
  const ctx: CommandContext = {
    argv,
    stdout,
    stderr,
    config: loadConfig({}),
    progress: createProgressFactory('off', stderr),
    signal,
  };
  return { ctx, out: () => out, err: () => err };
}
