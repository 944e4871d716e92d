/**
 * The anomaly engine in the server. Spectrum frames from the bus flow, per node, through a
 * learning phase (the first `warmupMs` of a node's frames train its model) and then an
 * {@link AnomalyMonitor} that keeps learning from anomaly-free frames; every closed event is stored
 * through the anomaly repository, whose insert publishes `anomaly.created` to live viewers. Each
 * node's model is retrained every `retrainMs` from the frames seen since the last training, so it
 * follows change that slow adaptation would miss. Frames are averaged (linear power) to one per
 * `frameIntervalMs` per node first: a node sending 10 frames/s costs the engine one frame per 10 s.
 * Into that average go at most `maxFramesPerSecond` frames per node (one per slot of that length of
 * capture time, default 10/s): a mean over 10 s needs no more to be exact to a small fraction of a
 * dB, and a fleet sending 10,000 frames/s would otherwise spend a large part of a core here.
 *
 * A node that changes its frequency plan (retuned, new FFT size) starts learning again.
 *
 * Models are kept in a registry (`models`): each one trained is saved as the node's next version
 * and made active, and {@link AnomalyMonitorService.start} resumes every node with its active
 * version instead of relearning from scratch. {@link AnomalyMonitorService.useModel} switches a node
 * to another version at once (an operator's rollback).
 *
 * The same event seen at several nodes is stored once: an event of the same kind overlapping a
 * recently stored one of another node in frequency and in time (within `frameIntervalMs`) widens
 * that row (its nodes, times, band, score) instead of adding one.
 *
 * Detections (`detection.created`) train a second model per node, an isolation forest over
 * their features (see @heimdall/intel's detection model): once a node has `detectionWarmup`
 * detections, each new one is scored, and one unlike anything the node usually detects (calibrated
 * score >= `detectionScore`) is stored as a `new_emitter` anomaly. It is retrained every
 * `detectionWarmup` * 10 detections from the latest ones.
 */
import { UserError } from '@heimdall/errors';
import {
  AnomalyMonitor,
  formatMhz,
  MODEL_FORMAT_VERSION,
  ModelTrainer,
  parseModel,
  serializeModel,
  scoreDetection,
  trainDetectionModel,
  type AnomalyEvent,
  type AnomalyModel,
  type DetectionLike,
  type DetectionModel,
} from '@heimdall/intel';
import type { Detection, SpectrumFrame } from '@heimdall/protocol';
import type { Bus, Subscription } from '../bus/bus.ts';
import type { NewAnomalyModel, StoredAnomalyModel } from '../repositories/anomaly-model.repository.ts';
import type { NewAnomaly } from '../repositories/anomaly.repository.ts';

export interface AnomalyMonitorOptions {
  /** Frames are averaged into one per this interval per node (default 10 s). */
  readonly frameIntervalMs?: number;
  /** Most frames per second of capture time a node adds to its average (default 10). */
  readonly maxFramesPerSecond?: number;
  /** Data needed before a node's first model (default 1 day). */
  readonly warmupMs?: number;
  /** A node's model is retrained from its recent frames this often (default 7 days of data). */
  readonly retrainMs?: number;
  /** Names a node in explanations (default: its id). */
  readonly nodeName?: (nodeId: string) => string | undefined;
  /** Detections a node needs before its detection model (default 500). */
  readonly detectionWarmup?: number;
  /** Calibrated detection score from which a detection is an anomaly (default 0.999). */
  readonly detectionScore?: number;
  /** Called when storing an anomaly or learning fails (the frame is skipped, the service goes on). */
  readonly onError?: (error: unknown, nodeId: string) => void;
  /** The model registry (`AnomalyModelRepository`); without it models live in memory only. */
  readonly models?: ModelStore;
}

/** The registry port: save each trained model as a new active version, read the active ones. */
export interface ModelStore {
  save(m: NewAnomalyModel): Promise<unknown>;
  active(): Promise<readonly Pick<StoredAnomalyModel, 'id' | 'node_id' | 'plan_key' | 'model'>[]>;
}

