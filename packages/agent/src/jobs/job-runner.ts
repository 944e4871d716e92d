/**
 * The agent's job runner: polls the node's queued jobs (`GET /api/v1/nodes/:id/jobs?status=queued`,
 * every 2 s by default), marks each one `running`, works on it in the background (several jobs may
 * wait for their moment at once; the edge serializes their use of the receiver) and reports
 * `failed` with a sentence saying why when it cannot be done. A server without the jobs API (404)
 * is polled on, quietly, so an agent can run against an older server. Kinds this agent does not run
 * fail at once, saying so, rather than waiting in the queue for ever.
 */
import { setMaxListeners } from 'node:events';
import { OperationalError, UserError } from '@heimdall/errors';
import type { Job, JobKind } from '@heimdall/protocol';
import { silentAgentLogger, type AgentLogger } from '../agent-logger.ts';
import type { Edge } from '../edge.contract.ts';
import { systemEdgeClock, type EdgeClock } from '../edge/edge-clock.ts';
import type { JobApi } from './job-api.ts';
import { runLocalizationCapture, type CaptureJobContext } from './localization-capture.job.ts';

export interface JobRunnerOptions {
  readonly api: JobApi;
  /** Where snippets come from (the agent's edge). */
  readonly edge: Pick<Edge, 'captureSnippet'>;
  readonly logger?: AgentLogger;
  readonly clock?: EdgeClock;
  /** Poll period, ms (default 2000): the shortest lead a capture time may have. */
  readonly pollIntervalMs?: number;
}

export interface JobRunnerStatus {
  readonly running: number;
  readonly succeeded: number;
  readonly failed: number;
}

/** Works on one job; resolves with what to log, throws a UserError/OperationalError saying why not. */
type JobHandler = (job: Job, ctx: CaptureJobContext, signal: AbortSignal) => Promise<unknown>;

const HANDLERS: Partial<Record<JobKind, JobHandler>> = {
  'localization-capture': runLocalizationCapture,
};

/** One line for the server's `error` field and the log: what, where, and the fix. */
export function describeJobError(e: unknown): string {
  if (e instanceof UserError) return e.describe();
  if (e instanceof Error) return e.message;
  return String(e);
}

export class JobRunner {
  private readonly logger: AgentLogger;
  private readonly clock: EdgeClock;
  private readonly pollMs: number;
  /**
   * Jobs taken while the server may still list them as queued (until it has our `running`), so
   * none starts twice; forgotten once the server no longer lists them.
   */
  private readonly taken = new Set<string>();
  private readonly active = new Map<string, Promise<void>>();
  private succeeded = 0;
  private failed = 0;

  constructor(private readonly opts: JobRunnerOptions) {
    this.logger = opts.logger ?? silentAgentLogger;
    this.clock = opts.clock ?? systemEdgeClock;
    this.pollMs = opts.pollIntervalMs ?? 2000;
  }

  status(): JobRunnerStatus {
    return { running: this.active.size, succeeded: this.succeeded, failed: this.failed };
  }

  /** Polls until `signal` aborts, then waits for the jobs in progress (they see the abort). */
  async run(outer: AbortSignal): Promise<void> {
    // every waiting job listens for the stop: one signal of our own, with room for many of them
    const stop = new AbortController();
    const signal = stop.signal;
    setMaxListeners(0, signal);
    const onStop = (): void => stop.abort();
    outer.addEventListener('abort', onStop, { once: true });
    if (outer.aborted) stop.abort();
    try {
      await this.poll(signal);
    } finally {
      outer.removeEventListener('abort', onStop);
    }
  }

  private async poll(signal: AbortSignal): Promise<void> {
    let quiet: 'no-api' | 'unreachable' | undefined;
    while (!signal.aborted) {
      try {
        const jobs = await this.opts.api.queued();
        if (jobs === undefined) {
          if (quiet !== 'no-api')
            this.logger.info(
              `jobs: the server has no jobs API yet (404); asking again every ${this.pollMs / 1000} s`,
            );
          quiet = 'no-api';
        } else {
          if (quiet !== undefined) this.logger.info('jobs: the server answers again');
          quiet = undefined;
          for (const job of jobs) if (!this.taken.has(job.id)) this.start(job, signal);
          const listed = new Set(jobs.map((j) => j.id));
          for (const id of this.taken) if (!listed.has(id) && !this.active.has(id)) this.taken.delete(id);
        }
      } catch (e) {
        if (!(e instanceof OperationalError)) throw e;
        if (quiet !== 'unreachable')
          this.logger.warn(`jobs: ${e.message}; asking again every ${this.pollMs / 1000} s`);
        quiet = 'unreachable';
      }
      await this.clock.sleep(this.pollMs, signal);
    }
    await Promise.allSettled([...this.active.values()]);
  }

  private start(job: Job, signal: AbortSignal): void {
    this.taken.add(job.id);
    this.active.set(
      job.id,
      this.work(job, signal).finally(() => this.active.delete(job.id)),
    );
  }

  private async work(job: Job, signal: AbortSignal): Promise<void> {
    const fields = { job: job.id, kind: job.kind };
    try {
      const handler = HANDLERS[job.kind];
      if (handler === undefined) {
        await this.fail(job, `this agent does not run ${job.kind} jobs`);
        return;
      }
      let outcome;
      try {
        outcome = await this.opts.api.report(job.id, { status: 'running' });
      } catch (e) {
        if (!(e instanceof OperationalError)) throw e;
        // still queued on the server: take it again at the next poll
        this.taken.delete(job.id);
        this.logger.warn(`jobs: could not start the job: ${e.message}`, fields);
        return;
      }
      if (outcome === 'job-over') {
        this.logger.info('jobs: the job was cancelled before it started', fields);
        return;
      }
      this.logger.info(`jobs: ${job.kind} started`, fields);
      await handler(
        job,
        {
          api: this.opts.api,
          edge: this.opts.edge,
          clock: this.clock,
          logger: this.logger,
          pollIntervalMs: this.pollMs,
        },
        signal,
      );
      this.succeeded++;
      this.logger.info(`jobs: ${job.kind} done`, fields);
    } catch (e) {
      const known = e instanceof UserError || e instanceof OperationalError;
      // a bug fails the job too (and is logged as one) rather than taking the agent down
      if (!known) this.logger.error(`jobs: a bug in the agent: ${describeJobError(e)}`, fields);
      const why = signal.aborted
        ? 'the agent stopped before the job was done'
        : known
          ? describeJobError(e)
          : `the agent failed unexpectedly: ${describeJobError(e)}`;
      await this.fail(job, why).catch((err: unknown) =>
        this.logger.warn(
          `jobs: could not report the failure of job ${job.id}: ${describeJobError(err)}`,
          fields,
        ),
      );
    }
  }

  private async fail(job: Job, error: string): Promise<void> {
    this.failed++;
    this.logger.warn(`jobs: ${job.kind} failed: ${error}`, { job: job.id });
    await this.opts.api.report(job.id, { status: 'failed', error: error.slice(0, 4000) });
  }
}
