/**
 * Scan-plan sync: the server holds each node's desired plan (`GET /api/v1/nodes/:id/scan-plan`);
 * the agent switches its edge to it when the id or version changes, and reports the plan it runs
 * (`PUT /api/v1/nodes/:id/scan-plan/reported`). A server without these routes (404) or without a
 * plan for the node leaves the local plan (from the command line) running.
 */
import { UserError } from '@heimdall/errors';
import { nodeScanPlanSchema } from '@heimdall/protocol';
import type { AgentLogger } from '../agent-logger.ts';
import type { Edge } from '../edge.contract.ts';
import { scanPlanFromWire, scanPlanToWire } from '../scan/scan-plan.ts';
import { describeApiError, type ServerApi } from './server-api.ts';

export type PlanSyncResult = 'switched' | 'unchanged' | 'no-plan' | 'unsupported';

export class ScanPlanSync {
  private reportedKey: string | undefined;
  /** The desired plan (id@version) the edge refused: not tried again until it changes. */
  private refusedKey: string | undefined;
  private warnedUnsupported = false;

  constructor(
    private readonly api: ServerApi,
    private readonly nodeId: string,
    private readonly edge: Edge,
    private readonly logger: AgentLogger,
  ) {}

  /** One round: fetch the desired plan, switch to it if new, report what runs. */
  async syncOnce(): Promise<PlanSyncResult> {
    const r = await this.api.request('GET', `/api/v1/nodes/${this.nodeId}/scan-plan`);
    if (r.status === 404 || r.status === 405) {
      if (!this.warnedUnsupported)
        this.logger.info('scan plan: the server has no scan plans for this node; running the local plan');
      this.warnedUnsupported = true;
      return 'unsupported';
    }
    if (r.status !== 200) {
      this.logger.warn(`scan plan: the server refused the request: ${describeApiError(r)}`);
      return 'unsupported';
    }
    const parsed = nodeScanPlanSchema.safeParse(r.body);
    if (!parsed.success) {
      this.logger.warn(
        'scan plan: the server sent a plan this agent does not understand; keeping the current plan',
        {
          problem: parsed.error.issues[0]?.message,
        },
      );
      return 'unsupported';
    }
    const desired = parsed.data.desired;
    let result: PlanSyncResult = desired === null ? 'no-plan' : 'unchanged';
    const current = this.edge.plan();
    const key = desired === null ? '' : `${desired.id}@${desired.version}`;
    if (
      desired !== null &&
      key !== this.refusedKey &&
      (desired.id !== current.id || desired.version !== current.version)
    ) {
      try {
        this.edge.setPlan(scanPlanFromWire(desired));
      } catch (e) {
        if (!(e instanceof UserError)) throw e;
        this.refusedKey = key;
        this.logger.error(
          `scan plan: the plan from the server cannot run on this receiver: ${e.describe()}; keeping the current plan`,
          {
            plan: desired.name,
            version: desired.version,
          },
        );
        await this.report();
        return 'unchanged';
      }
      this.logger.info('scan plan: switched to the plan from the server', {
        plan: desired.name,
        version: desired.version,
        bands: desired.bands.length,
      });
      result = 'switched';
      await this.untilRunning(desired.id, desired.version);
    }
    await this.report();
    return result;
  }

  /**
   * The edge takes a new plan at its next frame; report only once it runs it, so the server's
   * reported state (and the rollout) shows the switch now rather than at the next round.
   */
  private async untilRunning(id: string, version: number, timeoutMs = 5000): Promise<void> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const p = this.edge.plan();
      if ((p.id === id && p.version === version) || Date.now() >= end) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  private async report(): Promise<void> {
    const plan = scanPlanToWire(this.edge.plan());
    const key = JSON.stringify(plan);
    if (key === this.reportedKey) return;
    const r = await this.api.request('PUT', `/api/v1/nodes/${this.nodeId}/scan-plan/reported`, plan);
    if (r.status >= 200 && r.status < 300) this.reportedKey = key;
    else if (r.status !== 404)
      this.logger.warn(`scan plan: the server refused the reported plan: ${describeApiError(r)}`);
  }
}