/** A stored event that later sightings at other nodes merge into. */
interface RecentEvent {
  readonly id: string;
  readonly nodeIds: Set<string>;
  readonly kind: string;
  startMs: number;
  endMs: number;
  lowHz: number | null;
  highHz: number | null;
  explanation: string;
}

/** Stored events remembered for merging (the newest; plenty for the events of one frame period). */
const RECENT_EVENTS = 1000;

interface Pending {
  startMs: number;
  key: string;
  startHz: number;
  binHz: number;
  sum: Float64Array;
  frames: number;
  /** Sampling slot (capture time / slot length) of the last frame added. */
  slot: number;
}

interface NodeState {
  pending: Pending | undefined;
  trainer: ModelTrainer;
  trainStartMs: number | undefined;
  monitor: AnomalyMonitor | undefined;
  model: AnomalyModel | undefined;
  /** Plan of the frames being learned or monitored. */
  key: string | undefined;
}

/** `sum[i] += scale * table[codes[i]]`, for 1-byte codes. */
function addPower8(sum: Float64Array, codes: Uint8Array, table: Float64Array, scale: number): void {
  for (let i = 0; i < codes.length; i++)
    sum[i] = (sum[i] as number) + scale * (table[codes[i] as number] as number);
}

/** `sum[i] += scale * table[codes[i]]`, for 2-byte codes. */
function addPower16(sum: Float64Array, codes: Uint16Array, table: Float64Array, scale: number): void {
  for (let i = 0; i < codes.length; i++)
    sum[i] = (sum[i] as number) + scale * (table[codes[i] as number] as number);
}

const planKey = (f: SpectrumFrame): string => `${f.centerHz}:${f.sampleRateHz}:${f.fftSize}`;

/** The repository port the service writes through (`AnomalyRepository` in production). */
export interface AnomalySink {
  insert(a: NewAnomaly): Promise<{ readonly id: string }>;
  /** Widens stored event `id` to cover `a` (same event, another node); see `AnomalyRepository.merge`. */
  merge(id: string, a: NewAnomaly): Promise<unknown>;
}

export class AnomalyMonitorService {
  private readonly nodes = new Map<string, NodeState>();
  private readonly interval: number;
  private readonly slotMs: number;
  private readonly warmup: number;
  private readonly retrain: number;
  private subscription: Subscription | undefined;
  private detectionSubscription: Subscription | undefined;
  private readonly detections = new Map<
    string,
    { recent: DetectionLike[]; model: DetectionModel | undefined; sinceTraining: number }
  >();
  /** Inserts in flight, so {@link stop} can wait for them. */
  private queue: Promise<void> = Promise.resolve();
  /** Recently stored events, oldest first, for cross-node merging. */
  private readonly recent: RecentEvent[] = [];

  constructor(
    private readonly bus: Pick<Bus, 'subscribe'>,
    private readonly anomalies: AnomalySink,
    private readonly options: AnomalyMonitorOptions = {},
  ) {
    this.interval = options.frameIntervalMs ?? 10_000;
    this.slotMs = 1000 / (options.maxFramesPerSecond ?? 10);
    this.warmup = options.warmupMs ?? 86_400_000;
    this.retrain = options.retrainMs ?? 7 * 86_400_000;
  }

  /**
   * Resumes every node with its active model from the registry, then subscribes to
   * `spectrum.frame` (one queue group across servers: each frame is scored once).
   */
  async start(): Promise<void> {
    for (const m of (await this.options.models?.active()) ?? []) this.useModel(m);
    this.subscription = await this.bus.subscribe(
      'spectrum.frame',
      async (f) => {
        // a closed average costs about a millisecond, and nodes' averages close together: let
        // sockets run between them instead of stalling the event loop for the whole fleet's
        if (this.onFrame(f)) await new Promise((r) => setImmediate(r));
      },
      { group: 'anomaly-monitor' },
    );
    this.detectionSubscription = await this.bus.subscribe('detection.created', (d) => this.onDetection(d), {
      group: 'anomaly-monitor',
    });
  }

