import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OperationalError } from '@heimdall/errors';
import type { AgentLogger } from '../agent-logger.ts';
import type { Edge } from '../edge.contract.ts';
import { createEdge } from '../edge/edge.ts';
import { collectingSink, labScenario, TONE_HZ } from '../edge/edge-test-kit.ts';
import { msToNs } from '../receivers/receiver.ts';
import { waitFor } from '../uplink/agent-server-harness.ts';
import { JobRunner } from './job-runner.ts';
import { captureParams, MemoryJobApi, queuedJob, toneAmplitude } from './job-test-kit.ts';

function recordingLogger(): AgentLogger & { lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (m: string) => void lines.push(`${level} ${m}`);
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

/** Runs a lab edge and a job runner on `api` until `until` holds, then stops both. */
async function withRunner(
  api: MemoryJobApi,
  until: () => boolean,
  opts: { edge?: Edge; logger?: AgentLogger } = {},
): Promise<{ edge: Edge; frames: () => number }> {
  const edge = opts.edge ?? createEdge({ url: `sim://${labScenario()}#lab` });
  const sink = collectingSink();
  const stop = new AbortController();
  const edgeDone = edge.run(sink, stop.signal);
  const runner = new JobRunner({
    api,
    edge,
    pollIntervalMs: 50,
    ...(opts.logger === undefined ? {} : { logger: opts.logger }),
  });
  const runnerDone = runner.run(stop.signal);
  try {
    await waitFor('the jobs', until, 15_000);
  } finally {
    stop.abort();
    await Promise.all([edgeDone, runnerDone]);
  }
  return { edge, frames: () => sink.spectra().length };
}

describe('JobRunner', () => {
  it('captures a localization snippet at the requested moment and uploads it, the edge pausing around it', async () => {
    const api = new MemoryJobApi();
    const params = captureParams({ centerHz: TONE_HZ + 50e3, leadMs: 700, durationMs: 20 });
    const job = api.add(queuedJob('localization-capture', params));
    const edge = createEdge({ url: `sim://${labScenario()}#lab` });
    let framesAtUpload = -1;
    const sink = collectingSink();
    const stop = new AbortController();
    const edgeDone = edge.run(sink, stop.signal);
    const runnerDone = new JobRunner({ api, edge, pollIntervalMs: 50 }).run(stop.signal);
    try {
      await waitFor('the upload', () => api.uploads.length === 1, 10_000);
      framesAtUpload = sink.spectra().length;
      await waitFor('frames after the snippet', () => sink.spectra().length >= framesAtUpload + 3, 5_000);
    } finally {
      stop.abort();
      await Promise.all([edgeDone, runnerDone]);
    }
    const up = api.uploads[0]!;
    const start = Date.parse(String(params['capture_time']));
    assert.equal(up.jobId, job.id);
    assert.equal(up.snippet.startNs, msToNs(start), 'stamped with the requested instant on the node clock');
    assert.equal(up.snippet.sampleRateHz, 250e3);
    assert.equal(up.snippet.centerHz, TONE_HZ + 50e3);
    assert.equal(up.snippet.iq.length, 2 * 5000, '20 ms at 250 kS/s');
    assert.equal(up.snippet.clockSource, 'gps', 'the lab node has a GPS clock');
    assert.ok(up.atMs >= start + 20, 'uploaded only after the capture had happened');
    // the carrier sits 50 kHz below the tuning, far above the noise there
    const tone = toneAmplitude(up.snippet.iq, 250e3, -50e3);
    const elsewhere = toneAmplitude(up.snippet.iq, 250e3, 70e3);
    assert.ok(tone > 30 * elsewhere, `tone ${tone} vs ${elsewhere} elsewhere`);
    assert.deepEqual(
      api.reports.map((r) => r.update.status),
      ['running'],
      'the upload itself marks the job succeeded on the server',
    );
    assert.equal(edge.status().overruns, 0, 'the pause for the snippet is not an overrun');
  });

  it('fails the jobs it cannot do, saying why', async () => {
    const api = new MemoryJobApi();
    const past = api.add(queuedJob('localization-capture', captureParams({ leadMs: -1000 })));
    const far = api.add(queuedJob('localization-capture', captureParams({ centerHz: 3e9 })));
    const long = api.add(queuedJob('localization-capture', captureParams({ durationMs: 10_000 })));
    const rec = api.add(queuedJob('recording', { center_hz: 100e6, sample_rate_hz: 2.4e6, duration_s: 1 }));
    const bad = api.add(queuedJob('localization-capture', { center_hz: 'x' }));
    const failed = () => api.jobs.filter((j) => j.status === 'failed').length;
    await withRunner(api, () => failed() === 5);
    assert.match(
      api.job(past.id).error ?? '',
      /capture time .* had passed \d+ ms before the node picked up the job/,
    );
    assert.match(api.job(far.id).error ?? '', /3 GHz is outside node "lab"'s range/);
    assert.match(
      api.job(long.id).error ?? '',
      /10000 ms at 250 kS\/s is 2500000 samples, more than the 1048576 a snippet may hold; fix: ask for a shorter duration_ms/,
    );
    assert.match(api.job(rec.id).error ?? '', /this agent does not run recording jobs/);
    assert.match(api.job(bad.id).error ?? '', /the job's params are not a localization capture/);
    assert.equal(api.uploads.length, 0);
  });

  it('keeps asking a server without the jobs API (404), logging it once, and takes jobs once there are', async () => {
    const api = new MemoryJobApi();
    api.noApi = true;
    const logger = recordingLogger();
    let added = false;
    await withRunner(
      api,
      () => {
        if (!added && api.polls >= 5) {
          added = true;
          api.noApi = false;
          api.add(queuedJob('localization-capture', captureParams({ leadMs: 500 })));
        }
        return api.uploads.length === 1;
      },
      { logger },
    );
    assert.equal(logger.lines.filter((l) => /no jobs API yet \(404\)/.test(l)).length, 1);
    assert.ok(logger.lines.some((l) => /the server answers again/.test(l)));
  });

  it('takes a job again when the server could not be told it started', async () => {
    const api = new MemoryJobApi();
    api.add(queuedJob('localization-capture', captureParams({ leadMs: 800 })));
    const report = api.report.bind(api);
    let refused = 0;
    api.report = (id, update) => {
      if (update.status === 'running' && refused++ === 0)
        return Promise.reject(new OperationalError('cannot reach the server: ECONNRESET'));
      return report(id, update);
    };
    await withRunner(api, () => api.uploads.length === 1);
    assert.equal(refused, 2, 'the second poll took it again');
  });

  it('leaves a job the server cancelled before the runner started it', async () => {
    const api = new MemoryJobApi();
    const job = api.add(queuedJob('localization-capture', captureParams({ leadMs: 400 })));
    // the operator cancels between the listing and the runner's "running"
    const report = api.report.bind(api);
    api.report = (id, update) => {
      if (update.status === 'running') api.jobs[0] = { ...api.job(id), status: 'cancelled' };
      return report(id, update);
    };
    await withRunner(api, () => api.reports.length >= 1 && api.polls >= 20);
    assert.equal(api.job(job.id).status, 'cancelled');
    assert.equal(api.uploads.length, 0);
    assert.deepEqual(
      api.reports.map((r) => r.update.status),
      ['running'],
    );
  });
});
