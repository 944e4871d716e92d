/**
 * `sigmf:///path/rec.sigmf-meta`: replays a recording (SigMF pair or `.sigmf` archive, any
 * datatype) as a receiver that cannot be tuned. The replay position follows the (wall or, with
 * `?speed=max`, virtual) time of each capture from the first one; `?loop=1` wraps at the end,
 * otherwise the receiver ends there. Capture times come from the recording's `core:datetime` when
 * its capture segment has one, else from the replay's own clock.
 */
import { bytesPerSample } from '@heimdall/dsp';
import { openRecording, parseSigmfDatetime, type Recording } from '@heimdall/formats';
import type { ReceiverStatus } from '../edge.contract.ts';
import {
  msToNs,
  type Capture,
  type CaptureRequest,
  type Receiver,
  type ReceiverCapabilities,
} from './receiver.ts';
import type { SigmfUrl } from './receiver-url.ts';

export class SigmfReceiver implements Receiver {
  readonly capabilities: ReceiverCapabilities;
  private readonly rec: Recording;
  private readonly starts: readonly { sample: number; ns: bigint | undefined }[];
  private baseMs: number | undefined;
  private buf = new Uint8Array(0);
  private ended = false;
  private closed = false;

  constructor(private readonly url: SigmfUrl) {
    this.rec = openRecording(url.path);
    const rec = this.rec;
    this.starts = rec.captures.map((c) => ({
      sample: c.sampleStart,
      ns: c.datetime === undefined ? undefined : parseSigmfDatetime(c.datetime),
    }));
    this.capabilities = {
      tunable: false,
      sampleRate: rec.sampleRate,
      centerHz: rec.centerFrequency ?? 0,
      frequencyRange: [rec.centerFrequency ?? 0, rec.centerFrequency ?? 0],
      format: rec.format,
      dcGuardBins: -1,
      realTime: url.speed === 'realtime',
    };
  }

  /** The recording's centre frequency (for a plan made from the URL). */
  get defaultCenterHz(): number | undefined {
    return this.capabilities.centerHz;
  }

  capture(req: CaptureRequest): Promise<Capture | null> {
    if (this.closed || this.ended) return Promise.resolve(null);
    const rec = this.rec;
    this.baseMs ??= req.atMs;
    const n = req.samples;
    if (n > rec.sampleCount) {
      this.ended = true;
      return Promise.resolve(null);
    }
    const elapsed = Math.round(((req.atMs - this.baseMs) / 1000) * rec.sampleRate);
    let pos = elapsed;
    if (this.url.loop) {
      pos = elapsed % rec.sampleCount;
      if (pos + n > rec.sampleCount) pos = 0;
    } else if (pos + n > rec.sampleCount) {
      this.ended = true;
      return Promise.resolve(null);
    }
    const bytes = n * bytesPerSample(rec.format);
    if (this.buf.length < bytes) this.buf = new Uint8Array(bytes);
    const out = this.buf.subarray(0, bytes);
    const got = rec.read(pos, n, out);
    if (got < n) {
      this.ended = true;
      return Promise.resolve(null);
    }
    return Promise.resolve({
      bytes: out,
      centerHz: this.capabilities.centerHz ?? 0,
      timeNs: this.timeOf(pos, elapsed),
    });
  }

  /** Time of sample `pos`: from its capture segment's core:datetime, else the replay clock. */
  private timeOf(pos: number, elapsed: number): bigint {
    let seg: { sample: number; ns: bigint | undefined } | undefined;
    for (const s of this.starts) if (s.sample <= pos) seg = s;
    if (seg?.ns !== undefined) {
      return seg.ns + BigInt(Math.round(((pos - seg.sample) / this.rec.sampleRate) * 1e9));
    }
    return msToNs((this.baseMs ?? 0) + (elapsed / this.rec.sampleRate) * 1000);
  }

  status(): ReceiverStatus {
    const done = this.ended || this.closed;
    return {
      state: done ? 'stopped' : 'streaming',
      message: this.ended ? `the replay of ${this.url.path} reached the end of the recording` : null,
      url: this.url.display,
      sampleDrops: 0,
      overruns: 0,
      clockSource: 'unknown',
      clockOffsetMs: null,
    };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.rec.close();
  }
}
