/**
 * Ingest: nodes' spectrum frames and detections become durable history, then bus events.
 *
 * Frames from every connection are gathered into one batch (for `flushIntervalMs`, or until
 * `maxBatchFrames` wait) and committed together, in ONE transaction: spectrum frames into the tile
 * store, detections, the per-node counters and the per-node dedupe state. Only then does
 * {@link IngestService.submit} resolve with the node's ack, and only then is `detection.created`
 * published (its id names a stored row). Commits are pipelined (`pipelineDepth`): while one is
 * written, the next batch's tiles are rolled up and deflated in the tile worker; they are written
 * in order, and a failed one fails the one encoded on top of it too (both are resent).
 *
 * `spectrum.frame` is published when a frame is accepted (validated, not a duplicate), before the
 * commit, so live viewers get it within milliseconds instead of after the batch wait and the
 * commit. Correctness holds: its consumers are live fan-out and the anomaly engine's averages, the
 * event says "accepted", not "stored" (history is read from the database, never from the bus), a
 * duplicate is never published, and the ack still waits for the commit. The one visible effect of
 * a failed commit: the node resends and a viewer may see that frame a second time (same id
 * `<node>:<sequence>`, which idempotent consumers drop; in an anomaly average it may weigh twice).
 *
 * Dedupe state per node: every sequence below `next` is stored (`nodes.next_sequence`), and so are
 * the ones in `above` (`nodes.accepted_above`, stored after a gap; at most `maxAckedAhead`). Both are
 * written with the frames they describe, so after a restart, a failed commit, or a move to another
 * server a resent frame is still known. A frame with a stored or in-flight sequence is a duplicate:
 * dropped and counted. A frame beyond the highest sequence seen plus one opens a gap: counted. The
 * commit re-reads the state with the node rows locked and fails (the node resends) if another
 * server stored one of the batch's sequences meanwhile, so even then nothing is stored twice.
 */
import { randomUUID } from 'node:crypto';
import { OperationalError } from '@heimdall/errors';
import {
  encodeAck,
  type Detection,
  type DetectionsMessage,
  type Frame,
  type SpectrumFrame,
} from '@heimdall/protocol';
import type { Bus } from '../bus/bus.ts';
import type { Database } from '../database/database.ts';
import { ApiError, forbidden, notFound } from '../errors.ts';
import { DetectionRepository, type NewDetection } from '../repositories/detection.repository.ts';
import { NodeRepository, type IngestCounts, type SequenceState } from '../repositories/node.repository.ts';
import { nsToIso } from '../ns-time.ts';
import { SpectrumTileStore, type SpectrumTileStoreOptions } from '../spectrum/spectrum-tiles.ts';
import { acceptSequences } from './accepted-sequences.ts';

export interface IngestObserver {
  stored(kind: 'spectrum' | 'detections', frames: number): void;
  duplicates(n: number): void;
  gaps(n: number): void;
  commitSeconds(s: number): void;
  /** Events that could not be published after a commit (the data is stored). */
  publishFailed(error: unknown): void;
}

export interface IngestServiceOptions {
  readonly flushIntervalMs?: number;
  readonly maxBatchFrames?: number;
  /** Most stored-above-a-gap sequences remembered per node. */
  readonly maxAckedAhead?: number;
  /**
   * A node's sequence state unused for this long is re-read from the database before its next
   * frame (default 10 s), so a node that moved to another server and back is not judged on stale
   * state.
   */
  readonly refreshAfterMs?: number;
  /** Spectrum history tuning (e.g. `worker: false` keeps tile encoding on this thread). */
  readonly tiles?: SpectrumTileStoreOptions;
  /**
   * Batches committing at once (default 2): one being rolled up and deflated in the tile worker
   * while the one before it is written to the database.
   */
  readonly pipelineDepth?: number;
}

/** What a submit tells the node: stored sequences (an ack frame's content) and what was dropped. */
export interface IngestReceipt {
  readonly nodeId: string;
  readonly accepted: number;
  readonly duplicates: number;
  readonly nextSequence: number;
  readonly acked: readonly number[];
  /** The ack frame to send back. */
  ackFrame(): Uint8Array;
}

/** A node's stored sequences as an ack: what every receipt of one batch shares. */
interface NodeAck {
  readonly nextSequence: number;
  readonly acked: readonly number[];
  readonly ackFrame: () => Uint8Array;
}

interface NodeState {
  next: number;
  above: Set<number>;
  highest: number;
  readonly inflight: Set<number>;
  usedAt: number;
}

/** A spectrum frame in a batch: which node and sequence it was. */
interface SpectrumRef {
  readonly kind: 'spectrum';
  readonly nodeId: string;
  readonly sequence: number;
}

