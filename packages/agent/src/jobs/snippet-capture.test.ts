import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '@heimdall/config';
import { UserError } from '@heimdall/errors';
import { SimReceiver } from '@heimdall/sim';
import type { Edge } from '../edge.contract.ts';
import type { EdgeClock } from '../edge/edge-clock.ts';
import { createEdge } from '../edge/edge.ts';
import { labScenario, startEdge, TONE_HZ } from '../edge/edge-test-kit.ts';
import { msToNs, type SnippetRequest } from '../receivers/receiver.ts';
import { parseReceiverUrl } from '../receivers/receiver-url.ts';
import { SimEdgeReceiver } from '../receivers/sim.receiver.ts';
import { RtlTcpServer } from '../rtl-tcp/rtl-tcp.server.ts';
import { loadScenario } from '../sim/scenario-file.ts';
import { SimSource } from '../sim/sim-source.ts';
import { waitFor } from '../uplink/agent-server-harness.ts';
import { toneAmplitude } from './job-test-kit.ts';

/** The edge's snippet capture (every edge `createEdge` makes has one). */
function snippetOf(edge: Edge): NonNullable<Edge['captureSnippet']> {
  const capture = edge.captureSnippet?.bind(edge);
  if (capture === undefined) throw new Error('the edge has no captureSnippet');
  return capture;
}

/** A clock that stands still at `ms` and does not wait. */
function frozen(ms: number): EdgeClock {
  return { now: () => ms, sleep: () => Promise.resolve() };
}

function request(startMs: number, over: Partial<SnippetRequest> = {}): SnippetRequest {
  return {
    startNs: msToNs(startMs),
    durationMs: 4,
    centerHz: TONE_HZ + 50e3,
    minSampleRateHz: 250e3,
    maxSamples: 1 << 20,
    ...over,
  };
}

describe('snippet capture', () => {
  it('sim: agents started at different moments record the same instant alike (a shared timeline)', async () => {
    const url = parseReceiverUrl(`sim://${labScenario()}#lab`);
    if (url.kind !== 'sim') throw new Error('a sim URL');
    const at = Date.parse('2026-12-01T10:00:00.250Z');
    const early = new SimEdgeReceiver(url, frozen(at - 3_600_000)); // started an hour before
    const late = new SimEdgeReceiver(url, frozen(at - 2_000)); // two seconds before
    const signal = new AbortController().signal;
    const a = await early.captureAt(request(at), signal);
    const b = await late.captureAt(request(at), signal);
    assert.deepEqual(a.iq, b.iq, 'the same samples, whenever each agent started');
    const other = await late.captureAt(request(at + 1), signal);
    assert.notDeepEqual(other.iq, a.iq, 'another instant gives other samples');
    assert.equal(a.startNs, msToNs(at));
    await assert.rejects(
      late.captureAt(request(at - 5_000), signal),
      /the capture time passed 3000 ms before the receiver was ready/,
    );
  });

  it('rtl_tcp: tunes away for the snippet, stamps it by arrival (system clock), and the frames go on', async () => {
    const scene = loadScenario(labScenario());
    const server = new RtlTcpServer({ createSource: () => new SimSource(new SimReceiver(scene, 'lab')) });
    const port = await server.listen(0);
    const edge = createEdge({
      url: `rtl-tcp://127.0.0.1:${port}?rate=1.024M&gain=30`,
      plan: {
        id: null,
        version: 1,
        bands: [
          {
            centerHz: 100e6,
            spanHz: 1.024e6,
            fftSize: 1024,
            framesPerSecond: 10,
            averaging: 4,
            thresholdDb: 10,
          },
        ],
      },
    });
    const { sink, signal, stop } = startEdge(edge);
    try {
      await waitFor('streaming', () => sink.spectra().length >= 2, 15_000);
      const start = Date.now() + 600;
      const s = await snippetOf(edge)(request(start, { durationMs: 50 }), signal);
      assert.equal(s.clockSource, 'system', 'arrival times are not good enough for TDOA');
      assert.equal(s.sampleRateHz, 1.024e6, 'the receiver runs at its own rate, above the 250 kS/s asked');
      assert.equal(s.iq.length, 2 * Math.ceil(0.05 * 1.024e6));
      const offMs = Number(s.startNs - msToNs(start)) / 1e6;
      assert.ok(Math.abs(offMs) < 1, `first sample ${offMs} ms from the requested instant`);
      assert.ok(server.stats()[0]!.centerFrequency === TONE_HZ + 50e3, 'the dongle was retuned');
      const tone = toneAmplitude(s.iq, 1.024e6, -50e3);
      const elsewhere = toneAmplitude(s.iq, 1.024e6, 170e3);
      assert.ok(
        tone > 30 * elsewhere,
        `the carrier 50 kHz below the tuning: ${tone} vs ${elsewhere} elsewhere`,
      );
      const after = sink.spectra().length;
      await waitFor('frames after the snippet', () => sink.spectra().length >= after + 3, 5_000);
      assert.equal(server.stats()[0]!.centerFrequency, 100e6, 'back on the band');
      await assert.rejects(
        snippetOf(edge)(request(Date.now() + 300, { centerHz: 2e9 }), signal),
        /cannot tune to 2000 MHz: an RTL-SDR tunes 24 to 1766 MHz/,
      );
    } finally {
      await stop();
      await server.close();
    }
  });

  it('a recording cannot take part, and says so', async () => {
    const tpms = join(loadConfig().sharedDataDir, 'tpms-rtl433-cu8', 'g001_433.92M_250k.sigmf-meta');
    const edge = createEdge({ url: `sigmf://${tpms}` });
    await assert.rejects(
      snippetOf(edge)(request(Date.now() + 1000, { centerHz: 433.92e6 }), new AbortController().signal),
      (e: unknown) =>
        e instanceof UserError &&
        /a recording has no future samples; fix: run the agent on a live receiver/.test(e.describe()),
    );
  });
});
