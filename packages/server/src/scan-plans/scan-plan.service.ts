/**
 * Scan plans and their rollout: operators post versioned plans aimed at node groups; each node
 * asks for its desired plan (see desired-plan.ts for the precedence) and reports the plan it runs;
 * the rollout view compares the two for every target node.
 */
import type {
  NodeScanPlan,
  Page,
  ReportedScanPlan,
  Rollout,
  RolloutState,
  ScanPlanInput,
  ScanPlanQuery,
  ScanPlanSpec,
} from '@heimdall/protocol';
import { ensureOwnNode } from '../auth/own-node.ts';
import type { Principal } from '../auth/principal.ts';
import type { Clock } from '../clock.ts';
import type { Database } from '../database/database.ts';
import { notFound } from '../errors.ts';
import { AuditLogRepository } from '../repositories/audit-log.repository.ts';
import { ScanPlanRepository } from '../repositories/scan-plan.repository.ts';
import { desiredPlan } from './desired-plan.ts';

export class ScanPlanService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  private get plans(): ScanPlanRepository {
    return new ScanPlanRepository(this.db);
  }

  async create(by: Principal | undefined, input: ScanPlanInput): Promise<ScanPlanSpec> {
    const plan = await this.plans.create(input, by?.kind === 'user' ? by.userId : null);
    await new AuditLogRepository(this.db).addBy(by, {
      action: 'scan_plan.create',
      target: plan.id,
      details: { name: plan.name, version: plan.version, target_groups: plan.target_groups },
    });
    return plan;
  }

  list(query: ScanPlanQuery): Promise<Page<ScanPlanSpec>> {
    return this.plans.list(query);
  }

  async get(id: string): Promise<ScanPlanSpec> {
    const p = await this.plans.get(id);
    if (p === undefined) throw notFound('scan plan');
    return p;
  }

  private async nodeGroups(nodeId: string): Promise<string[]> {
    const { rows } = await this.db.query('SELECT groups FROM nodes WHERE id = $1::uuid', [nodeId]);
    if (rows[0] === undefined) throw notFound('node');
    return (rows[0]['groups'] ?? []) as string[];
  }

  /** What `nodeId` should run and what it says it runs. */
  async forNode(by: Principal | undefined, nodeId: string): Promise<NodeScanPlan> {
    ensureOwnNode(by, nodeId, 'read the scan plan of a node');
    const groups = await this.nodeGroups(nodeId);
    const plans = this.plans;
    const [candidates, reported] = await Promise.all([
      groups.length === 0 ? Promise.resolve([]) : plans.latestVersions(groups),
      plans.reported(nodeId),
    ]);
    return {
      desired: desiredPlan(candidates, groups),
      reported: reported?.reported ?? null,
      reported_at: reported?.reportedAt ?? null,
    };
  }

  async report(by: Principal | undefined, nodeId: string, reported: ReportedScanPlan): Promise<NodeScanPlan> {
    ensureOwnNode(by, nodeId, 'report the scan plan of a node');
    if (!(await this.plans.report(nodeId, reported, new Date(this.clock.now())))) throw notFound('node');
    return this.forNode(by, nodeId);
  }

  /** Every node in the plan's target groups, with its desired and reported plan. */
  async rollout(planId: string): Promise<Rollout> {
    const plan = await this.get(planId);
    const { rows } = await this.db.query(
      `SELECT id::text AS id, name, groups FROM nodes WHERE groups && $1::text[] ORDER BY name`,
      [[...plan.target_groups]],
    );
    // every latest plan that targets any group of these nodes: a node may be in other groups too
    const allGroups = [...new Set(rows.flatMap((r) => (r['groups'] ?? []) as string[]))];
    const candidates = allGroups.length === 0 ? [] : await this.plans.latestVersions(allGroups);
    const reported = await this.plans.reportedMany(rows.map((r) => String(r['id'])));
    const ref = (p: ScanPlanSpec) => ({ id: p.id, name: p.name, version: p.version });
    const summary = { total: 0, in_sync: 0, pending: 0, other_plan: 0 };
    const nodes = rows.map((r) => {
      const id = String(r['id']);
      const groups = (r['groups'] ?? []) as string[];
      const desired = desiredPlan(candidates, groups);
      const rep = reported.get(id);
      let state: RolloutState;
      if (desired === null || desired.id !== plan.id) state = 'other_plan';
      else if (rep !== undefined && rep.reported.id === plan.id && rep.reported.version === plan.version)
        state = 'in_sync';
      else state = 'pending';
      summary.total++;
      summary[state]++;
      return {
        node_id: id,
        name: String(r['name']),
        groups,
        desired: desired === null ? null : ref(desired),
        reported: rep === undefined ? null : { id: rep.reported.id, version: rep.reported.version },
        reported_at: rep?.reportedAt ?? null,
        state,
      };
    });
    return { plan: ref(plan), nodes, summary };
  }
}
