/**
 * Scheduled retraining from stored history. The live engine learns from the frames it sees, so
 * after a restart or a switch of servers it only knows the time since; this service instead
 * retrains a node's model from its stored spectrum tiles: every `periodMs` (default 7 days), each
 * node whose active model was trained on data that ended at least `periodMs` ago gets a new model
 * from the last `periodMs` of its history, saved as the next version (active, created by nobody)
 * and handed to the engine at once.
 *
 * It reads one coarse zoom (default 3: one row per 64 frames, about the engine's 10 s frame at
 * 10 frames/s), the rows' mean plane in dB: a week of a 4096-bin band is about 100 k rows to
 * decode instead of 6 M frames. The mean is of dB values (the engine averages linear power), which
 * reads a little lower on noise; the model compares like with like from then on.
 */
import { ModelTrainer, MODEL_FORMAT_VERSION, serializeModel, type PsdFrame } from '@heimdall/intel';
import type { Clock } from '../clock.ts';
import type { Database } from '../database/database.ts';
import type { AnomalyModelRepository, StoredAnomalyModel } from '../repositories/anomaly-model.repository.ts';
import { SpectrumTileRepository } from '../repositories/spectrum-tile.repository.ts';
import { inflateTile, type SpectrumTileStore } from '../spectrum/spectrum-tiles.ts';

export interface HistoryRetrainOptions {
  /** Retrain a node when its model's data is this old, from this much history (default 7 days). */
  readonly periodMs?: number;
  /** Tile zoom read (default 3). */
  readonly zoom?: number;
  /** Names a node in explanations (default: its id). */
  readonly nodeName?: (nodeId: string) => string | undefined;
  /** Called when retraining a node fails (too little history, a database error); the others go on. */
  readonly onError?: (error: unknown, nodeId: string) => void;
}

const DAY_MS = 86_400_000;

export class AnomalyHistoryRetrainer {
  private readonly periodMs: number;
  private readonly zoom: number;
  private timer: ReturnType<typeof setInterval> | undefined;
  private running: Promise<unknown> = Promise.resolve();
  /** When each node was last tried: a node whose history is too short waits a period, not an hour. */
  private readonly tried = new Map<string, number>();

  /**
   * @param apply hands a new active model to the engine (`AnomalyMonitorService.useModel`).
   */
  constructor(
    private readonly db: Database,
    private readonly tiles: Pick<SpectrumTileStore, 'query'>,
    private readonly models: Pick<AnomalyModelRepository, 'active' | 'save'>,
    private readonly apply: (m: StoredAnomalyModel) => void,
    private readonly clock: Clock,
    private readonly options: HistoryRetrainOptions = {},
  ) {
    this.periodMs = options.periodMs ?? 7 * DAY_MS;
    this.zoom = options.zoom ?? 3;
  }

  /** Checks for due nodes now and then hourly (or every period, when shorter). */
  start(): void {
    const check = () => {
      this.running = this.running.then(() => this.runDue()).catch(() => undefined);
    };
    check();
    this.timer = setInterval(check, Math.min(3_600_000, this.periodMs));
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Retrains every node whose active model is due; returns the new versions. */
  async runDue(): Promise<StoredAnomalyModel[]> {
    const now = this.clock.now();
    const out: StoredAnomalyModel[] = [];
    for (const m of await this.models.active()) {
      if (Date.parse(m.training_to) > now - this.periodMs) continue;
      if ((this.tried.get(m.node_id) ?? -Infinity) > now - this.periodMs) continue;
      this.tried.set(m.node_id, now);
      try {
        const next = await this.retrain(m.node_id, m.plan_key, now - this.periodMs, now);
        if (next !== undefined) out.push(next);
      } catch (e) {
        this.options.onError?.(e, m.node_id);
      }
    }
    return out;
  }

  /**
   * Trains a node's model on its stored history of plan `planKey` (`centre:rate:fft`) between
   * `fromMs` and `toMs`, saves it as the active version and applies it. Undefined when the node
   * has no stored band of that plan. Throws the trainer's UserError when the history is too short.
   */
  async retrain(
    nodeId: string,
    planKey: string,
    fromMs: number,
    toMs: number,
  ): Promise<StoredAnomalyModel | undefined> {
    const bands = await new SpectrumTileRepository(this.db).listBands(nodeId);
    const band = bands.find((b) => `${b.centerHz}:${b.sampleRateHz}:${b.fftSize}` === planKey);
    if (band === undefined) return undefined;
    const name = this.options.nodeName?.(nodeId) ?? nodeId;
    const trainer = new ModelTrainer({ node: name, source: `stored history of node ${nodeId}` });
    const binHz = band.sampleRateHz / band.fftSize;
    const startHz = band.centerHz - (band.fftSize / 2) * binHz;
    const results = await this.tiles.query({
      bandId: band.id,
      fromNs: BigInt(fromMs) * 1_000_000n,
      toNs: BigInt(toMs) * 1_000_000n,
      zoom: this.zoom,
    });
    let lastMs = -Infinity;
    for (const r of results) {
      const tile = await inflateTile(r.data);
      const plane = tile.planes[tile.planes.length - 1];
      if (plane === undefined) continue;
      for (let row = 0; row < tile.rows; row++) {
        const timeMs = Number((tile.rowTimesNs[row] as bigint) / 1_000_000n);
        // tiles may overlap at their edges (a rolled-up stretch next to a stored one)
        if (timeMs <= lastMs || timeMs < fromMs || timeMs > toMs) continue;
        lastMs = timeMs;
        const ref = tile.rowRefDb[row] as number;
        const db = new Float32Array(tile.bins);
        for (let i = 0; i < tile.bins; i++)
          db[i] = ref + (plane[row * tile.bins + i] as number) * tile.stepDb;
        const frame: PsdFrame = { timeMs, startHz, binHz, db };
        trainer.push(frame);
      }
    }
    const model = trainer.finish();
    const text = serializeModel(model);
    const saved = await this.models.save({
      nodeId,
      formatVersion: MODEL_FORMAT_VERSION,
      model: text,
      planKey,
      trainingFrom: new Date(model.training.startMs),
      trainingTo: new Date(model.training.endMs),
      metrics: { ...model.metrics, frames: model.training.frames, source: `history zoom ${this.zoom}` },
      createdBy: null,
    });
    const stored: StoredAnomalyModel = { ...saved, model: text };
    this.apply(stored);
    return stored;
  }
}
