/**
 * The store-and-forward spool: every frame the edge makes is numbered, appended to a segment file
 * in the agent's data folder, and stays there until the server acknowledges it. The uplink reads
 * from here, so a server outage, a cut link or an agent restart loses nothing.
 *
 * Layout: `<dir>/seg-<first sequence, 16 digits>.spool`, records as in `spool-record.ts`, plus
 * `state.json` (the ack floor: every sequence below it is stored on the server). Sequences are
 * per node, start at 0 and never repeat: on start the next one is one past the newest record (or
 * the newest segment's first sequence, or the ack floor, whichever is largest).
 *
 * Durability: `push` appends with one `write` (in the OS cache at once, so it survives kill -9) and
 * the segment is fdatasync'ed every `fsyncIntervalMs`, on rotation and on close. Only synced
 * records are offered to the uplink (`next`), so after a power loss no sequence the server has seen
 * can be reused by a different frame: what was lost was never sent.
 *
 * Cap: when a new record would take the spool above `capBytes`, whole segments are dropped, oldest
 * first, and their unacknowledged frames counted (`dropped`): the newest data is the most useful.
 *
 * Quarantine: a frame the server keeps refusing as malformed would hold up every frame after it
 * for ever, so the uplink has it moved out (`quarantine`): the frame is appended to
 * `<dir>/quarantine.jsonl` (one JSON line: sequence, why, when, the frame in base64) and is no
 * longer offered; its sequence is kept in `state.json` until the ack floor passes it, so a restart
 * does not offer it again.
 */
