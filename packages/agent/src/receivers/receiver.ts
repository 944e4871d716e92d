/**
 * One interface for every receiver the edge can run on (rtl_tcp, SigMF replay, the simulator).
 * The edge asks for captures, not for a stream: "give me `samples` samples tuned to `centerHz`,
 * starting at `atMs`". A streaming receiver (rtl_tcp) discards what nobody asked for; the simulator
 * generates only what is asked (the demo runs seven of them on two cores); a recording reads the
 * samples of the matching position.
 */
import type { SampleFormat } from '@heimdall/dsp';
import type { ClockSource } from '@heimdall/protocol';
import type { ReceiverStatus } from '../edge.contract.ts';

export interface ReceiverCapabilities {
  /** Whether `centerHz` of a capture may differ from capture to capture (false for recordings). */
  readonly tunable: boolean;
  /** Sample rate of every capture, Hz. */
  readonly sampleRate: number;
  /** Centre frequency of an untunable receiver (its capture), Hz. */
  readonly centerHz: number | undefined;
  /** Frequencies it can tune to, Hz (inclusive). */
  readonly frequencyRange: readonly [number, number];
  /** Format of the captured bytes. */
  readonly format: SampleFormat;
  /** Half-width in bins of the DC spike to bridge (-1: none, e.g. a recording of unknown origin). */
  readonly dcGuardBins: number;
  /**
   * True when captures happen in real time (the edge waits for each frame's time); false for
   * `?speed=max` replays, which the edge runs as fast as it can on a virtual timeline.
   */
  readonly realTime: boolean;
}

/**
 * An RTL-SDR-like live receiver (a real dongle over rtl_tcp, or the simulator, which models one):
 * tunable within `frequencyRange`, `cu8` samples at `sampleRate`, the DC spike of a zero-IF tuner.
 */
export function liveCu8Capabilities(
  sampleRate: number,
  frequencyRange: readonly [number, number],
): ReceiverCapabilities {
  return {
    tunable: true,
    sampleRate,
    centerHz: undefined,
    frequencyRange,
    format: 'cu8',
    dcGuardBins: 1,
    realTime: true,
  };
}

export interface CaptureRequest {
  readonly centerHz: number;
  readonly samples: number;
  /** Samples to discard after a retune before capturing (the tuner settles). */
  readonly settleSamples: number;
  /** The (wall or virtual) time the capture is for, ms since the Unix epoch. */
  readonly atMs: number;
}

export interface Capture {
  /** The samples in `format`; valid until the next capture. */
  readonly bytes: Uint8Array;
  readonly centerHz: number;
  /** Time of the first sample, ns since the Unix epoch. */
  readonly timeNs: bigint;
}

export interface Receiver {
  readonly capabilities: ReceiverCapabilities;
  /**
   * The next capture. Waits (through reconnections) until the receiver can deliver, or rejects
   * with an OperationalError when the stream broke mid-capture (the edge tries again next frame).
   * Resolves null when the receiver has nothing more to give (a replay that does not loop).
   */
  capture(request: CaptureRequest, signal: AbortSignal): Promise<Capture | null>;
  /** State, counters and clock; the edge adds its own overruns. */
  status(): ReceiverStatus;
  /** Releases sockets and files; the receiver cannot be used afterwards. */
  close(): void;
  /**
   * Optional: IQ of one agreed moment for a localization (`localization-capture` jobs). Resolves
   * once the capture has ended in real time. Throws a UserError when the receiver cannot do it
   * (frequency out of range, rate too low, too many samples, the moment already passed) and an
   * OperationalError when the stream failed. Receivers without it (recordings) cannot take part.
   * The edge calls it between frames (`Edge.captureSnippet`), never during one.
   */
  captureAt?(request: SnippetRequest, signal: AbortSignal): Promise<IqSnippet>;
}

/** What a localization wants from one node. */
export interface SnippetRequest {
  /** The first sample's time on the node's clock, ns since the Unix epoch. */
  readonly startNs: bigint;
  readonly durationMs: number;
  /** Tune here. */
  readonly centerHz: number;
  /** Capture at this sample rate or a higher one the receiver has. */
  readonly minSampleRateHz: number;
  /** Most samples the upload may hold (the server's limit). */
  readonly maxSamples: number;
}

/** The IQ of one snippet, as uploaded to the server. */
export interface IqSnippet {
  /** Interleaved (re, im) floats in [-1, 1) (the `cf32` scaling). */
  readonly iq: Float32Array;
  readonly sampleRateHz: number;
  readonly centerHz: number;
  /** Time of the first sample on the node's clock, ns since the Unix epoch. */
  readonly startNs: bigint;
  /** How that time was taken: `gps` makes it usable for TDOA, `system` only for power. */
  readonly clockSource: ClockSource;
}

/** ns since the Unix epoch for a time in ms (exact to the ns, beyond what a double holds as ns). */
export function msToNs(ms: number): bigint {
  const whole = Math.floor(ms);
  return BigInt(whole) * 1_000_000n + BigInt(Math.round((ms - whole) * 1e6));
}

/** ms since the Unix epoch (fractional) for a time in ns. */
export function nsToMs(ns: bigint): number {
  const whole = ns / 1_000_000n;
  return Number(whole) + Number(ns - whole * 1_000_000n) / 1e6;
}
