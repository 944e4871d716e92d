import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { createServer as createTcpServer, connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  freePort,
  heimdall,
  killLeftovers,
  spawnHeimdall,
  tempDir,
  type RunningCli,
} from '../cli-harness.ts';

const PASSWORD = 'agent-e2e-password';

/**
 * A real `heimdall server` keeping everything in `dataDir` (embedded database and bus, even where
 * CI sets DATABASE_URL and NATS_URL): the test stops and restarts it on that folder.
 */
function startServer(dataDir: string, port: number): RunningCli {
  return spawnHeimdall(['server', '--port', String(port), '--host', '127.0.0.1'], {
    DATABASE_URL: undefined,
    NATS_URL: undefined,
    HEIMDALL_DATA_DIR: dataDir,
    HEIMDALL_ADMIN_PASSWORD: PASSWORD,
    HEIMDALL_LOG_LEVEL: 'warn',
  });
}

async function api(
  base: string,
  path: string,
  init: { method?: string; body?: unknown; token?: string } = {},
) {
  const r = await fetch(`${base}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(init.token === undefined ? {} : { authorization: `Bearer ${init.token}` }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await r.text();
  return { status: r.status, json: text === '' ? null : (JSON.parse(text) as Record<string, unknown>) };
}

async function adminToken(base: string): Promise<string> {
  const r = await api(base, '/api/v1/auth/login', {
    method: 'POST',
    body: { username: 'admin', password: PASSWORD },
  });
  return String(r.json?.['access_token']);
}

async function enrollmentToken(base: string): Promise<string> {
  const r = await api(base, '/api/v1/enrollment-tokens', {
    method: 'POST',
    body: {},
    token: await adminToken(base),
  });
  assert.equal(r.status, 201);
  return String(r.json?.['token']);
}

interface NodeView {
  id: string;
  name: string;
  status: string;
  ingest: { frames_received: number; duplicates: number; sequence_gaps: number };
}

async function nodeNamed(base: string, name: string): Promise<NodeView> {
  const r = await api(base, '/api/v1/nodes?limit=100', { token: await adminToken(base) });
  const node = (r.json?.['items'] as NodeView[]).find((n) => n.name === name);
  assert.ok(node, `no node ${name}`);
  return node;
}

function agentArgs(server: string, dataDir: string, extra: string[] = []): string[] {
  return [
    'agent',
    '--server',
    server,
    '--receiver',
    'sim://demo#twente',
    '--data',
    dataDir,
    '--heartbeat',
    '1',
    ...extra,
  ];
}

/** Frames the agent numbered over all its runs, from its clean-stop log line. */
function framesMade(agent: RunningCli): number {
  const all = [...agent.output().matchAll(/agent stopped frames_made=(\d+) spool_frames=0/g)];
  const last = all[all.length - 1];
  assert.ok(last, `the agent did not stop with an empty spool:\n${agent.output()}`);
  return Number(last[1]);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('heimdall agent (real server process)', () => {
  after(killLeftovers);
  it('enrolls once, stores its key with mode 0600, and loses nothing while the server is down and restarts', async () => {
    const serverDir = tempDir('agent-srv');
    const agentDir = join(tempDir('agent-a'), 'agent');
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    let server = startServer(serverDir, port);
    await server.waitFor(/listening on/);
    const token = await enrollmentToken(base);
    const agent = spawnHeimdall(agentArgs(base, agentDir, ['--enroll', token, '--name', 'e2e-restart']));
    await agent.waitFor(/enrolled node=e2e-restart/);
    assert.doesNotMatch(agent.output(), /hnk_/, 'the API key is never logged');
    assert.equal(statSync(join(agentDir, 'credentials.json')).mode & 0o777, 0o600);
    assert.equal(statSync(agentDir).mode & 0o777, 0o700);
    await sleep(2000);
    assert.ok((await nodeNamed(base, 'e2e-restart')).ingest.frames_received > 0, 'frames flow');

    assert.equal(await server.stop('SIGINT'), 0);
    await agent.waitFor(/uplink: (cannot reach|the connection to) /);
    await sleep(3000); // the agent keeps measuring into its spool
    server = startServer(serverDir, port);
    await server.waitFor(/listening on/);
    await agent.waitFor(/uplink: connected to the server/, 40_000);
    await sleep(1000);
    assert.equal(await agent.stop('SIGINT'), 0, agent.output());
    const made = framesMade(agent);
    const node = await nodeNamed(base, 'e2e-restart');
    assert.ok(made > 20, `only ${made} frames`);
    assert.equal(node.ingest.frames_received, made, agent.output());
    assert.equal(node.ingest.sequence_gaps, 0);
    assert.equal(await server.stop('SIGINT'), 0);
  });

  it('loses nothing when the agent is killed with SIGKILL mid-stream and restarted, or its link is cut again and again', async () => {
    const serverDir = tempDir('agent-srv');
    const agentDir = join(tempDir('agent-b'), 'agent');
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const server = startServer(serverDir, port);
    await server.waitFor(/listening on/);

    // a TCP proxy between agent and server that can cut every connection
    const sockets = new Set<Socket>();
    const proxy = createTcpServer((c) => {
      const up = connect(port, '127.0.0.1');
      sockets.add(c).add(up);
      c.pipe(up).pipe(c);
      for (const s of [c, up]) s.on('error', () => undefined).on('close', () => (c.destroy(), up.destroy()));
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const via = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;

    const token = await enrollmentToken(base);
    let agent = spawnHeimdall(agentArgs(via, agentDir, ['--enroll', token, '--name', 'e2e-kill']));
    await agent.waitFor(/agent started/);
    await sleep(2500);
    agent.child.kill('SIGKILL');
    await agent.exited;
    await sleep(500);
    agent = spawnHeimdall(agentArgs(via, agentDir));
    await agent.waitFor(/agent started/);
    assert.doesNotMatch(agent.output(), /enrolled/, 'the second start reuses the credentials');
    for (let i = 0; i < 6; i++) {
      await sleep(700);
      for (const s of sockets) s.destroy();
      sockets.clear();
    }
    await agent.waitFor(/uplink: connected to the server/, 20_000);
    await sleep(1500);
    assert.equal(await agent.stop('SIGTERM'), 0, agent.output());
    const made = framesMade(agent);
    const node = await nodeNamed(base, 'e2e-kill');
    assert.ok(made > 20, `only ${made} frames`);
    assert.equal(node.ingest.frames_received, made, agent.output());
    assert.equal(node.ingest.sequence_gaps, 0);

    // an admin deletes the node: the agent says why it cannot deliver, keeps spooling, exits cleanly
    agent = spawnHeimdall(agentArgs(base, agentDir));
    await agent.waitFor(/agent started/);
    const del = await api(base, `/api/v1/nodes/${node.id}`, {
      method: 'DELETE',
      token: await adminToken(base),
    });
    assert.equal(del.status, 204);
    await agent.waitFor(/error uplink: the server .* refused this node's API key \(HTTP 401\)/, 20_000);
    assert.equal(await agent.stop('SIGINT'), 0, agent.output());
    assert.match(agent.output(), /unacknowledged frames stay in the spool/);
    await new Promise<void>((r) => proxy.close(() => r()));
    assert.equal(await server.stop('SIGINT'), 0);
  });

  it('says clearly that it has not enrolled, and what to do', async () => {
    const r = await heimdall([
      'agent',
      '--server',
      'http://127.0.0.1:9',
      '--receiver',
      'sim://demo#twente',
      '--data',
      tempDir('agent-c'),
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /has not enrolled yet.*--enroll TOKEN/s);
  });

  it('refuses a bad enrollment token with a clear message', async () => {
    const serverDir = tempDir('agent-srv');
    const port = await freePort();
    const server = startServer(serverDir, port);
    await server.waitFor(/listening on/);
    const r = await heimdall([
      ...agentArgs(`http://127.0.0.1:${port}`, tempDir('agent-d')),
      '--enroll',
      'hne_not-a-real-token',
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /refused the enrollment token.*fix: ask an operator for a new token/s);
    assert.equal(await server.stop('SIGINT'), 0);
  });
});
