/**
 * The two WebSockets: `/api/v1/ingest` (a node's key; binary frames in, binary acks out) and
 * `/api/v1/live` (a user's token; JSON subscribe in, binary spectrum frames and JSON events out).
 * Both authenticate before the upgrade, so a bad credential is an HTTP 401/403 and no socket.
 */
import type { Duplex } from 'node:stream';
import { OperationalError } from '@heimdall/errors';
import { decodeFrame, FrameError } from '@heimdall/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type { AuthService } from '../auth/auth.service.ts';
import { access, type Principal } from '../auth/principal.ts';
import { ApiError, forbidden, unauthenticated } from '../errors.ts';
import type { IngestReceipt, IngestService } from '../ingest/ingest.service.ts';
import { liveSubscribeSchema, type LiveHub, type LiveSink } from '../live/live-hub.ts';
import type { Logger } from './logger.ts';
import type { RouteRole } from './route.ts';

/** The socket routes, with the role each needs (walked by the access test like the HTTP table). */
export const SOCKET_ROUTES: readonly {
  readonly url: string;
  readonly role: RouteRole;
  readonly summary: string;
}[] = [
  {
    url: '/api/v1/ingest',
    role: 'node',
    summary: "A node's uplink: binary frames in (spectrum, detections), binary acks out once stored.",
  },
  {
    url: '/api/v1/live',
    role: 'viewer',
    summary:
      'Live data: send {"type":"subscribe",nodes,freq_min_hz,freq_max_hz,kinds}; receive binary spectrum frames and JSON events (token also as ?access_token=).',
  },
];

/** Close codes beyond the RFC's: 4001 credentials, 4003 not allowed (e.g. another node's frames). */
export const CLOSE = {
  policy: 1008,
  unsupported: 1003,
  serverError: 1011,
  tryAgain: 1013,
  forbidden: 4003,
} as const;

export interface SocketDeps {
  readonly auth: AuthService;
  readonly ingest: IngestService;
  readonly live: LiveHub;
  readonly logger: Logger;
  readonly onReject: (reason: string) => void;
  readonly liveClients: (delta: number) => void;
  /** Ping each socket this often; one that has not answered the previous ping is dropped (default 30 s). */
  readonly pingIntervalMs?: number;
}

/** Pings `socket` every `ms`; terminates it when a ping went unanswered (a dead peer or network). */
function keepAlive(socket: WebSocket, ms: number): void {
  let alive = true;
  socket.on('pong', () => {
    alive = true;
  });
  const timer = setInterval(() => {
    if (!alive) {
      socket.terminate();
      return;
    }
    alive = false;
    socket.ping();
  }, ms);
  timer.unref();
  socket.on('close', () => clearInterval(timer));
}

const principals = new WeakMap<FastifyRequest, Principal>();

function guard(auth: AuthService, role: RouteRole, allowQueryToken: boolean) {
  return async (req: FastifyRequest): Promise<void> => {
    let header = req.headers.authorization;
    if (header === undefined && allowQueryToken) {
      // browsers cannot set headers on a WebSocket: the live API also takes ?access_token=
      const t = (req.query as Record<string, unknown> | undefined)?.['access_token'];
      if (typeof t === 'string' && t !== '') header = `Bearer ${t}`;
    }
    const p = await auth.authenticate(header);
    const a = access(role, p);
    if (a === 'unauthenticated') throw unauthenticated();
    if (a === 'forbidden')
      throw forbidden(
        role === 'node' ? 'this socket takes a node API key' : `this socket needs the ${role} role`,
      );
    principals.set(req, p as Principal);
  };
}

function closeFor(e: unknown): { code: number; reason: string; metric: string } {
  if (e instanceof FrameError) return { code: e.closeCode, reason: e.closeReason, metric: e.reason };
  if (e instanceof ApiError && e.reason === 'forbidden')
    return { code: CLOSE.forbidden, reason: 'node:wrong_node', metric: 'wrong_node' };
  if (e instanceof ApiError && e.reason === 'not_found')
    return { code: CLOSE.policy, reason: 'node:unknown', metric: 'unknown_node' };
  if (e instanceof ApiError) return { code: CLOSE.policy, reason: `frame:${e.reason}`, metric: e.reason };
  if (e instanceof OperationalError)
    return { code: CLOSE.tryAgain, reason: 'server:unavailable', metric: 'unavailable' };
  return { code: CLOSE.serverError, reason: 'server:error', metric: 'error' };
}

function toBytes(data: Buffer | ArrayBuffer | Buffer[]): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  return data instanceof ArrayBuffer
    ? new Uint8Array(data)
    : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Most bytes held back in one writev. */
