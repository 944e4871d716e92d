/**
 * Live fan-out: one live (not durable) bus subscription per event kind per server, and each
 * connected viewer's filter. Frames go to a viewer only while its socket keeps up: when more than
 * `maxBufferedBytes` wait unsent, newer spectrum frames are dropped for it (and counted) until it
 * drains, so a slow viewer sees the newest frames and never holds up the bus or the ingest.
 */
import { encodeSpectrumFrame, wireBytesOf, type SpectrumFrame } from '@heimdall/protocol';
import { z } from 'zod';
import type { Bus, Subscription } from '../bus/bus.ts';
import { fitFrameToView } from './live-decimate.ts';

export const LIVE_KINDS = ['spectrum', 'detections', 'heartbeats', 'anomalies', 'localizations'] as const;
export type LiveKind = (typeof LIVE_KINDS)[number];

/** What a viewer sends (as a JSON text message) to choose what it gets. */
export const liveSubscribeSchema = z
  .object({
    type: z.literal('subscribe'),
    /** Only these nodes (default all). */
    nodes: z.array(z.uuid()).max(1000).optional(),
    freq_min_hz: z.number().finite().min(0).optional(),
    freq_max_hz: z.number().finite().min(0).optional(),
    kinds: z
      .array(z.enum(LIVE_KINDS))
      .min(1)
      .default([...LIVE_KINDS]),
    /**
     * Send spectrum frames cut to `freq_min_hz..freq_max_hz` and max-hold decimated to at most
     * this many bins (a browser's waterfall width); without it frames arrive whole.
     */
    max_bins: z.number().int().min(16).max(65536).optional(),
  })
  .refine(
    (s) => s.freq_min_hz === undefined || s.freq_max_hz === undefined || s.freq_min_hz <= s.freq_max_hz,
    {
      message: 'freq_min_hz must not be above freq_max_hz',
      path: ['freq_min_hz'],
    },
  );
export type LiveSubscribe = z.infer<typeof liveSubscribeSchema>;

/** A viewer's socket, as the hub sees it. */
export interface LiveSink {
  send(data: Uint8Array | string): void;
  /** Bytes queued and not yet written to the network. */
  bufferedAmount(): number;
}

export interface LiveClient {
  readonly sink: LiveSink;
  filter: LiveSubscribe | undefined;
  /** Spectrum frames this viewer missed because it was slow. */
  dropped: number;
  sent: number;
}

export interface LiveHubOptions {
  readonly maxBufferedBytes?: number;
  readonly onDrop?: () => void;
}

function overlaps(f: LiveSubscribe, low: number | null, high: number | null): boolean {
  if (low === null || high === null) return true;
  return (
    (f.freq_min_hz === undefined || high >= f.freq_min_hz) &&
    (f.freq_max_hz === undefined || low <= f.freq_max_hz)
  );
}

/** Whether the viewer follows the node (or one of the nodes, for events several nodes saw). */
function wantsNode(f: LiveSubscribe, nodeId: string | readonly string[] | null): boolean {
  if (f.nodes === undefined) return true;
  if (nodeId === null) return false;
  const nodes = f.nodes;
  return typeof nodeId === 'string' ? nodes.includes(nodeId) : nodeId.some((n) => nodes.includes(n));
}

export class LiveHub {
  private readonly clients = new Set<LiveClient>();
  private readonly subs: Subscription[] = [];
  private readonly maxBufferedBytes: number;

  constructor(
    private readonly bus: Bus,
    private readonly options: LiveHubOptions = {},
  ) {
    this.maxBufferedBytes = options.maxBufferedBytes ?? 1 << 20;
  }

  get size(): number {
    return this.clients.size;
  }

  async start(): Promise<void> {
    this.subs.push(
      await this.bus.subscribe('spectrum.frame', (frame) => this.spectrum(frame)),
      await this.bus.subscribe('detection.created', (d) =>
        this.event('detections', 'detection', d, d.node_id, d.freq_low_hz, d.freq_high_hz),
      ),
      await this.bus.subscribe('node.heartbeat', (h) =>
        this.event('heartbeats', 'heartbeat', h, h.node_id, null, null),
      ),
      await this.bus.subscribe('node.status', (e) =>
        this.event('heartbeats', 'node_status', e, e.node_id, null, null),
      ),
      await this.bus.subscribe('anomaly.created', (a) =>
        this.event('anomalies', 'anomaly', a, a.node_ids, a.freq_low_hz, a.freq_high_hz),
      ),
      // anomalies and fixes involve several nodes: a viewer of any of them gets the event
      await this.bus.subscribe('localization.completed', (l) =>
        this.event('localizations', 'localization', l, l.node_ids, l.freq_hz, l.freq_hz),
      ),
    );
  }

  add(sink: LiveSink): LiveClient {
    const c: LiveClient = { sink, filter: undefined, dropped: 0, sent: 0 };
    this.clients.add(c);
    return c;
  }

  remove(c: LiveClient): void {
    this.clients.delete(c);
  }

  private spectrum(frame: SpectrumFrame): void {
    let bytes: Uint8Array | undefined;
    const low = frame.centerHz - frame.sampleRateHz / 2;
    const high = frame.centerHz + frame.sampleRateHz / 2;
    for (const c of this.clients) {
      const f = c.filter;
      if (
        f === undefined ||
        !f.kinds.includes('spectrum') ||
        !wantsNode(f, frame.nodeId) ||
        !overlaps(f, low, high)
      )
        continue;
      if (c.sink.bufferedAmount() > this.maxBufferedBytes) {
        c.dropped++;
        this.options.onDrop?.();
        continue;
      }
      if (f.max_bins !== undefined) {
        const view = { freqMinHz: f.freq_min_hz, freqMaxHz: f.freq_max_hz, maxBins: f.max_bins };
        c.sink.send(encodeSpectrumFrame(fitFrameToView(frame, view)));
      } else {
        bytes ??= wireBytesOf(frame) ?? encodeSpectrumFrame(frame);
        c.sink.send(bytes);
      }
      c.sent++;
    }
  }

  private event(
    kind: LiveKind,
    type: string,
    data: unknown,
    nodeId: string | readonly string[] | null,
    low: number | null,
    high: number | null,
  ): void {
    let text: string | undefined;
    for (const c of this.clients) {
      const f = c.filter;
      if (f === undefined || !f.kinds.includes(kind) || !wantsNode(f, nodeId) || !overlaps(f, low, high))
        continue;
      text ??= JSON.stringify({ type, data });
      c.sink.send(text);
      c.sent++;
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.subs.splice(0).map((s) => s.unsubscribe()));
    this.clients.clear();
  }
}
