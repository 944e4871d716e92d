/**
 * Localization end to end, in one process: a real server (PGlite, in-process bus, listening on
 * loopback) and five agents on the simulated GPS-synced sites of `heimdall eval localize
 * tdoa-20km`, each with its own edge, spool, uplink, heartbeats and job runner. An operator asks
 * `POST /api/v1/localizations` for each of eight emitters five seconds ahead; the agents capture
 * and upload their snippets, the server fixes by TDOA, and the fixes are scored against the
 * scenario's true emitter positions.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Localization } from '@heimdall/protocol';
import {
  compileScene,
  emitterSchema,
  parseScenario,
  SimReceiver,
  tdoa20kmScenarioText,
  type ScenarioSpec,
} from '@heimdall/sim';
import type { ScanPlan } from '../edge.contract.ts';
import { createEdge } from '../edge/edge.ts';
import { UserError } from '@heimdall/errors';
import { Agent } from '../node/agent-runner.ts';
import type { Credentials } from '../node/credentials.ts';
import { enroll } from '../node/enrollment.ts';
import type { IqSnippet } from '../receivers/receiver.ts';
import { startTestServer, waitFor, type TestServer } from '../uplink/agent-server-harness.ts';
import { HttpJobApi } from './job-api.ts';
import { MAX_SNIPPET_SAMPLES } from './localization-capture.job.ts';

/** The five GPS-synced sites of `heimdall eval localize tdoa-20km` (about 20 km apart). */
const SITES = tdoa20kmScenarioText;

const LIGHT_PLAN: ScanPlan = {
  id: null,
  version: 0,
  bands: [
    { centerHz: 433.92e6, spanHz: 250e3, fftSize: 512, framesPerSecond: 1, averaging: 4, thresholdDb: 10 },
  ],
};

const TRIALS = 8;
const BANDWIDTH = 100e3;
/** SNR of each emitter at the median node, dB. */
const SNR_DB = 15;

interface Target {
  readonly name: string;
  readonly frequency: number;
  readonly latitude: number;
  readonly longitude: number;
}

/**
 * The sites plus one steady 100 kHz noise-like emitter per trial, each on its own frequency (300
 * kHz apart: a 250 kS/s snippet holds one) at a fixed pseudo-random place among the sites, its
 * power set so the median site sees {@link SNR_DB}. Written to a file the agents' `sim://` URLs name.
 */
function writeScenario(): { path: string; spec: ScenarioSpec; targets: Target[] } {
  const base = parseScenario(SITES, 'tdoa-20km-live');
  const lats = base.nodes.map((n) => n.latitude);
  const lons = base.nodes.map((n) => n.longitude);
  const [lat0, lat1, lon0, lon1] = [
    Math.min(...lats),
    Math.max(...lats),
    Math.min(...lons),
    Math.max(...lons),
  ];
  let seed = 12345;
  const uniform = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const emitters = [];
  const targets: Target[] = [];
  for (let k = 0; k < TRIALS; k++) {
    const t: Target = {
      name: `target-${k}`,
      frequency: 432.5e6 + k * 300e3,
      latitude: lat0 + (0.15 + 0.7 * uniform()) * (lat1 - lat0),
      longitude: lon0 + (0.15 + 0.7 * uniform()) * (lon1 - lon0),
    };
    const emitter = (powerDbm: number) =>
      emitterSchema.parse({
        ...t,
        altitude_m: 500,
        power_dbm: powerDbm,
        modulation: { type: 'noise', bandwidth: BANDWIDTH },
      });
    const probe = compileScene({ ...base, emitters: [emitter(0)], anomalies: [] });
    const snrs = base.nodes
      .map(
        (n) =>
          new SimReceiver(probe, n.name, { centerFrequency: t.frequency, sampleRate: 250e3 }).heard()[0]
            ?.snrDb,
      )
      .filter((s): s is number => s !== undefined)
      .sort((a, b) => a - b);
    const mid = snrs[snrs.length >> 1];
    if (mid === undefined) throw new Error(`no site hears ${t.name}`);
    emitters.push(emitter(SNR_DB - mid));
    targets.push(t);
  }
  const spec = { ...base, emitters };
  const path = join(mkdtempSync(join(tmpdir(), 'heimdall-loc-')), 'tdoa-20km-live.json');
  writeFileSync(path, JSON.stringify(spec));
  return { path, spec, targets };
}

