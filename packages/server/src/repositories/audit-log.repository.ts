/** The audit log: logins and administrative actions, for security review. */
import { actorOf, type Principal } from '../auth/principal.ts';
import type { Queryable } from '../database/database.ts';
import { isoColumn } from '../database/sql-time.ts';

export interface AuditEntry {
  readonly actorType: 'user' | 'node' | 'system';
  readonly actorId: string | null;
  readonly action: string;
  readonly target: string | null;
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface AuditRow {
  readonly time: string;
  readonly actor_type: string;
  readonly actor_id: string | null;
  readonly action: string;
  readonly target: string | null;
  readonly details: Record<string, unknown>;
}

export class AuditLogRepository {
  constructor(private readonly db: Queryable) {}

  async add(e: AuditEntry): Promise<void> {
    await this.db.query(
      'INSERT INTO audit_log (actor_type, actor_id, action, target, details) VALUES ($1, $2, $3, $4, $5::jsonb)',
      [e.actorType, e.actorId, e.action, e.target, JSON.stringify(e.details ?? {})],
    );
  }

  /** An entry whose actor is the caller `by` (a user, a node, or the system when undefined). */
  async addBy(by: Principal | undefined, e: Omit<AuditEntry, 'actorType' | 'actorId'>): Promise<void> {
    const actor = actorOf(by);
    await this.add({ ...e, actorType: actor.type, actorId: actor.id });
  }

  /** Newest first. */
  async list(limit: number): Promise<AuditRow[]> {
    const { rows } = await this.db.query(
      `SELECT ${isoColumn('time')} AS time, actor_type, actor_id, action, target, details FROM audit_log ORDER BY time DESC, id DESC LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({
      time: String(r['time']),
      actor_type: String(r['actor_type']),
      actor_id: r['actor_id'] === null ? null : String(r['actor_id']),
      action: String(r['action']),
      target: r['target'] === null ? null : String(r['target']),
      details: (r['details'] ?? {}) as Record<string, unknown>,
    }));
  }
}
