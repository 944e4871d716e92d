/**
 * Runs the built `heimdall` command as a user would (a child process, no terminal) for the CLI
 * tests. `npm test` builds it first (pretest).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
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
