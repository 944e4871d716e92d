/** One-time node enrollment tokens; only a SHA-256 of the token is stored. */
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../database/database.ts';

export interface EnrollmentTokenRecord {
  readonly id: string;
  readonly nodeName: string | null;
  readonly groups: string[];
  readonly tags: string[];
}

export class EnrollmentTokenRepository {
  constructor(private readonly db: Queryable) {}

  async create(t: {
    tokenHash: string;
    nodeName: string | null;
    groups: readonly string[];
    tags: readonly string[];
    createdBy: string | null;
    expiresAt: Date;
  }): Promise<string> {
    const id = randomUUID();
    await this.db.query(
      'INSERT INTO enrollment_tokens (id, token_hash, node_name, groups, tags, created_by, expires_at) VALUES ($1, $2, $3, $4::text[], $5::text[], $6::uuid, $7)',
      [id, t.tokenHash, t.nodeName, [...t.groups], [...t.tags], t.createdBy, t.expiresAt],
    );
    return id;
  }

  /**
   * Marks the unused, unexpired token with this hash used and returns it; undefined
   * when there is none. One statement, so two enrollments racing for one token cannot both win.
   */
  async consume(tokenHash: string, now: Date): Promise<EnrollmentTokenRecord | undefined> {
    const { rows } = await this.db.query(
      `UPDATE enrollment_tokens SET used_at = $2
       WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2
       RETURNING id::text AS id, node_name, groups, tags`,
      [tokenHash, now],
    );
    const r = rows[0];
    if (r === undefined) return undefined;
    return {
      id: String(r['id']),
      nodeName: r['node_name'] === null ? null : String(r['node_name']),
      groups: (r['groups'] ?? []) as string[],
      tags: (r['tags'] ?? []) as string[],
    };
  }

  /** Records which node a consumed token enrolled. */
  async linkNode(id: string, nodeId: string): Promise<void> {
    await this.db.query('UPDATE enrollment_tokens SET node_id = $2::uuid WHERE id = $1::uuid', [id, nodeId]);
  }
}
