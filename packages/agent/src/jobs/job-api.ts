/**
 * The server calls of the job runner, behind a small port so the runner can be tested without a
 * server: poll the node's queued jobs, report progress, upload a localization snippet. `HttpJobApi`
 * is the real one (the routes of packages/server README "Jobs" and "Localizations").
 */
import { OperationalError, UserError } from '@heimdall/errors';
import { jobPageSchema, snippetReceiptSchema, type Job, type JobStatusUpdate } from '@heimdall/protocol';
import type { IqSnippet } from '../receivers/receiver.ts';
import { describeApiError, ServerApi } from '../node/server-api.ts';

/** The server's answer to a snippet upload. */
export type SnippetReceipt = ReturnType<typeof snippetReceiptSchema.parse>;

/** What became of a status report. */
export type ReportOutcome = 'accepted' | 'job-over';

export interface JobApi {
  /** The node's queued jobs, oldest first; `undefined` while the server has no jobs API (404). */
  queued(): Promise<readonly Job[] | undefined>;
  /** Reports progress; `job-over` when the server says the job was cancelled or finished (409, 404). */
  report(jobId: string, update: JobStatusUpdate): Promise<ReportOutcome>;
  /**
   * Uploads the IQ of a localization-capture job (the server then marks it succeeded). Throws an
   * OperationalError when the server cannot be reached (worth retrying), a UserError when it
   * refused the snippet (too late, too big: retrying will not help).
   */
  uploadSnippet(jobId: string, snippet: IqSnippet): Promise<SnippetReceipt>;
}

/** Whether this machine stores floats little-endian (the wire's order). */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The snippet as the wire's `cf32`: little-endian float32 (re, im) pairs. */
export function cf32Bytes(iq: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(iq.buffer, iq.byteOffset, iq.byteLength);
  const out = new Uint8Array(iq.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < iq.length; i++) view.setFloat32(4 * i, iq[i] as number, true);
  return out;
}

const jobListSchema = jobPageSchema.pick({ items: true });

export class HttpJobApi implements JobApi {
  private readonly api: ServerApi;

  constructor(
    private readonly serverUrl: string,
    private readonly apiKey: string,
    private readonly nodeId: string,
    private readonly timeoutMs = 30_000,
  ) {
    this.api = new ServerApi(serverUrl, apiKey);
  }

  async queued(): Promise<readonly Job[] | undefined> {
    const r = await this.api.request('GET', `/api/v1/nodes/${this.nodeId}/jobs?status=queued`);
    if (r.status === 404) return undefined;
    if (r.status !== 200)
      throw new OperationalError(`the server refused the job list: ${describeApiError(r)}`);
    const page = jobListSchema.safeParse(r.body);
    if (!page.success)
      throw new OperationalError(
        `the server answered the job list in an unknown shape (${page.error.issues[0]?.message ?? 'invalid'}): is the agent older than the server?`,
      );
    return page.data.items;
  }

  async report(jobId: string, update: JobStatusUpdate): Promise<ReportOutcome> {
    const r = await this.api.request('POST', `/api/v1/jobs/${jobId}/status`, update);
    if (r.status === 200) return 'accepted';
    if (r.status === 409 || r.status === 404) return 'job-over';
    throw new OperationalError(`the server refused the status of job ${jobId}: ${describeApiError(r)}`);
  }

  async uploadSnippet(jobId: string, s: IqSnippet): Promise<SnippetReceipt> {
    const query = new URLSearchParams({
      sample_rate: String(s.sampleRateHz),
      center_hz: String(s.centerHz),
      capture_time_ns: s.startNs.toString(),
    });
    const base = this.serverUrl.replace(/\/+$/, '');
    let res: Response;
    try {
      res = await fetch(`${base}/api/v1/jobs/${jobId}/snippet?${query.toString()}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${this.apiKey}`,
          'content-type': 'application/octet-stream',
        },
        body: cf32Bytes(s.iq),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      const cause = e instanceof Error && e.cause instanceof Error ? e.cause.message : String(e);
      throw new OperationalError(`cannot upload the snippet of job ${jobId} to ${this.serverUrl}: ${cause}`, {
        cause: e,
        retryable: true,
      });
    }
    const text = await res.text();
    let body: unknown = null;
    try {
      body = text === '' ? null : JSON.parse(text);
    } catch {
      body = { error: text.slice(0, 200) };
    }
    const r = { status: res.status, body };
    if (res.status >= 500)
      throw new OperationalError(
        `the server failed to take the snippet of job ${jobId}: ${describeApiError(r)}`,
        {
          retryable: true,
        },
      );
    if (res.status !== 200 && res.status !== 201)
      throw new UserError(`the server refused the snippet (HTTP ${res.status}): ${describeApiError(r)}`, {
        source: `job ${jobId}`,
      });
    const receipt = snippetReceiptSchema.safeParse(body);
    if (!receipt.success)
      throw new OperationalError(
        `the server answered the snippet upload of job ${jobId} in an unknown shape`,
      );
    return receipt.data;
  }
}
