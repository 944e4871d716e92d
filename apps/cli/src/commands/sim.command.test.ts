import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { UserError } from '@heimdall/errors';
import { UsageError } from '../command.ts';
import { simRunCommand, simServeCommand } from './sim.command.ts';
import { commandContext as context } from '../command-test-kit.ts';

test('sim run writes the recording and its truth for a node of the demo', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'heimdall-simcmd-'));
  const out = join(dir, 'rec.sigmf-meta');
  const c = context(['demo', '--node', 'linkoping', '--seconds', '0.5', '--out', out, '--start', '7s']);
  assert.equal(await simRunCommand.run(c.ctx), 0);
  assert.ok(existsSync(join(dir, 'rec.sigmf-data')));
  assert.ok(existsSync(join(dir, 'rec.truth.json')));
  const meta = JSON.parse(readFileSync(out, 'utf8')) as {
    global: Record<string, unknown>;
    captures: Record<string, unknown>[];
  };
  assert.equal(meta.global['core:sample_rate'], 2_400_000);
  assert.match(String(meta.captures[0]?.['core:datetime']), /^2024-06-03T06:00:07(\.0+)?Z$/);
  assert.match(c.err(), /x real time/);
});

test('sim run: bad usage and bad input are told apart', async () => {
  await assert.rejects(simRunCommand.run(context(['demo', '--seconds', '1', '--out', 'x']).ctx), UsageError);
  await assert.rejects(
    simRunCommand.run(context(['demo', '--node', 'x', '--out', 'x', '--seconds', 'soon']).ctx),
    UsageError,
  );
  await assert.rejects(
    simRunCommand.run(
      context(['demo', '--node', 'atlantis', '--seconds', '1', '--out', join(tmpdir(), 'x')]).ctx,
    ),
    (e: unknown) => e instanceof UserError && /no node named "atlantis"/.test(e.message),
  );
  await assert.rejects(
    simRunCommand.run(
      context(['demo', '--node', 'twente', '--freq', '5G', '--seconds', '1', '--out', join(tmpdir(), 'x')])
        .ctx,
    ),
    (e: unknown) => e instanceof UserError && /outside node "twente"'s range/.test(e.message),
  );
  const h = context(['--help']);
  assert.equal(await simRunCommand.run(h.ctx), 0);
  assert.match(h.out(), /^usage: heimdall sim run SCENARIO/);
});

test('sim serve listens, greets rtl_tcp clients and stops when interrupted', async () => {
  const stop = new AbortController();
  const c = context(['demo', '--node', 'twente', '--rtl-tcp', '127.0.0.1:0'], stop.signal);
  const running = simServeCommand.run(c.ctx);
  for (let i = 0; i < 200 && !/listening|rtl_tcp on/.test(c.err()); i++)
    await new Promise((r) => setTimeout(r, 10));
  const port = Number(/on 127\.0\.0\.1:(\d+)/.exec(c.err())?.[1]);
  assert.ok(port > 0, c.err());
  const socket = connect(port, '127.0.0.1');
  const header = await new Promise<Buffer>((resolve) => socket.once('data', (b: Buffer) => resolve(b)));
  assert.equal(header.subarray(0, 4).toString(), 'RTL0');
  socket.destroy();
  stop.abort();
  assert.equal(await running, 0);
});
