/**
 * The system the browser tests run against, started by ONE function: {@link startSystem}.
 *
 * It is `heimdall demo`, as a newcomer runs it: the built CLI (temp data folder, free port on
 * 127.0.0.1, a known admin password) with the server on the embedded default and the seven sites of
 * the `demo` scenario as real agents (simulated receivers, edge spectra and detections, spool,
 * uplink, heartbeats). The tests therefore see what a user sees, not frames made up for them.
 *
 * The demo's sites run the agent's default plan (2048 bins at 5 frames/s). The live view's budget
 * is stated for a 4096-bin node at 10 frames/s, so the first site gets an operator scan plan for
 * exactly that, rolled out the way an operator would: a group of its own
 * (`PATCH /api/v1/nodes/:id`) and `POST /api/v1/scan-plans` targeting it. Agents fetch their plan
 * when they start and every 30 s after; rather than wait up to 30 s, the demo is restarted on the
 * same data folder (it keeps nodes and keys), and its agent picks the plan up at once.
 *
 * Malformed live messages are injected in the browser (Playwright's `routeWebSocket`), and the
 * reconnect test stops and restarts the demo process, so nothing here needs a synthetic feeder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CLI = new URL('../../cli/dist/heimdall.js', import.meta.url).pathname;
export const ADMIN_PASSWORD = 'e2e admin password';
export const VIEWER = { username: 'watcher', password: 'e2e viewer password' };

/** FFT size and frame rate of the scan plan the live node ({@link System.liveNode}) runs. */
export const BINS = 4096;
export const FPS = 10;

/** The demo scenario's sites, in its order; the first one gets the 4096-bin, 10 fps plan. */
export const DEMO_SITES = ['twente', 'enschede', 'doorn', 'hack-green', 'bratislava', 'graz', 'linkoping'];

/** The node group the live node's plan is rolled out to (no other node is in it). */
const LIVE_GROUP = 'e2e-live';

const START_TIMEOUT_MS = 90_000;
const NODES_TIMEOUT_MS = 60_000;

export interface SystemNode {
  readonly id: string;
  readonly name: string;
}

export interface System {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** The seven demo nodes in the scenario's order ({@link DEMO_SITES}). */
  readonly nodes: readonly SystemNode[];
  /** The node running {@link BINS}-bin frames at {@link FPS} frames/s (also `nodes[0]`). */
  readonly liveNode: SystemNode;
  /** An admin access token (for API calls from the test). */
  adminToken(): Promise<string>;
  /** Stops the demo (server and agents, as Ctrl-C does), as a restart of the machine would. */
  stopServer(): Promise<void>;
  /** Starts the demo again on the same port and data folder (same nodes, keys, history). */
  startServer(): Promise<void>;
  close(): Promise<void>;
}

/** Why the system cannot start here, or undefined when it can. */
export function missingPrerequisite(): string | undefined {
  if (!existsSync(CLI)) return `the CLI is not built (${CLI}): run \`npm run build\``;
  if (!existsSync(new URL('../../cli/dist/web/index.html', import.meta.url)))
    return 'the dashboard is not built into apps/cli/dist/web: run `npm run build`';
  return undefined;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** One `heimdall demo` process whose output (stdout and stderr) is watched for readiness. */
class DemoProcess {
  private readonly child: ChildProcess;
  private out = '';
  private exitCode: number | null | undefined;
  private readonly waiters = new Set<() => void>();
  readonly exited: Promise<void>;

  constructor(dataDir: string, port: number) {
    this.child = spawn(process.execPath, [CLI, 'demo', '--port', String(port), '--data', dataDir], {
      env: {
        ...process.env,
        HEIMDALL_ADMIN_PASSWORD: ADMIN_PASSWORD,
        HEIMDALL_PROGRESS: 'off',
        // the demo runs on the embedded default, whatever the test environment points at
        DATABASE_URL: '',
        NATS_URL: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const onData = (b: Buffer) => {
      this.out += b.toString('utf8');
      for (const w of this.waiters) w();
    };
    this.child.stdout?.on('data', onData);
    this.child.stderr?.on('data', onData);
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code) => {
        this.exitCode = code;
        for (const w of this.waiters) w();
        resolve();
      });
    });
  }

  output(): string {
    return this.out;
  }

  /** The first match of `re` in the output; rejects (with the output) on exit or timeout. */
  waitFor(re: RegExp, what: string, timeoutMs = START_TIMEOUT_MS): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      const finish = (error: Error | undefined, m?: RegExpExecArray) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        if (error) reject(error);
        else resolve(m as RegExpExecArray);
      };
      const check = () => {
        const m = re.exec(this.out);
        if (m !== null) finish(undefined, m);
        else if (this.exitCode !== undefined)
          finish(new Error(`heimdall demo exited with ${this.exitCode} before ${what}:\n${this.out}`));
      };
      const timer = setTimeout(
        () => finish(new Error(`heimdall demo: no ${what} within ${timeoutMs / 1000} s:\n${this.out}`)),
        timeoutMs,
      );
      this.waiters.add(check);
      check();
    });
  }

  /** Ctrl-C (SIGINT): the demo stops its agents and server cleanly; SIGKILL after 15 s. */
  async stop(): Promise<void> {
    if (this.exitCode !== undefined) return;
    this.child.kill('SIGINT');
    const kill = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await this.exited;
    clearTimeout(kill);
  }
}

