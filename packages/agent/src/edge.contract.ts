/**
 * The seam between the edge (receivers, scan plans, PSD and detection) and the uplink (spool,
 * sequence numbers, WebSocket, acks). The edge makes frames; the uplink numbers, stores and sends
 * them. Neither side knows how the other works.
 */
import type { ClockSource, DetectionsMessage, SpectrumFrame } from '@heimdall/protocol';
import type { IqSnippet, SnippetRequest } from './receivers/receiver.ts';

/** A frame as the edge makes it: the spool stamps the node id and the sequence number. */
export type OutgoingFrame =
  Omit<SpectrumFrame, 'nodeId' | 'sequence'> | Omit<DetectionsMessage, 'nodeId' | 'sequence'>;

/**
 * Where the edge puts its frames. `push` appends to the on-disk spool synchronously and returns
 * once the frame is in it (durability per the spool's fsync policy); it throws an OperationalError
 * when the disk is full or unwritable, which the edge reports and survives.
 */
export interface FrameSink {
  push(frame: OutgoingFrame): void;
}

/** What a receiver is doing, reported in heartbeats. */
export type ReceiverState = 'connecting' | 'streaming' | 'stalled' | 'error' | 'stopped';

export interface ReceiverStatus {
  readonly state: ReceiverState;
  /** Why, when not streaming: one sentence a person understands (e.g. "rtl_tcp at 10.0.0.5:1234 refused the connection; retrying in 8 s"). */
  readonly message: string | null;
  /** The receiver URL with any secret removed. */
  readonly url: string;
  /** Samples lost since the agent started (gaps in the stream, resync). */
  readonly sampleDrops: number;
  /** Times the edge could not keep up and discarded input since the agent started. */
  readonly overruns: number;
  readonly clockSource: ClockSource;
  /** Estimated offset of the sample clock from true time, ms (positive: ahead); null when unknown. */
  readonly clockOffsetMs: number | null;
}

/** One monitored band of a scan plan (all frequencies in Hz). */
export interface ScanBand {
  readonly name?: string;
  readonly centerHz: number;
  /** The span to monitor; wider than the receiver's sample rate means a hopping sweep. */
  readonly spanHz: number;
  readonly fftSize: number;
  readonly framesPerSecond: number;
  /** Welch segments averaged into one frame. */
  readonly averaging: number;
  /** Detection threshold above the noise floor, dB. */
  readonly thresholdDb: number;
}

export interface ScanPlan {
  /** Server-side id and version of the plan, or null for a plan given on the command line. */
  readonly id: string | null;
  readonly version: number;
  readonly bands: readonly ScanBand[];
}

/**
 * The running edge of one node: a receiver plus the scan plan it executes. `run` makes frames into
 * the sink until the signal aborts; it survives receiver failures by itself (reconnecting with
 * backoff) and reports them through `status()`.
 */
export interface Edge {
  run(sink: FrameSink, signal: AbortSignal): Promise<void>;
  status(): ReceiverStatus;
  /** The plan it runs now (the reported state). */
  plan(): ScanPlan;
  /** Switch to a new plan (the desired state from the server); takes effect at the next frame. */
  setPlan(plan: ScanPlan): void;
  /**
   * Optional: IQ of one agreed moment for a localization, from the edge's receiver. Frames pause
   * from shortly before the snippet until it is captured, then resume on schedule (no overruns
   * counted). Throws a UserError when the receiver cannot (a recording; frequency, rate or size
   * out of reach; the moment passed), an OperationalError when the stream failed.
   */
  captureSnippet?(request: SnippetRequest, signal: AbortSignal): Promise<IqSnippet>;
}
