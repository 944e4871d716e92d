/**
 * An rtl_tcp server that every rtl_tcp client (GNU Radio's gr-osmosdr `rtl_tcp=` source, SDR++, GQRX,
 * SDR#) can tune and stream from a {@link TunableSource} as if it were an RTL-SDR dongle.
 *
 * Each connection gets its own source (its own virtual dongle). Samples stream in real time,
 * paced by an injected clock. A slow reader never makes the server buffer without bound: when the
 * socket's unsent bytes pass `maxBufferedBytes`, whole blocks are dropped (not generated) and
 * counted. Garbage commands are ignored and counted; disconnects at any point end the session
 * quietly.
 */
import { createServer, type Server, type Socket } from 'node:net';
import {
  COMMAND,
  CommandDecoder,
  encodeHeader,
  R820T_GAINS_TENTHS,
  TUNER,
  type RtlTcpCommand,
} from './rtl-tcp.protocol.ts';
import type { TunableSource } from './tunable-source.ts';

/** Monotonic time and a repeating timer (replaced by a fake in tests). */
export interface PacingClock {
  /** Milliseconds, monotonic. */
  now(): number;
  every(ms: number, fn: () => void): { cancel(): void };
}

export const systemClock: PacingClock = {
  now: () => performance.now(),
  every(ms, fn) {
    const t = setInterval(fn, ms);
    return { cancel: () => clearInterval(t) };
  },
};

export interface RtlTcpLogger {
  info(message: string): void;
  warn(message: string): void;
}

export interface RtlTcpServerOptions {
  /** Makes the source for a new connection (a fresh virtual dongle). */
  readonly createSource: () => TunableSource;
  readonly clock?: PacingClock;
  readonly logger?: RtlTcpLogger;
  /** Samples per block written to the socket (default 16384 = 32 KiB). */
  readonly blockSamples?: number;
  /** Unsent bytes above which blocks are dropped (default 1 MiB, about 0.2 s at 2.4 MS/s). */
  readonly maxBufferedBytes?: number;
  /** Simultaneous clients (default 4); more are refused. */
  readonly maxClients?: number;
  /** Pacing timer period, ms (default 10). */
  readonly tickMs?: number;
  /** Backlog beyond which the stream jumps ahead instead of catching up, seconds (default 0.5). */
  readonly maxLagS?: number;
}

export interface SessionStats {
  readonly remote: string;
  bytesSent: number;
  blocksSent: number;
  blocksDropped: number;
  samplesDropped: number;
  commands: number;
  ignoredCommands: number;
  /** Largest number of unsent bytes seen on the socket. */
  maxBuffered: number;
  /** Codes of the first 64 commands received (diagnostics: what a client sends on connect). */
  readonly commandLog: number[];
  centerFrequency: number;
  sampleRate: number;
  closed: boolean;
}

const RTL_RATES_OK = (hz: number) => (hz > 225_000 && hz <= 300_000) || (hz > 900_000 && hz <= 3_200_000);

class Session {
  readonly stats: SessionStats;
  private readonly decoder = new CommandDecoder();
  private readonly block: Uint8Array;
  private readonly timer: { cancel(): void };
  private startMs: number;
  private accounted = 0;
  private gainManual = false;
  private manualGainDb = 0;

