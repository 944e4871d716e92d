/**
 * Test harness for the agent's uplink, heartbeat and runner tests: a real Heimdall server (the
 * same Fastify app, ingest and storage as `heimdall server`) on an in-memory PGlite, listening on
 * loopback, with helpers to enroll nodes, read their counters and revoke their keys.
 */
import {
  createInProcessBus,
  createServer,
  migrate,
  openPglite,
  silentLogger,
  type Database,
  type HeimdallServer,
} from '@heimdall/server';
import type { Heartbeat, Node } from '@heimdall/protocol';
import type { Credentials } from '../node/credentials.ts';
import { enroll } from '../node/enrollment.ts';

const ADMIN_PASSWORD = 'agent-test-admin-password';

export interface TestServer {
  readonly url: string;
  readonly db: Database;
  readonly server: HeimdallServer;
  enroll(name?: string, groups?: string[]): Promise<Credentials>;
  /** An admin's bearer token (for API calls a test makes as an operator). */
  adminToken(): Promise<string>;
  node(id: string): Promise<Node>;
  heartbeats(id: string): Promise<Heartbeat[]>;
  /** Revokes (or with `false` restores) every API key of a node. */
  revokeKeys(nodeId: string, revoked?: boolean): Promise<void>;
  /** Stops listening and closes everything; the database too unless `keepDb`. */
  close(keepDb?: boolean): Promise<void>;
}

let count = 0;

export async function startTestServer(options: { port?: number; db?: Database } = {}): Promise<TestServer> {
  const db = options.db ?? (await openPglite({ dataDir: undefined }));
  if (options.db === undefined) await migrate(db);
  const bus = createInProcessBus();
  const server = await createServer({
    config: { adminPassword: ADMIN_PASSWORD },
    db,
    bus,
    logger: silentLogger,
  });
  const url = await server.app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  let token: string | undefined;
  let closing: Promise<void> | undefined;
  const admin = async (): Promise<string> => {
    if (token !== undefined) return token;
    const r = await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'admin', password: ADMIN_PASSWORD },
    });
    token = (r.json() as { access_token: string }).access_token;
    return token;
  };
  const get = async (path: string): Promise<unknown> => {
    const r = await server.app.inject({
      method: 'GET',
      url: path,
      headers: { authorization: `Bearer ${await admin()}` },
    });
    if (r.statusCode !== 200) throw new Error(`GET ${path}: ${r.statusCode} ${r.body}`);
    return r.json();
  };
  return {
    url,
    db,
    server,
    adminToken: admin,
    async enroll(name, groups = []) {
      const t = await server.app.inject({
        method: 'POST',
        url: '/api/v1/enrollment-tokens',
        headers: { authorization: `Bearer ${await admin()}` },
        payload: { groups },
      });
      return enroll({
        serverUrl: url,
        token: (t.json() as { token: string }).token,
        name: name ?? `agent-test-${++count}-${process.pid}`,
      });
    },
    node: async (id) => (await get(`/api/v1/nodes/${id}`)) as Node,
    heartbeats: async (id) => ((await get(`/api/v1/nodes/${id}/heartbeats`)) as { items: Heartbeat[] }).items,
    async revokeKeys(nodeId, revoked = true) {
      await db.query(
        `UPDATE api_keys SET revoked_at = ${revoked ? 'now()' : 'NULL'} WHERE node_id = $1::uuid`,
        [nodeId],
      );
    },
    close(keepDb = false) {
      // idempotent: a test's cleanup may close what the test closed already
      closing ??= (async () => {
        await server.close();
        await bus.close();
        if (!keepDb) await db.close();
      })();
      return closing;
    },
  };
}

/** Polls `check` every `pollMs` until it returns true or `timeoutMs` passes (then throws `what`). */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
  pollMs = 50,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
