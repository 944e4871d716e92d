/**
 * The uplink: sends the spool's frames over a WebSocket to `<server>/api/v1/ingest` and applies
 * the server's acks to the spool. It never holds frames itself, so its memory is bounded by the
 * in-flight window whatever the backlog.
 *
 * Order: strictly by sequence, oldest unacknowledged first, and the live frames after the backlog.
 * After an outage the backlog drains at link speed (the window allows thousands of frames/s) and
 * live frames follow within seconds. Sending live frames ahead of the backlog was rejected: the
 * server counts every skip forward as a sequence gap, and it remembers at most 4096 sequences
 * stored above a gap; past that it takes the holes as lost and drops the late backlog frames.
 *
 * Flow control: at most `windowFrames` unacknowledged frames in flight and at most
 * `maxBufferedBytes` queued in the socket (`ws.bufferedAmount`); sending resumes on each ack and on
 * each completed write. A connection whose acks stop for `ackTimeoutMs` is dropped and reopened.
 *
 * After a reconnect everything unacknowledged is sent again from the oldest; the server drops the
 * ones it already stored (dedupe by node and sequence) and acks them.
 *
 * A frame the server refuses (it closes with a frame-level code: 1002, 1007, 1009, or 1008
 * `frame:...`) would otherwise be resent for ever and hold up everything behind it. After such a
 * close the uplink sends one frame at a time until it has passed the frames that were in flight,
 * so a refusal names exactly one sequence; a frame refused alone `quarantineAfter` times (3) is
 * moved to the spool's quarantine file, counted as dropped, and logged with its sequence, and
 * delivery goes on.
 */
import { decodeFrame, FrameError } from '@heimdall/protocol';
import WebSocket from 'ws';
import type { AgentLogger } from '../agent-logger.ts';
import { silentAgentLogger } from '../agent-logger.ts';
import type { Spool } from '../spool/spool.ts';
import { Backoff, sleep, type BackoffOptions } from '../backoff.ts';

export interface UplinkOptions {
  /** The server's base URL (`http://host:8080`, `https://...`; `ws://` and `wss://` work too). */
  readonly serverUrl: string;
  readonly apiKey: string;
  readonly nodeId: string;
  readonly spool: Spool;
  readonly logger?: AgentLogger;
  /** Most frames sent and not yet acknowledged (default 512). */
  readonly windowFrames?: number;
  /** Most bytes queued in the socket before sending pauses (default 1 MiB). */
  readonly maxBufferedBytes?: number;
  readonly backoff?: BackoffOptions;
  /** Wait after the server refused the key (HTTP 401/403) or named another node (4003); default 60 s. */
  readonly refusedRetryMs?: number;
  /** Drop a connection whose acks stopped this long while frames are in flight (default 30 s). */
  readonly ackTimeoutMs?: number;
  /** Quarantine a frame the server refused alone this many times (default 3). */
  readonly quarantineAfter?: number;
}

export type UplinkState = 'connecting' | 'connected' | 'waiting' | 'refused' | 'stopped';

export interface UplinkStatus {
  readonly state: UplinkState;
  /** Why it is not connected, in one sentence (null when connected). */
  readonly message: string | null;
  /** Frames sent since start (resends included). */
  readonly framesSent: number;
  readonly connections: number;
}

type Outcome =
  | {
      readonly kind: 'closed';
      readonly code: number;
      readonly reason: string;
      readonly progressed: boolean;
      /** Sequences sent and not acknowledged when the socket closed. */
      readonly inFlight: readonly number[];
    }
  | { readonly kind: 'refused'; readonly status: number }
  | { readonly kind: 'error'; readonly message: string }
  | { readonly kind: 'stopped' };

/** Whether the server closed the uplink because of a frame's content (not the link or the key). */
export function isFrameRefusal(code: number, reason: string): boolean {
  return code === 1002 || code === 1007 || code === 1009 || (code === 1008 && reason.startsWith('frame:'));
}

