/**
 * The `heimdall` command: finds the verb, hands it the rest of argv, and maps what it throws to
 * an exit code and one line on stderr — in this one place:
 *   0 success; 1 bad input (UserError) or a failure; 2 bad usage (UsageError); 130 interrupted.
 */
import { randomUUID } from 'node:crypto';
import { loadConfig } from '@heimdall/config';
import { OperationalError, UserError } from '@heimdall/errors';
import { UsageError, type Command, type CommandContext } from './command.ts';
import { commands, type CommandEntry } from './commands/index.ts';
import { createProgressFactory, type ProgressMode } from './progress.ts';

const VERSION = '0.1.0';

async function globalHelp(): Promise<string> {
  const loaded = await Promise.all(commands.map((c) => c.load()));
  const width = Math.max(...loaded.map((c) => c.name.length));
  const lines = loaded.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'heimdall: spectrum monitoring from the command line and a fleet of receivers',
    '',
    'usage: heimdall <verb> [options]       heimdall <verb> --help for its options',
    '',
    'verbs:',
    ...lines,
    '',
    'environment: HEIMDALL_DATA_DIR, PORT, DATABASE_URL, NATS_URL, HEIMDALL_PROGRESS (auto|bar|plain|off)',
    'server sign-in: HEIMDALL_TOKEN_TTL, HEIMDALL_LOGIN_MAX_FAILURES, HEIMDALL_LOGIN_WINDOW, HEIMDALL_TRUST_PROXY',
    '  (heimdall server --help describes them)',
    '',
  ].join('\n');
}

/** Finds the longest verb that prefixes argv (`sim run` before `sim`). */
function findCommand(argv: readonly string[]): { entry: CommandEntry; rest: string[] } | undefined {
  let best: { entry: CommandEntry; rest: string[] } | undefined;
  for (const entry of commands) {
    const words = entry.name.split(' ');
    const longer = !best || words.length > best.entry.name.split(' ').length;
    if (longer && words.every((w, i) => argv[i] === w)) best = { entry, rest: argv.slice(words.length) };
  }
  return best;
}

export async function main(argv: readonly string[]): Promise<number> {
  const { stdout, stderr } = process;
  const first = argv[0];
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    (first === undefined ? stderr : stdout).write(await globalHelp());
    return first === undefined ? 2 : 0;
  }
  if (first === '--version' || first === '-V') {
    stdout.write(`heimdall ${VERSION}\n`);
    return 0;
  }
  const found = findCommand(argv);
  if (!found) {
    const group = commands.filter((c) => c.name.startsWith(`${first} `));
    stderr.write(
      group.length > 0
        ? `heimdall ${first}: expected one of: ${group.map((c) => c.name).join(', ')}\n`
        : `heimdall: unknown verb "${first}"; run heimdall --help for the list\n`,
    );
    return 2;
  }
  const { rest } = found;
  const command = await found.entry.load();
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const config = loadConfig();
    const mode: ProgressMode =
      config.progress === 'auto' ? (stderr.isTTY ? 'bar' : 'plain') : config.progress;
    const ctx: CommandContext = {
      argv: rest,
      stdout,
      stderr,
      config,
      progress: createProgressFactory(mode, stderr),
      signal: controller.signal,
    };
    return await command.run(ctx);
  } catch (e) {
    return report(command, e);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function report(command: Command, e: unknown): number {
  const { stderr } = process;
  if (e instanceof UsageError) {
    const usage = command.help.split('\n').find((l) => l.startsWith('usage:'));
    stderr.write(`heimdall ${command.name}: ${e.message}\n${usage ? `${usage}\n` : ''}`);
    stderr.write(`run heimdall ${command.name} --help for the options\n`);
    return 2;
  }
  if (e instanceof UserError) {
    stderr.write(`heimdall ${command.name}: error: ${e.describe()}\n`);
    return 1;
  }
  if (e instanceof OperationalError) {
    stderr.write(`heimdall ${command.name}: failed: ${e.message}\n`);
    return 1;
  }
  const id = randomUUID().slice(0, 8);
  stderr.write(`heimdall ${command.name}: unexpected error (id ${id}); please report it with this output\n`);
  stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  return 1;
}
