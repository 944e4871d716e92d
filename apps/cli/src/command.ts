/**
 * The shape of one `heimdall` verb. `main.ts` parses nothing itself: it finds the verb, hands it
 * the rest of argv, and maps whatever it throws to an exit code and a one-line message
 * (UserError -> 1, UsageError -> 2, anything else -> 1 with "unexpected" and a correlation id).
 */
import type { Writable } from 'node:stream';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Config } from '@heimdall/config';
import type { ProgressFactory } from './progress.ts';

export interface CommandContext {
  /** Arguments after the verb (and after the sub-verb for nested verbs such as `sim run`). */
  readonly argv: readonly string[];
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly config: Config;
  /** Progress bar on a terminal, plain lines otherwise, nothing when quiet. Write to stderr only. */
  readonly progress: ProgressFactory;
  /** Aborted on SIGINT/SIGTERM: long verbs stop cleanly and return 0 (or 130 when interrupted mid-work). */
  readonly signal: AbortSignal;
}

export interface Command {
  /** The verb as typed, e.g. `psd` or `sim run`. */
  readonly name: string;
  /** One line for `heimdall --help`. */
  readonly summary: string;
  /** Full `--help` text: usage line, options with defaults, an example. */
  readonly help: string;
  /** Returns the exit code (0 on success). Throw UserError for bad input, UsageError for bad usage. */
  run(ctx: CommandContext): Promise<number>;
}

/** Bad command-line usage (unknown flag, missing argument): exit code 2 with the verb's usage. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * `node:util` parseArgs with strict checking, turning its errors into {@link UsageError}s and
 * handling `--help` for the caller (returns `undefined` after printing help).
 */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(
  ctx: CommandContext,
  command: Command,
  options: T,
  allowPositionals = true,
) {
  const withHelp = { ...options, help: { type: 'boolean', short: 'h' } } as const;
  let parsed;
  try {
    parsed = parseArgs({
      args: [...ctx.argv],
      options: withHelp,
      allowPositionals,
      strict: true,
    });
  } catch (e) {
    throw new UsageError(
      e instanceof Error ? e.message.replace(/\. To specify a positional.*$/s, '') : String(e),
    );
  }
  if ((parsed.values as Record<string, unknown>)['help'] === true) {
    ctx.stdout.write(command.help.endsWith('\n') ? command.help : `${command.help}\n`);
    return undefined;
  }
  return parsed as ReturnType<typeof parseArgs<{ options: T; allowPositionals: true; strict: true }>>;
}

/** `--port N`: a TCP port, 0 (pick a free one) to 65535; `fallback` when the flag is absent. */
export function parsePort(raw: string | undefined, fallback: number): number {
  const port = parseQuantity('port', raw) ?? fallback;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port must be 0-65535 (got ${raw})`);
  return port;
}

/** Parses a number option strictly: `--fft 4096`, `--rate 2.4e6`, `--freq 100M` (k, M, G suffixes). */
export function parseQuantity(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const m = /^([-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)\s*([kKMG]?)$/.exec(raw.trim());
  if (!m) throw new UsageError(`--${flag} must be a number, optionally with k, M or G (got "${raw}")`);
  const scale = { '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9 }[m[2] ?? ''] ?? 1;
  return Number(m[1]) * scale;
}
