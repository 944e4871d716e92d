/**
 * Test harness: a server on an in-memory PGlite and an in-process bus, with helpers to sign in
 * with each role and to enroll nodes. Used by the route, auth, node, ingest and live tests.
 */
import type { Bus } from '../bus/bus.ts';
import { createInProcessBus } from '../bus/in-process.bus.ts';
import type { Clock } from '../clock.ts';
import type { Database } from '../database/database.ts';
import { openPglite } from '../database/pglite.database.ts';
import { migrate } from '../migrations.ts';
import type { UserRole } from '../auth/principal.ts';
import type { Logger } from './logger.ts';
import { createServer, type HeimdallServer, type ServerConfig, type ServerOptions } from './server.ts';

export const ADMIN_PASSWORD = 'correct horse battery staple';

/** A clock tests move by hand. */
export class FakeClock implements Clock {
  constructor(public ms = Date.parse('2026-06-01T12:00:00Z')) {}
  now(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

export async function freshDb(): Promise<Database> {
  const db = await openPglite({ dataDir: undefined });
  await migrate(db);
  return db;
}

export interface Harness {
  readonly server: HeimdallServer;
  readonly db: Database;
  readonly bus: Bus;
  /** A token for a user with `role` (created on first use). */
  token(role: UserRole): Promise<string>;
  /** Enrolls a node; returns its id and API key. */
  enroll(name?: string): Promise<{ nodeId: string; apiKey: string }>;
  close(): Promise<void>;
}

let nodeCount = 0;

export async function startHarness(
  options: {
    db?: Database;
    bus?: Bus;
    clock?: Clock;
    /** Settings from the configuration (the sign-in ones); the admin password is the harness's. */
    config?: Omit<ServerConfig, 'adminPassword'>;
    server?: ServerOptions;
    ownDb?: boolean;
    logger?: Logger;
  } = {},
): Promise<Harness> {
  const db = options.db ?? (await freshDb());
  const bus = options.bus ?? createInProcessBus();
  const server = await createServer({
    config: { ...options.config, adminPassword: ADMIN_PASSWORD },
    db,
    bus,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.server === undefined ? {} : { options: options.server }),
  });
  const tokens = new Map<UserRole, string>();
  const login = async (username: string, password: string): Promise<string> => {
    const r = await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username, password },
    });
    if (r.statusCode !== 200) throw new Error(`login ${username}: ${r.statusCode} ${r.body}`);
    return (r.json() as { access_token: string }).access_token;
  };
  const h: Harness = {
    server,
    db,
    bus,
    async token(role) {
      const known = tokens.get(role);
      if (known !== undefined) return known;
      let t: string;
      if (role === 'admin') {
        t = await login('admin', ADMIN_PASSWORD);
      } else {
        const admin = await h.token('admin');
        const username = `${role}-${Math.random().toString(36).slice(2, 8)}`;
        const r = await server.app.inject({
          method: 'POST',
          url: '/api/v1/users',
          headers: { authorization: `Bearer ${admin}` },
          payload: { username, password: 'password-of-' + role, role },
        });
        if (r.statusCode !== 201) throw new Error(`create ${role}: ${r.statusCode} ${r.body}`);
        t = await login(username, 'password-of-' + role);
      }
      tokens.set(role, t);
      return t;
    },
    async enroll(name) {
      const op = await h.token('operator');
      const t = await server.app.inject({
        method: 'POST',
        url: '/api/v1/enrollment-tokens',
        headers: { authorization: `Bearer ${op}` },
        payload: {},
      });
      if (t.statusCode !== 201) throw new Error(`token: ${t.statusCode} ${t.body}`);
      const e = await server.app.inject({
        method: 'POST',
        url: '/api/v1/enroll',
        payload: {
          token: (t.json() as { token: string }).token,
          name: name ?? `node-${++nodeCount}-${Math.random().toString(36).slice(2, 6)}`,
        },
      });
      if (e.statusCode !== 201) throw new Error(`enroll: ${e.statusCode} ${e.body}`);
      const body = e.json() as { node_id: string; api_key: string };
      return { nodeId: body.node_id, apiKey: body.api_key };
    },
    async close() {
      await server.close();
      if (options.bus === undefined) await bus.close();
      if (options.db === undefined || options.ownDb === true) await db.close();
    },
  };
  return h;
}
