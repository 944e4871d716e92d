/**
 * `rtl-tcp://HOST:PORT`: a client of an rtl_tcp server (librtlsdr's `rtl_tcp` on a real dongle, or
 * `heimdall sim serve`). It reads the 12-byte `RTL0` greeting, sets sample rate, frequency
 * correction, gain mode, gain and AGC with 5-byte commands, and reads cu8 samples.
 *
 * The socket is always drained (a server whose client stops reading drops samples); bytes that no
 * capture asked for are discarded at once. A capture retunes when needed, discards the settling
 * samples, then copies the next samples it needs. The time of its first sample is estimated as
 * the arrival time of the bytes holding it minus the duration of the samples that came after it in
 * the same read.
 *
 * Failures: connection refused, closed, or no bytes for `stall` seconds (state `stalled`) lead to
 * a reconnect after an exponential backoff with full jitter; `status()` says why and when. Samples
 * the stream fell short of its nominal rate (by more than 0.5 s worth), and the gaps of
 * reconnections, are counted as sample drops.
 */
import { connect, type Socket } from 'node:net';
import { decodeIQ } from '@heimdall/dsp';
import { OperationalError, UserError } from '@heimdall/errors';
import type { ReceiverState, ReceiverStatus } from '../edge.contract.ts';
import type { EdgeClock, EdgeLogger } from '../edge/edge-clock.ts';
import { COMMAND, decodeHeader, encodeCommand, HEADER_BYTES } from '../rtl-tcp/rtl-tcp.protocol.ts';
import { backoffDelayMs, type BackoffOptions } from '../backoff.ts';
import {
  liveCu8Capabilities,
  msToNs,
  nsToMs,
  type Capture,
  type CaptureRequest,
  type IqSnippet,
  type Receiver,
  type ReceiverCapabilities,
  type SnippetRequest,
} from './receiver.ts';
import type { RtlTcpUrl } from './receiver-url.ts';

/** R820T range, the common RTL-SDR tuner. */
const RTL_RANGE: readonly [number, number] = [24e6, 1766e6];
/** Where the dongle is tuned before the first capture says otherwise. */
const DEFAULT_TUNE_HZ = 100e6;

interface Pending {
  readonly buf: Uint8Array;
  have: number;
  skip: number;
  timeMs: number | undefined;
  readonly resolve: (c: Capture) => void;
  readonly reject: (e: unknown) => void;
  readonly centerHz: number;
}

export interface RtlTcpReceiverOptions {
  readonly clock: EdgeClock;
  readonly logger?: EdgeLogger | undefined;
  readonly backoff?: BackoffOptions | undefined;
}

export class RtlTcpReceiver implements Receiver {
  readonly capabilities: ReceiverCapabilities;
  private state: ReceiverState = 'connecting';
  private message: string | null = null;
  private socket: Socket | undefined;
  private readonly life = new AbortController();
  private started = false;
  private readonly waiters = new Set<() => void>();
  private pending: Pending | undefined;
  private tunedHz: number | undefined;
  private buf = new Uint8Array(0);
  private streamBytes = 0;
  private lastDataMs = 0;
  private lastStreamEndMs: number | undefined;
  /** Drop accounting: samples received since `rateSinceMs`. */
  private rateSinceMs = 0;
  private rateSamples = 0;
  private drops = 0;
  private readonly where: string;

  constructor(
    private readonly url: RtlTcpUrl,
    private readonly opts: RtlTcpReceiverOptions,
  ) {
    this.where = `rtl_tcp at ${url.host}:${url.port}`;
    this.capabilities = liveCu8Capabilities(url.sampleRate, RTL_RANGE);
  }

  /** The tuning of a plan made from the URL (`?freq=`), if any. */
  get defaultCenterHz(): number | undefined {
    return this.url.freqHz;
  }

