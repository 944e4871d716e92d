/**
 * The agent: one node's edge, spool, uplink, heartbeats, scan-plan sync and jobs, running together until
 * the signal aborts. Each part survives the others' failures: a dead server leaves the edge
 * spooling; a dead receiver leaves heartbeats saying so; a full disk loses frames (counted,
 * logged) but nothing else stops.
 *
 * Stop order: the edge first (no new frames), then the spool is synced, the uplink gets a moment
 * to deliver what is in flight (`drainMs`), and the spool is closed with everything unacknowledged
 * still on disk for the next start.
 */
import { join } from 'node:path';
import { OperationalError } from '@heimdall/errors';
import type { AgentLogger } from '../agent-logger.ts';
import { silentAgentLogger } from '../agent-logger.ts';
import type { Edge, FrameSink, OutgoingFrame } from '../edge.contract.ts';
import { HttpJobApi } from '../jobs/job-api.ts';
import { JobRunner } from '../jobs/job-runner.ts';
import { Spool, type SpoolOptions, type SpoolStats } from '../spool/spool.ts';
import { sleep } from '../backoff.ts';
import { Uplink, type UplinkOptions, type UplinkStatus } from '../uplink/uplink.ts';
import type { Credentials } from './credentials.ts';
import { baselineOf, buildHeartbeat, ZERO_BASELINE, type HeartbeatBaseline } from './heartbeat.ts';
import { ScanPlanSync } from './scan-plan-sync.ts';
import { describeApiError, ServerApi } from './server-api.ts';
import { SystemHealthProbe } from './system-health.ts';

/** The agent software version reported in heartbeats. */
export const AGENT_VERSION = '0.1.0';

export interface AgentOptions {
  /** The agent's data folder (credentials, spool). */
  readonly dataDir: string;
  readonly serverUrl: string;
  readonly credentials: Credentials;
  readonly edge: Edge;
  readonly logger?: AgentLogger;
  readonly spoolCapBytes?: number;
  readonly spool?: Partial<Omit<SpoolOptions, 'dir' | 'nodeId' | 'capBytes' | 'logger'>>;
  readonly uplink?: Partial<Omit<UplinkOptions, 'serverUrl' | 'apiKey' | 'nodeId' | 'spool' | 'logger'>>;
  /** Heartbeat period (default 10 s). */
  readonly heartbeatIntervalMs?: number;
  /** Scan-plan poll period (default 30 s). */
  readonly planIntervalMs?: number;
  /** How long a clean stop waits for in-flight frames to be acknowledged (default 2 s). */
  readonly drainMs?: number;
  /** Job poll period (default 2 s; see `src/jobs/job-runner.ts`). */
  readonly jobPollIntervalMs?: number;
}

export interface AgentStatus {
  readonly spool: SpoolStats;
  readonly uplink: UplinkStatus;
  /** Frames lost because the spool could not store them (disk full or unwritable). */
  readonly unstoredFrames: number;
  readonly heartbeatsSent: number;
}

export class Agent {
  readonly spool: Spool;
  readonly uplink: Uplink;
  private readonly logger: AgentLogger;
  private readonly api: ServerApi;
  private readonly probe: SystemHealthProbe;
  /** Localization captures (and later other jobs) the server asks of this node. */
  readonly jobs: JobRunner;
  private unstored = 0;
  private spoolFailing = false;
  private heartbeatsSent = 0;
  private baseline: HeartbeatBaseline = ZERO_BASELINE;

  constructor(private readonly opts: AgentOptions) {
    this.logger = opts.logger ?? silentAgentLogger;
    const nodeId = opts.credentials.nodeId;
    this.spool = Spool.open({
      ...opts.spool,
      dir: join(opts.dataDir, 'spool', nodeId),
      nodeId,
      ...(opts.spoolCapBytes === undefined ? {} : { capBytes: opts.spoolCapBytes }),
      logger: this.logger,
    });
    this.uplink = new Uplink({
      ...opts.uplink,
      serverUrl: opts.serverUrl,
      apiKey: opts.credentials.apiKey,
      nodeId,
      spool: this.spool,
      logger: this.logger,
    });
    this.api = new ServerApi(opts.serverUrl, opts.credentials.apiKey);
    this.probe = new SystemHealthProbe(opts.dataDir);
    this.jobs = new JobRunner({
      api: new HttpJobApi(opts.serverUrl, opts.credentials.apiKey, nodeId),
      edge: opts.edge,
      logger: this.logger,
      ...(opts.jobPollIntervalMs === undefined ? {} : { pollIntervalMs: opts.jobPollIntervalMs }),
    });
  }