/** `http://h:p/x` -> `ws://h:p/x/api/v1/ingest`. */
export function ingestUrl(serverUrl: string): string {
  const u = new URL(serverUrl);
  if (u.protocol === 'http:') u.protocol = 'ws:';
  else if (u.protocol === 'https:') u.protocol = 'wss:';
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/api/v1/ingest`;
  return u.toString();
}

export class Uplink {
  private readonly opts: UplinkOptions;
  private readonly logger: AgentLogger;
  private readonly window: number;
  private readonly maxBuffered: number;
  private readonly backoff: Backoff;
  private state: UplinkState = 'connecting';
  private message: string | null = null;
  private framesSent = 0;
  private connections = 0;
  private ws: WebSocket | undefined;
  private cursor = -1;
  private readonly inflight = new Set<number>();
  private lastProgressAt = 0;
  private lastLogged = '';
  private lastLoggedAt = 0;
  /** After an unattributed frame refusal: one frame at a time until every sequence up to this one is gone. */
  private carefulUpTo: number | undefined;
  /** How often each sequence was refused while it was the only frame in flight. */
  private readonly refusals = new Map<number, number>();

  constructor(options: UplinkOptions) {
    this.opts = options;
    this.logger = options.logger ?? silentAgentLogger;
    this.window = options.windowFrames ?? 512;
    this.maxBuffered = options.maxBufferedBytes ?? 1 << 20;
    this.backoff = new Backoff(options.backoff);
  }

  status(): UplinkStatus {
    return {
      state: this.state,
      message: this.message,
      framesSent: this.framesSent,
      connections: this.connections,
    };
  }

  /** Connects, sends and reconnects until `signal` aborts; then closes the socket. */
  async run(signal: AbortSignal): Promise<void> {
    const stopDurable = this.opts.spool.onDurable(() => this.pump());
    try {
      while (!signal.aborted) {
        this.state = 'connecting';
        const outcome = await this.connectOnce(signal);
        if (signal.aborted || outcome.kind === 'stopped') break;
        if (
          outcome.kind === 'closed' &&
          isFrameRefusal(outcome.code, outcome.reason) &&
          this.refused(outcome)
        )
          continue;
        const { wait, text, level } = this.plan(outcome);
        this.state = level === 'error' ? 'refused' : 'waiting';
        this.message = text;
        this.log(level, `${text}; frames stay in the spool, retrying in ${(wait / 1000).toFixed(1)} s`, {
          spool_frames: this.opts.spool.stats().frames,
        });
        await sleep(wait, signal);
      }
    } finally {
      stopDurable();
      this.state = 'stopped';
      this.message = null;
    }
  }

  /**
   * Attributes a frame refusal: with one frame in flight it is that frame's (quarantined on the
   * `quarantineAfter`th time: returns true, reconnect at once); with several, the next connection
   * sends one at a time.
   */
  private refused(o: Extract<Outcome, { kind: 'closed' }>): boolean {
    const [only, ...more] = o.inFlight;
    if (only === undefined) return false;
    if (more.length > 0) {
      this.carefulUpTo = Math.max(this.carefulUpTo ?? -1, ...o.inFlight);
      return false;
    }
    const times = (this.refusals.get(only) ?? 0) + 1;
    this.refusals.set(only, times);
    this.carefulUpTo = Math.max(this.carefulUpTo ?? -1, only);
    if (times < (this.opts.quarantineAfter ?? 3)) return false;
    this.refusals.delete(only);
    const why = `${o.code}${o.reason === '' ? '' : ` ${o.reason}`}`;
    const file = this.opts.spool.quarantine(only, `the server refused it ${times} times (${why})`);
    if (file === undefined) return false;
    this.logger.error(
      `uplink: the server refused frame ${only} ${times} times (${why}); moved it out of the spool to ${file} and going on (one JSON line per frame, the frame in base64: this is a bug in the agent or a version mismatch with the server)`,
      { sequence: only, close_code: o.code, spool_dropped: this.opts.spool.stats().dropped },
    );
    this.backoff.reset();
    this.leaveCarefulIfPassed();
    return true;
  }

  /** Back to the full window once every sequence that was in flight at a refusal is delivered or quarantined. */
  private leaveCarefulIfPassed(): void {
    if (this.carefulUpTo === undefined) return;
    const first = this.opts.spool.firstPending();
    if (first !== undefined && first <= this.carefulUpTo) return;
    this.carefulUpTo = undefined;
    this.refusals.clear();
  }

  /** What to tell the operator about a lost or refused connection, and how long to wait. */
  private plan(o: Exclude<Outcome, { kind: 'stopped' }>): {
    wait: number;
    text: string;
    level: 'warn' | 'error';
  } {
    const slow = this.opts.refusedRetryMs ?? 60_000;
    const server = this.opts.serverUrl;
    if (o.kind === 'refused') {
      if (o.status === 401 || o.status === 403)
        return {
          wait: slow,
          level: 'error',
          text: `the server ${server} refused this node's API key (HTTP ${o.status}): it was revoked or the node was deleted (re-enroll with --enroll TOKEN if it stays so)`,
        };
      return {
        wait: this.backoff.next(),
        level: 'warn',
        text: `the server ${server} answered HTTP ${o.status} to the uplink`,
      };
    }
    if (o.kind === 'error')
      return {
        wait: this.backoff.next(),
        level: 'warn',
        text: `cannot reach the server ${server}: ${o.message}`,
      };
    if (o.progressed) this.backoff.reset();
    const why = `${o.code}${o.reason === '' ? '' : ` ${o.reason}`}`;
    switch (o.code) {
      case 4003:
        return {
          wait: slow,
          level: 'error',
          text: `the server closed the uplink (${why}): this API key belongs to another node than the spooled frames (the data folder mixes two enrollments)`,
        };
      case 1013:
        return {
          wait: this.backoff.next(),
          level: 'warn',
          text: `the server is unavailable (${why}: its storage failed)`,
        };
      case 1002:
      case 1007:
      case 1009:
        return {
          wait: this.backoff.next(),
          level: 'error',
          text: `the server refused a frame (${why}); this is a bug in the agent or a version mismatch with the server`,
        };
      default:
        return {
          wait: this.backoff.next(),
          level: 'warn',
          text: `the connection to ${server} closed (${why})`,
        };
    }
  }

  /** Logs a repeated message at most once a minute. */
  private log(level: 'warn' | 'error', text: string, fields: Record<string, number>): void {
    const key = text.replace(/retrying in [\d.]+ s/, '');
    const now = Date.now();
    if (key === this.lastLogged && now - this.lastLoggedAt < 60_000) return;
    this.lastLogged = key;
    this.lastLoggedAt = now;
    this.logger[level](`uplink: ${text}`, fields);
  }

  private connectOnce(signal: AbortSignal): Promise<Outcome> {
    return new Promise<Outcome>((resolve) => {
      let settled = false;
      let progressed = false;
      let lastError = '';
      const ws = new WebSocket(ingestUrl(this.opts.serverUrl), {
        headers: { authorization: `Bearer ${this.opts.apiKey}` },
        handshakeTimeout: 10_000,
        maxPayload: 1 << 20,
      });
      const watchdog = setInterval(() => {
        const timeout = this.opts.ackTimeoutMs ?? 30_000;
        if (this.inflight.size > 0 && Date.now() - this.lastProgressAt > timeout) {
          this.logger.warn('uplink: no ack from the server for a while; reconnecting', {
            in_flight: this.inflight.size,
            timeout_s: timeout / 1000,
          });
          ws.terminate();
        }
      }, 1000);
      const settle = (o: Outcome) => {
        if (settled) return;
        settled = true;
        clearInterval(watchdog);
        signal.removeEventListener('abort', onAbort);
        if (this.ws === ws) this.ws = undefined;
        this.inflight.clear();
        resolve(o);
      };
      const onAbort = () => {
        if (ws.readyState === WebSocket.OPEN) ws.close(1000, 'agent stopping');
        else ws.terminate();
        settle({ kind: 'stopped' });
      };
      signal.addEventListener('abort', onAbort, { once: true });
      ws.on('unexpected-response', (req, res) => {
        res.resume();
        req.destroy();
        settle({ kind: 'refused', status: res.statusCode ?? 0 });
      });
      ws.on('error', (e: Error & { code?: string }) => {
        lastError = e.code === undefined ? e.message : `${e.code} (${e.message})`;
      });
      ws.on('open', () => {
        this.ws = ws;
        this.connections++;
        this.state = 'connected';
        if (this.message !== null)
          this.logger.info('uplink: connected to the server', {
            server: this.opts.serverUrl,
            spool_frames: this.opts.spool.stats().frames,
          });
        this.message = null;
        this.lastLogged = '';
        this.cursor = -1;
        this.inflight.clear();
        this.lastProgressAt = Date.now();
        this.pump();
      });
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        if (!isBinary) return;
        let frame;
        try {
          frame = decodeFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
        } catch (e) {
          if (e instanceof FrameError)
            this.logger.warn('uplink: ignored a malformed message from the server', { reason: e.reason });
          return;
        }
        if (frame.kind !== 'ack' || frame.nodeId !== this.opts.nodeId) return;
        this.opts.spool.ack(frame.nextSequence, frame.acked);
        const acked = new Set(frame.acked);
        for (const s of this.inflight) if (s < frame.nextSequence || acked.has(s)) this.inflight.delete(s);
        progressed = true;
        this.lastProgressAt = Date.now();
        this.leaveCarefulIfPassed();
        this.pump();
      });
      ws.on('close', (code: number, reason: Buffer) => {
        if (!progressed && code === 1006)
          settle({ kind: 'error', message: lastError === '' ? 'the connection dropped' : lastError });
        else
          settle({
            kind: 'closed',
            code,
            reason: reason.toString('utf8'),
            progressed,
            inFlight: [...this.inflight],
          });
      });
    });
  }

  /** Sends from the spool while the window and the socket buffer allow. */
  private pump(): void {
    const ws = this.ws;
    if (ws === undefined || ws.readyState !== WebSocket.OPEN) return;
    const window = this.carefulUpTo === undefined ? this.window : 1;
    while (this.inflight.size < window && ws.bufferedAmount < this.maxBuffered) {
      const f = this.opts.spool.next(this.cursor);
      if (f === undefined) return;
      if (this.inflight.size === 0) this.lastProgressAt = Date.now();
      this.cursor = f.sequence;
      this.inflight.add(f.sequence);
      this.framesSent++;
      ws.send(f.bytes, { binary: true }, (err) => {
        if (err === undefined || err === null) this.pump();
      });
    }
  }

  /**
   * Waits (up to `timeoutMs`) until the server acknowledged every spooled frame, while connected:
   * a clean stop delivers what it can before closing. Returns whether the spool is empty.
   */
  async drain(timeoutMs: number): Promise<boolean> {
    this.opts.spool.sync();
    this.pump();
    const until = Date.now() + timeoutMs;
    while (this.opts.spool.stats().frames > 0 && Date.now() < until && this.state === 'connected')
      await new Promise((r) => setTimeout(r, 20));
    return this.opts.spool.stats().frames === 0;
  }
}
