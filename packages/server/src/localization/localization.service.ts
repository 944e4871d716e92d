/**
 * Localization jobs, server side. A request picks the nodes (or takes the operator's), stores
 * one `localization-capture` job per node, and waits: each node captures at `capture_time` and
 * uploads its IQ (`POST /api/v1/jobs/:id/snippet`). When every capture job has finished (or at the
 * deadline, with the snippets that arrived) one server claims the request and computes the fix
 * (solve-fix.ts, in a worker thread: the correlations never stall the event loop), stores it and
 * publishes `localization.completed`.
 */
import { randomUUID } from 'node:crypto';
import { UserError } from '@heimdall/errors';
import {
  FINAL_JOB_STATUSES,
  type Job,
  type Localization,
  type LocalizationQuery,
  type LocalizationRequest,
  type Page,
  type SnippetQuery,
} from '@heimdall/protocol';
import type { Principal } from '../auth/principal.ts';
import type { Bus } from '../bus/bus.ts';
import type { Clock } from '../clock.ts';
import type { Database } from '../database/database.ts';
import { ApiError, forbidden, notFound } from '../errors.ts';
import type { JobService } from '../jobs/job.service.ts';
import { AuditLogRepository } from '../repositories/audit-log.repository.ts';
import { JobRepository } from '../repositories/job.repository.ts';
import {
  LocalizationRepository,
  publicLocalization,
  type LocalizationRecord,
} from '../repositories/localization.repository.ts';
import { chooseNodes, MIN_POWER_NODES, MIN_TDOA_NODES, type CandidateNode } from './choose-nodes.ts';
import { solveFixInWorker } from './solve-fix.ts';

/** Largest snippet a node may upload: 8 MiB of cf32 is 1 Mi samples (0.5 s at 2 MS/s). */
export const MAX_SNIPPET_BYTES = 8 << 20;

export interface LocalizationServiceOptions {
  /** A node without a heartbeat for this long is not asked (default 60 s). */
  readonly offlineAfterMs?: number;
  /** How long after the capture ends snippets are waited for (default 60 s). */
  readonly graceMs?: number;
  /** Most nodes asked when the operator names none (default 8). */
  readonly maxNodes?: number;
  /** Largest snippet accepted (default {@link MAX_SNIPPET_BYTES}). */
  readonly maxSnippetBytes?: number;
}

/** Where in the near future a capture may be scheduled. */
const MAX_LEAD_MS = 3_600_000;

interface NodeRow extends CandidateNode {
  readonly altitude: number;
}

export class LocalizationService {
  constructor(
    private readonly db: Database,
    private readonly bus: Pick<Bus, 'publish'>,
    private readonly clock: Clock,
    private readonly jobs: JobService,
    private readonly options: LocalizationServiceOptions = {},
  ) {
    jobs.onFinished((job) => this.jobFinished(job));
  }

  private get repo(): LocalizationRepository {
    return new LocalizationRepository(this.db);
  }

  /** Nodes with a location and the clock source of their latest heartbeat. */
  private async locatedNodes(where: string, param: unknown): Promise<NodeRow[]> {
    const { rows } = await this.db.query(
      `SELECT n.id::text AS id, n.latitude, n.longitude, n.altitude_m,
         (SELECT h.clock_source FROM heartbeats h WHERE h.node_id = n.id ORDER BY h.time DESC LIMIT 1) AS clock_source
       FROM nodes n WHERE n.latitude IS NOT NULL AND ${where} ORDER BY n.name, n.id`,
      [param as string],
    );
    return rows.map((r) => ({
      id: String(r['id']),
      lat: Number(r['latitude']),
      lon: Number(r['longitude']),
      altitude: Number(r['altitude_m'] ?? 0),
      clockSource: String(r['clock_source'] ?? 'unknown'),
    }));
  }

  /** Nodes that detected something in the requested band in the last ten minutes. */
  private async hearing(req: LocalizationRequest): Promise<Set<string>> {
    const since = new Date(this.clock.now() - 600_000).toISOString();
    const { rows } = await this.db.query(
      `SELECT DISTINCT node_id::text AS id FROM detections
       WHERE start_time >= $1::timestamptz AND freq_low_hz <= $2 AND freq_high_hz >= $3`,
      [since, req.freq_hz + req.bandwidth_hz / 2, req.freq_hz - req.bandwidth_hz / 2],
    );
    return new Set(rows.map((r) => String(r['id'])));
  }

