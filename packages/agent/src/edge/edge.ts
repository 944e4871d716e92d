/**
 * The edge of a node: one receiver running a scan plan. Each band makes frames at its
 * `frames_per_second`: for every hop a capture of `averaging` Welch segments (50 % overlap), then
 * the band's frames go to the sink (see `BandProcessor`). Bands share the receiver in time: the band
 * whose next frame is due first goes next. When the edge falls behind a band's schedule by more
 * than one frame interval, the missed frames are skipped and counted as overruns (the receiver's
 * input for them is discarded). A plan given to `setPlan` is checked at once (UserError) and
 * takes effect before the next frame. `run` closes the receiver when it returns (an edge runs once).
 *
 * Localization snippets (`captureSnippet`) share the receiver by pausing the frames: from
 * {@link SNIPPET_LEAD_MS} before the snippet's start the frame in flight finishes, no new one
 * starts, the receiver captures the snippet (retuning if needed), and the bands resume from then
 * on (the frames of the pause are not made and not counted as overruns). Interleaving was not
 * chosen: an rtl_tcp dongle has one tuner, and a snippet must be one unbroken run of samples.
 */
import { OperationalError, UnexpectedError, UserError } from '@heimdall/errors';
import type { Edge, FrameSink, OutgoingFrame, ReceiverStatus, ScanBand, ScanPlan } from '../edge.contract.ts';
import type { BackoffOptions } from '../backoff.ts';
import { createReceiver, type ReceiverWithDefaults } from '../receivers/create-receiver.ts';
import {
  nsToMs,
  type IqSnippet,
  type ReceiverCapabilities,
  type SnippetRequest,
} from '../receivers/receiver.ts';
import { layoutBand, type BandLayout, type LayoutOptions } from '../scan/band-layout.ts';
import { BandProcessor } from './band-processor.ts';
import type { AgentLogger } from '../agent-logger.ts';
import { systemEdgeClock, toEdgeLogger, type EdgeClock, type EdgeLogger } from './edge-clock.ts';

export interface CreateEdgeOptions {
  /** Receiver URL: `rtl-tcp://...`, `sigmf:///...` or `sim://...` (see `parseReceiverUrl`). */
  readonly url: string;
  /** The plan to run; omitted: {@link defaultBand} at the receiver's own tuning. */
  readonly plan?: ScanPlan | undefined;
  /** A `(level, message, fields)` function or the agent's `AgentLogger`. */
  readonly logger?: EdgeLogger | AgentLogger | undefined;
  readonly clock?: EdgeClock | undefined;
  /** Reconnection backoff of network receivers. */
  readonly backoff?: BackoffOptions | undefined;
  /** Sweep hop geometry and settling. */
  readonly layout?: LayoutOptions | undefined;
}

/**
 * How long before a localization snippet's start the frames pause and the receiver is handed to
 * it: time to retune and settle (10 ms), for a frame still in flight, and for a busy machine to
 * wake this thread late (measured: half a second with 12 runnable processes on 2 cores).
 */
export const SNIPPET_LEAD_MS = 1000;

/** Frame parameters of a plan made from the receiver URL alone. */
export const DEFAULT_BAND: Omit<ScanBand, 'centerHz' | 'spanHz'> = {
  fftSize: 2048,
  framesPerSecond: 5,
  averaging: 16,
  thresholdDb: 10,
};

/** Checks every band of `plan` against the receiver; throws a UserError naming the band. */
export function layoutPlan(
  plan: ScanPlan,
  caps: ReceiverCapabilities,
  opts: LayoutOptions = {},
): BandLayout[] {
  return plan.bands.map((b, i) => layoutBand(b, i, caps, opts));
}

function defaultPlan(url: string, r: ReceiverWithDefaults): ScanPlan {
  const c = r.defaultCenterHz;
  if (c === undefined) {
    throw new UserError('has no tuning of its own, and no scan plan was given', {
      source: url,
      fix: 'add ?freq=145.5M to the rtl-tcp URL, or give a scan plan',
    });
  }
  return {
    id: null,
    version: 0,
    bands: [{ ...DEFAULT_BAND, centerHz: c, spanHz: r.capabilities.sampleRate }],
  };
}

class EdgeRunner implements Edge {
  private readonly receiver: ReceiverWithDefaults;
  private readonly clock: EdgeClock;
  private readonly log: EdgeLogger;
  private current: ScanPlan;
  private layouts: BandLayout[];
  private next: { plan: ScanPlan; layouts: BandLayout[] } | undefined;
  private overruns = 0;
  private ended = false;
  private running = false;
  /** Set while a snippet holds the receiver; frames wait for it. */
  private paused: Promise<void> | undefined;
  /** The frame being captured, which a snippet lets finish first. */
  private inFrame: Promise<boolean> | undefined;

  constructor(private readonly o: CreateEdgeOptions) {
    this.clock = o.clock ?? systemEdgeClock;
    this.log = toEdgeLogger(o.logger);
    this.receiver = createReceiver(o.url, { clock: this.clock, logger: this.log, backoff: o.backoff });
    try {
      this.current = o.plan ?? defaultPlan(o.url, this.receiver);
      this.layouts = layoutPlan(this.current, this.receiver.capabilities, o.layout);
    } catch (e) {
      this.receiver.close();
      throw e;
    }
  }

  plan(): ScanPlan {
    return this.current;
  }

  setPlan(plan: ScanPlan): void {
    this.next = { plan, layouts: layoutPlan(plan, this.receiver.capabilities, this.o.layout) };
  }

