/**
 * A `localization-capture` job: at `capture_time` (the node's clock, GPS-disciplined where it has
 * GPS) take `duration_ms` of IQ tuned to `center_hz` at `sample_rate_hz` or more from the edge's
 * receiver, and upload it to `POST /api/v1/jobs/:id/snippet`; the server marks the job succeeded
 * and fixes the emitter once the other nodes' snippets are in.
 */
import { OperationalError, UserError } from '@heimdall/errors';
import { localizationCaptureParamsSchema, type Job } from '@heimdall/protocol';
import type { AgentLogger } from '../agent-logger.ts';
import type { Edge } from '../edge.contract.ts';
import type { EdgeClock } from '../edge/edge-clock.ts';
import { msToNs } from '../receivers/receiver.ts';
import type { JobApi, SnippetReceipt } from './job-api.ts';

/** The server's limit on one snippet: 8 MiB of cf32 (packages/server README, "Localizations"). */
export const MAX_SNIPPET_SAMPLES = 1 << 20;

/** Waits between upload attempts when the server cannot be reached (then the job fails). */
const UPLOAD_RETRY_MS = [1000, 2000, 4000] as const;

export interface CaptureJobContext {
  readonly api: JobApi;
  readonly edge: Pick<Edge, 'captureSnippet'>;
  readonly clock: EdgeClock;
  readonly logger: AgentLogger;
  /** How often the runner polls (for the "too late" hint). */
  readonly pollIntervalMs: number;
}

/** Captures and uploads; throws a UserError or OperationalError saying why it could not. */
export async function runLocalizationCapture(
  job: Job,
  ctx: CaptureJobContext,
  signal: AbortSignal,
): Promise<SnippetReceipt> {
  const parsed = localizationCaptureParamsSchema.safeParse(job.params);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(
      `the job's params are not a localization capture: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim(),
      {
        source: `job ${job.id}`,
        fix: 'the server and the agent disagree on the protocol: update the older one',
      },
    );
  }
  const p = parsed.data;
  const capture = ctx.edge.captureSnippet?.bind(ctx.edge);
  if (capture === undefined)
    throw new UserError("this agent's edge cannot capture localization snippets", {
      source: `job ${job.id}`,
      fix: 'run the agent on a live receiver (rtl-tcp:// or sim://)',
    });
  const startMs = Date.parse(p.capture_time);
  const late = ctx.clock.now() - startMs;
  if (late >= 0)
    throw new UserError(
      `the capture time ${p.capture_time} had passed ${Math.round(late)} ms before the node picked up the job`,
      {
        source: `job ${job.id}`,
        fix: `ask for a capture time further ahead: agents look for jobs every ${ctx.pollIntervalMs / 1000} s`,
      },
    );
  const snippet = await capture(
    {
      startNs: msToNs(startMs),
      durationMs: p.duration_ms,
      centerHz: p.center_hz,
      minSampleRateHz: p.sample_rate_hz,
      maxSamples: MAX_SNIPPET_SAMPLES,
    },
    signal,
  );
  for (let attempt = 0; ; attempt++) {
    try {
      return await ctx.api.uploadSnippet(job.id, snippet);
    } catch (e) {
      const wait = UPLOAD_RETRY_MS[attempt];
      if (!(e instanceof OperationalError) || wait === undefined || signal.aborted) throw e;
      ctx.logger.warn(`jobs: ${e.message}; trying again in ${wait / 1000} s`, { job: job.id });
      await ctx.clock.sleep(wait, signal);
    }
  }
}
