/**
 * Scan plans (versioned by name: posting a plan with a known name stores the next version) and the
 * plan each node reports it runs.
 */
import { randomUUID } from 'node:crypto';
import type {
  Page,
  ReportedScanPlan,
  ScanBandSpec,
  ScanPlanInput,
  ScanPlanQuery,
  ScanPlanSpec,
} from '@heimdall/protocol';
import type { Queryable, Row } from '../database/database.ts';
import { isoColumn } from '../database/sql-time.ts';
import { newestFirstPage } from './newest-first.ts';

const COLUMNS = `id::text AS id, name, version, spec, target_groups, ${isoColumn('created_at')} AS created_iso`;

function toPlan(r: Row): ScanPlanSpec {
  const spec = (r['spec'] ?? {}) as { bands?: ScanBandSpec[] };
  return {
    id: String(r['id']),
    name: String(r['name']),
    version: Number(r['version']),
    bands: spec.bands ?? [],
    target_groups: (r['target_groups'] ?? []) as string[],
    created_at: String(r['created_iso']),
  };
}

/** Whether a database error is a unique violation (another server took the version meanwhile). */
function isUniqueViolation(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === '23505';
}

export interface ReportedRow {
  readonly reported: ReportedScanPlan;
  readonly reportedAt: string;
}

export class ScanPlanRepository {
  constructor(private readonly db: Queryable) {}

  /** Stores `input` as the next version of its name (1 for a new name). */
  async create(input: ScanPlanInput, createdBy: string | null): Promise<ScanPlanSpec> {
    for (let attempt = 0; ; attempt++) {
      try {
        const { rows } = await this.db.query(
          `INSERT INTO scan_plans (id, name, version, spec, target_groups, created_by)
           SELECT $1::uuid, $2, COALESCE(MAX(version), 0) + 1, $3::jsonb, $4::text[], $5::uuid
           FROM scan_plans WHERE name = $2
           RETURNING ${COLUMNS}`,
          [
            randomUUID(),
            input.name,
            JSON.stringify({ bands: input.bands }),
            [...input.target_groups],
            createdBy,
          ],
        );
        return toPlan(rows[0] as Row);
      } catch (e) {
        // Two servers versioning the same name at once: the loser takes the next number.
        if (!isUniqueViolation(e) || attempt >= 4) throw e;
      }
    }
  }

  async get(id: string): Promise<ScanPlanSpec | undefined> {
    const { rows } = await this.db.query(`SELECT ${COLUMNS} FROM scan_plans WHERE id = $1::uuid`, [id]);
    return rows[0] === undefined ? undefined : toPlan(rows[0]);
  }

  /** Every version, newest first (optionally of one name). */
  async list(query: ScanPlanQuery): Promise<Page<ScanPlanSpec>> {
    return newestFirstPage(this.db, {
      columns: COLUMNS,
      from: 'scan_plans',
      query,
      filters: (p) => (query.name === undefined ? [] : [`name = ${p(query.name)}`]),
      toItem: toPlan,
    });
  }

  /**
   * The newest version of every plan name that targets at least one of `groups` (all names when
   * `groups` is undefined): the candidates for a node's desired plan.
   */
  async latestVersions(groups?: readonly string[]): Promise<ScanPlanSpec[]> {
    const { rows } = await this.db.query(
      `SELECT ${COLUMNS} FROM (
         SELECT DISTINCT ON (name) * FROM scan_plans ORDER BY name, version DESC
       ) latest ${groups === undefined ? '' : 'WHERE target_groups && $1::text[]'}`,
      groups === undefined ? [] : [[...groups]],
    );
    return rows.map(toPlan);
  }

  async reported(nodeId: string): Promise<ReportedRow | undefined> {
    const { rows } = await this.db.query(
      `SELECT reported, ${isoColumn('reported_at')} AS reported_iso FROM node_scan_plans WHERE node_id = $1::uuid`,
      [nodeId],
    );
    const r = rows[0];
    return r === undefined
      ? undefined
      : { reported: r['reported'] as ReportedScanPlan, reportedAt: String(r['reported_iso']) };
  }

  /** The reported plans of these nodes, by node id. */
  async reportedMany(nodeIds: readonly string[]): Promise<Map<string, ReportedRow>> {
    const { rows } = await this.db.query(
      `SELECT node_id::text AS node_id, reported, ${isoColumn('reported_at')} AS reported_iso
       FROM node_scan_plans WHERE node_id = ANY($1::uuid[])`,
      [[...nodeIds]],
    );
    return new Map(
      rows.map((r) => [
        String(r['node_id']),
        { reported: r['reported'] as ReportedScanPlan, reportedAt: String(r['reported_iso']) },
      ]),
    );
  }

  /** Records what a node runs now. Returns false when the node does not exist. */
  async report(nodeId: string, reported: ReportedScanPlan, at: Date): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `INSERT INTO node_scan_plans (node_id, reported, reported_at)
       SELECT id, $2::jsonb, $3::timestamptz FROM nodes WHERE id = $1::uuid
       ON CONFLICT (node_id) DO UPDATE SET reported = EXCLUDED.reported, reported_at = EXCLUDED.reported_at`,
      [nodeId, JSON.stringify(reported), at],
    );
    return rowCount > 0;
  }
}
