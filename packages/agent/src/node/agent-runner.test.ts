import assert from 'node:assert/strict';
import { mkdtempSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SimReceiver } from '@heimdall/sim';
import type { Heartbeat } from '@heimdall/protocol';
import type { AgentLogger } from '../agent-logger.ts';
import { createEdge } from '../edge/edge.ts';
import { RtlTcpServer } from '../rtl-tcp/rtl-tcp.server.ts';
import { loadScenario } from '../sim/scenario-file.ts';
import { SimSource } from '../sim/sim-source.ts';
import { startTestServer, waitFor, type TestServer } from '../uplink/agent-server-harness.ts';
import { Agent, type AgentOptions } from './agent-runner.ts';
import type { Credentials } from './credentials.ts';

function recordingLogger(): AgentLogger & { text(): string } {
  const lines: string[] = [];
  const at = (level: string) => (m: string) => {
    lines.push(`${level} ${m}`);
  };
  return { text: () => lines.join('\n'), info: at('info'), warn: at('warn'), error: at('error') };
}

const plan = {
  id: null,
  version: 0,
  bands: [
    { centerHz: 145.5e6, spanHz: 2.4e6, fftSize: 1024, framesPerSecond: 5, averaging: 4, thresholdDb: 10 },
  ],
};

async function latest(srv: TestServer, c: Credentials): Promise<Heartbeat | undefined> {
  return (await srv.heartbeats(c.nodeId))[0];
}

/** Runs an agent of `creds`' node against `srv` in a fresh folder; `stop()` stops it and waits. */
function startAgent(
  srv: TestServer,
  creds: Credentials,
  options: Omit<AgentOptions, 'dataDir' | 'serverUrl' | 'credentials'>,
): { agent: Agent; stop(): Promise<void> } {
  const agent = new Agent({
    dataDir: mkdtempSync(join(tmpdir(), 'heimdall-agent-')),
    serverUrl: srv.url,
    credentials: creds,
    ...options,
  });
  const ctl = new AbortController();
  const done = agent.run(ctl.signal);
  return {
    agent,
    async stop() {
      ctl.abort();
      await done;
    },
  };
}

