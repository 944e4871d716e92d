/**
 * Jobs: operators create and cancel them, nodes poll their queue and report progress. Every change
 * is published (`job.created`, `job.updated`) after it is stored; operator changes are audit-logged.
 */
import type {
  Job,
  JobInput,
  JobKind,
  JobQuery,
  JobStatus,
  JobStatusUpdate,
  NodeJobQuery,
  Page,
} from '@heimdall/protocol';
import { ensureOwnNode } from '../auth/own-node.ts';
import type { Principal } from '../auth/principal.ts';
import type { Bus } from '../bus/bus.ts';
import type { Clock } from '../clock.ts';
import type { Database, Queryable } from '../database/database.ts';
import { ApiError, forbidden, notFound } from '../errors.ts';
import { AuditLogRepository } from '../repositories/audit-log.repository.ts';
import { JobRepository } from '../repositories/job.repository.ts';

/** The states a job may move to a state from. */
const FROM: Readonly<Record<'running' | 'succeeded' | 'failed' | 'cancelled', readonly JobStatus[]>> = {
  running: ['queued', 'assigned', 'running'],
  succeeded: ['queued', 'assigned', 'running'],
  failed: ['queued', 'assigned', 'running'],
  cancelled: ['queued', 'assigned', 'running'],
};

/** Called after a job reached a final state (the localization service finishes on it). */
export type JobFinishedListener = (job: Job) => Promise<void>;

export class JobService {
  private readonly finishedListeners: JobFinishedListener[] = [];

  constructor(
    private readonly db: Database,
    private readonly bus: Pick<Bus, 'publish'>,
    private readonly clock: Clock,
  ) {}

  onFinished(listener: JobFinishedListener): void {
    this.finishedListeners.push(listener);
  }

  private async nodeExists(q: Queryable, nodeId: string): Promise<boolean> {
    const { rows } = await q.query('SELECT 1 FROM nodes WHERE id = $1::uuid', [nodeId]);
    return rows.length > 0;
  }

  /** Stores a job (inside `tx` when given: the caller publishes with {@link published} after its commit). */
  async insert(
    q: Queryable,
    kind: JobKind,
    nodeId: string,
    params: Readonly<Record<string, unknown>>,
    by: Principal | undefined,
  ): Promise<Job> {
    if (!(await this.nodeExists(q, nodeId))) throw notFound('node', 'node_id');
    return new JobRepository(q).create({
      kind,
      nodeId,
      params,
      createdBy: by?.kind === 'user' ? by.userId : null,
      at: new Date(this.clock.now()),
    });
  }

  /** Announces a stored job (`job.created`). */
  async published(job: Job): Promise<Job> {
    await this.bus.publish('job.created', job, { id: `job:${job.id}:created` });
    return job;
  }

  async create(by: Principal | undefined, input: JobInput): Promise<Job> {
    const job = await this.insert(this.db, input.kind, input.node_id, input.params, by);
    await this.audit(by, 'job.create', job.id, { kind: job.kind, node_id: job.node_id });
    return this.published(job);
  }

  list(query: JobQuery): Promise<Page<Job>> {
    return new JobRepository(this.db).list(query);
  }

  async get(id: string): Promise<Job> {
    const j = await new JobRepository(this.db).get(id);
    if (j === undefined) throw notFound('job');
    return j;
  }

  async forNode(by: Principal | undefined, nodeId: string, query: NodeJobQuery): Promise<Page<Job>> {
    ensureOwnNode(by, nodeId, 'list the jobs of a node');
    if (!(await this.nodeExists(this.db, nodeId))) throw notFound('node');
    const items = await new JobRepository(this.db).listForNode(nodeId, query.status, query.limit);
    return { items, next_cursor: null };
  }

  async cancel(by: Principal | undefined, id: string): Promise<Job> {
    const job = await this.move(id, 'cancelled', {});
    await this.audit(by, 'job.cancel', id, { kind: job.kind, node_id: job.node_id });
    return job;
  }

  /** A node's report on its own job. */
  async report(by: Principal | undefined, id: string, update: JobStatusUpdate): Promise<Job> {
    const job = await new JobRepository(this.db).get(id);
    if (job === undefined) throw notFound('job');
    if (by?.kind !== 'node' || job.node_id !== by.nodeId)
      throw forbidden('a node may report only on its own jobs');
    return this.move(id, update.status, { result: update.result, error: update.error });
  }

  /**
   * Moves a job to `status` when its current state allows it; a job that has finished (or was
   * cancelled) refuses with 409 so the node learns to stop.
   */
  async move(
    id: string,
    status: 'running' | 'succeeded' | 'failed' | 'cancelled',
    extra: { result?: Readonly<Record<string, unknown>> | undefined; error?: string | undefined },
  ): Promise<Job> {
    const repo = new JobRepository(this.db);
    const moved = await repo.transition(id, FROM[status], {
      status,
      result: extra.result,
      error: extra.error,
      at: new Date(this.clock.now()),
    });
    if (moved === undefined) {
      const now = await repo.get(id);
      if (now === undefined) throw notFound('job');
      throw new ApiError('conflict', `the job is ${now.status} and cannot become ${status}`, {
        field: 'status',
        fix:
          now.status === 'cancelled'
            ? 'the job was cancelled: stop working on it'
            : 'a finished job does not change; create a new job to run it again',
      });
    }
    await this.bus.publish('job.updated', moved, { id: `job:${moved.id}:${moved.status}` });
    if (moved.status !== 'running') for (const l of this.finishedListeners) await l(moved);
    return moved;
  }

  private async audit(
    by: Principal | undefined,
    action: string,
    target: string,
    details: Record<string, unknown>,
  ): Promise<void> {
    await new AuditLogRepository(this.db).addBy(by, {
      action,
      target,
      details,
    });
  }
}