interface Batch {
  /**
   * The batch's frames; spectrum frames only as what the commit needs (their bins are in the tile
   * store already), so the socket buffers they were decoded from are not held until the commit.
   */
  readonly frames: (SpectrumRef | DetectionsMessage)[];
  readonly counts: Map<string, { frames: number; duplicates: number; gaps: number }>;
  /**
   * Each node's ack once the batch is stored: the same for every frame of the node the batch
   * holds, so it is made once (on a socket, frame by frame, that was one per frame).
   */
  readonly acks: Map<string, NodeAck>;
  readonly done: Promise<void>;
  resolve(): void;
  reject(e: unknown): void;
}

function newBatch(): Batch {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const done = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  done.catch(() => undefined);
  return { frames: [], counts: new Map(), acks: new Map(), done, resolve, reject };
}

export class IngestService {
  readonly tiles: SpectrumTileStore;
  private readonly states = new Map<string, NodeState>();
  private readonly loading = new Map<string, Promise<NodeState>>();
  private batch: Batch = newBatch();
  private timer: NodeJS.Timeout | undefined;
  /** The last cut batch's whole commit. */
  private committing: Promise<void> = Promise.resolve();
  /** Batches cut and not committed yet. */
  private queued = 0;
  /** The open batch's time is up; it is cut when a commit ends and the pipeline has room. */
  private due = false;
  private readonly pipelineDepth: number;
  private readonly flushIntervalMs: number;
  private readonly maxBatchFrames: number;
  private readonly maxAckedAhead: number;
  private readonly refreshAfterMs: number;
  private closed = false;

  constructor(
    private readonly db: Database,
    private readonly bus: Bus,
    private readonly observer: IngestObserver,
    options: IngestServiceOptions = {},
  ) {
    this.tiles = new SpectrumTileStore(db, options.tiles);
    this.flushIntervalMs = options.flushIntervalMs ?? 25;
    this.maxBatchFrames = options.maxBatchFrames ?? 4096;
    this.maxAckedAhead = options.maxAckedAhead ?? 4096;
    this.refreshAfterMs = options.refreshAfterMs ?? 10_000;
    this.pipelineDepth = Math.max(1, options.pipelineDepth ?? 2);
  }

  /** Batches cut and not committed (or failed) yet: at most `pipelineDepth` unless full batches queue up. */
  get committingBatches(): number {
    return this.queued;
  }

  /** The node's sequence state when it is in memory and fresh (the common case: no promise). */
  private freshState(nodeId: string): NodeState | undefined {
    const now = performance.now();
    const known = this.states.get(nodeId);
    if (known !== undefined && (now - known.usedAt <= this.refreshAfterMs || known.inflight.size > 0)) {
      known.usedAt = now;
      return known;
    }
    return undefined;
  }

  /** Reads the node's sequence state from the database (once at a time per node), merged with memory. */
  private async loadState(nodeId: string): Promise<NodeState> {
    const now = performance.now();
    const known = this.states.get(nodeId);
    let loading = this.loading.get(nodeId);
    if (loading === undefined) {
      loading = (async () => {
        const stored = await new NodeRepository(this.db).sequenceState(nodeId);
        if (stored === undefined) throw notFound('node', 'node_id');
        const current = this.states.get(nodeId);
        if (current !== undefined && current !== known) return current; // loaded meanwhile
        // both are stored (memory may lag another server, the database never claims too much)
        const next = Math.max(stored.next, known?.next ?? 0);
        const above = new Set([...stored.above, ...(known?.above ?? [])].filter((q) => q >= next));
        const s: NodeState = {
          next,
          above,
          highest: Math.max(next - 1, known?.highest ?? -1, ...stored.above),
          inflight: known?.inflight ?? new Set(),
          usedAt: now,
        };
        this.states.set(nodeId, s);
        return s;
      })().finally(() => this.loading.delete(nodeId));
      this.loading.set(nodeId, loading);
    }
    return loading;
  }

  /** Forgets a node's in-memory sequence state (e.g. its connection closed), unless frames are in flight. */
  forget(nodeId: string): void {
    const s = this.states.get(nodeId);
    if (s !== undefined && s.inflight.size === 0) this.states.delete(nodeId);
  }