  /** Takes one stored detection (also the bus handler). */
  onDetection(d: Detection): void {
    const warmup = this.options.detectionWarmup ?? 500;
    let s = this.detections.get(d.node_id);
    if (s === undefined) {
      s = { recent: [], model: undefined, sinceTraining: 0 };
      this.detections.set(d.node_id, s);
    }
    const det: DetectionLike = {
      startMs: Date.parse(d.start_time),
      endMs: Date.parse(d.end_time),
      freqLowHz: d.freq_low_hz,
      freqHighHz: d.freq_high_hz,
      snrDb: d.snr_db,
      powerDbfs: d.power_dbfs,
      class: d.class,
    };
    if (s.model !== undefined) {
      const { raw, score } = scoreDetection(s.model, det);
      if (score >= (this.options.detectionScore ?? 0.999)) {
        const name = this.options.nodeName?.(d.node_id) ?? d.node_id;
        const hour = String(new Date(det.startMs).getUTCHours()).padStart(2, '0');
        const bw = det.freqHighHz - det.freqLowHz;
        this.insert(d.node_id, {
          node_id: d.node_id,
          node_ids: [d.node_id],
          time: d.start_time,
          end_time: d.end_time,
          freq_low_hz: det.freqLowHz,
          freq_high_hz: det.freqHighHz,
          kind: 'new_emitter',
          score,
          severity: score >= 0.9999 ? 'high' : 'medium',
          explanation:
            `new emitter at ${formatMhz((det.freqLowHz + det.freqHighHz) / 2)}: a ${d.class} signal ` +
            `${(bw / 1000).toFixed(1)} kHz wide at ${Math.round(det.snrDb)} dB SNR at ${hour}:00 UTC, ` +
            `unlike the ${s.model.trainedOn} signals ${name} usually detects`,
          details: {
            model: 'isolation-forest',
            isolation_score: Math.round(raw * 1000) / 1000,
            detection_id: d.id,
          },
        });
      }
    }
    s.recent.push(det);
    if (s.recent.length > 20 * warmup) s.recent.splice(0, s.recent.length - 20 * warmup);
    s.sinceTraining++;
    if ((s.model === undefined && s.recent.length >= warmup) || s.sinceTraining >= 10 * warmup) {
      s.model = trainDetectionModel(s.recent);
      s.sinceTraining = 0;
    }
  }

  /** Unsubscribes, closes open events and waits for the last inserts. */
  async stop(): Promise<void> {
    await this.subscription?.unsubscribe();
    await this.detectionSubscription?.unsubscribe();
    this.subscription = undefined;
    this.detectionSubscription = undefined;
    for (const [nodeId, s] of this.nodes) {
      const p = s.pending;
      s.pending = undefined;
      if (p !== undefined) this.process(nodeId, s, p);
      if (s.monitor !== undefined) this.store(nodeId, s.monitor.flush());
    }
    await this.queue;
  }

  /**
   * Monitors the node with `m` from its next frame on (a model from the registry: on start, or
   * activated by an operator). Learning goes on towards the next retraining. A model the registry
   * holds in a format this server no longer reads is reported and the node keeps what it has.
   */
  useModel(m: Pick<StoredAnomalyModel, 'id' | 'node_id' | 'plan_key' | 'model'>): void {
    let model: AnomalyModel;
    try {
      model = parseModel(m.model, `anomaly model ${m.id}`);
    } catch (e) {
      this.options.onError?.(e, m.node_id);
      return;
    }
    const s = this.stateOf(m.node_id);
    if (s.monitor !== undefined) this.store(m.node_id, s.monitor.flush());
    if (s.key !== m.plan_key) {
      // learned on another plan than the frames seen so far: what was being learned does not apply
      s.trainer = this.newTrainer(m.node_id);
      s.trainStartMs = undefined;
    }
    s.key = m.plan_key;
    s.model = model;
    s.monitor = new AnomalyMonitor(model, { adapt: true, source: `node ${m.node_id}` });
  }

  private stateOf(nodeId: string): NodeState {
    let s = this.nodes.get(nodeId);
    if (s === undefined) {
      s = {
        pending: undefined,
        trainer: this.newTrainer(nodeId),
        trainStartMs: undefined,
        monitor: undefined,
        model: undefined,
        key: undefined,
      };
      this.nodes.set(nodeId, s);
    }
    return s;
  }

