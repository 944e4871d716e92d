import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { test } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import { Welch } from '@heimdall/dsp';
import { compileScene, SimReceiver, validateScenario } from '@heimdall/sim';
import { SimSource } from '../sim/sim-source.ts';
import { COMMAND, decodeHeader, encodeCommand } from './rtl-tcp.protocol.ts';
import { RtlTcpServer, type PacingClock } from './rtl-tcp.server.ts';

const scene = compileScene(
  validateScenario({
    seed: 11,
    nodes: [
      {
        name: 'n',
        latitude: 52,
        longitude: 6,
        center_frequency: 145e6,
        gain_db: 20,
        frequency_range: [24e6, 1766e6],
      },
    ],
    emitters: [
      { name: 'cw1', latitude: 52.02, longitude: 6, frequency: 145.3e6, power_w: 1, modulation: 'cw' },
      { name: 'cw2', latitude: 52.02, longitude: 6, frequency: 433.5e6, power_w: 1, modulation: 'cw' },
    ],
  }),
);

class FakeClock implements PacingClock {
  t = 0;
  private readonly fns: (() => void)[] = [];
  now(): number {
    return this.t;
  }
  every(_ms: number, fn: () => void) {
    this.fns.push(fn);
    return { cancel: () => this.fns.splice(this.fns.indexOf(fn), 1) };
  }
  /** Advances fake time in 10 ms steps, letting sockets work in between. */
  async advance(ms: number): Promise<void> {
    for (let done = 0; done < ms; done += 10) {
      this.t += 10;
      for (const fn of [...this.fns]) fn();
      await tick();
    }
  }
}

async function start(clock: FakeClock, maxBufferedBytes = 1 << 20) {
  const server = new RtlTcpServer({
    createSource: () => new SimSource(new SimReceiver(scene, 'n')),
    clock,
    maxBufferedBytes,
  });
  const port = await server.listen(0);
  return { server, port };
}

interface Client {
  socket: Socket;
  received(): Buffer;
  take(): Buffer;
}

async function client(port: number): Promise<Client> {
  const socket = connect(port, '127.0.0.1');
  let chunks: Buffer[] = [];
  socket.on('data', (b: Buffer) => chunks.push(b));
  await new Promise<void>((r) => socket.once('connect', () => r()));
  return {
    socket,
    received: () => Buffer.concat(chunks),
    take: () => {
      const b = Buffer.concat(chunks);
      chunks = [];
      return b;
    },
  };
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), what);
}

function peakHz(cu8: Uint8Array, fs: number, fc: number): number {
  const w = new Welch({ fftSize: 4096, format: 'cu8' });
  w.push(cu8.subarray(0, cu8.length - (cu8.length % 2)));
  const r = w.result(fs, fc);
  let best = 0;
  for (let i = 1; i < r.psdDb.length; i++) if ((r.psdDb[i] ?? 0) > (r.psdDb[best] ?? 0)) best = i;
  return r.frequencyHz[best] ?? 0;
}

test('greets with RTL0 / R820T / 29 gains and streams cu8 paced by the clock', async () => {
  const clock = new FakeClock();
  const { server, port } = await start(clock);
  const c = await client(port);
  await until(() => c.received().length >= 12, 'no header');
  assert.deepEqual(decodeHeader(c.received()), { tunerType: 5, gainCount: 29 });
  await clock.advance(100);
  // 0.1 s at 2.4 MS/s in blocks of 16384 samples: 14 whole blocks
  await until(() => c.received().length >= 12 + 14 * 32768, 'too few samples');
  await tick();
  assert.equal(c.received().length, 12 + 14 * 32768);
  c.socket.destroy();
  await server.close();
});

test('tunes where the client asks: the tone moves with the frequency command', async () => {
  const clock = new FakeClock();
  const { server, port } = await start(clock);
  const c = await client(port);
  c.socket.write(encodeCommand(COMMAND.setSampleRate, 2_048_000));
  c.socket.write(encodeCommand(COMMAND.setFrequency, 145_000_000));
  await until(() => server.stats()[0]?.sampleRate === 2_048_000, 'rate not applied');
  await clock.advance(20);
  c.take();
  await clock.advance(200);
  await until(() => c.received().length > 300_000, 'no samples');
  const a = c.take();
  assert.ok(Math.abs(peakHz(a.subarray(40_000), 2.048e6, 145e6) - 145.3e6) < 1000);
  c.socket.write(encodeCommand(COMMAND.setFrequency, 433_000_000));
  await until(() => server.stats()[0]?.centerFrequency === 433e6, 'frequency not applied');
  await clock.advance(20);
  c.take();
  await clock.advance(200);
  await until(() => c.received().length > 300_000, 'no samples after retune');
  assert.ok(Math.abs(peakHz(c.take().subarray(40_000), 2.048e6, 433e6) - 433.5e6) < 1000);
  c.socket.destroy();
  await server.close();
});

test('survives garbage commands and mid-stream disconnects, and keeps serving', async () => {
  const clock = new FakeClock();
  const { server, port } = await start(clock);
  const bad = await client(port);
  const junk = new Uint8Array(5003);
  for (let i = 0; i < junk.length; i++) junk[i] = (i * 7919 + 13) & 0xff;
  bad.socket.write(junk);
  bad.socket.write(encodeCommand(COMMAND.setFrequency, 5)); // outside the node's range
  bad.socket.write(encodeCommand(COMMAND.setSampleRate, 0));
  bad.socket.write(encodeCommand(0x77, 1));
  await until(() => (server.stats()[0]?.commands ?? 0) >= 1003, 'commands not read');
  assert.ok((server.stats()[0]?.ignoredCommands ?? 0) > 0);
  await clock.advance(50);
  await until(() => bad.received().length > 12, 'stopped streaming after garbage');
  // hang up in the middle of the stream
  bad.socket.destroy();
  await until(() => server.stats()[0]?.closed === true, 'session not closed');
  await clock.advance(50);
  const good = await client(port);
  good.socket.write(encodeCommand(COMMAND.setFrequency, 145_100_000));
  await clock.advance(100);
  await until(() => good.received().length > 12 + 32768, 'new client not served');
  good.socket.destroy();
  await server.close();
});

test('a client that stops reading makes the server drop blocks, not buffer them', async () => {
  const clock = new FakeClock();
  const bound = 256 * 1024;
  const { server, port } = await start(clock, bound);
  const c = await client(port);
  c.socket.pause();
  // 6 s of stream time: far more than the socket buffers hold
  await clock.advance(6000);
  const s = server.stats()[0];
  assert.ok(s !== undefined);
  assert.ok(s.blocksDropped > 0, 'nothing dropped');
  assert.ok(s.maxBuffered <= bound + 2 * 32768, `server buffered ${s.maxBuffered} bytes`);
  // reading again, the stream goes on
  c.socket.resume();
  c.take();
  await clock.advance(200);
  await until(() => c.received().length > 32768, 'no data after resuming');
  c.socket.destroy();
  await server.close();
});
