/**
 * The live WebSocket with reconnects: exponential backoff (0.5 s doubling to 10 s, with jitter),
 * the subscription re-sent on every connect, and a state the page shows ("reconnecting…"). Before
 * each retry it asks `/api/v1/auth/me`: a 401 there means the token expired, which ends the session
 * instead of retrying forever.
 */
import { api, ApiError } from '../api/client.ts';
import { loadSession } from '../api/session.ts';
import { FrameHandler, type LiveMessage } from './frame-handler.ts';

export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'closed';

export interface Subscription {
  readonly nodes: readonly string[];
  readonly freq_min_hz?: number;
  readonly freq_max_hz?: number;
  readonly kinds: readonly ('spectrum' | 'detections' | 'heartbeats' | 'anomalies')[];
  readonly max_bins?: number;
}

export interface LiveSocketEvents {
  onMessage(m: LiveMessage): void;
  onState(s: LiveState, detail: string): void;
}

export function liveUrl(token: string, origin: string = location.origin): string {
  const u = new URL('/api/v1/live', origin);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  u.searchParams.set('access_token', token);
  return u.toString();
}

export class LiveSocket {
  readonly handler = new FrameHandler();
  private ws: WebSocket | undefined;
  private sub: Subscription;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(
    sub: Subscription,
    private readonly events: LiveSocketEvents,
  ) {
    this.sub = sub;
    this.open();
  }

  /** Changes what the socket receives (e.g. the visible band after a zoom). */
  subscribe(sub: Subscription): void {
    this.sub = sub;
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ type: 'subscribe', ...sub }));
  }

  close(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.ws?.close(1000, 'page closed');
    this.events.onState('closed', '');
  }

  private open(): void {
    const session = loadSession();
    if (session === undefined) {
      this.events.onState('closed', 'signed out');
      return;
    }
    this.events.onState(this.attempt === 0 ? 'connecting' : 'reconnecting', `attempt ${this.attempt + 1}`);
    const ws = new WebSocket(liveUrl(session.token));
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      ws.send(JSON.stringify({ type: 'subscribe', ...this.sub }));
      this.events.onState('live', '');
    };
    ws.onmessage = (ev: MessageEvent<ArrayBuffer | string>) => {
      this.events.onMessage(this.handler.handle(ev.data));
    };
    ws.onclose = () => {
      if (this.ws !== ws || this.stopped) return;
      this.retry();
    };
  }

  private retry(): void {
    this.attempt++;
    const delay = Math.min(10_000, 500 * 2 ** Math.min(this.attempt - 1, 5)) * (0.8 + 0.4 * Math.random());
    this.events.onState('reconnecting', `retrying in ${(delay / 1000).toFixed(1)} s`);
    this.timer = setTimeout(() => {
      if (this.stopped) return;
      api.get('/api/v1/auth/me').then(
        () => this.open(),
        (e: unknown) => {
          // 401: the client ended the session (the app shows the login page); otherwise keep trying
          if (e instanceof ApiError && e.status === 401) this.close();
          else if (!this.stopped) this.retry();
        },
      );
    }, delay);
  }
}
