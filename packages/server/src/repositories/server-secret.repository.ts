/** Secrets shared by every server on one database, made once (the first writer wins). */
import { randomBytes } from 'node:crypto';
import type { Queryable } from '../database/database.ts';

export class ServerSecretRepository {
  constructor(private readonly db: Queryable) {}

  /** The secret `name`, creating `bytes` random bytes when none exists yet. */
  async getOrCreate(name: string, bytes: number): Promise<Uint8Array> {
    await this.db.query(
      'INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING',
      [name, new Uint8Array(randomBytes(bytes))],
    );
    const { rows } = await this.db.query('SELECT value FROM server_secrets WHERE name = $1', [name]);
    const value = rows[0]?.['value'];
    if (!(value instanceof Uint8Array)) throw new Error(`server secret ${name} is missing after insert`);
    return value;
  }
}
