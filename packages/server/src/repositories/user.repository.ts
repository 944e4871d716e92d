/** Operator accounts. Only password hashes are stored (argon2id, see auth/password.ts). */
import { randomUUID } from 'node:crypto';
import { UserError } from '@heimdall/errors';
import type { Queryable, Row } from '../database/database.ts';
import { isoColumn } from '../database/sql-time.ts';
import type { UserRole } from '../auth/principal.ts';

export interface UserRecord {
  readonly id: string;
  readonly username: string;
  readonly role: UserRole;
  readonly passwordHash: string;
  readonly createdAt: string;
  readonly disabled: boolean;
}

const SELECT = `SELECT id::text AS id, username, role, password_hash, ${isoColumn('created_at')} AS created_at, disabled_at IS NOT NULL AS disabled FROM users`;

function toUser(r: Row): UserRecord {
  return {
    id: String(r['id']),
    username: String(r['username']),
    role: r['role'] as UserRole,
    passwordHash: String(r['password_hash']),
    createdAt: String(r['created_at']),
    disabled: r['disabled'] === true,
  };
}

export class UserRepository {
  constructor(private readonly db: Queryable) {}

  async create(user: { username: string; role: UserRole; passwordHash: string }): Promise<UserRecord> {
    const id = randomUUID();
    try {
      await this.db.query('INSERT INTO users (id, username, role, password_hash) VALUES ($1, $2, $3, $4)', [
        id,
        user.username,
        user.role,
        user.passwordHash,
      ]);
    } catch (e) {
      if ((e as { code?: unknown } | null)?.code === '23505') {
        throw new UserError(`a user named "${user.username}" exists already`, {
          field: 'username',
          fix: 'choose another username',
        });
      }
      throw e;
    }
    return (await this.get(id)) as UserRecord;
  }

  async get(id: string): Promise<UserRecord | undefined> {
    const { rows } = await this.db.query(`${SELECT} WHERE id = $1::uuid`, [id]);
    return rows[0] === undefined ? undefined : toUser(rows[0]);
  }

  async byUsername(username: string): Promise<UserRecord | undefined> {
    const { rows } = await this.db.query(`${SELECT} WHERE username = $1`, [username]);
    return rows[0] === undefined ? undefined : toUser(rows[0]);
  }

  async list(): Promise<UserRecord[]> {
    const { rows } = await this.db.query(`${SELECT} ORDER BY username`);
    return rows.map(toUser);
  }

  async update(
    id: string,
    change: { role?: UserRole; passwordHash?: string; disabled?: boolean },
  ): Promise<UserRecord | undefined> {
    const sets: string[] = [];
    const params: (string | boolean)[] = [id];
    if (change.role !== undefined) sets.push(`role = $${params.push(change.role)}`);
    if (change.passwordHash !== undefined) sets.push(`password_hash = $${params.push(change.passwordHash)}`);
    if (change.disabled !== undefined)
      sets.push(
        `disabled_at = CASE WHEN $${params.push(change.disabled)}::bool THEN COALESCE(disabled_at, now()) ELSE NULL END`,
      );
    if (sets.length > 0)
      await this.db.query(`UPDATE users SET ${sets.join(', ')} WHERE id = $1::uuid`, params);
    return this.get(id);
  }

  async delete(id: string): Promise<boolean> {
    return (await this.db.query('DELETE FROM users WHERE id = $1::uuid', [id])).rowCount > 0;
  }

  /** Active admins other than `exceptId` (an admin may not remove the last admin). */
  async countOtherAdmins(exceptId: string): Promise<number> {
    const { rows } = await this.db.query(
      "SELECT count(*)::int AS n FROM users WHERE role = 'admin' AND disabled_at IS NULL AND id <> $1::uuid",
      [exceptId],
    );
    return Number(rows[0]?.['n'] ?? 0);
  }
}