async function startDemo(dataDir: string, port: number): Promise<{ demo: DemoProcess; url: string }> {
  const demo = new DemoProcess(dataDir, port);
  try {
    const m = await demo.waitFor(/Heimdall demo ready at (http:\/\/127\.0\.0\.1:\d+)/, 'ready line');
    return { demo, url: m[1] as string };
  } catch (e) {
    await demo.stop();
    throw e;
  }
}

async function json<T>(
  url: string,
  init: { method?: string; token?: string; body?: unknown } = {},
): Promise<T> {
  const method = init.method ?? (init.body === undefined ? 'GET' : 'POST');
  const res = await fetch(url, {
    method,
    headers: {
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(init.token === undefined ? {} : { authorization: `Bearer ${init.token}` }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url} answered ${res.status}: ${text}`);
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

interface NodeView {
  id: string;
  name: string;
  status: string;
  groups: string[];
  ingest: { frames_received: number };
}

interface ScanBand {
  center_hz: number;
  span_hz: number;
  fft_size: number;
  frames_per_second: number;
  averaging: number;
  threshold_db: number;
}

/**
 * Waits until every demo site is an online node whose frames arrive: more frames than in `since`
 * (by name), or any at all without it. Answers the nodes by name.
 */
async function waitForNodes(
  url: string,
  token: () => Promise<string>,
  since?: ReadonlyMap<string, number>,
): Promise<Map<string, NodeView>> {
  const deadline = Date.now() + NODES_TIMEOUT_MS;
  let last: NodeView[] = [];
  for (;;) {
    last = (await json<{ items: NodeView[] }>(`${url}/api/v1/nodes?limit=100`, { token: await token() }))
      .items;
    const byName = new Map(last.map((n) => [n.name, n]));
    const streaming = DEMO_SITES.every((name) => {
      const n = byName.get(name);
      return n !== undefined && n.status === 'online' && n.ingest.frames_received > (since?.get(name) ?? 0);
    });
    if (streaming) return byName;
    if (Date.now() > deadline)
      throw new Error(
        `the demo's sites did not all stream within ${NODES_TIMEOUT_MS / 1000} s: ${JSON.stringify(
          last.map((n) => [n.name, n.status, n.ingest.frames_received]),
        )}`,
      );
    await new Promise((r) => setTimeout(r, 500));
  }
}

export async function startSystem(): Promise<System> {
  const missing = missingPrerequisite();
  if (missing !== undefined) throw new Error(missing);
  const dataDir = mkdtempSync(join(tmpdir(), 'heimdall-web-e2e-'));
  const port = await freePort();
  let { demo, url } = await startDemo(dataDir, port);
  let up = true;

  try {
    const adminToken = async () =>
      (
        await json<{ access_token: string }>(`${url}/api/v1/auth/login`, {
          body: { username: 'admin', password: ADMIN_PASSWORD },
        })
      ).access_token;
    const admin = await adminToken();
    await json(`${url}/api/v1/users`, { token: admin, body: { ...VIEWER, role: 'viewer' } });
    const byName = await waitForNodes(url, adminToken);
    const nodes = DEMO_SITES.map((name) => {
      const n = byName.get(name) as NodeView;
      return { id: n.id, name: n.name };
    });
    const live = byName.get(DEMO_SITES[0] as string) as NodeView;

    // the live node's band as its agent reports it, now at BINS bins and FPS frames/s
    const { reported } = await json<{ reported: { bands: ScanBand[] } | null }>(
      `${url}/api/v1/nodes/${live.id}/scan-plan`,
      { token: admin },
    );
    const band = reported?.bands[0];
    if (band === undefined) throw new Error(`node ${live.name} reports no scan plan: ${demo.output()}`);
    await json(`${url}/api/v1/nodes/${live.id}`, {
      method: 'PATCH',
      token: admin,
      body: { groups: [...live.groups, LIVE_GROUP] },
    });
    const plan = await json<{ id: string; version: number }>(`${url}/api/v1/scan-plans`, {
      token: admin,
      body: {
        name: `e2e ${BINS} bins at ${FPS} fps`,
        target_groups: [LIVE_GROUP],
        bands: [{ ...band, fft_size: BINS, frames_per_second: FPS }],
      },
    });

    // restart: the agent fetches its plan as it starts (else only every 30 s)
    const framesBefore = new Map([...byName].map(([name, n]) => [name, n.ingest.frames_received]));
    await demo.stop();
    ({ demo, url } = await startDemo(dataDir, port));
    await demo.waitFor(
      new RegExp(`\\[${live.name}\\] scan plan ${plan.id} v${plan.version} running`),
      `the ${BINS}-bin plan running on ${live.name}`,
    );
    await waitForNodes(url, adminToken, framesBefore);

    const stopServer = async () => {
      if (!up) return;
      up = false;
      await demo.stop();
    };
    return {
      url,
      nodes,
      liveNode: nodes[0] as SystemNode,
      adminToken,
      stopServer,
      async startServer() {
        if (up) return;
        ({ demo } = await startDemo(dataDir, port));
        up = true;
      },
      async close() {
        await stopServer();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await demo.stop();
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
}
