/**
 * What the live socket receives, made safe for drawing: binary spectrum frames decoded with the
 * shared codec and turned into dB, JSON events parsed. Anything malformed (a frame the codec
 * refuses, a frame of another kind, text that is not JSON) is counted and dropped: one bad message
 * never stops the view. Pure (no DOM), so it is tested in isolation.
 */
import { decodeFrame, dequantizeDb, FrameError } from '@heimdall/protocol';

export interface LiveSpectrum {
  readonly kind: 'spectrum';
  readonly nodeId: string;
  readonly sequence: number;
  /** ms since the epoch. */
  readonly timeMs: number;
  /** Frequency of the lower edge of bin 0, and the width of each bin, Hz. */
  readonly startHz: number;
  readonly binHz: number;
  readonly db: Float32Array;
}

export interface LiveDetection {
  readonly id: string;
  readonly node_id: string;
  readonly start_time: string;
  readonly end_time: string;
  readonly freq_low_hz: number;
  readonly freq_high_hz: number;
  readonly snr_db: number;
  readonly class: string;
}

export type LiveMessage =
  | LiveSpectrum
  | { readonly kind: 'detection'; readonly detection: LiveDetection }
  | { readonly kind: 'subscribed' }
  | { readonly kind: 'server-error'; readonly message: string }
  | { readonly kind: 'other'; readonly type: string }
  | { readonly kind: 'malformed'; readonly reason: string };

export interface FrameStats {
  frames: number;
  malformed: number;
  bytes: number;
}

function isDetection(v: unknown): v is LiveDetection {
  if (typeof v !== 'object' || v === null) return false;
  const d = v as Record<string, unknown>;
  return (
    typeof d['node_id'] === 'string' &&
    typeof d['freq_low_hz'] === 'number' &&
    typeof d['freq_high_hz'] === 'number' &&
    typeof d['start_time'] === 'string'
  );
}

export class FrameHandler {
  readonly stats: FrameStats = { frames: 0, malformed: 0, bytes: 0 };

  handle(data: ArrayBuffer | Uint8Array | string): LiveMessage {
    if (typeof data === 'string') {
      this.stats.bytes += data.length;
      return this.text(data);
    }
    const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
    this.stats.bytes += bytes.byteLength;
    let frame;
    try {
      frame = decodeFrame(bytes);
    } catch (e) {
      return this.bad(e instanceof FrameError ? e.reason : 'undecodable');
    }
    if (frame.kind !== 'spectrum') return this.bad(`unexpected ${frame.kind} frame`);
    const n = frame.bins.length;
    const db = dequantizeDb(frame.bins, frame.stepDb, frame.refDb);
    this.stats.frames++;
    return {
      kind: 'spectrum',
      nodeId: frame.nodeId,
      sequence: frame.sequence,
      timeMs: Number(frame.captureTimeNs / 1_000_000n),
      startHz: frame.centerHz - frame.sampleRateHz / 2,
      binHz: frame.sampleRateHz / n,
      db,
    };
  }

  private text(s: string): LiveMessage {
    let msg: unknown;
    try {
      msg = JSON.parse(s);
    } catch {
      return this.bad('text that is not JSON');
    }
    if (typeof msg !== 'object' || msg === null || typeof (msg as { type?: unknown }).type !== 'string')
      return this.bad('JSON without a type');
    const m = msg as { type: string; data?: unknown; error?: unknown; fix?: unknown };
    switch (m.type) {
      case 'detection':
        return isDetection(m.data)
          ? { kind: 'detection', detection: m.data }
          : this.bad('detection without fields');
      case 'subscribed':
        return { kind: 'subscribed' };
      case 'error':
        return {
          kind: 'server-error',
          message: `${typeof m.error === 'string' ? m.error : 'subscription refused'}${typeof m.fix === 'string' ? ` (${m.fix})` : ''}`,
        };
      default:
        return { kind: 'other', type: m.type };
    }
  }

  private bad(reason: string): LiveMessage {
    this.stats.malformed++;
    return { kind: 'malformed', reason };
  }
}