  private async pickNodes(req: LocalizationRequest): Promise<string[]> {
    const max = this.options.maxNodes ?? 8;
    if (req.node_ids !== undefined) {
      const ids = [...new Set(req.node_ids)];
      const found = await this.locatedNodes('n.id = ANY($1::uuid[])', ids);
      const missing = ids.filter((id) => !found.some((n) => n.id === id));
      if (missing.length > 0)
        throw new ApiError('invalid', `node ${missing[0]} does not exist or has no location`, {
          field: 'node_ids',
          fix: 'give enrolled nodes whose location is set (PATCH /api/v1/nodes/:id {location})',
        });
      const need = req.method === 'power' ? MIN_POWER_NODES : MIN_TDOA_NODES;
      if (ids.length < need)
        throw new ApiError('invalid', `a ${req.method} fix needs at least ${need} nodes`, {
          field: 'node_ids',
          fix: `name ${need} or more nodes`,
        });
      return ids;
    }
    const since = new Date(this.clock.now() - (this.options.offlineAfterMs ?? 60_000));
    const online = await this.locatedNodes('n.last_heartbeat_at >= $1::timestamptz', since.toISOString());
    const chosen = chooseNodes(online, req.method, max, await this.hearing(req));
    if ('reason' in chosen)
      throw new ApiError('conflict', chosen.reason, {
        field: 'node_ids',
        fix: 'bring more nodes online with a location set (spread out, not on one line), or name the nodes in node_ids',
      });
    return chosen.nodes.map((n) => n.id);
  }

  async request(by: Principal | undefined, req: LocalizationRequest): Promise<Localization> {
    const now = this.clock.now();
    const capture = Date.parse(req.capture_time);
    if (!(capture > now) || capture > now + MAX_LEAD_MS)
      throw new ApiError('invalid', 'capture_time must be in the next hour', {
        field: 'capture_time',
        fix: 'pick a moment a few seconds ahead, so every node can tune in time',
      });
    const nodeIds = await this.pickNodes(req);
    const id = randomUUID();
    const sampleRate = Math.max(250_000, 2.5 * req.bandwidth_hz);
    const params = {
      localization_id: id,
      center_hz: req.freq_hz,
      sample_rate_hz: sampleRate,
      freq_hz: req.freq_hz,
      bandwidth_hz: req.bandwidth_hz,
      capture_time: new Date(capture).toISOString(),
      duration_ms: req.duration_ms,
    };
    const deadline = new Date(capture + req.duration_ms + (this.options.graceMs ?? 60_000));
    const { loc, jobs } = await this.db.transaction(async (tx) => {
      const created: Job[] = [];
      for (const nodeId of nodeIds)
        created.push(await this.jobs.insert(tx, 'localization-capture', nodeId, params, by));
      const l = await new LocalizationRepository(tx).create({
        id,
        requestedMethod: req.method,
        freqHz: req.freq_hz,
        bandwidthHz: req.bandwidth_hz,
        captureTime: new Date(capture),
        durationMs: req.duration_ms,
        deadline,
        nodeIds,
        jobIds: created.map((j) => j.id),
        detectionId: req.detection_id ?? null,
        anomalyId: req.anomaly_id ?? null,
        createdBy: by?.kind === 'user' ? by.userId : null,
        at: new Date(now),
      });
      await new AuditLogRepository(tx).addBy(by, {
        action: 'localization.create',
        target: id,
        details: { freq_hz: req.freq_hz, node_ids: nodeIds },
      });
      return { loc: l, jobs: created };
    });
    for (const j of jobs) await this.jobs.published(j);
    return publicLocalization(loc);
  }

  list(query: LocalizationQuery): Promise<Page<Localization>> {
    return this.repo.list(query);
  }

  async get(id: string): Promise<Localization> {
    const l = await this.repo.get(id);
    if (l === undefined) throw notFound('localization');
    return publicLocalization(l);
  }

