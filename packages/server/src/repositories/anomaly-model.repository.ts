/**
 * The anomaly model registry: every trained model of a node is a new version (1, 2, 3, ... per
 * node) with its training window and metrics; exactly one version per node is active. Saving a
 * version makes it active; activating an older one is the rollback.
 */
import { randomUUID } from 'node:crypto';
import type { AnomalyModelVersion } from '@heimdall/protocol';
import type { Database, Row } from '../database/database.ts';
import { isoColumn } from '../database/sql-time.ts';

/** One model to store: the model-file serialization plus what the registry lists about it. */
export interface NewAnomalyModel {
  readonly nodeId: string;
  readonly formatVersion: number;
  /** The model-file text (@heimdall/intel `serializeModel`). */
  readonly model: string;
  /** The frequency plan the model was learned on (the monitor's plan key). */
  readonly planKey: string;
  readonly trainingFrom: Date;
  readonly trainingTo: Date;
  readonly metrics: Readonly<Record<string, unknown>>;
  /** The user who made it; null when the engine trained it on its own. */
  readonly createdBy: string | null;
}

/** A version with its model text, to load into the engine. */
export interface StoredAnomalyModel extends AnomalyModelVersion {
  readonly model: string;
}

const COLUMNS = `id::text AS id, node_id::text AS node_id, version, format_version, plan_key,
  ${isoColumn('training_from')} AS training_from, ${isoColumn('training_to')} AS training_to, metrics, active,
  ${isoColumn('created_at')} AS created_at, created_by::text AS created_by`;

function toVersion(r: Row): AnomalyModelVersion {
  return {
    id: String(r['id']),
    node_id: String(r['node_id']),
    version: Number(r['version']),
    format_version: Number(r['format_version']),
    plan_key: String(r['plan_key']),
    training_from: String(r['training_from']),
    training_to: String(r['training_to']),
    metrics: (r['metrics'] ?? {}) as Record<string, unknown>,
    active: r['active'] === true,
    created_at: String(r['created_at']),
    created_by: r['created_by'] === null || r['created_by'] === undefined ? null : String(r['created_by']),
  };
}

function toStored(r: Row): StoredAnomalyModel {
  const bytes = r['model'] as Uint8Array;
  return { ...toVersion(r), model: new TextDecoder().decode(bytes) };
}

export class AnomalyModelRepository {
  constructor(private readonly db: Database) {}

  /** Stores `m` as the node's next version and makes it the active one. */
  async save(m: NewAnomalyModel): Promise<AnomalyModelVersion> {
    return this.db.transaction(async (tx) => {
      // serialize versioning per node: the row lock on the node makes concurrent saves queue
      await tx.query('SELECT id FROM nodes WHERE id = $1::uuid FOR UPDATE', [m.nodeId]);
      await tx.query('UPDATE anomaly_models SET active = false WHERE node_id = $1::uuid AND active', [
        m.nodeId,
      ]);
      const { rows } = await tx.query(
        `INSERT INTO anomaly_models (id, node_id, version, format_version, model, plan_key, training_from,
                                     training_to, metrics, active, created_by)
         VALUES ($1::uuid, $2::uuid,
                 (SELECT COALESCE(MAX(version), 0) + 1 FROM anomaly_models WHERE node_id = $2::uuid),
                 $3, $4, $5, $6::timestamptz, $7::timestamptz, $8::jsonb, true, $9::uuid)
         RETURNING ${COLUMNS}`,
        [
          randomUUID(),
          m.nodeId,
          m.formatVersion,
          new TextEncoder().encode(m.model),
          m.planKey,
          m.trainingFrom,
          m.trainingTo,
          JSON.stringify(m.metrics),
          m.createdBy,
        ],
      );
      return toVersion(rows[0] as Row);
    });
  }

  /** A node's versions, newest first (every node's when `nodeId` is undefined). */
  async list(nodeId: string | undefined): Promise<AnomalyModelVersion[]> {
    const { rows } = await this.db.query(
      `SELECT ${COLUMNS} FROM anomaly_models ${nodeId === undefined ? '' : 'WHERE node_id = $1::uuid'}
       ORDER BY node_id, version DESC`,
      nodeId === undefined ? [] : [nodeId],
    );
    return rows.map(toVersion);
  }

  /** Every node's active model, to resume monitoring after a restart. */
  async active(): Promise<StoredAnomalyModel[]> {
    const { rows } = await this.db.query(`SELECT ${COLUMNS}, model FROM anomaly_models WHERE active`);
    return rows.map(toStored);
  }

  /**
   * Makes version `id` its node's active one (the others of that node inactive). Returns it with
   * its model, or undefined when there is no such version.
   */
  async activate(id: string): Promise<StoredAnomalyModel | undefined> {
    return this.db.transaction(async (tx) => {
      const { rows: found } = await tx.query(
        'SELECT node_id::text AS node_id FROM anomaly_models WHERE id = $1::uuid',
        [id],
      );
      const nodeId = found[0]?.['node_id'];
      if (nodeId === undefined) return undefined;
      await tx.query('SELECT id FROM nodes WHERE id = $1::uuid FOR UPDATE', [String(nodeId)]);
      await tx.query(
        'UPDATE anomaly_models SET active = false WHERE node_id = $1::uuid AND active AND id <> $2::uuid',
        [String(nodeId), id],
      );
      const { rows } = await tx.query(
        `UPDATE anomaly_models SET active = true WHERE id = $1::uuid RETURNING ${COLUMNS}, model`,
        [id],
      );
      return rows[0] === undefined ? undefined : toStored(rows[0]);
    });
  }
}