  constructor(
    private readonly socket: Socket,
    private readonly source: TunableSource,
    private readonly opts: Required<Omit<RtlTcpServerOptions, 'createSource' | 'logger'>> & {
      logger: RtlTcpLogger | undefined;
    },
    private readonly onEnd: (s: Session) => void,
  ) {
    this.block = new Uint8Array(2 * opts.blockSamples);
    this.stats = {
      remote: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`,
      bytesSent: 0,
      blocksSent: 0,
      blocksDropped: 0,
      samplesDropped: 0,
      commands: 0,
      ignoredCommands: 0,
      maxBuffered: 0,
      commandLog: [],
      centerFrequency: source.centerFrequency,
      sampleRate: source.sampleRate,
      closed: false,
    };
    socket.setNoDelay(true);
    socket.on('data', (b: Buffer) => this.onData(b));
    socket.on('error', () => this.close());
    socket.on('close', () => this.close());
    socket.write(encodeHeader(TUNER.r820t, R820T_GAINS_TENTHS.length));
    this.startMs = opts.clock.now();
    this.timer = opts.clock.every(opts.tickMs, () => this.pump());
  }

  private onData(bytes: Buffer): void {
    this.decoder.push(bytes, (c) => this.command(c));
  }

  /** Applies one command; anything unknown or impossible is ignored (and counted). */
  private command(c: RtlTcpCommand): void {
    this.stats.commands++;
    if (this.stats.commandLog.length < 64) this.stats.commandLog.push(c.code);
    const ok = this.apply(c);
    if (!ok) {
      this.stats.ignoredCommands++;
      this.opts.logger?.warn(
        `rtl_tcp ${this.stats.remote}: ignored command 0x${c.code.toString(16)} (${c.param})`,
      );
    }
  }

  private apply(c: RtlTcpCommand): boolean {
    const s = this.source;
    switch (c.code) {
      case COMMAND.setFrequency: {
        const ok = s.setCenterFrequency(c.param);
        if (ok) this.stats.centerFrequency = s.centerFrequency;
        return ok;
      }
      case COMMAND.setSampleRate: {
        if (!RTL_RATES_OK(c.param) || !s.setSampleRate(c.param)) return false;
        this.stats.sampleRate = s.sampleRate;
        // pace the new rate from now
        this.startMs = this.opts.clock.now();
        this.accounted = 0;
        return true;
      }
      case COMMAND.setGainMode:
        this.gainManual = c.param !== 0;
        return s.setGain(this.gainManual ? this.manualGainDb : 'auto');
      case COMMAND.setGain:
        if (c.signedParam < -100 || c.signedParam > 1000) return false;
        this.manualGainDb = c.signedParam / 10;
        return this.gainManual ? s.setGain(this.manualGainDb) : true;
      case COMMAND.setGainByIndex: {
        const g = R820T_GAINS_TENTHS[c.param];
        if (g === undefined) return false;
        this.manualGainDb = g / 10;
        return this.gainManual ? s.setGain(this.manualGainDb) : true;
      }
      case COMMAND.setFrequencyCorrection:
        if (c.signedParam < -1000 || c.signedParam > 1000) return false;
        return s.setFrequencyCorrection(c.signedParam);
      case COMMAND.setAgcMode:
      case COMMAND.setDirectSampling:
      case COMMAND.setOffsetTuning:
      case COMMAND.setBiasTee:
      case COMMAND.setIfGain:
      case COMMAND.setTestMode:
      case COMMAND.setRtlXtal:
      case COMMAND.setTunerXtal:
        // accepted, no effect on a simulated front end
        return true;
      default:
        return false;
    }
  }

  /** Sends (or drops) every whole block that is due by the clock. */
  private pump(): void {
    if (this.stats.closed) return;
    const fs = this.source.sampleRate;
    const n = this.opts.blockSamples;
    let due = Math.floor(((this.opts.clock.now() - this.startMs) / 1000) * fs) - this.accounted;
    const maxLag = Math.ceil(this.opts.maxLagS * fs);
    if (due > maxLag) {
      // stalled (a busy machine): jump ahead rather than burst out the backlog
      const jump = Math.floor((due - maxLag) / n) * n;
      this.source.skip(jump);
      this.accounted += jump;
      this.stats.samplesDropped += jump;
      this.stats.blocksDropped += jump / n;
      due -= jump;
    }
    while (due >= n && !this.stats.closed) {
      const buffered = this.socket.writableLength;
      if (buffered > this.stats.maxBuffered) this.stats.maxBuffered = buffered;
      if (buffered > this.opts.maxBufferedBytes) {
        this.source.skip(n);
        this.stats.blocksDropped++;
        this.stats.samplesDropped += n;
      } else {
        this.source.readCu8(this.block);
        // the socket keeps a reference to what it has not sent yet: hand it a copy
        this.socket.write(Buffer.from(this.block));
        this.stats.blocksSent++;
        this.stats.bytesSent += this.block.length;
      }
      this.accounted += n;
      due -= n;
    }
  }

  close(): void {
    if (this.stats.closed) return;
    this.stats.closed = true;
    this.timer.cancel();
    this.socket.destroy();
    this.onEnd(this);
  }
}

export class RtlTcpServer {
  private readonly server: Server;
  private readonly sessions = new Set<Session>();
  private readonly finished: SessionStats[] = [];
  private readonly opts: Required<Omit<RtlTcpServerOptions, 'createSource' | 'logger'>> & {
    logger: RtlTcpLogger | undefined;
  };
  private readonly createSource: () => TunableSource;
  refused = 0;

  constructor(options: RtlTcpServerOptions) {
    this.createSource = options.createSource;
    this.opts = {
      clock: options.clock ?? systemClock,
      logger: options.logger,
      blockSamples: options.blockSamples ?? 16384,
      maxBufferedBytes: options.maxBufferedBytes ?? 1 << 20,
      maxClients: options.maxClients ?? 4,
      tickMs: options.tickMs ?? 10,
      maxLagS: options.maxLagS ?? 0.5,
    };
    this.server = createServer((socket) => this.accept(socket));
  }

  private accept(socket: Socket): void {
    if (this.sessions.size >= this.opts.maxClients) {
      this.refused++;
      this.opts.logger?.warn(
        `rtl_tcp: refused ${socket.remoteAddress ?? '?'} (already ${this.sessions.size} clients)`,
      );
      socket.destroy();
      return;
    }
    let source: TunableSource;
    try {
      source = this.createSource();
    } catch (e) {
      this.opts.logger?.warn(
        `rtl_tcp: could not start a receiver: ${e instanceof Error ? e.message : String(e)}`,
      );
      socket.destroy();
      return;
    }
    const session = new Session(socket, source, this.opts, (s) => {
      this.sessions.delete(s);
      this.finished.push(s.stats);
      if (this.finished.length > 100) this.finished.shift();
      const st = s.stats;
      this.opts.logger?.info(
        `rtl_tcp: ${st.remote} left after ${st.blocksSent} blocks (${st.blocksDropped} dropped, ${st.ignoredCommands} commands ignored)`,
      );
    });
    this.sessions.add(session);
    this.opts.logger?.info(`rtl_tcp: ${session.stats.remote} connected`);
  }

  /** Starts listening; resolves with the bound port (useful with port 0). */
  listen(port: number, host = '127.0.0.1'): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        const addr = this.server.address();
        resolve(typeof addr === 'object' && addr !== null ? addr.port : port);
      });
    });
  }

  /** Statistics of the open sessions, then the most recent closed ones. */
  stats(): SessionStats[] {
    return [...[...this.sessions].map((s) => s.stats), ...this.finished];
  }

  /** Stops accepting, ends every session. */
  close(): Promise<void> {
    for (const s of [...this.sessions]) s.close();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