  async capture(req: CaptureRequest, signal: AbortSignal): Promise<Capture | null> {
    if (this.life.signal.aborted) return null;
    if (!this.started) {
      this.started = true;
      void this.connectLoop();
    }
    while (this.state !== 'streaming') {
      if (signal.aborted || this.life.signal.aborted) return null;
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.waiters.delete(done);
          signal.removeEventListener('abort', done);
          resolve();
        };
        this.waiters.add(done);
        signal.addEventListener('abort', done, { once: true });
      });
    }
    const socket = this.socket;
    if (socket === undefined) throw new OperationalError(`${this.where} is not connected`);
    let settle = 0;
    if (this.tunedHz !== req.centerHz) {
      this.send(COMMAND.setFrequency, Math.round(req.centerHz));
      this.tunedHz = req.centerHz;
      settle = req.settleSamples;
    }
    const bytes = 2 * req.samples;
    if (this.buf.length < bytes) this.buf = new Uint8Array(bytes);
    const buf = this.buf.subarray(0, bytes);
    return new Promise<Capture>((resolve, reject) => {
      const onAbort = (): void => {
        this.pending = undefined;
        reject(new OperationalError('capture aborted'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.pending = {
        buf,
        have: 0,
        // keep I/Q pairs aligned: an odd byte count so far means half a sample is pending
        skip: 2 * settle + (this.streamBytes & 1),
        timeMs: undefined,
        centerHz: req.centerHz,
        resolve: (c) => {
          signal.removeEventListener('abort', onAbort);
          resolve(c);
        },
        reject: (e) => {
          signal.removeEventListener('abort', onAbort);
          reject(e);
        },
      };
    });
  }

  /**
   * A localization snippet, timed by arrival like every capture: tunes, discards 10 ms, reads from
   * now until the end of the wanted span (plus 50 ms of slack for buffered bytes) and keeps the
   * samples from `startNs` on. The times come from the system clock (`clockSource: 'system'`,
   * good to milliseconds), so the server uses such snippets for power-only fixes. Call it shortly
   * before the start (the edge does, 1 s ahead): everything from the call on is read.
   */
  async captureAt(req: SnippetRequest, signal: AbortSignal): Promise<IqSnippet> {
    const rate = this.url.sampleRate;
    if (rate < req.minSampleRateHz)
      throw new UserError(
        `runs at ${rate / 1e3} kS/s, below the ${req.minSampleRateHz / 1e3} kS/s the localization needs`,
        { source: this.where, fix: 'raise ?rate= in the receiver URL, or ask for a narrower bandwidth' },
      );
    const [lo, hi] = RTL_RANGE;
    if (!(req.centerHz >= lo && req.centerHz <= hi))
      throw new UserError(
        `cannot tune to ${req.centerHz / 1e6} MHz: an RTL-SDR tunes ${lo / 1e6} to ${hi / 1e6} MHz`,
        { source: this.where, fix: 'ask nodes whose receiver covers the frequency' },
      );
    const samples = Math.ceil((req.durationMs / 1000) * rate);
    if (samples > req.maxSamples)
      throw new UserError(
        `${req.durationMs} ms at ${rate / 1e3} kS/s is ${samples} samples, more than the ${req.maxSamples} a snippet may hold`,
        { source: this.where, fix: 'ask for a shorter duration_ms (or run the receiver at a lower ?rate=)' },
      );
    const startMs = nsToMs(req.startNs);
    const leadMs = startMs - this.opts.clock.now();
    if (leadMs <= 0)
      throw new UserError(
        `the capture time passed ${(-leadMs).toFixed(0)} ms before the receiver was ready`,
        {
          source: this.where,
          fix: 'ask for a capture time a few seconds ahead',
        },
      );
    const total = Math.ceil(((leadMs + req.durationMs + 50) / 1000) * rate);
    const c = await this.capture(
      { centerHz: req.centerHz, samples: total, settleSamples: Math.round(0.01 * rate), atMs: startMs },
      signal,
    );
    if (c === null) throw new OperationalError(`${this.where} was closed before the snippet`);
    const offset = Math.round((Number(req.startNs - c.timeNs) / 1e9) * rate);
    if (offset < 0)
      throw new OperationalError(
        `${this.where}'s samples started ${((-offset / rate) * 1000).toFixed(1)} ms after the capture time: too late for the snippet`,
      );
    if (offset + samples > total)
      throw new OperationalError(
        `${this.where} delivered ${total - offset} of the ${samples} samples after the capture time`,
      );
    const iq = new Float32Array(2 * samples);
    decodeIQ(c.bytes, 'cu8', iq, samples, 2 * offset);
    return {
      iq,
      sampleRateHz: rate,
      centerHz: req.centerHz,
      startNs: c.timeNs + BigInt(Math.round((offset / rate) * 1e9)),
      clockSource: 'system',
    };
  }

  private send(code: number, param: number): void {
    this.socket?.write(encodeCommand(code, param));
  }

  private setState(state: ReceiverState, message: string | null): void {
    if (state !== this.state || message !== this.message) {
      const level = state === 'streaming' ? 'info' : state === 'connecting' ? 'debug' : 'warn';
      this.opts.logger?.(level, message ?? `${this.where}: ${state}`, { receiver: this.url.display, state });
    }
    this.state = state;
    this.message = message;
    if (state === 'streaming') for (const w of [...this.waiters]) w();
  }

  private async connectLoop(): Promise<void> {
    let attempt = 0;
    const signal = this.life.signal;
    while (!signal.aborted) {
      this.setState(
        'connecting',
        this.message === null
          ? null
          : `${this.message.replace(/; (retrying|reconnecting) in .*$/, '')}; connecting again`,
      );
      const outcome = await this.session();
      if (signal.aborted) break;
      if (outcome.streamed) attempt = 0;
      const delay = backoffDelayMs(attempt++, this.opts.backoff);
      const verb = outcome.state === 'stalled' ? 'reconnecting' : 'retrying';
      this.setState(
        outcome.state,
        `${this.where} ${outcome.reason}; ${verb} in ${(delay / 1000).toFixed(1)} s`,
      );
      await this.opts.clock.sleep(delay, signal);
    }
    this.setState('stopped', null);
  }

  /** One connection, from connect to close; says why it ended. */
  private session(): Promise<{ reason: string; state: ReceiverState; streamed: boolean }> {
    return new Promise((resolve) => {
      const clock = this.opts.clock;
      const stallMs = this.url.stallS * 1000;
      const socket = connect({ host: this.url.host, port: this.url.port });
      this.socket = socket;
      let header: Uint8Array = new Uint8Array(0);
      let streamed = false;
      let reason: string | undefined;
      let endState: ReceiverState = 'error';
      const startedMs = clock.now();
      this.lastDataMs = startedMs;
      const end = (why: string, state: ReceiverState): void => {
        if (reason === undefined) {
          reason = why;
          endState = state;
        }
        socket.destroy();
      };
      const tickMs = Math.min(250, stallMs / 4);
      let lastTickMs = startedMs;
      const watchdog = setInterval(() => {
        const now = clock.now();
        // after this thread was blocked, timers run before the socket reads that waited: judge
        // at the next tick
        const blocked = now - lastTickMs > 2 * tickMs + 100;
        lastTickMs = now;
        if (blocked) return;
        if (now - this.lastDataMs > stallMs) {
          end(
            header.length < HEADER_BYTES && !streamed
              ? `sent no rtl_tcp greeting within ${this.url.stallS} s`
              : `sent no samples for ${this.url.stallS} s (stalled)`,
            'stalled',
          );
          return;
        }
        if (streamed) this.checkRate(now);
      }, tickMs);
      const onAbort = (): void => end('was closed', 'stopped');
      this.life.signal.addEventListener('abort', onAbort, { once: true });

      socket.setNoDelay(true);
      socket.on('data', (chunk: Buffer) => {
        const now = clock.now();
        this.lastDataMs = now;
        let data: Uint8Array = chunk;
        if (!streamed) {
          const joined = new Uint8Array(header.length + data.length);
          joined.set(header);
          joined.set(data, header.length);
          if (joined.length < HEADER_BYTES) {
            header = joined;
            return;
          }
          const h = decodeHeader(joined);
          if (h === undefined) {
            end('did not greet with "RTL0": is it an rtl_tcp server?', 'error');
            return;
          }
          header = joined.subarray(0, HEADER_BYTES);
          streamed = true;
          this.configure();
          this.streamBytes = 0;
          this.rateSinceMs = now;
          this.rateSamples = 0;
          if (this.lastStreamEndMs !== undefined) {
            this.drops += Math.round(((now - this.lastStreamEndMs) / 1000) * this.url.sampleRate);
          }
          this.setState('streaming', null);
          data = joined.subarray(HEADER_BYTES);
        }
        this.onSamples(data, now);
      });
      socket.on('error', (e: NodeJS.ErrnoException) => {
        const why =
          e.code === 'ECONNREFUSED'
            ? 'refused the connection'
            : e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN'
              ? `cannot be found (${e.code})`
              : `failed: ${e.code ?? e.message}`;
        end(why, 'error');
      });
      socket.on('close', () => {
        clearInterval(watchdog);
        this.life.signal.removeEventListener('abort', onAbort);
        this.socket = undefined;
        if (streamed) this.lastStreamEndMs = this.lastDataMs;
        const why = reason ?? (streamed ? 'closed the connection' : 'closed the connection before greeting');
        const p = this.pending;
        this.pending = undefined;
        p?.reject(new OperationalError(`${this.where} ${why} during a capture`, { retryable: true }));
        resolve({ reason: why, state: reason === undefined ? 'error' : endState, streamed });
      });
    });
  }

  /** Sends the receiver's settings, as rtl_tcp clients do right after the greeting. */
  private configure(): void {
    const u = this.url;
    this.send(COMMAND.setSampleRate, u.sampleRate);
    this.send(COMMAND.setFrequencyCorrection, u.ppm);
    this.send(COMMAND.setAgcMode, 0);
    if (u.gainDb === 'auto') {
      this.send(COMMAND.setGainMode, 0);
    } else {
      this.send(COMMAND.setGainMode, 1);
      this.send(COMMAND.setGain, Math.round(u.gainDb * 10));
    }
    this.send(COMMAND.setFrequency, Math.round(this.tunedHz ?? u.freqHz ?? DEFAULT_TUNE_HZ));
  }

  /** Counts samples short of the nominal rate (more than 0.5 s worth) as drops, then resyncs. */
  private checkRate(now: number): void {
    const expected = ((now - this.rateSinceMs) / 1000) * this.url.sampleRate;
    const debt = expected - this.rateSamples;
    const slack = 0.5 * this.url.sampleRate;
    if (debt > slack || debt < -slack) {
      if (debt > slack) this.drops += Math.round(debt);
      this.rateSinceMs = now;
      this.rateSamples = 0;
    }
  }

  private onSamples(data: Uint8Array, arrivalMs: number): void {
    this.streamBytes += data.length;
    this.rateSamples += data.length / 2;
    const p = this.pending;
    if (p === undefined || data.length === 0) return;
    let off = 0;
    if (p.skip > 0) {
      off = Math.min(p.skip, data.length);
      p.skip -= off;
    }
    if (off >= data.length) return;
    if (p.timeMs === undefined) {
      p.timeMs = arrivalMs - ((data.length - off) / 2 / this.url.sampleRate) * 1000;
    }
    const take = Math.min(data.length - off, p.buf.length - p.have);
    p.buf.set(data.subarray(off, off + take), p.have);
    p.have += take;
    if (p.have === p.buf.length) {
      this.pending = undefined;
      p.resolve({ bytes: p.buf, centerHz: p.centerHz, timeNs: msToNs(p.timeMs) });
    }
  }

  status(): ReceiverStatus {
    return {
      state: this.state,
      message: this.message,
      url: this.url.display,
      sampleDrops: this.drops,
      overruns: 0,
      clockSource: 'system',
      clockOffsetMs: null,
    };
  }

  close(): void {
    this.life.abort();
    this.socket?.destroy();
    for (const w of [...this.waiters]) w();
    if (!this.started) this.state = 'stopped';
  }
}