  async captureSnippet(req: SnippetRequest, signal: AbortSignal): Promise<IqSnippet> {
    const r = this.receiver;
    if (r.captureAt === undefined)
      throw new UserError('cannot capture localization snippets: a recording has no future samples', {
        source: r.status().url,
        fix: 'run the agent on a live receiver (rtl-tcp:// or sim://)',
      });
    await this.clock.sleep(nsToMs(req.startNs) - SNIPPET_LEAD_MS - this.clock.now(), signal);
    while (this.paused !== undefined) await this.paused; // another snippet first
    let release = (): void => undefined;
    this.paused = new Promise<void>((resolve) => (release = resolve));
    try {
      await this.inFrame?.catch(() => undefined);
      return await r.captureAt(req, signal);
    } finally {
      this.paused = undefined;
      release();
    }
  }

  status(): ReceiverStatus {
    const s = this.receiver.status();
    return {
      ...s,
      overruns: s.overruns + this.overruns,
      ...(this.ended ? { state: 'stopped' as const } : {}),
    };
  }

  async run(sink: FrameSink, signal: AbortSignal): Promise<void> {
    if (this.running) throw new UnexpectedError('this edge is already running: run it once');
    this.running = true;
    const caps = this.receiver.capabilities;
    const virtual = !caps.realTime;
    let vnow = this.clock.now();
    const now = (): number => (virtual ? vnow : this.clock.now());
    let bands = this.layouts.map((l) => new BandProcessor(l, caps));
    let due = bands.map(() => now());
    try {
      while (!signal.aborted) {
        if (this.next !== undefined) {
          this.flush(bands, sink);
          for (const b of bands) b.dispose();
          this.current = this.next.plan;
          this.layouts = this.next.layouts;
          this.next = undefined;
          bands = this.layouts.map((l) => new BandProcessor(l, caps));
          due = bands.map(() => now());
          this.log('info', `scan plan ${this.current.id ?? '(local)'} v${this.current.version} running`, {
            bands: this.current.bands.length,
          });
        }
        if (this.paused !== undefined) {
          // a snippet holds the receiver: resume on schedule from its end, without overruns
          await this.paused;
          const t = now();
          due = due.map((d) => Math.max(d, t));
          continue;
        }
        if (bands.length === 0) {
          await this.clock.sleep(1000, signal);
          continue;
        }
        let i = 0;
        for (let j = 1; j < due.length; j++) if ((due[j] as number) < (due[i] as number)) i = j;
        const band = bands[i] as BandProcessor;
        const interval = 1000 / band.layout.band.framesPerSecond;
        let at = due[i] as number;
        // yield to I/O and timers every frame, also when no wait is due (a replay at speed=max, or
        // an edge that fell behind): the uplink shares this thread
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (virtual) vnow = Math.max(vnow, at);
        else await this.clock.sleep(at - this.clock.now(), signal);
        if (signal.aborted) break;
        if (this.paused !== undefined) continue;
        const late = now() - at;
        if (late > interval) {
          const missed = Math.floor(late / interval);
          this.overruns += missed;
          at += missed * interval;
        }
        due[i] = at + interval;
        const ready = this.receiver.status().state === 'streaming';
        this.inFrame = this.frame(band, at, sink, signal);
        const more = await this.inFrame;
        this.inFrame = undefined;
        if (!more) break;
        // a capture that waited for the receiver (connecting, reconnecting) is not the edge
        // falling behind: the schedule starts again from now, without overruns
        if (!ready) due[i] = Math.max(due[i] as number, now());
      }
      this.flush(bands, sink);
    } finally {
      for (const b of bands) b.dispose();
      this.receiver.close();
      this.running = false;
    }
  }

  /** Pushes the detection records the bands still hold open. */
  private flush(bands: readonly BandProcessor[], sink: FrameSink): void {
    for (const b of bands) {
      const d = b.flush();
      if (d !== null) this.push(sink, d);
    }
  }

  private push(sink: FrameSink, frame: OutgoingFrame): void {
    try {
      sink.push(frame);
    } catch (e) {
      if (!(e instanceof OperationalError)) throw e;
      this.log('error', `could not store a frame: ${e.message}`);
    }
  }

  /** Captures every hop of one band and pushes its frames; false when the receiver has ended. */
  private async frame(
    band: BandProcessor,
    atMs: number,
    sink: FrameSink,
    signal: AbortSignal,
  ): Promise<boolean> {
    const L = band.layout;
    const hopMs = ((L.captureSamples + L.settleSamples) / this.receiver.capabilities.sampleRate) * 1000;
    band.begin();
    for (let h = 0; h < L.hops.length; h++) {
      const hop = L.hops[h]!;
      let capture;
      try {
        capture = await this.receiver.capture(
          {
            centerHz: hop.centerHz,
            samples: L.captureSamples,
            settleSamples: L.settleSamples,
            atMs: atMs + h * hopMs,
          },
          signal,
        );
      } catch (e) {
        if (signal.aborted) return false;
        if (e instanceof OperationalError) {
          this.log('warn', `capture failed: ${e.message}`, { band: L.band.name });
          return true;
        }
        throw e;
      }
      if (capture === null) {
        if (!signal.aborted) {
          this.ended = true;
          this.log('info', this.receiver.status().message ?? 'the receiver has no more samples');
        }
        return false;
      }
      band.addHop(h, capture);
    }
    const frames = band.finish();
    this.push(sink, frames.spectrum);
    if (frames.detections !== null) this.push(sink, frames.detections);
    return true;
  }
}

/**
 * The edge of a node: the receiver the URL names running `plan`. Throws a UserError for a bad URL,
 * an unknown scenario or node, an unreadable recording, or a band the receiver cannot measure.
 */
export function createEdge(options: CreateEdgeOptions): Edge {
  return new EdgeRunner(options);
}