/** Great-circle distance, metres (the sites and emitters share one altitude). */
function distanceM(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const r = Math.PI / 180;
  const dLat = (b.lat - a.lat) * r;
  const dLon = (b.lon - a.lon) * r;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * r) * Math.cos(b.lat * r) * Math.sin(dLon / 2) ** 2;
  return 2 * 6_371_008.8 * Math.asin(Math.sqrt(h));
}

async function api(srv: TestServer, method: 'GET' | 'POST', url: string, payload?: unknown) {
  const r = await srv.server.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${await srv.adminToken()}` },
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });
  return { status: r.statusCode, body: r.json() as unknown };
}

/** Enrolls `n` located nodes of the sites; returns their credentials. */
async function enrollSites(
  srv: TestServer,
  spec: ScenarioSpec,
  n = spec.nodes.length,
): Promise<Credentials[]> {
  const out: Credentials[] = [];
  for (const node of spec.nodes.slice(0, n)) {
    const token = await api(srv, 'POST', '/api/v1/enrollment-tokens', {});
    out.push(
      await enroll({
        serverUrl: srv.url,
        token: (token.body as { token: string }).token,
        name: node.name,
        location: { lat: node.latitude, lon: node.longitude, alt_m: node.altitude_m },
      }),
    );
  }
  return out;
}

describe('localization through the running system', () => {
  it('the server takes a snippet of the largest size the agent sends, and refuses one sample more', async () => {
    const srv = await startTestServer();
    try {
      const spec = parseScenario(SITES, 'tdoa-20km-live');
      const nodes = await enrollSites(srv, spec, 3);
      const r = await api(srv, 'POST', '/api/v1/localizations', {
        freq_hz: 433.92e6,
        bandwidth_hz: BANDWIDTH,
        capture_time: new Date(Date.now() + 60_000).toISOString(),
        duration_ms: 20,
        node_ids: nodes.map((c) => c.nodeId),
        method: 'tdoa',
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      const loc = r.body as Localization;
      const snippet = (samples: number): IqSnippet => ({
        iq: new Float32Array(2 * samples),
        sampleRateHz: 2.4e6,
        centerHz: 433.92e6,
        startNs: 1_700_000_000_000_000_000n,
        clockSource: 'system',
      });
      const job = (k: number) => {
        const c = nodes[k]!;
        return { api: new HttpJobApi(srv.url, c.apiKey, c.nodeId), id: loc.job_ids[k]! };
      };
      const big = job(0);
      await assert.rejects(
        big.api.uploadSnippet(big.id, snippet(MAX_SNIPPET_SAMPLES + 1)),
        (e: unknown) => e instanceof UserError && /HTTP 413/.test(e.message),
      );
      const receipt = await big.api.uploadSnippet(big.id, snippet(MAX_SNIPPET_SAMPLES));
      assert.equal(receipt.samples, MAX_SNIPPET_SAMPLES);
      assert.equal(receipt.expected, 3);
      const other = job(1);
      assert.equal(await other.api.report(other.id, { status: 'running' }), 'accepted');
      assert.equal(
        await other.api.report(other.id, { status: 'failed', error: 'test: the receiver broke' }),
        'accepted',
      );
      assert.equal(
        await other.api.report(other.id, { status: 'running' }),
        'job-over',
        'a finished job never moves again',
      );
    } finally {
      await srv.close();
    }
  });

  it('five simulated GPS agents answer POST /api/v1/localizations: TDOA fixes with median error under 30 m', async (t) => {
    const { path, spec, targets } = writeScenario();
    const srv = await startTestServer();
    const stop = new AbortController();
    const running: Promise<void>[] = [];
    try {
      const nodes = await enrollSites(srv, spec);
      for (const [k, n] of spec.nodes.entries()) {
        const creds = nodes[k]!;
        const agent = new Agent({
          dataDir: mkdtempSync(join(tmpdir(), `heimdall-agent-${n.name}-`)),
          serverUrl: srv.url,
          credentials: creds,
          // a light plan: the machine is shared, and the frames are not what is tested here
          edge: createEdge({ url: `sim://${path}#${n.name}`, plan: LIGHT_PLAN }),
          heartbeatIntervalMs: 2000,
          jobPollIntervalMs: 500,
        });
        running.push(agent.run(stop.signal));
      }
      await waitFor('a GPS heartbeat from every agent', async () => {
        for (const c of nodes) if ((await srv.heartbeats(c.nodeId))[0]?.clock_source !== 'gps') return false;
        return true;
      });

      // each capture 5 s ahead of its request (agents poll every 0.5 s, but the 2 cores are shared
      // with other work and the server runs in this thread) and 1 s after the previous one (frames
      // pause 1 s per snippet)
      const ids: string[] = [];
      let at = 0;
      for (const target of targets) {
        at = Math.max(Date.now() + 5000, at + 1000);
        const r = await api(srv, 'POST', '/api/v1/localizations', {
          freq_hz: target.frequency,
          bandwidth_hz: BANDWIDTH,
          capture_time: new Date(at).toISOString(),
          duration_ms: 20,
        });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        const loc = r.body as Localization;
        assert.equal(loc.status, 'capturing');
        assert.deepEqual(
          [...loc.node_ids].sort(),
          nodes.map((c) => c.nodeId).sort(),
          'every GPS site is asked',
        );
        ids.push(loc.id);
      }
      const fixes: Localization[] = [];
      await waitFor(
        'every fix',
        async () => {
          fixes.length = 0;
          for (const id of ids) {
            const l = (await api(srv, 'GET', `/api/v1/localizations/${id}`)).body as Localization;
            if (l.status !== 'completed' && l.status !== 'failed') return false;
            fixes.push(l);
          }
          return true;
        },
        30_000,
      );

      const jobs = (await api(srv, 'GET', '/api/v1/jobs?kind=localization-capture&limit=100')).body as {
        items: { status: string; error: string | null }[];
      };
      const jobErrors = [...new Set(jobs.items.map((j) => j.error).filter((e) => e !== null))];
      assert.deepEqual(jobErrors, [], 'no capture job failed');
      const errors: number[] = [];
      for (const [k, f] of fixes.entries()) {
        assert.equal(f.status, 'completed', `trial ${k}: ${f.error ?? ''}`);
        assert.equal(f.method, 'tdoa', 'GPS-timed snippets give a TDOA fix');
        assert.deepEqual(
          [...f.used_node_ids].sort(),
          nodes.map((c) => c.nodeId).sort(),
          'the fix lists its nodes',
        );
        const truth = targets[k]!;
        errors.push(
          distanceM({ lat: f.lat ?? NaN, lon: f.lon ?? NaN }, { lat: truth.latitude, lon: truth.longitude }),
        );
      }
      const first = fixes[0]!;
      const semiMajor = first.ellipse?.semi_major_m ?? 0;
      assert.ok(
        (errors[0] as number) <= 3 * Math.max(semiMajor, 1),
        `trial 0 is ${errors[0]} m off, its 95 % ellipse ${semiMajor} m`,
      );
      const sorted = [...errors].sort((a, b) => a - b);
      const median = ((sorted[TRIALS / 2 - 1] as number) + (sorted[TRIALS / 2] as number)) / 2;
      const latency = fixes.map(
        (f) => Date.parse(f.completed_at ?? '') - Date.parse(f.capture_time) - f.duration_ms,
      );
      t.diagnostic(
        `TDOA over ${TRIALS} live trials: median ${median.toFixed(1)} m, errors ${errors.map((e) => e.toFixed(1)).join(', ')} m; trial 0 ellipse ${semiMajor.toFixed(1)} m; fix ${Math.min(...latency)} to ${Math.max(...latency)} ms after the capture ended`,
      );
      assert.ok(
        median < 30,
        `median error ${median.toFixed(1)} m over ${TRIALS} trials: ${errors.map((e) => e.toFixed(1)).join(', ')}`,
      );

      const list = (await api(srv, 'GET', '/api/v1/localizations?limit=50')).body as {
        items: Localization[];
      };
      for (const id of ids)
        assert.equal(
          list.items.find((l) => l.id === id)?.status,
          'completed',
          'GET /api/v1/localizations shows it',
        );
      assert.equal(jobs.items.length, TRIALS * nodes.length);
      assert.ok(
        jobs.items.every((j) => j.status === 'succeeded'),
        'every capture job succeeded',
      );
    } finally {
      stop.abort();
      await Promise.all(running);
      await srv.close();
    }
  });
});
