/** API keys of nodes. Only a SHA-256 of the (high-entropy, random) secret is stored. */
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../database/database.ts';

export interface ApiKeyRecord {
  readonly id: string;
  readonly nodeId: string | null;
  readonly userId: string | null;
}

export class ApiKeyRepository {
  constructor(private readonly db: Queryable) {}

  async createForNode(nodeId: string, keyHash: string, prefix: string, name: string): Promise<string> {
    const id = randomUUID();
    await this.db.query(
      'INSERT INTO api_keys (id, key_hash, prefix, name, node_id) VALUES ($1, $2, $3, $4, $5::uuid)',
      [id, keyHash, prefix, name, nodeId],
    );
    return id;
  }

  /** The live (not revoked) key with this hash. */
  async byHash(keyHash: string): Promise<ApiKeyRecord | undefined> {
    const { rows } = await this.db.query(
      'SELECT id::text AS id, node_id::text AS node_id, user_id::text AS user_id FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL',
      [keyHash],
    );
    const r = rows[0];
    if (r === undefined) return undefined;
    return {
      id: String(r['id']),
      nodeId: r['node_id'] === null ? null : String(r['node_id']),
      userId: r['user_id'] === null ? null : String(r['user_id']),
    };
  }

  async revokeForNode(nodeId: string): Promise<number> {
    return (
      await this.db.query(
        'UPDATE api_keys SET revoked_at = now() WHERE node_id = $1::uuid AND revoked_at IS NULL',
        [nodeId],
      )
    ).rowCount;
  }
}
