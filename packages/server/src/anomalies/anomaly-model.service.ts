/**
 * The anomaly model registry for operators: list a node's versions (training window, metrics,
 * which is active) and activate one, which is how a bad retraining is rolled back. Activation is
 * audit-logged and handed at once to the listeners (the anomaly engine of this server), so the
 * node is monitored with the chosen version from its next frame on.
 */
import type { AnomalyModelVersion } from '@heimdall/protocol';
import type { Principal } from '../auth/principal.ts';
import type { Database } from '../database/database.ts';
import { forbidden, notFound } from '../errors.ts';
import { AnomalyModelRepository, type StoredAnomalyModel } from '../repositories/anomaly-model.repository.ts';
import { AuditLogRepository } from '../repositories/audit-log.repository.ts';

export type ModelActivatedListener = (model: StoredAnomalyModel) => void;

export class AnomalyModelService {
  readonly repository: AnomalyModelRepository;
  private readonly listeners = new Set<ModelActivatedListener>();

  constructor(private readonly db: Database) {
    this.repository = new AnomalyModelRepository(db);
  }

  list(nodeId: string | undefined): Promise<AnomalyModelVersion[]> {
    return this.repository.list(nodeId);
  }

  /** Calls `listener` with every version an operator activates; returns the unsubscribe. */
  onActivated(listener: ModelActivatedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async activate(by: Principal | undefined, id: string): Promise<AnomalyModelVersion> {
    if (by?.kind !== 'user') throw forbidden('only a user may activate an anomaly model');
    const m = await this.repository.activate(id);
    if (m === undefined) throw notFound('anomaly model');
    await new AuditLogRepository(this.db).addBy(by, {
      action: 'anomaly_model.activate',
      target: id,
      details: { node_id: m.node_id, version: m.version },
    });
    for (const l of this.listeners) l(m);
    const { model: _model, ...version } = m;
    return version;
  }
}
