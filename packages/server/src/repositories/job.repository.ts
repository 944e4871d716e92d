/** Jobs for nodes: created by operators (or the server), listed with filters, moved through their states. */
import { randomUUID } from 'node:crypto';
import type { Job, JobKind, JobQuery, JobStatus, Page } from '@heimdall/protocol';
import type { Queryable, Row } from '../database/database.ts';
import { isoColumn } from '../database/sql-time.ts';
import { newestFirstPage } from './newest-first.ts';

export interface NewJob {
  readonly id?: string;
  readonly kind: JobKind;
  readonly nodeId: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly createdBy: string | null;
  readonly at: Date;
}

export interface JobChange {
  readonly status: JobStatus;
  readonly result?: Readonly<Record<string, unknown>> | undefined;
  readonly error?: string | undefined;
  readonly at: Date;
}

const COLUMNS = `id::text AS id, kind, status, node_id::text AS node_id, params, result, error, created_by::text AS created_by,
  ${isoColumn('created_at')} AS created_iso, ${isoColumn('updated_at')} AS updated_iso,
  ${isoColumn('started_at')} AS started_iso, ${isoColumn('finished_at')} AS finished_iso`;

const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

function toJob(r: Row): Job {
  return {
    id: String(r['id']),
    kind: String(r['kind']) as JobKind,
    status: String(r['status']) as JobStatus,
    node_id: text(r['node_id']),
    params: (r['params'] ?? {}) as Record<string, unknown>,
    result: (r['result'] ?? null) as Record<string, unknown> | null,
    error: text(r['error']),
    created_by: text(r['created_by']),
    created_at: String(r['created_iso']),
    updated_at: String(r['updated_iso']),
    started_at: text(r['started_iso']),
    finished_at: text(r['finished_iso']),
  };
}

export class JobRepository {
  constructor(private readonly db: Queryable) {}

  async create(j: NewJob): Promise<Job> {
    const { rows } = await this.db.query(
      `INSERT INTO jobs (id, kind, status, node_id, params, created_by, created_at, updated_at)
       VALUES ($1::uuid, $2, 'queued', $3::uuid, $4::jsonb, $5::uuid, $6::timestamptz, $6::timestamptz)
       RETURNING ${COLUMNS}`,
      [j.id ?? randomUUID(), j.kind, j.nodeId, JSON.stringify(j.params), j.createdBy, j.at],
    );
    return toJob(rows[0] as Row);
  }

  async get(id: string): Promise<Job | undefined> {
    const { rows } = await this.db.query(`SELECT ${COLUMNS} FROM jobs WHERE id = $1::uuid`, [id]);
    return rows[0] === undefined ? undefined : toJob(rows[0]);
  }

  async getMany(ids: readonly string[]): Promise<Job[]> {
    const { rows } = await this.db.query(`SELECT ${COLUMNS} FROM jobs WHERE id = ANY($1::uuid[])`, [
      [...ids],
    ]);
    return rows.map(toJob);
  }

  /** Jobs matching every filter, newest first; pages continue after the cursor's (created_at, id). */
  async list(query: JobQuery): Promise<Page<Job>> {
    return newestFirstPage(this.db, {
      columns: COLUMNS,
      from: 'jobs',
      query,
      filters: (p) => [
        ...(query.status === undefined ? [] : [`status = ANY(${p(query.status)}::text[])`]),
        ...(query.kind === undefined ? [] : [`kind = ANY(${p(query.kind)}::text[])`]),
        ...(query.node_id === undefined ? [] : [`node_id = ANY(${p(query.node_id)}::uuid[])`]),
      ],
      toItem: toJob,
    });
  }

  /** One node's jobs, oldest first (the order to work them in). */
  async listForNode(
    nodeId: string,
    statuses: readonly JobStatus[] | undefined,
    limit: number,
  ): Promise<Job[]> {
    const { rows } = await this.db.query(
      `SELECT ${COLUMNS} FROM jobs WHERE node_id = $1::uuid ${statuses === undefined ? '' : 'AND status = ANY($3::text[])'}
       ORDER BY created_at, id LIMIT $2`,
      statuses === undefined ? [nodeId, limit] : [nodeId, limit, [...statuses]],
    );
    return rows.map(toJob);
  }

  /**
   * Moves a job to `change.status` if it is in one of `from` now (checked in the same statement,
   * so two servers cannot both move it). Returns the job after the change, or undefined when it
   * was not in one of `from` (or does not exist).
   */
  async transition(id: string, from: readonly JobStatus[], change: JobChange): Promise<Job | undefined> {
    const final =
      change.status === 'succeeded' || change.status === 'failed' || change.status === 'cancelled';
    const { rows } = await this.db.query(
      `UPDATE jobs SET status = $3, updated_at = $4::timestamptz,
         result = COALESCE($5::jsonb, result), error = COALESCE($6, error),
         started_at = CASE WHEN $3 = 'running' THEN COALESCE(started_at, $4::timestamptz) ELSE started_at END,
         finished_at = CASE WHEN $7::boolean THEN $4::timestamptz ELSE finished_at END
       WHERE id = $1::uuid AND status = ANY($2::text[])
       RETURNING ${COLUMNS}`,
      [
        id,
        [...from],
        change.status,
        change.at,
        change.result === undefined ? null : JSON.stringify(change.result),
        change.error ?? null,
        final,
      ],
    );
    return rows[0] === undefined ? undefined : toJob(rows[0]);
  }
}