  /** The model a node is being monitored with, if it has one yet. */
  modelOf(nodeId: string): AnomalyModel | undefined {
    return this.nodes.get(nodeId)?.model;
  }

  /**
   * Takes one frame (the bus handler's work). Scoring is synchronous; inserts are queued. True when
   * the frame closed the node's average and it was learned from and scored.
   */
  onFrame(f: SpectrumFrame): boolean {
    const timeMs = Number(f.captureTimeNs / 1_000_000n);
    const s = this.stateOf(f.nodeId);
    const key = planKey(f);
    const p = s.pending;
    let processed = false;
    if (p !== undefined && (p.key !== key || timeMs >= p.startMs + this.interval || timeMs < p.startMs)) {
      s.pending = undefined;
      this.process(f.nodeId, s, p);
      processed = true;
    }
    if (s.pending === undefined) {
      const binHz = f.sampleRateHz / f.fftSize;
      s.pending = {
        startMs: timeMs,
        key,
        startHz: f.centerHz - (f.fftSize / 2) * binHz,
        binHz,
        sum: new Float64Array(f.bins.length),
        frames: 0,
        slot: -1,
      };
    }
    const acc = s.pending;
    const slot = Math.floor(timeMs / this.slotMs);
    if (slot === acc.slot) return processed; // this slot of capture time has its frame
    acc.slot = slot;
    // linear power of code k is 10^(ref/10) * 10^(k step/10): one table per step size, no pow per bin
    const scale = 10 ** (f.refDb / 10);
    // one loop per code width: each stays monomorphic (this runs for every frame of every node)
    if (f.bins instanceof Uint8Array) addPower8(acc.sum, f.bins, this.powerTable(f.stepDb, 256), scale);
    else addPower16(acc.sum, f.bins, this.powerTable(f.stepDb, 65536), scale);
    acc.frames++;
    return processed;
  }

  private readonly tables = new Map<string, Float64Array>();

  private powerTable(stepDb: number, codes: number): Float64Array {
    const key = `${stepDb}:${codes}`;
    let t = this.tables.get(key);
    if (t === undefined) {
      t = new Float64Array(codes);
      for (let k = 0; k < codes; k++) t[k] = 10 ** ((k * stepDb) / 10);
      this.tables.set(key, t);
    }
    return t;
  }

  private newTrainer(nodeId: string): ModelTrainer {
    return new ModelTrainer({ node: this.options.nodeName?.(nodeId) ?? nodeId, source: `node ${nodeId}` });
  }

  /** One averaged frame: learn, or score (and learn the next model alongside). */
  private process(nodeId: string, s: NodeState, p: Pending): void {
    const db = new Float32Array(p.sum.length);
    for (let i = 0; i < db.length; i++) db[i] = 10 * Math.log10((p.sum[i] as number) / p.frames);
    const frame = { timeMs: p.startMs, startHz: p.startHz, binHz: p.binHz, db };
    try {
      if (s.key !== undefined && s.key !== p.key) {
        // retuned: what was learned does not apply to the new plan
        if (s.monitor !== undefined) this.store(nodeId, s.monitor.flush());
        s.monitor = undefined;
        s.model = undefined;
        s.trainer = this.newTrainer(nodeId);
        s.trainStartMs = undefined;
      }
      s.key = p.key;
      s.trainStartMs ??= p.startMs;
      s.trainer.push(frame);
      if (s.monitor !== undefined) this.store(nodeId, s.monitor.push(frame));
      if (p.startMs - s.trainStartMs >= (s.model === undefined ? this.warmup : this.retrain)) {
        const model = s.trainer.finish();
        if (s.monitor !== undefined) this.store(nodeId, s.monitor.flush());
        s.model = model;
        s.monitor = new AnomalyMonitor(model, { adapt: true, source: `node ${nodeId}` });
        s.trainer = this.newTrainer(nodeId);
        s.trainStartMs = undefined;
        this.saveModel(nodeId, p.key, model);
      }
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      // frames out of order or too few to learn: start this node over rather than stop the service
      this.options.onError?.(e, nodeId);
      s.trainer = this.newTrainer(nodeId);
      s.trainStartMs = undefined;
      s.monitor = undefined;
      s.model = undefined;
      s.key = undefined;
    }
  }

