/**
 * Jobs: operators queue and cancel, nodes poll their own queue and report progress; every change
 * is on the bus (`job.created`, `job.updated`) and a finished or cancelled job does not move again.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Job } from '@heimdall/protocol';
import { startHarness, type Harness } from '../http/server-harness.ts';
import { forEachDatabase } from '../database/for-each-database.ts';
import { waitFor } from '../wait-for.ts';

forEachDatabase((engine, makeDb) =>
  describe('jobs API', () => {
    let h: Harness;
    let operator: string;
    let viewer: string;
    let a: { nodeId: string; apiKey: string };
    let b: { nodeId: string; apiKey: string };
    const events: { name: string; job: Job }[] = [];
    const call = async (method: 'GET' | 'POST', url: string, token: string, payload?: unknown) => {
      const r = await h.server.app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${token}` },
        ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
      });
      return { status: r.statusCode, body: r.json() as unknown };
    };
    const scan = (nodeId: string) => ({
      kind: 'scan',
      node_id: nodeId,
      params: {
        bands: [
          {
            center_hz: 100e6,
            span_hz: 2e6,
            fft_size: 1024,
            frames_per_second: 5,
            averaging: 4,
            threshold_db: 8,
          },
        ],
        duration_s: 60,
      },
    });
    before(async () => {
      h = await startHarness({ db: await makeDb(), ownDb: true });
      operator = await h.token('operator');
      viewer = await h.token('viewer');
      a = await h.enroll();
      b = await h.enroll();
      await h.bus.subscribe('job.created', (job) => void events.push({ name: 'created', job }));
      await h.bus.subscribe('job.updated', (job) => void events.push({ name: 'updated', job }));
    });
    after(() => h.close());

    test('an operator queues jobs; viewers list them by status, kind and node, newest first, paged', async () => {
      const created: Job[] = [];
      for (const body of [
        scan(a.nodeId),
        scan(b.nodeId),
        {
          kind: 'recording',
          node_id: a.nodeId,
          params: { center_hz: 433.92e6, sample_rate_hz: 2e6, duration_s: 5 },
        },
      ]) {
        const r = await call('POST', '/api/v1/jobs', operator, body);
        assert.equal(r.status, 201, JSON.stringify(r.body));
        created.push(r.body as Job);
      }
      assert.equal(created[0]?.status, 'queued');
      await waitFor('the bus event', () =>
        events.some((e) => e.name === 'created' && e.job.id === created[2]?.id),
      );
      assert.equal((await call('POST', '/api/v1/jobs', viewer, scan(a.nodeId))).status, 403);
      const unknownNode = await call(
        'POST',
        '/api/v1/jobs',
        operator,
        scan('3f2504e0-4f89-41d3-9a0c-0305e82c3301'),
      );
      assert.equal(unknownNode.status, 404);
      const badParams = await call('POST', '/api/v1/jobs', operator, {
        ...scan(a.nodeId),
        params: { duration_s: 1 },
      });
      assert.equal(badParams.status, 400);

      const list = (q: string) =>
        call('GET', `/api/v1/jobs${q}`, viewer).then(
          (r) => r.body as { items: Job[]; next_cursor: string | null },
        );
      assert.equal((await list(`?node_id=${a.nodeId}`)).items.length, 2);
      assert.deepEqual(
        (await list('?kind=recording')).items.map((j) => j.id),
        [created[2]?.id],
      );
      assert.equal((await list('?status=queued')).items.length, 3);
      const first = await list('?limit=2');
      assert.equal(first.items[0]?.id, created[2]?.id, 'newest first');
      const rest = await list(`?limit=2&cursor=${first.next_cursor}`);
      assert.deepEqual(
        rest.items.map((j) => j.id),
        [created[0]?.id],
      );
      assert.equal(rest.next_cursor, null);
    });

    test('a node polls its own queue and reports running then succeeded with a result', async () => {
      const queued = await call('GET', `/api/v1/nodes/${a.nodeId}/jobs?status=queued`, a.apiKey);
      assert.equal(queued.status, 200);
      const jobs = (queued.body as { items: Job[] }).items;
      assert.equal(jobs.length, 2, JSON.stringify(queued.body));
      assert.equal(jobs[0]?.kind, 'scan', 'oldest first');
      assert.equal((await call('GET', `/api/v1/nodes/${a.nodeId}/jobs`, b.apiKey)).status, 403);
      assert.equal((await call('GET', `/api/v1/nodes/${a.nodeId}/jobs`, viewer)).status, 403);

      const job = jobs[0] as Job;
      let r = await call('POST', `/api/v1/jobs/${job.id}/status`, a.apiKey, { status: 'running' });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.ok((r.body as Job).started_at !== null);
      r = await call('POST', `/api/v1/jobs/${job.id}/status`, b.apiKey, {
        status: 'failed',
        error: 'not mine',
      });
      assert.equal(r.status, 403, 'another node may not report on it');
      r = await call('POST', `/api/v1/jobs/${job.id}/status`, a.apiKey, { status: 'failed' });
      assert.equal(r.status, 400, 'a failure says why');
      r = await call('POST', `/api/v1/jobs/${job.id}/status`, a.apiKey, {
        status: 'succeeded',
        result: { frames: 600 },
      });
      assert.equal(r.status, 200);
      const done = r.body as Job;
      assert.equal(done.status, 'succeeded');
      assert.deepEqual(done.result, { frames: 600 });
      assert.ok(done.finished_at !== null);
      await waitFor('the bus event', () =>
        events.some((e) => e.name === 'updated' && e.job.id === job.id && e.job.status === 'succeeded'),
      );
      r = await call('POST', `/api/v1/jobs/${job.id}/status`, a.apiKey, { status: 'running' });
      assert.equal(r.status, 409, 'a finished job does not move');
      const left = await call('GET', `/api/v1/nodes/${a.nodeId}/jobs?status=queued`, a.apiKey);
      assert.equal((left.body as { items: Job[] }).items.length, 1);
    });

    test('an operator cancels a job; the node then hears 409 telling it to stop', async () => {
      const job = (
        (await call('GET', `/api/v1/nodes/${b.nodeId}/jobs?status=queued`, b.apiKey)).body as { items: Job[] }
      ).items[0] as Job;
      assert.equal((await call('POST', `/api/v1/jobs/${job.id}/cancel`, viewer)).status, 403);
      const r = await call('POST', `/api/v1/jobs/${job.id}/cancel`, operator);
      assert.equal(r.status, 200);
      assert.equal((r.body as Job).status, 'cancelled');
      const late = await call('POST', `/api/v1/jobs/${job.id}/status`, b.apiKey, { status: 'running' });
      assert.equal(late.status, 409);
      assert.match((late.body as { fix: string }).fix, /cancelled/);
      assert.equal((await call('POST', `/api/v1/jobs/${job.id}/cancel`, operator)).status, 409);
      assert.equal((await call('GET', `/api/v1/jobs/${job.id}`, viewer)).status, 200);
    });
  }),
);