  status(): AgentStatus {
    return {
      spool: this.spool.stats(),
      uplink: this.uplink.status(),
      unstoredFrames: this.unstored,
      heartbeatsSent: this.heartbeatsSent,
    };
  }

  /** What the edge pushes into: the spool, with a full disk logged once per episode and survived. */
  private sink(): FrameSink {
    return {
      push: (frame: OutgoingFrame) => {
        try {
          this.spool.push(frame);
          if (this.spoolFailing) {
            this.spoolFailing = false;
            this.logger.info('spool: storing frames again', { frames_lost: this.unstored });
          }
        } catch (e) {
          if (!(e instanceof OperationalError)) throw e;
          this.unstored++;
          if (!this.spoolFailing) {
            this.spoolFailing = true;
            this.logger.error(`${e.message}; frames are lost until then`);
          }
        }
      },
    };
  }

  /** Runs until `signal` aborts, then stops cleanly (see the module comment). */
  async run(signal: AbortSignal): Promise<void> {
    const inner = new AbortController();
    const edgeStop = new AbortController();
    const onAbort = () => edgeStop.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) edgeStop.abort();
    const uplinkDone = this.uplink.run(inner.signal);
    const heartbeatsDone = this.heartbeatLoop(edgeStop.signal);
    const planDone = this.planLoop(edgeStop.signal);
    const jobsDone = this.jobs.run(edgeStop.signal);
    try {
      await this.opts.edge.run(this.sink(), edgeStop.signal);
      if (!edgeStop.signal.aborted) {
        this.logger.warn('the edge stopped by itself; the agent keeps delivering the spool until stopped');
        await sleep(2 ** 31 - 1, signal);
      }
    } finally {
      edgeStop.abort();
      signal.removeEventListener('abort', onAbort);
      await Promise.allSettled([heartbeatsDone, planDone, jobsDone]);
      const delivered = await this.uplink.drain(this.opts.drainMs ?? 2000);
      inner.abort();
      await uplinkDone;
      const left = this.spool.stats();
      this.spool.close();
      this.logger.info('agent stopped', {
        frames_made: left.nextSequence,
        spool_frames: left.frames,
        note: delivered ? undefined : 'unacknowledged frames stay in the spool for the next start',
      });
    }
  }

  private async heartbeatLoop(signal: AbortSignal): Promise<void> {
    const every = this.opts.heartbeatIntervalMs ?? 10_000;
    let failing = false;
    await sleep(Math.min(every, 1000), signal);
    while (!signal.aborted) {
      const sources = {
        system: this.probe.read(),
        receiver: this.opts.edge.status(),
        // frames a full disk kept out of the spool are lost like those the cap dropped
        spool: { ...this.spool.stats(), dropped: this.spool.stats().dropped + this.unstored },
        agentVersion: AGENT_VERSION,
        time: new Date(),
      };
      try {
        const r = await this.api.request(
          'POST',
          `/api/v1/nodes/${this.opts.credentials.nodeId}/heartbeats`,
          buildHeartbeat(sources, this.baseline),
        );
        if (r.status !== 201)
          throw new OperationalError(`the server refused the heartbeat: ${describeApiError(r)}`);
        this.baseline = baselineOf(sources);
        this.heartbeatsSent++;
        if (failing) this.logger.info('heartbeats: the server takes them again');
        failing = false;
      } catch (e) {
        if (!failing)
          this.logger.warn(
            `heartbeats: ${e instanceof Error ? e.message : String(e)}; retrying every ${every / 1000} s`,
          );
        failing = true;
      }
      await sleep(every, signal);
    }
  }

  private async planLoop(signal: AbortSignal): Promise<void> {
    const every = this.opts.planIntervalMs ?? 30_000;
    const sync = new ScanPlanSync(this.api, this.opts.credentials.nodeId, this.opts.edge, this.logger);
    while (!signal.aborted) {
      try {
        await sync.syncOnce();
      } catch (e) {
        // the server is unreachable: the uplink already says so; keep the current plan
        if (!(e instanceof OperationalError)) throw e;
      }
      await sleep(every, signal);
    }
  }
}
