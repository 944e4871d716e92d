import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { freePort, heimdall, killLeftovers, spawnHeimdall, tempDir } from '../cli-harness.ts';

const SITES = ['twente', 'enschede', 'doorn', 'hack-green', 'bratislava', 'graz', 'linkoping'];
const PASSWORD = 'demo-e2e-password';

interface NodeView {
  name: string;
  status: string;
  ingest: { frames_received: number; sequence_gaps: number };
}

async function get(base: string, path: string, token: string): Promise<Record<string, unknown>> {
  const r = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(r.status, 200, `${path}: ${r.status}`);
  return (await r.json()) as Record<string, unknown>;
}

async function login(base: string): Promise<string> {
  const r = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: PASSWORD }),
  });
  assert.equal(r.status, 200);
  return String(((await r.json()) as { access_token: string }).access_token);
}

const nodes = async (base: string, token: string) =>
  (await get(base, '/api/v1/nodes?limit=100', token))['items'] as NodeView[];

describe('heimdall demo', () => {
  after(killLeftovers);
  it('runs the server and seven live sites; they stream frames and detections; Ctrl-C exits 0; a restart reuses them', async () => {
    const dir = tempDir('demo');
    const port = await freePort();
    const env = { HEIMDALL_ADMIN_PASSWORD: PASSWORD };
    const demo = spawnHeimdall(['demo', '--port', String(port), '--data', dir], env);
    const ready = await demo.waitFor(/Heimdall demo ready at (http:\/\/127\.0\.0\.1:\d+)/, 45_000);
    const base = ready[1] as string;
    const token = await login(base);

    let first: NodeView[] = [];
    for (let i = 0; i < 40; i++) {
      first = await nodes(base, token);
      if (first.length === 7 && first.every((n) => n.status === 'online' && n.ingest.frames_received > 0))
        break;
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.deepEqual(first.map((n) => n.name).sort(), [...SITES].sort());
    for (const n of first) assert.equal(n.status, 'online', `${n.name} is ${n.status}`);
    await new Promise((r) => setTimeout(r, 3000));
    const later = await nodes(base, token);
    for (const n of later) {
      const before = first.find((f) => f.name === n.name)?.ingest.frames_received ?? 0;
      assert.ok(n.ingest.frames_received > before, `${n.name}: frames_received stuck at ${before}`);
      assert.equal(n.ingest.sequence_gaps, 0);
    }
    const detections = (await get(base, '/api/v1/detections?limit=50', token))['items'] as unknown[];
    assert.ok(detections.length > 0, 'no detections arrived');

    assert.equal(await demo.stop('SIGINT'), 0, demo.output());
    assert.match(demo.output(), /demo stopped/);

    const again = spawnHeimdall(['demo', '--port', String(port), '--data', dir], env);
    await again.waitFor(/Heimdall demo ready at/, 45_000);
    const second = await nodes(base, await login(base));
    assert.equal(second.length, 7, 'the second start enrolled no new nodes');
    assert.equal(await again.stop('SIGINT'), 0, again.output());
  });

  it('refuses a site that is not in the demo scenario', async () => {
    const r = await heimdall(['demo', '--nodes', 'atlantis']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no site "atlantis"/);
  });
});
