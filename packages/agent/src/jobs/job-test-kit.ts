/** Test helpers for the job runner: an in-memory job queue behind the `JobApi` port. */
import { randomUUID } from 'node:crypto';
import type { Job, JobKind, JobStatusUpdate } from '@heimdall/protocol';
import type { IqSnippet } from '../receivers/receiver.ts';
import type { JobApi, ReportOutcome, SnippetReceipt } from './job-api.ts';

/** A job as the server would list it. */
export function queuedJob(kind: JobKind, params: Record<string, unknown>): Job {
  const now = new Date().toISOString();
  return {
    id: randomUUID(),
    kind,
    status: 'queued',
    node_id: randomUUID(),
    params,
    result: null,
    error: null,
    created_by: null,
    created_at: now,
    updated_at: now,
    started_at: null,
    finished_at: null,
  };
}

/** Params of a localization capture `leadMs` from now. */
export function captureParams(
  over: { leadMs?: number; centerHz?: number; sampleRateHz?: number; durationMs?: number } = {},
): Record<string, unknown> {
  return {
    localization_id: randomUUID(),
    center_hz: over.centerHz ?? 100e6,
    sample_rate_hz: over.sampleRateHz ?? 250e3,
    freq_hz: over.centerHz ?? 100e6,
    bandwidth_hz: 50e3,
    capture_time: new Date(Date.now() + (over.leadMs ?? 600)).toISOString(),
    duration_ms: over.durationMs ?? 20,
  };
}

/** The server side of the job routes, in memory: jobs move as the server would move them. */
export class MemoryJobApi implements JobApi {
  readonly jobs: Job[] = [];
  readonly reports: { jobId: string; update: JobStatusUpdate }[] = [];
  readonly uploads: { jobId: string; snippet: IqSnippet; atMs: number }[] = [];
  /** While true the server answers the job list with 404 (no jobs API). */
  noApi = false;
  polls = 0;

  add(job: Job): Job {
    this.jobs.push(job);
    return job;
  }

  job(id: string): Job {
    const j = this.jobs.find((x) => x.id === id);
    if (j === undefined) throw new Error(`no job ${id}`);
    return j;
  }

  private set(id: string, patch: Partial<Job>): void {
    const i = this.jobs.findIndex((x) => x.id === id);
    this.jobs[i] = { ...this.job(id), ...patch };
  }

  queued(): Promise<readonly Job[] | undefined> {
    this.polls++;
    return Promise.resolve(this.noApi ? undefined : this.jobs.filter((j) => j.status === 'queued'));
  }

  report(jobId: string, update: JobStatusUpdate): Promise<ReportOutcome> {
    this.reports.push({ jobId, update });
    const j = this.job(jobId);
    if (j.status === 'cancelled' || j.status === 'succeeded' || j.status === 'failed')
      return Promise.resolve('job-over');
    this.set(jobId, { status: update.status, error: update.error ?? null });
    return Promise.resolve('accepted');
  }

  uploadSnippet(jobId: string, snippet: IqSnippet): Promise<SnippetReceipt> {
    this.uploads.push({ jobId, snippet, atMs: Date.now() });
    this.set(jobId, { status: 'succeeded' });
    return Promise.resolve({
      job_id: jobId,
      localization_id: String(this.job(jobId).params['localization_id']),
      samples: snippet.iq.length / 2,
      received: 1,
      expected: 1,
    });
  }
}

/** Amplitude of the tone at `hz` in the snippet (a one-bin DFT), full scale = 1. */
export function toneAmplitude(iq: Float32Array, rate: number, hz: number): number {
  let re = 0;
  let im = 0;
  const n = iq.length / 2;
  for (let k = 0; k < n; k++) {
    const ph = (-2 * Math.PI * hz * k) / rate;
    const x = iq[2 * k] as number;
    const y = iq[2 * k + 1] as number;
    re += x * Math.cos(ph) - y * Math.sin(ph);
    im += x * Math.sin(ph) + y * Math.cos(ph);
  }
  return Math.hypot(re, im) / n;
}