  /** A node's IQ for its capture job. The upload that completes the set answers after the fix. */
  async snippet(
    by: Principal | undefined,
    jobId: string,
    query: SnippetQuery,
    body: Uint8Array | undefined,
  ): Promise<{
    job_id: string;
    localization_id: string;
    samples: number;
    received: number;
    expected: number;
  }> {
    const job = await new JobRepository(this.db).get(jobId);
    if (job === undefined) throw notFound('job');
    if (by?.kind !== 'node' || job.node_id !== by.nodeId)
      throw forbidden('a node may upload only for its own jobs');
    if (job.kind !== 'localization-capture')
      throw new ApiError('invalid', `job ${jobId} is a ${job.kind} job, not a localization capture`, {
        field: 'id',
        fix: 'upload snippets only for localization-capture jobs',
      });
    const max = this.options.maxSnippetBytes ?? MAX_SNIPPET_BYTES;
    if (body === undefined || body.byteLength === 0 || body.byteLength % 8 !== 0)
      throw new ApiError('invalid', `the body holds ${body?.byteLength ?? 0} bytes, not whole cf32 samples`, {
        field: 'body',
        fix: 'send the IQ as little-endian float32 (re, im) pairs, 8 bytes per sample',
      });
    if (body.byteLength > max)
      throw new ApiError(
        'too_large',
        `the snippet is ${body.byteLength} bytes, above the ${max}-byte limit`,
        {
          field: 'body',
          fix: `send at most ${max / 8} samples`,
        },
      );
    const locId = String(job.params['localization_id']);
    const loc = await this.repo.get(locId);
    if (loc === undefined) throw notFound('localization', 'localization_id');
    if (loc.status !== 'capturing' || job.status === 'cancelled' || job.status === 'failed')
      throw new ApiError(
        'conflict',
        `the localization is ${loc.status} and the job ${job.status}: too late`,
        {
          field: 'id',
          fix: 'upload before the deadline; the snippet is no longer needed',
        },
      );
    const [node] = await this.locatedNodes('n.id = $1::uuid', job.node_id);
    if (node === undefined)
      throw new ApiError('invalid', 'the node has no location, so its snippet cannot place the emitter', {
        field: 'location',
        fix: 'set the node location (PATCH /api/v1/nodes/:id) and upload again',
      });
    const samples = body.byteLength / 8;
    await this.repo.putSnippet({
      jobId,
      localizationId: locId,
      nodeId: node.id,
      sampleRateHz: query.sample_rate,
      centerHz: query.center_hz,
      captureTimeNs: BigInt(query.capture_time_ns),
      latitude: node.lat,
      longitude: node.lon,
      altitudeM: node.altitude,
      clockSource: node.clockSource,
      data: body,
      at: new Date(this.clock.now()),
    });
    if (job.status !== 'succeeded') await this.jobs.move(jobId, 'succeeded', { result: { samples } });
    return {
      job_id: jobId,
      localization_id: locId,
      samples,
      received: await this.repo.snippetCount(locId),
      expected: loc.job_ids.length,
    };
  }

  private async jobFinished(job: Job): Promise<void> {
    if (job.kind !== 'localization-capture') return;
    const loc = await this.repo.get(String(job.params['localization_id']));
    if (loc === undefined || loc.status !== 'capturing') return;
    const jobs = await new JobRepository(this.db).getMany(loc.job_ids);
    if (jobs.every((j) => FINAL_JOB_STATUSES.includes(j.status))) await this.solve(loc);
  }

  /**
   * Finishes requests whose deadline passed with the snippets that arrived, and fails their
   * capture jobs that never delivered. The server runs it on a timer; returns the ids finished.
   */
  async sweep(): Promise<string[]> {
    const now = new Date(this.clock.now());
    const done: string[] = [];
    for (const id of await this.repo.overdue(now)) {
      const loc = await this.repo.get(id);
      if (loc === undefined) continue;
      if (await this.solve(loc)) done.push(id);
      const jobs = await new JobRepository(this.db).getMany(loc.job_ids);
      for (const j of jobs) {
        if (FINAL_JOB_STATUSES.includes(j.status)) continue;
        await this.jobs
          .move(j.id, 'failed', { error: 'no snippet arrived before the localization deadline' })
          .catch(() => undefined); // the node finished it meanwhile
      }
    }
    return done;
  }

  /** Claims and solves one request; false when another caller had claimed it. */
  private async solve(loc: LocalizationRecord): Promise<boolean> {
    const repo = this.repo;
    if (!(await repo.claim(loc.id))) return false;
    let finished: LocalizationRecord | undefined;
    const at = () => new Date(this.clock.now());
    try {
      const snippets = await repo.snippets(loc.id);
      const fix = await solveFixInWorker(snippets, {
        freqHz: loc.freq_hz,
        bandwidthHz: loc.bandwidth_hz,
        method: loc.requested_method,
      });
      finished = await repo.complete(
        loc.id,
        {
          method: fix.method,
          lat: fix.position.latitude,
          lon: fix.position.longitude,
          ellipse: {
            semi_major_m: fix.ellipse.semiMajor,
            semi_minor_m: fix.ellipse.semiMinor,
            orientation_deg: fix.ellipse.orientationDeg,
          },
          gdop: fix.gdop,
          quality: fix.quality,
          confidence: fix.confidence,
          usedNodeIds: fix.used.map((k) => (snippets[k] as { nodeId: string }).nodeId),
        },
        at(),
      );
    } catch (e) {
      const why =
        e instanceof UserError
          ? `${e.message}${e.fix === undefined ? '' : ` (${e.fix})`}`
          : `the fix failed: ${e instanceof Error ? e.message : String(e)}`;
      finished = await repo.fail(loc.id, why, at());
    }
    if (finished !== undefined)
      await this.bus.publish('localization.completed', publicLocalization(finished), {
        id: `localization:${finished.id}`,
      });
    return true;
  }
}
