import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SimReceiver } from '@heimdall/sim';
import type { ScanPlan } from '../edge.contract.ts';
import { createEdge } from '../edge/edge.ts';
import { labScenario, levels, startEdge, TONE_HZ } from '../edge/edge-test-kit.ts';
import { RtlTcpServer, type PacingClock } from '../rtl-tcp/rtl-tcp.server.ts';
import { loadScenario } from '../sim/scenario-file.ts';
import { SimSource } from '../sim/sim-source.ts';
import { waitFor as poll } from '../uplink/agent-server-harness.ts';

const plan: ScanPlan = {
  id: null,
  version: 1,
  bands: [
    { centerHz: 100e6, spanHz: 2.4e6, fftSize: 2048, framesPerSecond: 10, averaging: 8, thresholdDb: 10 },
  ],
};

function labServer(clock?: PacingClock): RtlTcpServer {
  const scene = loadScenario(labScenario());
  return new RtlTcpServer({
    createSource: () => new SimSource(new SimReceiver(scene, 'lab')),
    ...(clock === undefined ? {} : { clock }),
  });
}

/** Polls every 10 ms: the states a reconnecting client passes through last tens of ms. */
const waitFor = (what: string, ok: () => boolean, timeoutMs = 15_000) => poll(what, ok, timeoutMs, 10);

test('rtl_tcp client: frames from heimdall sim serve peak at the emitter, stamped with arrival time', async () => {
  const server = labServer();
  const port = await server.listen(0);
  const edge = createEdge({ url: `rtl-tcp://127.0.0.1:${port}?rate=2.4M&gain=30`, plan });
  const { sink, stop } = startEdge(edge);
  try {
    await waitFor('3 frames', () => sink.spectra().length >= 3);
    assert.equal(edge.status().state, 'streaming');
    assert.equal(edge.status().sampleDrops, 0);
    const f = sink.spectra()[2]!;
    const { peakHz, binHz } = levels(f);
    assert.ok(Math.abs(peakHz - TONE_HZ) <= binHz, `peak at ${peakHz} Hz, want ${TONE_HZ} +- ${binHz}`);
    assert.ok(Math.abs(Number(f.captureTimeNs / 1_000_000n) - Date.now()) < 2_000);
    // the client configured the virtual dongle: sample rate, ppm, AGC, gain mode, gain, frequency
    const session = server.stats()[0]!;
    assert.equal(session.sampleRate, 2.4e6);
    assert.equal(session.centerFrequency, 100e6);
    assert.deepEqual(session.commandLog.slice(0, 6), [0x02, 0x05, 0x08, 0x03, 0x04, 0x01]);
    assert.equal(session.ignoredCommands, 0);
  } finally {
    await stop();
    await server.close();
  }
});

test('rtl_tcp client: reconnects with backoff after the server is killed and restarted', async () => {
  const first = labServer();
  const port = await first.listen(0);
  const edge = createEdge({
    url: `rtl-tcp://127.0.0.1:${port}`,
    plan,
    backoff: { baseMs: 50, maxMs: 200 },
  });
  const { sink, stop } = startEdge(edge);
  let second: RtlTcpServer | undefined;
  try {
    await waitFor('first frames', () => sink.spectra().length >= 2);
    await first.close();
    await waitFor('the loss to show', () => edge.status().state !== 'streaming');
    await waitFor('a retry message', () => /retrying in \d+\.\d s/.test(edge.status().message ?? ''));
    assert.match(
      edge.status().message ?? '',
      new RegExp(`^rtl_tcp at 127\\.0\\.0\\.1:${port} (closed the connection|refused the connection)`),
    );
    await new Promise((r) => setTimeout(r, 300));
    const before = sink.spectra().length;
    second = labServer();
    await second.listen(port);
    await waitFor('frames after the restart', () => sink.spectra().length >= before + 2);
    assert.equal(edge.status().state, 'streaming');
    assert.equal(edge.status().message, null);
    // the outage is a gap in the stream: at least 0.3 s of samples
    assert.ok(edge.status().sampleDrops >= 0.3 * 2.4e6, `${edge.status().sampleDrops} drops`);
    // waiting for the server is not the edge falling behind
    assert.equal(edge.status().overruns, 0);
  } finally {
    await stop();
    await second?.close();
  }
});

test('rtl_tcp client: a stream that delivers half its nominal rate has its missing samples counted as drops', async () => {
  // the server paces by a clock running at half speed: 1.2 MS/s instead of 2.4
  const half: PacingClock = {
    now: () => performance.now() / 2,
    every: (ms, fn) => {
      const t = setInterval(fn, ms);
      return { cancel: () => clearInterval(t) };
    },
  };
  const server = labServer(half);
  const port = await server.listen(0);
  const edge = createEdge({ url: `rtl-tcp://127.0.0.1:${port}`, plan });
  const { sink, stop } = startEdge(edge);
  try {
    await waitFor('drops', () => edge.status().sampleDrops > 0, 10_000);
    assert.equal(edge.status().state, 'streaming');
    assert.ok(edge.status().sampleDrops >= 0.5 * 2.4e6, String(edge.status().sampleDrops));
    assert.ok(sink.spectra().length > 0);
  } finally {
    await stop();
    await server.close();
  }
});

test('rtl_tcp client: a server that stops sending is reported stalled and reconnected', async () => {
  // a server whose pacing clock never ticks: it greets, then sends nothing
  const frozen: PacingClock = { now: () => 0, every: () => ({ cancel: () => undefined }) };
  const server = labServer(frozen);
  const port = await server.listen(0);
  const edge = createEdge({
    url: `rtl-tcp://127.0.0.1:${port}?stall=0.3`,
    plan,
    backoff: { baseMs: 20, maxMs: 50 },
  });
  const { sink, stop } = startEdge(edge);
  try {
    await waitFor('stalled', () => edge.status().state === 'stalled', 5_000);
    assert.match(edge.status().message ?? '', /sent no samples for 0\.3 s \(stalled\); reconnecting in/);
    await waitFor('a reconnection', () => server.stats().length >= 2, 5_000);
    assert.equal(sink.frames.length, 0);
  } finally {
    await stop();
    await server.close();
  }
});