  private store(nodeId: string, events: readonly AnomalyEvent[]): void {
    for (const e of events) {
      const row: NewAnomaly = {
        node_id: nodeId,
        node_ids: [nodeId],
        time: new Date(e.startMs),
        end_time: new Date(e.endMs),
        freq_low_hz: e.freqLowHz,
        freq_high_hz: e.freqHighHz,
        kind: e.kind,
        score: e.score,
        severity: e.severity,
        explanation: e.explanation,
        details: { ...e.details, model: this.nodes.get(nodeId)?.model?.id ?? null },
      };
      this.insert(nodeId, row);
    }
  }

  /** Queues saving a trained model as the node's new active version (automatic: no creator). */
  private saveModel(nodeId: string, planKey: string, model: AnomalyModel): void {
    const store = this.options.models;
    if (store === undefined) return;
    const row: NewAnomalyModel = {
      nodeId,
      formatVersion: MODEL_FORMAT_VERSION,
      model: serializeModel(model),
      planKey,
      trainingFrom: new Date(model.training.startMs),
      trainingTo: new Date(model.training.endMs),
      metrics: { ...model.metrics, frames: model.training.frames },
      createdBy: null,
    };
    this.queue = this.queue
      .then(() => store.save(row))
      .then(
        () => undefined,
        (err: unknown) => this.options.onError?.(err, nodeId),
      );
  }

  /** Queues an insert (in order; a failure is reported and does not stop the next). */
  private insert(nodeId: string, row: NewAnomaly): void {
    this.queue = this.queue
      .then(() => this.insertOrMerge(nodeId, row))
      .then(
        () => undefined,
        (err: unknown) => this.options.onError?.(err, nodeId),
      );
  }

  /**
   * Stores `row`, or merges it into a recently stored event of another node: same kind, bands
   * overlapping (or both band-wide), times overlapping within one frame period.
   */
  private async insertOrMerge(nodeId: string, row: NewAnomaly): Promise<void> {
    const startMs = new Date(row.time).getTime();
    const endMs = row.end_time === null ? startMs : new Date(row.end_time).getTime();
    const slack = this.interval;
    const same = this.recent.find(
      (r) =>
        r.kind === row.kind &&
        !r.nodeIds.has(nodeId) &&
        startMs <= r.endMs + slack &&
        r.startMs <= endMs + slack &&
        (r.lowHz === null || r.highHz === null || row.freq_low_hz === null || row.freq_high_hz === null
          ? r.lowHz === row.freq_low_hz && r.highHz === row.freq_high_hz
          : row.freq_low_hz <= r.highHz && r.lowHz <= row.freq_high_hz),
    );
    if (same === undefined) {
      const { id } = await this.anomalies.insert(row);
      this.recent.push({
        id,
        nodeIds: new Set([nodeId, ...row.node_ids]),
        kind: row.kind,
        startMs,
        endMs,
        lowHz: row.freq_low_hz,
        highHz: row.freq_high_hz,
        explanation: row.explanation,
      });
      if (this.recent.length > RECENT_EVENTS) this.recent.splice(0, this.recent.length - RECENT_EVENTS);
      return;
    }
    const name = this.options.nodeName?.(nodeId) ?? nodeId;
    const explanation = `${same.explanation}; also seen at ${name}`;
    await this.anomalies.merge(same.id, { ...row, explanation });
    same.nodeIds.add(nodeId);
    same.startMs = Math.min(same.startMs, startMs);
    same.endMs = Math.max(same.endMs, endMs);
    if (same.lowHz !== null && row.freq_low_hz !== null) same.lowHz = Math.min(same.lowHz, row.freq_low_hz);
    if (same.highHz !== null && row.freq_high_hz !== null)
      same.highHz = Math.max(same.highHz, row.freq_high_hz);
    same.explanation = explanation;
  }
}
