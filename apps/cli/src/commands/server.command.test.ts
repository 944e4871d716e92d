import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { loadConfig } from '@heimdall/config';
import { tempDir } from '../cli-harness.ts';
import type { CommandContext } from '../command.ts';
import { createProgressFactory } from '../progress.ts';
import { serverCommand } from './server.command.ts';

function sink(): Writable & { text: () => string } {
  const chunks: Buffer[] = [];
  const w = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk);
      cb();
    },
  }) as Writable & { text: () => string };
  w.text = () => Buffer.concat(chunks).toString('utf8');
  return w;
}

async function until<T>(f: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const v = f();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('heimdall server starts on an empty data folder, prints the generated admin password once, serves, and stops on the signal', async () => {
  const dataDir = tempDir('server');
  try {
    const stdout = sink();
    const controller = new AbortController();
    const ctx: CommandContext = {
      argv: ['--port', '0', '--host', '127.0.0.1'],
      stdout,
      stderr: sink(),
      config: { ...loadConfig({ HEIMDALL_DATA_DIR: dataDir, HEIMDALL_LOG_LEVEL: 'error' }) },
      progress: createProgressFactory('off', process.stderr),
      signal: controller.signal,
    };
    const exit = serverCommand.run(ctx);
    const url = await until(
      () => /listening on (http:\/\/\S+)/.exec(stdout.text())?.[1],
      'the listening line',
    );
    const password = await until(
      () => /generated password: (\S+)/.exec(stdout.text())?.[1],
      'the admin password',
    );
    assert.equal((await fetch(`${url}/health`)).status, 200);
    assert.equal((await fetch(`${url}/ready`)).status, 200);
    const login = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password }),
    });
    assert.equal(login.status, 200);
    controller.abort();
    assert.equal(await exit, 0);
    await assert.rejects(fetch(`${url}/health`), 'the port is closed after stopping');

    // a second start on the same data folder keeps the admin and prints no password
    const again = sink();
    const controller2 = new AbortController();
    const exit2 = serverCommand.run({ ...ctx, stdout: again, signal: controller2.signal });
    await until(() => (/listening on/.test(again.text()) ? true : undefined), 'the second start');
    assert.doesNotMatch(again.text(), /password/);
    controller2.abort();
    assert.equal(await exit2, 0);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