const CORK_BYTES = 128 * 1024;

/**
 * A viewer's socket as the live hub's sink. The hub hands a viewer frames in bursts (a drained
 * bus queue); the socket is corked for the rest of the burst and uncorked on the next turn of the
 * event loop, so a burst leaves in one writev instead of one system call per frame (at thousands of
 * frames a second those calls were the ingest's largest single cost). Corked bytes count in
 * `bufferedAmount`, so a slow viewer is still seen as slow.
 */
function coalescingSink(socket: WebSocket): LiveSink {
  // ws keeps its net.Socket as `_socket` (not in its types): without it, frames leave one by one
  const raw = (socket as unknown as { _socket?: Duplex })._socket;
  let corked = false;
  /** Bytes sent since the socket was corked. */
  let held = 0;
  const uncork = () => {
    corked = false;
    held = 0;
    raw?.uncork();
  };
  return {
    send: (d) => {
      if (raw !== undefined && !corked && socket.readyState === socket.OPEN) {
        corked = true;
        raw.cork();
        setImmediate(uncork);
      }
      socket.send(d);
      held += d.length;
      if (corked && held >= CORK_BYTES) {
        // a long burst goes out in slices: held back whole, it would look like a slow viewer
        raw?.uncork();
        raw?.cork();
        held = 0;
      }
    },
    bufferedAmount: () => socket.bufferedAmount,
  };
}

export function registerSockets(app: FastifyInstance, deps: SocketDeps): void {
  const pingMs = deps.pingIntervalMs ?? 30_000;
  app.get(
    '/api/v1/ingest',
    { websocket: true, preValidation: guard(deps.auth, 'node', false) },
    (socket: WebSocket, req) => {
      const p = principals.get(req);
      if (p?.kind !== 'node') {
        socket.close(CLOSE.policy, 'auth');
        return;
      }
      const nodeId = p.nodeId;
      keepAlive(socket, pingMs);
      let closed = false;
      let latest: IngestReceipt | undefined;
      const fail = (e: unknown) => {
        if (closed) return;
        closed = true;
        const c = closeFor(e);
        deps.onReject(c.metric);
        if (c.code === CLOSE.serverError)
          deps.logger.error('ingest socket failed', {
            node_id: nodeId,
            error: e instanceof Error ? e.message : String(e),
          });
        socket.close(c.code, c.reason);
      };
      socket.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
        if (closed) return;
        if (!isBinary) {
          closed = true;
          deps.onReject('text_message');
          socket.close(CLOSE.unsupported, 'binary frames only');
          return;
        }
        let frame;
        try {
          frame = decodeFrame(toBytes(data));
        } catch (e) {
          fail(e);
          return;
        }
        deps.ingest.submit(nodeId, [frame]).then((r) => {
          // frames of one batch resolve together: send one ack, the newest, for all of them
          const first = latest === undefined;
          latest = r;
          if (first) {
            setImmediate(() => {
              const ack = latest;
              latest = undefined;
              if (ack !== undefined && !closed && socket.readyState === socket.OPEN)
                socket.send(ack.ackFrame());
            });
          }
        }, fail);
      });
      socket.on('error', (e: Error & { code?: string }) => {
        deps.onReject(e.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'oversized' : 'socket_error');
      });
      socket.on('close', () => {
        closed = true;
        deps.ingest.forget(nodeId);
      });
    },
  );

  app.get(
    '/api/v1/live',
    { websocket: true, preValidation: guard(deps.auth, 'viewer', true) },
    (socket: WebSocket) => {
      keepAlive(socket, pingMs);
      const client = deps.live.add(coalescingSink(socket));
      deps.liveClients(1);
      socket.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
        let msg: unknown;
        try {
          msg = isBinary ? undefined : JSON.parse(Buffer.from(toBytes(data)).toString('utf8'));
        } catch {
          msg = undefined;
        }
        const parsed = liveSubscribeSchema.safeParse(msg);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          socket.send(
            JSON.stringify({
              type: 'error',
              error:
                msg === undefined ? 'send a JSON text message' : (issue?.message ?? 'invalid subscription'),
              field: issue?.path.join('.') ?? '',
              fix: 'send {"type":"subscribe","kinds":["spectrum","detections","heartbeats","anomalies"],"nodes":[...],"freq_min_hz":...,"freq_max_hz":...}',
            }),
          );
          return;
        }
        client.filter = parsed.data;
        socket.send(JSON.stringify({ type: 'subscribed', filter: parsed.data, dropped: client.dropped }));
      });
      socket.on('close', () => {
        deps.live.remove(client);
        deps.liveClients(-1);
      });
    },
  );
}