import {
  appendFileSync,
  closeSync,
  fdatasyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { OperationalError } from '@heimdall/errors';
import { encodeFrame, type Frame } from '@heimdall/protocol';
import type { AgentLogger } from '../agent-logger.ts';
import { silentAgentLogger } from '../agent-logger.ts';
import type { FrameSink, OutgoingFrame } from '../edge.contract.ts';
import { encodeRecord, RECORD_HEADER_BYTES, scanRecords } from './spool-record.ts';

/** Default cap: 1 GiB of frames (about 7 hours of 10 frames/s of 4096 one-byte bins). */
export const DEFAULT_SPOOL_CAP_BYTES = 1 << 30;
const DEFAULT_SEGMENT_BYTES = 8 << 20;
const DEFAULT_FSYNC_INTERVAL_MS = 100;
const SEGMENT_RE = /^seg-(\d{16})\.spool$/;
/** Where refused frames go, in the spool folder. */
export const QUARANTINE_FILE = 'quarantine.jsonl';

/** The one write the spool does to a segment; tests substitute it to simulate a full disk. */
export type SpoolWrite = (fd: number, data: Uint8Array, position: number) => number;

export interface SpoolOptions {
  readonly dir: string;
  readonly nodeId: string;
  /** Most bytes on disk (default 1 GiB); past it the oldest segments go. */
  readonly capBytes?: number;
  /** Segment size (default 8 MiB, at most a quarter of the cap). */
  readonly segmentBytes?: number;
  /** How often appended records are synced to disk (default 100 ms). */
  readonly fsyncIntervalMs?: number;
  readonly logger?: AgentLogger;
  readonly write?: SpoolWrite;
}

export interface SpoolStats {
  /** Frames not yet acknowledged by the server. */
  readonly frames: number;
  /** Bytes of the segment files on disk. */
  readonly bytes: number;
  /** Frames dropped since the spool opened: by the cap, or quarantined (below). */
  readonly dropped: number;
  /** Frames moved to the quarantine file since the spool opened (the server refused them). */
  readonly quarantined: number;
  /** The next sequence number `push` will give. */
  readonly nextSequence: number;
  /** Every sequence below this one is acknowledged. */
  readonly ackFloor: number;
  /** Pushes refused because the disk was full or unwritable, since the spool opened. */
  readonly writeErrors: number;
}

export interface SpooledFrame {
  readonly sequence: number;
  readonly bytes: Uint8Array;
}

interface Segment {
  readonly firstSeq: number;
  readonly path: string;
  fd: number;
  size: number;
  /** Sequences of the records, ascending, with their offsets and lengths (header included). */
  readonly seqs: number[];
  readonly offsets: number[];
  readonly lengths: number[];
}

/** The frame (the record without its header) at index `i` of `seg`. */
function readPayload(seg: Segment, i: number): Uint8Array {
  const buf = Buffer.allocUnsafe((seg.lengths[i] as number) - RECORD_HEADER_BYTES);
  readSync(seg.fd, buf, 0, buf.length, (seg.offsets[i] as number) + RECORD_HEADER_BYTES);
  return buf;
}

const segmentName = (firstSeq: number) => `seg-${String(firstSeq).padStart(16, '0')}.spool`;

function errnoOf(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e
    ? String((e as { code: unknown }).code)
    : undefined;
}

export class Spool implements FrameSink {
  private readonly dir: string;
  private readonly nodeId: string;
  private readonly capBytes: number;
  private readonly segmentBytes: number;
  private readonly logger: AgentLogger;
  private readonly write: SpoolWrite;
  private readonly segments: Segment[] = [];
  private nextSeq = 0;
  private ackFloor = 0;
  private readonly ackedAbove = new Set<number>();
  /** Quarantined sequences at or above the ack floor: never offered again. */
  private readonly quarantinedSeqs = new Set<number>();
  private quarantinedCount = 0;
  /** Records below this sequence are synced to disk and may be sent. */
  private durableNext = 0;
  private dirty = false;
  private stateDirty = false;
  private totalBytes = 0;
  private droppedCount = 0;
  private writeErrorCount = 0;
  private closed = false;
  private readonly timer: NodeJS.Timeout;
  private readonly stateTimer: NodeJS.Timeout;
  private readonly listeners = new Set<() => void>();

  private constructor(options: SpoolOptions) {
    this.dir = options.dir;
    this.nodeId = options.nodeId;
    this.capBytes = options.capBytes ?? DEFAULT_SPOOL_CAP_BYTES;
    this.segmentBytes = Math.max(
      4096,
      Math.min(options.segmentBytes ?? DEFAULT_SEGMENT_BYTES, Math.floor(this.capBytes / 4)),
    );
    this.logger = options.logger ?? silentAgentLogger;
    this.write = options.write ?? ((fd, data, position) => writeSync(fd, data, 0, data.length, position));
    this.timer = setInterval(() => this.sync(), options.fsyncIntervalMs ?? DEFAULT_FSYNC_INTERVAL_MS);
    this.timer.unref();
    this.stateTimer = setInterval(() => this.saveState(), 1000);
    this.stateTimer.unref();
  }

  /** Opens (or creates) the spool in `dir`, recovering from a crash: torn tail records are cut off. */
  static open(options: SpoolOptions): Spool {
    if (!(options.capBytes === undefined || options.capBytes >= 64 * 1024))
      throw new RangeError(`spool cap must be at least 64 KiB (got ${options.capBytes} bytes)`);
    mkdirSync(options.dir, { recursive: true, mode: 0o700 });
    const spool = new Spool(options);
    spool.recover();
    return spool;
  }

  private recover(): void {
    const state = this.readState();
    this.ackFloor = state.ackFloor;
    for (const q of state.quarantined) if (q >= this.ackFloor) this.quarantinedSeqs.add(q);
    const names = readdirSync(this.dir)
      .map((n) => SEGMENT_RE.exec(n))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ name: m[0], firstSeq: Number(m[1]) }))
      .sort((a, b) => a.firstSeq - b.firstSeq);
    let next = this.ackFloor;
    for (const { name, firstSeq } of names) {
      const path = join(this.dir, name);
      const bytes = readFileSync(path);
      const scan = scanRecords(bytes);
      const fd = openSync(path, 'r+');
      if (scan.validBytes < bytes.length) {
        this.logger.warn('spool: cut a torn or corrupt record off the end of a segment (left by a crash)', {
          segment: name,
          bytes_dropped: bytes.length - scan.validBytes,
        });
        ftruncateSync(fd, scan.validBytes);
        fdatasyncSync(fd);
      }
      const seg: Segment = { firstSeq, path, fd, size: scan.validBytes, seqs: [], offsets: [], lengths: [] };
      for (const r of scan.records) {
        seg.seqs.push(r.sequence);
        seg.offsets.push(r.offset);
        seg.lengths.push(r.length);
      }
      next = Math.max(next, firstSeq, (seg.seqs[seg.seqs.length - 1] ?? -1) + 1);
      this.totalBytes += seg.size;
      this.segments.push(seg);
    }
    this.nextSeq = next;
    this.durableNext = next;
    this.removeAckedSegments();
  }

  private statePath(): string {
    return join(this.dir, 'state.json');
  }

  private readState(): { ackFloor: number; quarantined: number[] } {
    try {
      const s = JSON.parse(readFileSync(this.statePath(), 'utf8')) as {
        ack_floor?: unknown;
        quarantined?: unknown;
      };
      return {
        ackFloor: typeof s.ack_floor === 'number' && Number.isSafeInteger(s.ack_floor) ? s.ack_floor : 0,
        quarantined: Array.isArray(s.quarantined)
          ? s.quarantined.filter((q): q is number => typeof q === 'number' && Number.isSafeInteger(q))
          : [],
      };
    } catch {
      return { ackFloor: 0, quarantined: [] };
    }
  }

  /** The ack floor only saves resending after a restart (the server drops duplicates): no fsync. */
  private saveState(): void {
    if (!this.stateDirty) return;
    try {
      const tmp = `${this.statePath()}.tmp`;
      writeFileSync(
        tmp,
        JSON.stringify({
          node_id: this.nodeId,
          ack_floor: this.ackFloor,
          quarantined: [...this.quarantinedSeqs],
        }),
      );
      renameSync(tmp, this.statePath());
      this.stateDirty = false;
    } catch (e) {
      this.logger.warn('spool: could not save the ack state (will retry)', {
        error: e instanceof Error ? e.message : String(e),
      });
    }
  }

  /**
   * Numbers, encodes and appends one frame; returns its sequence. Throws an OperationalError when
   * the disk is full or unwritable: nothing is written, the sequence is not used, and the next push
   * tries again (so the spool recovers by itself once there is space).
   */
  push(frame: OutgoingFrame): number {
    if (this.closed) throw new OperationalError('the spool is closed');
    const sequence = this.nextSeq;
    const payload = encodeFrame({ ...frame, nodeId: this.nodeId, sequence } as Frame);
    const record = encodeRecord(payload);
    this.makeRoom(record.length);
    let seg = this.segments[this.segments.length - 1];
    try {
      if (seg === undefined || seg.size + record.length > this.segmentBytes) seg = this.rotate(sequence);
      const written = this.write(seg.fd, record, seg.size);
      if (written !== record.length) throw Object.assign(new Error('short write'), { code: 'ENOSPC' });
    } catch (e) {
      this.writeErrorCount++;
      if (seg !== undefined) {
        try {
          ftruncateSync(seg.fd, seg.size);
        } catch {
          // the truncate failing too leaves a torn tail, which recovery cuts off
        }
      }
      const code = errnoOf(e);
      throw new OperationalError(
        code === 'ENOSPC' || code === 'EDQUOT'
          ? `spool: the disk holding ${this.dir} is full; the frame was not stored (free some space: the spool resumes by itself)`
          : `spool: could not write to ${this.dir}: ${e instanceof Error ? e.message : String(e)}`,
        { cause: e },
      );
    }
    seg.seqs.push(sequence);
    seg.offsets.push(seg.size);
    seg.lengths.push(record.length);
    seg.size += record.length;
    this.totalBytes += record.length;
    this.nextSeq = sequence + 1;
    this.dirty = true;
    return sequence;
  }

  private rotate(firstSeq: number): Segment {
    const last = this.segments[this.segments.length - 1];
    if (last !== undefined && this.dirty) this.sync();
    const path = join(this.dir, segmentName(firstSeq));
    const fd = openSync(path, 'w+', 0o600);
    const seg: Segment = { firstSeq, path, fd, size: 0, seqs: [], offsets: [], lengths: [] };
    this.segments.push(seg);
    return seg;
  }

  /** Drops the oldest whole segments until `bytes` more fit under the cap (never the newest). */
  private makeRoom(bytes: number): void {
    while (this.totalBytes + bytes > this.capBytes && this.segments.length > 1) {
      const seg = this.segments.shift() as Segment;
      let lost = 0;
      for (const s of seg.seqs) if (this.isPending(s)) lost++;
      this.dropSegment(seg);
      this.droppedCount += lost;
      if (lost > 0)
        this.logger.warn('spool: full, dropped the oldest frames that the server has not acknowledged', {
          dropped: lost,
          cap_bytes: this.capBytes,
        });
    }
  }

  private dropSegment(seg: Segment): void {
    closeSync(seg.fd);
    try {
      unlinkSync(seg.path);
    } catch {
      // already gone
    }
    this.totalBytes -= seg.size;
  }

  private isPending(seq: number): boolean {
    return seq >= this.ackFloor && !this.ackedAbove.has(seq) && !this.quarantinedSeqs.has(seq);
  }

  /** Syncs appended records to disk and tells the uplink they may be sent. */
  sync(): void {
    if (!this.dirty || this.closed) return;
    // only the newest segment takes appends; the older ones were synced when it was opened
    const seg = this.segments[this.segments.length - 1];
    try {
      if (seg !== undefined) fdatasyncSync(seg.fd);
    } catch (e) {
      this.logger.warn('spool: fsync failed (will retry)', {
        error: e instanceof Error ? e.message : String(e),
      });
      return;
    }
    this.dirty = false;
    this.durableNext = this.nextSeq;
    for (const l of this.listeners) l();
  }

  /** Called when newly pushed frames become durable (may be sent). */
  onDurable(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The oldest unacknowledged, durable frame with a sequence above `after` (-1: from the start). */
  next(after: number): SpooledFrame | undefined {
    for (const seg of this.segments) {
      const last = seg.seqs[seg.seqs.length - 1];
      if (last === undefined || last <= after) continue;
      let lo = 0;
      let hi = seg.seqs.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if ((seg.seqs[mid] as number) <= after) lo = mid + 1;
        else hi = mid;
      }
      for (let i = lo; i < seg.seqs.length; i++) {
        const seq = seg.seqs[i] as number;
        if (seq >= this.durableNext) return undefined;
        if (!this.isPending(seq)) continue;
        return { sequence: seq, bytes: readPayload(seg, i) };
      }
    }
    return undefined;
  }

  /** The oldest frame the server has not acknowledged (durable or not), or undefined. */
  firstPending(): number | undefined {
    for (const seg of this.segments) for (const s of seg.seqs) if (this.isPending(s)) return s;
    return undefined;
  }

  /**
   * Moves the pending frame `sequence` out of the spool into {@link QUARANTINE_FILE}, with `why`
   * (e.g. the server's close code and reason), and counts it as dropped. Returns the file's path,
   * or undefined when no such frame is pending (acknowledged meanwhile, or dropped by the cap).
   */
  quarantine(sequence: number, why: string): string | undefined {
    if (!this.isPending(sequence)) return undefined;
    for (const seg of this.segments) {
      const i = seg.seqs.indexOf(sequence);
      if (i < 0) continue;
      const path = join(this.dir, QUARANTINE_FILE);
      const line = {
        sequence,
        node_id: this.nodeId,
        why,
        quarantined_at: new Date().toISOString(),
        frame_base64: Buffer.from(readPayload(seg, i)).toString('base64'),
      };
      appendFileSync(path, `${JSON.stringify(line)}\n`, { mode: 0o600 });
      this.quarantinedSeqs.add(sequence);
      this.quarantinedCount++;
      this.droppedCount++;
      this.stateDirty = true;
      this.saveState();
      this.removeAckedSegments();
      return path;
    }
    return undefined;
  }

  /**
   * Applies a server ack: every sequence below `nextSequence`, and those in `acked`, are stored
   * there. Segments whose frames are all acknowledged are deleted (except the newest, which is
   * being written). An ack beyond the newest sequence means the server holds frames this spool
   * lost (its folder was wiped): numbering jumps past them, so new frames are not taken for
   * duplicates.
   */
  ack(nextSequence: number, acked: readonly number[] = []): void {
    if (nextSequence > this.ackFloor) {
      this.ackFloor = nextSequence;
      for (const s of this.ackedAbove) if (s < nextSequence) this.ackedAbove.delete(s);
      for (const s of this.quarantinedSeqs) if (s < nextSequence) this.quarantinedSeqs.delete(s);
      this.stateDirty = true;
    }
    for (const s of acked) {
      if (s < this.ackFloor || this.ackedAbove.has(s) || s >= this.nextSeq) continue;
      this.ackedAbove.add(s);
    }
    if (nextSequence > this.nextSeq) {
      this.logger.warn(
        'spool: the server already holds later frames of this node; numbering continues after them',
        {
          local_next: this.nextSeq,
          server_next: nextSequence,
        },
      );
      this.nextSeq = nextSequence;
      this.durableNext = Math.max(this.durableNext, nextSequence);
    }
    this.removeAckedSegments();
  }

  private removeAckedSegments(): void {
    while (this.segments.length > 1) {
      const seg = this.segments[0] as Segment;
      if (seg.seqs.some((s) => this.isPending(s))) break;
      this.segments.shift();
      this.dropSegment(seg);
    }
  }

  stats(): SpoolStats {
    let frames = 0;
    for (const seg of this.segments) for (const s of seg.seqs) if (this.isPending(s)) frames++;
    return {
      frames,
      bytes: this.totalBytes,
      dropped: this.droppedCount,
      quarantined: this.quarantinedCount,
      nextSequence: this.nextSeq,
      ackFloor: this.ackFloor,
      writeErrors: this.writeErrorCount,
    };
  }

  /** Syncs everything, saves the ack state and closes the files. */
  close(): void {
    if (this.closed) return;
    this.sync();
    this.saveState();
    this.closed = true;
    clearInterval(this.timer);
    clearInterval(this.stateTimer);
    for (const seg of this.segments) closeSync(seg.fd);
    this.listeners.clear();
  }
}