  /**
   * Stores `frames` from the node `nodeId` (the caller's credentials): resolves once they are
   * durable, with the node's ack. Every frame must be a spectrum or detections message of that node.
   *
   * Not an async function on purpose: an async function keeps its arguments until it returns, and
   * this one waits for the commit, so every frame (and the socket buffer its bytes are a view of)
   * would stay alive for a whole batch, to be copied by the young-generation collector and
   * promoted. The frames are taken at once; only what the ack needs waits for the commit.
   */
  submit(nodeId: string, frames: readonly Frame[]): Promise<IngestReceipt> {
    try {
      if (this.closed) throw new OperationalError('the server is shutting down');
      for (const f of frames) {
        if (f.kind === 'ack')
          throw new ApiError('invalid', 'ack frames are sent by the server, not to it', {
            field: 'kind',
            fix: 'send spectrum or detections frames',
          });
        if (f.nodeId !== nodeId) throw forbidden(`this API key belongs to node ${nodeId}, not ${f.nodeId}`);
      }
      const data = frames as readonly (SpectrumFrame | DetectionsMessage)[]; // no acks: checked above
      const state = this.freshState(nodeId);
      if (state !== undefined) return this.receipt(nodeId, state, this.accept(nodeId, state, data));
      return this.loadState(nodeId).then((s) => this.receipt(nodeId, s, this.accept(nodeId, s, data)));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Takes a node's frames into the open batch (dropping duplicates); synchronous. */
  private accept(
    nodeId: string,
    state: NodeState,
    data: readonly (SpectrumFrame | DetectionsMessage)[],
  ): { batch: Batch; accepted: number; duplicates: number } {
    const batch = this.batch;
    let counts = batch.counts.get(nodeId);
    if (counts === undefined) {
      counts = { frames: 0, duplicates: 0, gaps: 0 };
      batch.counts.set(nodeId, counts);
    }
    let accepted = 0;
    let duplicates = 0;
    for (const f of data) {
      const s = f.sequence;
      if (s < state.next || state.above.has(s) || state.inflight.has(s)) {
        duplicates++;
        continue;
      }
      if (s > state.highest + 1) counts.gaps++;
      if (s > state.highest) state.highest = s;
      state.inflight.add(s);
      if (f.kind === 'spectrum') {
        // Its bins go into the tile store now (a copy), not when the batch is cut: the copying is
        // spread over the batch's time instead of stalling the event loop for a whole batch, and
        // the store's next flush (this batch's commit, started when it is cut) takes exactly these
        // frames. The frame itself (bins and wire bytes: a view of the socket's or the request's
        // buffer, never reused) goes to live viewers now and is not kept for the commit.
        this.tiles.append(f);
        this.publishFrame(f);
        batch.frames.push({ kind: 'spectrum', nodeId: f.nodeId, sequence: s });
      } else batch.frames.push(f);
      accepted++;
    }
    counts.frames += accepted;
    counts.duplicates += duplicates;
    this.schedule();
    return { batch, accepted, duplicates };
  }

  /** The receipt of frames taken into `batch`, once it is stored. */
  private async receipt(
    nodeId: string,
    state: NodeState,
    taken: { batch: Batch; accepted: number; duplicates: number },
  ): Promise<IngestReceipt> {
    const { batch, accepted, duplicates } = taken;
    await batch.done;
    let ack = batch.acks.get(nodeId);
    if (ack === undefined) {
      // every receipt of this batch runs before another batch settles: they all see one state
      const nextSequence = state.next;
      const acked = [...state.above].sort((a, b) => a - b);
      let frame: Uint8Array | undefined;
      ack = { nextSequence, acked, ackFrame: () => (frame ??= encodeAck({ nodeId, nextSequence, acked })) };
      batch.acks.set(nodeId, ack);
    }
    return { nodeId, accepted, duplicates, ...ack };
  }

  /**
   * Group commit: a batch is cut `flushIntervalMs` after its first frame, or at once when it holds
   * `maxBatchFrames`; but while `pipelineDepth` commits run, a due batch keeps growing and is cut
   * when one of them ends. Under load this makes fewer, larger commits (each commit costs a
   * transaction and a tile per band whatever its size) instead of a queue of small ones, while the
   * tile worker and the database each work on a batch of their own; idle, it waits
   * `flushIntervalMs`.
   */
  private schedule(): void {
    if (this.batch.frames.length >= this.maxBatchFrames) {
      this.cut();
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      if (this.queued >= this.pipelineDepth) this.due = true;
      else this.cut();
    }, this.flushIntervalMs);
  }

  /** Closes the current batch and commits it; commits are handed to the tile store in order. */
  private cut(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.due = false;
    const batch = this.batch;
    this.batch = newBatch();
    this.queued++;
    // handed over at once (synchronously): the tile store's next flush is this batch's frames
    this.committing = this.commit(batch).finally(() => {
      this.queued--;
      if (this.due && this.queued < this.pipelineDepth) this.cut();
    });
  }

  /**
   * Flushes the tile store (which holds this batch's spectrum frames) with `batch`'s detections and
   * dedupe state in the same transaction; resolves when it is stored, or has failed and told its
   * submitters. The flush starts synchronously, so the next batch's frames are not part of it.
   */
  private commit(batch: Batch): Promise<void> {
    const started = performance.now();
    const detections: NewDetection[] = [];
    let spectra = 0;
    for (const f of batch.frames) {
      if (f.kind === 'spectrum') {
        spectra++;
      } else {
        for (const d of f.detections) {
          detections.push({
            id: randomUUID(),
            nodeId: f.nodeId,
            startTimeNs: d.startTimeNs,
            endTimeNs: d.endTimeNs,
            freqLowHz: d.freqLowHz,
            freqHighHz: d.freqHighHz,
            snrDb: d.snrDb,
            powerDbfs: d.powerDbfs,
            class: d.label === '' ? 'unknown' : d.label,
            sequence: f.sequence,
          });
        }
      }
    }
    // what this batch stores, per node
    const mine = new Map<string, number[]>();
    for (const f of batch.frames) {
      let list = mine.get(f.nodeId);
      if (list === undefined) mine.set(f.nodeId, (list = []));
      list.push(f.sequence);
    }
    const nodeIds = [...batch.counts.keys()];
    const decided = new Map<string, SequenceState>();
    // tiles, detections, counters and dedupe state: one transaction
    const flushed = this.tiles.flush(async (tx) => {
      const nodes = new NodeRepository(tx);
      const stored = await nodes.lockSequenceStates(nodeIds);
      for (const nodeId of nodeIds) {
        const state = stored.get(nodeId);
        if (state === undefined) throw new OperationalError(`node ${nodeId} was deleted`);
        const u = acceptSequences(state, mine.get(nodeId) ?? [], this.maxAckedAhead);
        if (u.already.length > 0)
          throw new OperationalError(
            `another server stored sequences ${u.already.slice(0, 5).join(', ')} of node ${nodeId} meanwhile`,
          );
        decided.set(nodeId, u);
      }
      if (detections.length > 0) await new DetectionRepository(tx).insertMany(detections);
      const counts: IngestCounts[] = [...batch.counts].map(([nodeId, c]) => {
        const d = decided.get(nodeId) as SequenceState;
        return {
          nodeId,
          framesReceived: c.frames,
          duplicates: c.duplicates,
          sequenceGaps: c.gaps,
          nextSequence: d.next,
          acceptedAbove: d.above,
        };
      });
      await nodes.addIngestCounts(counts);
    });
    return flushed.then(
      () => {
        for (const [nodeId, d] of decided) {
          const s = this.states.get(nodeId);
          if (s === undefined) continue;
          s.next = Math.max(s.next, d.next);
          s.above = new Set(d.above.filter((q) => q >= s.next));
        }
        for (const f of batch.frames) this.states.get(f.nodeId)?.inflight.delete(f.sequence);
        let gaps = 0;
        let dups = 0;
        for (const c of batch.counts.values()) {
          gaps += c.gaps;
          dups += c.duplicates;
        }
        this.observer.stored('spectrum', spectra);
        this.observer.stored('detections', batch.frames.length - spectra);
        this.observer.duplicates(dups);
        this.observer.gaps(gaps);
        this.observer.commitSeconds((performance.now() - started) / 1000);
        batch.resolve();
        if (detections.length > 0) void this.publish(detections);
      },
      (cause: unknown) => {
        for (const f of batch.frames) {
          const s = this.states.get(f.nodeId);
          if (s === undefined) continue;
          s.inflight.delete(f.sequence);
          s.usedAt = -Infinity; // re-read the stored state before judging this node's next frame
        }
        batch.reject(
          cause instanceof OperationalError
            ? cause
            : new OperationalError('storing the ingest batch failed', { cause }),
        );
      },
    );
  }

  /** Publishes an accepted spectrum frame (before its commit: see the module comment). */
  private publishFrame(f: SpectrumFrame): void {
    this.bus
      .publish('spectrum.frame', f, { id: `${f.nodeId}:${f.sequence}` })
      .catch((e: unknown) => this.observer.publishFailed(e));
  }

  private async publish(detections: readonly NewDetection[]): Promise<void> {
    const jobs: Promise<void>[] = [];
    for (const d of detections)
      jobs.push(this.bus.publish('detection.created', toDetection(d), { id: d.id as string }));
    for (const r of await Promise.allSettled(jobs))
      if (r.status === 'rejected') this.observer.publishFailed(r.reason);
  }

  /** Commits what is waiting and stops taking frames. */
  async close(): Promise<void> {
    this.closed = true;
    this.cut();
    await this.committing;
    await this.tiles.close().catch(() => undefined);
    await this.tiles.dispose();
  }
}

function toDetection(d: NewDetection): Detection {
  return {
    id: d.id as string,
    node_id: d.nodeId,
    start_time: nsToIso(d.startTimeNs),
    end_time: nsToIso(d.endTimeNs),
    freq_low_hz: d.freqLowHz,
    freq_high_hz: d.freqHighHz,
    snr_db: d.snrDb,
    power_dbfs: d.powerDbfs,
    class: d.class,
  };
}