describe('Agent', () => {
  it('streams a simulated receiver and reports host, receiver and spool in heartbeats the server keeps', async () => {
    const srv = await startTestServer();
    const creds = await srv.enroll();
    const { agent, stop } = startAgent(srv, creds, {
      edge: createEdge({ url: 'sim://demo#twente', plan }),
      heartbeatIntervalMs: 300,
    });
    await waitFor('frames and two heartbeats', async () => {
      const n = await srv.node(creds.nodeId);
      return n.ingest.frames_received >= 5 && (await srv.heartbeats(creds.nodeId)).length >= 2;
    });
    const hb = (await latest(srv, creds)) as Heartbeat;
    assert.equal(hb.receiver_state, 'streaming');
    assert.equal(hb.agent_version, '0.1.0');
    assert.equal(hb.clock_source, 'gps', 'the demo twente site has a GPS clock');
    assert.ok((hb.disk_free_bytes ?? 0) > 0);
    assert.ok((hb.memory_total_bytes ?? 0) > 0);
    assert.equal(typeof hb.spool_frames, 'number');
    assert.equal(typeof hb.spool_bytes, 'number');
    assert.equal(hb.spool_dropped, 0);
    const health = (await srv.node(creds.nodeId)).health;
    assert.equal(health?.receiver_state, 'streaming', 'the node shows its latest heartbeat');
    assert.equal(health?.agent_version, '0.1.0');
    await stop();
    const node = await srv.node(creds.nodeId);
    assert.equal(
      node.ingest.frames_received,
      agent.status().spool.nextSequence,
      'a clean stop delivers everything',
    );
    assert.equal(node.status, 'online');
    await srv.close();
  });

  it('reports a receiver that stops sending, keeps running, and recovers when it is back', async () => {
    const srv = await startTestServer();
    const creds = await srv.enroll();
    const scene = loadScenario('demo');
    const rtl = () =>
      new RtlTcpServer({ createSource: () => new SimSource(new SimReceiver(scene, 'twente')) });
    let dongle = rtl();
    const port = await dongle.listen(0);
    const log = recordingLogger();
    const { agent, stop } = startAgent(srv, creds, {
      edge: createEdge({
        url: `rtl-tcp://127.0.0.1:${port}`,
        plan,
        backoff: { baseMs: 50, maxMs: 300 },
        logger: log,
      }),
      logger: log,
      heartbeatIntervalMs: 300,
    });
    await waitFor('streaming', async () => (await latest(srv, creds))?.receiver_state === 'streaming');
    await dongle.close();
    await waitFor('a heartbeat saying the receiver is gone', async () => {
      const hb = await latest(srv, creds);
      return hb !== undefined && hb.receiver_state !== 'streaming' && hb.receiver_message !== null;
    });
    const down = (await latest(srv, creds)) as Heartbeat;
    assert.match(String(down.receiver_message), /127\.0\.0\.1/);
    assert.match(log.text(), /warn .*127\.0\.0\.1/);
    dongle = rtl();
    await dongle.listen(port);
    await waitFor('streaming again', async () => (await latest(srv, creds))?.receiver_state === 'streaming');
    await stop();
    await dongle.close();
    const node = await srv.node(creds.nodeId);
    assert.equal(node.ingest.frames_received, agent.status().spool.nextSequence);
    await srv.close();
  });

  it('survives a full disk: logs it once, counts the lost frames in heartbeats, resumes when space returns', async () => {
    const srv = await startTestServer();
    const creds = await srv.enroll();
    let full = false;
    const log = recordingLogger();
    const { agent, stop } = startAgent(srv, creds, {
      edge: createEdge({ url: 'sim://demo#twente', plan }),
      logger: log,
      heartbeatIntervalMs: 300,
      spool: {
        write: (fd, data, position) => {
          if (full)
            throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
          return writeSync(fd, data, 0, data.length, position);
        },
      },
    });
    await waitFor('frames', async () => (await srv.node(creds.nodeId)).ingest.frames_received >= 3);
    full = true;
    await waitFor('lost frames in a heartbeat', async () =>
      (await srv.heartbeats(creds.nodeId)).some((h) => (h.spool_dropped ?? 0) > 0),
    );
    assert.equal(log.text().match(/is full/g)?.length, 1, log.text());
    full = false;
    await waitFor('storing again', () => /storing frames again/.test(log.text()));
    const before = (await srv.node(creds.nodeId)).ingest.frames_received;
    await waitFor('frames again', async () => (await srv.node(creds.nodeId)).ingest.frames_received > before);
    await stop();
    assert.ok(agent.status().unstoredFrames > 0);
    await srv.close();
  });

  it("follows the server's scan plan for its group and reports the plan it runs", async () => {
    const srv = await startTestServer();
    const creds = await srv.enroll(undefined, ['roof']);
    const token = await srv.adminToken();
    const created = await srv.server.app.inject({
      method: 'POST',
      url: '/api/v1/scan-plans',
      headers: { authorization: `Bearer ${token}` },
      payload: {
        name: 'aprs',
        target_groups: ['roof'],
        bands: [
          {
            center_hz: 144.8e6,
            span_hz: 1e6,
            fft_size: 512,
            frames_per_second: 4,
            averaging: 4,
            threshold_db: 10,
          },
        ],
      },
    });
    assert.equal(created.statusCode, 201, created.body);
    const edge = createEdge({ url: 'sim://demo#twente', plan });
    // one sync round only (at start): the report must follow the switch without waiting for the next
    const { stop } = startAgent(srv, creds, {
      edge,
      planIntervalMs: 600_000,
    });
    await waitFor('the plan switch', () => edge.plan().bands[0]?.centerHz === 144.8e6);
    await waitFor('the reported plan', async () => {
      const r = await srv.server.app.inject({
        method: 'GET',
        url: `/api/v1/nodes/${creds.nodeId}/scan-plan`,
        headers: { authorization: `Bearer ${token}` },
      });
      const body = r.json() as { desired: { id: string } | null; reported: { id: string | null } | null };
      return body.reported !== null && body.desired !== null && body.reported.id === body.desired.id;
    });
    await stop();
    await srv.close();
  });
});
