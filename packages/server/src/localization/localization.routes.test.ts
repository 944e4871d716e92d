/**
 * Localization jobs end to end through the API: a request makes one capture job per node, nodes
 * upload IQ snippets synthesized from a known emitter position (@heimdall/intel synthetic-trial),
 * and the stored fix lies within its error ellipse of the truth: by TDOA with GPS clocks once all
 * snippets are in, and by received power at the deadline with the snippets that arrived.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { EnuFrame, FIVE_NODES, ORIGIN, synthesize, type TdoaSnippet } from '@heimdall/intel';
import type { Job, Localization } from '@heimdall/protocol';
import { FakeClock, startHarness, type Harness } from '../http/server-harness.ts';
import { listen, TestSocket } from '../ingest/ingest-harness.ts';

const FREQ = 433.92e6;
const OFFSET = 20e3;
const trial = {
  nodes: FIVE_NODES,
  snrDb: 10,
  bandwidth: 100e3,
  sampleRate: 250e3,
  samples: 5000,
  clockJitter: 20e-9,
  centerFrequency: FREQ,
  offset: OFFSET,
} as const;

describe('localization jobs', () => {
  const clock = new FakeClock();
  let h: Harness;
  let operator: string;
  let viewer: string;
  /** Node i sits at FIVE_NODES[i]. */
  const nodes: { nodeId: string; apiKey: string }[] = [];
  const frame = new EnuFrame(ORIGIN);

  const call = async (method: 'GET' | 'POST' | 'PATCH', url: string, token: string, payload?: unknown) => {
    const r = await h.server.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
    return { status: r.statusCode, body: r.json() as unknown };
  };
  const heartbeat = async (i: number, clockSource: string) => {
    const n = nodes[i] as { nodeId: string; apiKey: string };
    const r = await call('POST', `/api/v1/nodes/${n.nodeId}/heartbeats`, n.apiKey, {
      time: new Date(clock.now()).toISOString(),
      cpu_percent: null,
      memory_used_bytes: null,
      memory_total_bytes: null,
      disk_free_bytes: null,
      temperature_c: null,
      sample_drops: 0,
      clock_source: clockSource,
      clock_offset_ms: null,
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  };
  const upload = async (job: string, i: number, s: TdoaSnippet, token?: string) => {
    const n = nodes[i] as { nodeId: string; apiKey: string };
    const r = await h.server.app.inject({
      method: 'POST',
      url: `/api/v1/jobs/${job}/snippet?sample_rate=${s.sampleRate}&center_hz=${s.centerFrequency}&capture_time_ns=${s.startNs}`,
      headers: { authorization: `Bearer ${token ?? n.apiKey}`, 'content-type': 'application/octet-stream' },
      payload: Buffer.from(s.iq.buffer, s.iq.byteOffset, s.iq.byteLength),
    });
    return { status: r.statusCode, body: r.json() as unknown };
  };
  /** The job of node i in a localization. */
  const jobOf = (loc: Localization, i: number): string => {
    const k = loc.node_ids.indexOf((nodes[i] as { nodeId: string }).nodeId);
    assert.ok(k >= 0, `node ${i} was asked`);
    return loc.job_ids[k] as string;
  };
  const errorMetres = (
    loc: Localization,
    truth: { latitude: number; longitude: number; altitude: number },
  ) => {
    const p = frame.toEnu({
      latitude: loc.lat as number,
      longitude: loc.lon as number,
      altitude: truth.altitude,
    });
    const q = frame.toEnu(truth);
    return Math.hypot(p[0] - q[0], p[1] - q[1]);
  };

  before(async () => {
    h = await startHarness({ clock });
    operator = await h.token('operator');
    viewer = await h.token('viewer');
    for (let i = 0; i < FIVE_NODES.length; i++) {
      const n = await h.enroll();
      nodes.push(n);
      const [e, north] = FIVE_NODES[i] as readonly [number, number];
      const p = frame.toGeodetic([e, north, 0]);
      const r = await call('PATCH', `/api/v1/nodes/${n.nodeId}`, operator, {
        location: { lat: p.latitude, lon: p.longitude, alt_m: p.altitude },
      });
      assert.equal(r.status, 200, JSON.stringify(r.body));
    }
    // a sixth node without a location is never chosen
    await h.enroll();
  });
  after(() => h.close());

  test('GPS nodes: one capture job per node, snippets in, a TDOA fix within its ellipse of the truth', async () => {
    for (let i = 0; i < nodes.length; i++) await heartbeat(i, 'gps');
    const base = await listen(h);
    const live = await TestSocket.open(`${base}/api/v1/live`, { authorization: `Bearer ${viewer}` });
    live.ws.send(JSON.stringify({ type: 'subscribe', kinds: ['localizations'] }));
    await live.until(
      () => live.texts.some((m) => (m as { type: string }).type === 'subscribed'),
      'subscribed',
    );

    const captureTime = new Date(clock.now() + 10_000).toISOString();
    const r = await call('POST', '/api/v1/localizations', operator, {
      freq_hz: FREQ + OFFSET,
      bandwidth_hz: 100e3,
      capture_time: captureTime,
      duration_ms: 20,
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const loc = r.body as Localization;
    assert.equal(loc.status, 'capturing');
    assert.equal(new Set(loc.node_ids).size, 5, 'the five located GPS nodes');
    assert.equal(loc.job_ids.length, 5);

    // each node sees its capture job with the agreed moment
    const n0 = nodes[0] as { nodeId: string; apiKey: string };
    const queued = await call('GET', `/api/v1/nodes/${n0.nodeId}/jobs?status=queued`, n0.apiKey);
    const job = (queued.body as { items: Job[] }).items[0] as Job;
    assert.equal(job.kind, 'localization-capture');
    assert.equal(job.params['localization_id'], loc.id);
    assert.equal(job.params['capture_time'], captureTime);

    const emitter = [2_000, 3_000] as const;
    const { snippets, truth } = synthesize({ ...trial, emitter, seed: 42 });
    // refusals: another node's job, a body that is not whole cf32 samples
    assert.equal((await upload(jobOf(loc, 0), 0, snippets[0] as TdoaSnippet, nodes[1]?.apiKey)).status, 403);
    const odd = await h.server.app.inject({
      method: 'POST',
      url: `/api/v1/jobs/${jobOf(loc, 0)}/snippet?sample_rate=250000&center_hz=${FREQ}&capture_time_ns=1`,
      headers: { authorization: `Bearer ${n0.apiKey}`, 'content-type': 'application/octet-stream' },
      payload: Buffer.alloc(12),
    });
    assert.equal(odd.statusCode, 400);

    for (let i = 0; i < 5; i++) {
      const up = await upload(jobOf(loc, i), i, snippets[i] as TdoaSnippet);
      assert.equal(up.status, 200, JSON.stringify(up.body));
      assert.equal((up.body as { received: number }).received, i + 1);
    }
    const done = (await call('GET', `/api/v1/localizations/${loc.id}`, viewer)).body as Localization;
    assert.equal(done.status, 'completed', done.error ?? '');
    assert.equal(done.method, 'tdoa');
    assert.equal(done.used_node_ids.length, 5);
    const err = errorMetres(done, truth);
    const ellipse = done.ellipse as { semi_major_m: number; semi_minor_m: number };
    assert.ok(ellipse.semi_major_m < 300, `ellipse ${ellipse.semi_major_m} m`);
    assert.ok(
      err <= ellipse.semi_major_m,
      `error ${err.toFixed(1)} m within the ${ellipse.semi_major_m.toFixed(1)} m ellipse`,
    );
    assert.ok((done.gdop as number) > 0);

    const listed = (await call('GET', '/api/v1/localizations?status=completed', viewer)).body as {
      items: Localization[];
    };
    assert.deepEqual(
      listed.items.map((l) => l.id),
      [loc.id],
    );
    await live.until(
      () => live.texts.some((m) => (m as { type: string }).type === 'localization'),
      'fix pushed live',
    );
    const pushed = live.texts.find((m) => (m as { type: string }).type === 'localization') as {
      data: Localization;
    };
    assert.equal(pushed.data.id, loc.id);
    assert.equal(pushed.data.status, 'completed');
    live.close();

    // the jobs succeeded; a late re-upload is refused
    const jobs = (await call('GET', `/api/v1/jobs?kind=localization-capture&status=succeeded`, viewer))
      .body as { items: Job[] };
    assert.equal(jobs.items.length, 5);
    assert.equal((await upload(jobOf(loc, 0), 0, snippets[0] as TdoaSnippet)).status, 409);
  });

  test('NTP nodes: power fix at the deadline from the snippets that arrived; the silent job fails', async () => {
    clock.advance(60_000);
    for (let i = 0; i < nodes.length; i++) await heartbeat(i, 'ntp');
    const r = await call('POST', '/api/v1/localizations', operator, {
      freq_hz: FREQ + OFFSET,
      bandwidth_hz: 100e3,
      capture_time: new Date(clock.now() + 5_000).toISOString(),
      duration_ms: 20,
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const loc = r.body as Localization;
    const emitter = [-3_000, 2_000] as const;
    const { snippets, truth } = synthesize({ ...trial, emitter, seed: 7, snrDb: 30, pathLossExponent: 3 });
    for (let i = 0; i < 4; i++)
      assert.equal((await upload(jobOf(loc, i), i, snippets[i] as TdoaSnippet)).status, 200);
    assert.equal(
      ((await call('GET', `/api/v1/localizations/${loc.id}`, viewer)).body as Localization).status,
      'capturing',
    );

    assert.deepEqual(await h.server.localizations.sweep(), [], 'nothing is due before the deadline');
    clock.ms = Date.parse(loc.deadline) + 1;
    assert.deepEqual(await h.server.localizations.sweep(), [loc.id]);
    const done = (await call('GET', `/api/v1/localizations/${loc.id}`, viewer)).body as Localization;
    assert.equal(done.status, 'completed', done.error ?? '');
    assert.equal(done.method, 'power');
    assert.equal(done.used_node_ids.length, 4);
    const err = errorMetres(done, truth);
    const ellipse = done.ellipse as { semi_major_m: number };
    assert.ok(
      err <= ellipse.semi_major_m,
      `error ${err.toFixed(0)} m within the ${ellipse.semi_major_m.toFixed(0)} m ellipse`,
    );
    const silent = (await call('GET', `/api/v1/jobs/${jobOf(loc, 4)}`, viewer)).body as Job;
    assert.equal(silent.status, 'failed');
    assert.match(silent.error ?? '', /deadline/);
  });

  test('refuses a capture time in the past and too few usable nodes, saying what to do', async () => {
    const past = await call('POST', '/api/v1/localizations', operator, {
      freq_hz: FREQ,
      bandwidth_hz: 100e3,
      capture_time: new Date(clock.now() - 1000).toISOString(),
      duration_ms: 20,
    });
    assert.equal(past.status, 400);
    assert.equal((past.body as { field: string }).field, 'capture_time');
    const tdoaOnly = await call('POST', '/api/v1/localizations', operator, {
      freq_hz: FREQ,
      bandwidth_hz: 100e3,
      capture_time: new Date(clock.now() + 5000).toISOString(),
      duration_ms: 20,
      method: 'tdoa',
    });
    assert.equal(tdoaOnly.status, 409, 'the nodes now run on NTP');
    assert.match((tdoaOnly.body as { error: string }).error, /GPS/);
    assert.equal(
      (
        await call('POST', '/api/v1/localizations', viewer, {
          freq_hz: FREQ,
          bandwidth_hz: 1,
          capture_time: new Date().toISOString(),
          duration_ms: 1,
        })
      ).status,
      403,
    );
  });
});
