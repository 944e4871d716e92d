/**
 * Runs the built `heimdall` command as a user would (a child process, no terminal) for the CLI
 * tests. `npm test` builds it first (pretest).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CLI = new URL('../dist/heimdall.js', import.meta.url).pathname;

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function heimdall(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, HEIMDALL_PROGRESS: 'off', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
  });
}

/** A TCP port free on loopback right now, for a server the test starts as a child process. */
export async function freePort(): Promise<number> {
  const s = createTcpServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `heimdall-${prefix}-`));
}

/** Parses `frequency_hz,psd_db` CSV into two arrays (checks the header). */
export function parsePsdCsv(text: string): { frequencyHz: number[]; psdDb: number[] } {
  const lines = text.trimEnd().split('\n');
  if (lines[0] !== 'frequency_hz,psd_db') throw new Error(`unexpected CSV header: ${lines[0]}`);
  const frequencyHz: number[] = [];
  const psdDb: number[] = [];
  for (const line of lines.slice(1)) {
    const [f, p] = line.split(',');
    frequencyHz.push(Number(f));
    psdDb.push(p === '-inf' ? -Infinity : Number(p));
  }
  return { frequencyHz, psdDb };
}

/** A long-running `heimdall` (server, agent, demo) whose output a test watches. */
export interface RunningCli {
  readonly child: ReturnType<typeof spawn>;
  /** Everything printed so far (stdout and stderr, in arrival order). */
  output(): string;
  /** Resolves with the first match of `re` in the output (waits for it up to `timeoutMs`). */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Sends `signal` and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  readonly exited: Promise<number | null>;
}

const leftovers = new Set<RunningCli>();

/**
 * Kills (SIGKILL) every process {@link spawnHeimdall} started that still runs: call it in an
 * `after` hook, so a failed test does not leave a server or agent running (and the runner waiting).
 */
export async function killLeftovers(): Promise<void> {
  await Promise.all([...leftovers].map((p) => p.stop('SIGKILL')));
}

/** Runs the built CLI; `env` adds to this process's environment, and a key set to undefined is removed. */
export function spawnHeimdall(
  args: readonly string[],
  env: Record<string, string | undefined> = {},
): RunningCli {
  const merged: Record<string, string | undefined> = { ...process.env, HEIMDALL_PROGRESS: 'off', ...env };
  for (const [k, v] of Object.entries(merged)) if (v === undefined) delete merged[k];
  const child = spawn(process.execPath, [CLI, ...args], {
    env: merged,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const waiters = new Set<() => void>();
  const onData = (b: Buffer) => {
    text += b.toString('utf8');
    for (const w of waiters) w();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const running: RunningCli = {
    child,
    exited,
    output: () => text,
    waitFor(re, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = re.exec(text);
          if (m) {
            cleanup();
            resolve(m);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for ${re} in:\n${text}`));
        }, timeoutMs);
        const onExit = () => {
          check();
          cleanup();
          reject(new Error(`heimdall ${args[0]} exited before printing ${re}:\n${text}`));
        };
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
          child.off('close', onExit);
        };
        waiters.add(check);
        child.on('close', onExit);
        check();
      });
    },
    async stop(signal = 'SIGINT') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  leftovers.add(running);
  void exited.then(() => leftovers.delete(running));
  return running;
}
