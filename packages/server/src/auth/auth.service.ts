/**
 * Users, sign-in and credentials: argon2id password hashes, short-lived HS256 access tokens signed
 * with a key shared by the servers through the database, node API keys, the first admin, and the
 * audit log of logins and admin actions.
 */
import { randomBytes } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { Database } from '../database/database.ts';
import { ApiError, forbidden, notFound, unauthenticated } from '../errors.ts';
import type { Clock } from '../clock.ts';
import { ApiKeyRepository } from '../repositories/api-key.repository.ts';
import { AuditLogRepository, type AuditEntry } from '../repositories/audit-log.repository.ts';
import { ServerSecretRepository } from '../repositories/server-secret.repository.ts';
import { UserRepository, type UserRecord } from '../repositories/user.repository.ts';
import { LoginLimiter, type LoginLimiterOptions } from './login-limiter.ts';
import { DECOY_HASH, hashPassword, verifyPassword } from './password.ts';
import type { Principal, UserRole } from './principal.ts';
import { hashSecret } from './secret-token.ts';

export interface AccessToken {
  readonly access_token: string;
  readonly token_type: 'Bearer';
  /** Seconds until the token expires. */
  readonly expires_in: number;
}

export interface PublicUser {
  readonly id: string;
  readonly username: string;
  readonly role: UserRole;
  readonly disabled: boolean;
  readonly created_at: string;
}

export interface AuthServiceOptions {
  /** Access-token lifetime in seconds (default 900; `HEIMDALL_TOKEN_TTL`). */
  readonly tokenTtlSeconds?: number | undefined;
  readonly loginLimit?: LoginLimiterOptions;
}

const ISSUER = 'heimdall';
export const ADMIN_USERNAME = 'admin';

function toPublic(u: UserRecord): PublicUser {
  return { id: u.id, username: u.username, role: u.role, disabled: u.disabled, created_at: u.createdAt };
}

export class AuthService {
  private key: Uint8Array | undefined;
  private readonly users: UserRepository;
  private readonly keys: ApiKeyRepository;
  private readonly audit: AuditLogRepository;
  private readonly limiter: LoginLimiter;
  readonly tokenTtlSeconds: number;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    options: AuthServiceOptions = {},
  ) {
    this.users = new UserRepository(db);
    this.keys = new ApiKeyRepository(db);
    this.audit = new AuditLogRepository(db);
    this.limiter = new LoginLimiter(clock, options.loginLimit);
    this.tokenTtlSeconds = options.tokenTtlSeconds ?? 900;
  }

  private async signingKey(): Promise<Uint8Array> {
    this.key ??= await new ServerSecretRepository(this.db).getOrCreate('jwt_hs256', 32);
    return this.key;
  }

  /**
   * Creates the first admin (`admin`) when no user named so exists: with `password`, or a generated
   * one that is returned (for the caller to print once). Returns undefined when it exists already.
   */
  async ensureAdmin(
    password: string | undefined,
  ): Promise<{ password: string; generated: boolean } | undefined> {
    if ((await this.users.byUsername(ADMIN_USERNAME)) !== undefined) return undefined;
    const generated = password === undefined;
    const pw = password ?? randomBytes(18).toString('base64url');
    try {
      await this.users.create({
        username: ADMIN_USERNAME,
        role: 'admin',
        passwordHash: await hashPassword(pw),
      });
    } catch (e) {
      // another server created it at the same moment
      if ((await this.users.byUsername(ADMIN_USERNAME)) !== undefined) return undefined;
      throw e;
    }
    await this.audit.add({
      actorType: 'system',
      actorId: null,
      action: 'user.create',
      target: ADMIN_USERNAME,
      details: { role: 'admin', generated },
    });
    return { password: pw, generated };
  }

  /** Checks a username and password; rate-limited per username and client address. */
  async login(username: string, password: string, ip: string): Promise<AccessToken> {
    const wait = this.limiter.retryAfterSeconds(username, ip);
    if (wait > 0) {
      throw new ApiError('rate_limited', 'too many failed sign-ins', {
        retryAfterSeconds: wait,
        fix: `wait ${wait} s and try again`,
      });
    }
    const user = await this.users.byUsername(username);
    const ok = await verifyPassword(user?.passwordHash ?? DECOY_HASH, password);
    if (user === undefined || !ok || user.disabled) {
      this.limiter.fail(username, ip);
      await this.audit.add({
        actorType: 'user',
        actorId: user?.id ?? null,
        action: 'auth.login_failed',
        target: username,
        details: { ip },
      });
      throw unauthenticated('wrong username or password', 'check the username and password');
    }
    this.limiter.succeed(username, ip);
    await this.audit.add({
      actorType: 'user',
      actorId: user.id,
      action: 'auth.login',
      target: username,
      details: { ip },
    });
    const now = Math.floor(this.clock.now() / 1000);
    const token = await new SignJWT({ role: user.role, name: user.username })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setSubject(user.id)
      .setIssuedAt(now)
      .setExpirationTime(now + this.tokenTtlSeconds)
      .sign(await this.signingKey());
    return { access_token: token, token_type: 'Bearer', expires_in: this.tokenTtlSeconds };
  }

  /**
   * Who an `Authorization` header names: a user (access token) or a node (API key `hnk_...`);
   * undefined without a header. Throws `unauthenticated` for a bad, expired or revoked credential.
   */
  async authenticate(header: string | undefined): Promise<Principal | undefined> {
    if (header === undefined || header === '') return undefined;
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (m === null) throw unauthenticated('the Authorization header is not "Bearer <token>"');
    const credential = m[1] as string;
    if (credential.startsWith('hnk_')) {
      const key = await this.keys.byHash(hashSecret(credential));
      if (key === undefined || key.nodeId === null)
        throw unauthenticated('unknown or revoked API key', 'enroll the node again for a new key');
      return { kind: 'node', nodeId: key.nodeId, keyId: key.id };
    }
    let sub: string;
    try {
      const { payload } = await jwtVerify(credential, await this.signingKey(), {
        issuer: ISSUER,
        algorithms: ['HS256'],
        currentDate: new Date(this.clock.now()),
      });
      if (typeof payload.sub !== 'string') throw new Error('no subject');
      sub = payload.sub;
    } catch (e) {
      const expired = e instanceof joseErrors.JWTExpired;
      throw unauthenticated(
        expired ? 'the access token has expired' : 'the access token is not valid',
        'sign in again: POST /api/v1/auth/login',
      );
    }
    // the role is read now, so a changed role or a disabled account takes effect at once
    const user = await this.users.get(sub);
    if (user === undefined || user.disabled)
      throw unauthenticated('the account no longer exists or is disabled', 'ask an admin');
    return { kind: 'user', userId: user.id, username: user.username, role: user.role };
  }

  async record(by: Principal | undefined, entry: Omit<AuditEntry, 'actorType' | 'actorId'>): Promise<void> {
    await this.audit.addBy(by, entry);
  }

  auditLog(limit: number) {
    return this.audit.list(limit);
  }

  async listUsers(): Promise<PublicUser[]> {
    return (await this.users.list()).map(toPublic);
  }

  async getUser(id: string): Promise<PublicUser> {
    const u = await this.users.get(id);
    if (u === undefined) throw notFound('user');
    return toPublic(u);
  }

  async createUser(
    by: Principal | undefined,
    input: { username: string; password: string; role: UserRole },
  ): Promise<PublicUser> {
    const u = await this.users.create({
      username: input.username,
      role: input.role,
      passwordHash: await hashPassword(input.password),
    });
    await this.record(by, { action: 'user.create', target: u.username, details: { role: u.role } });
    return toPublic(u);
  }

  async updateUser(
    by: Principal | undefined,
    id: string,
    change: { role?: UserRole | undefined; password?: string | undefined; disabled?: boolean | undefined },
  ): Promise<PublicUser> {
    const before = await this.users.get(id);
    if (before === undefined) throw notFound('user');
    const demotes = (change.role !== undefined && change.role !== 'admin') || change.disabled === true;
    if (before.role === 'admin' && demotes && (await this.users.countOtherAdmins(id)) === 0) {
      throw forbidden('the last admin cannot be demoted or disabled');
    }
    const u = await this.users.update(id, {
      ...(change.role === undefined ? {} : { role: change.role }),
      ...(change.disabled === undefined ? {} : { disabled: change.disabled }),
      ...(change.password === undefined ? {} : { passwordHash: await hashPassword(change.password) }),
    });
    if (u === undefined) throw notFound('user');
    await this.record(by, {
      action: 'user.update',
      target: u.username,
      details: {
        ...(change.role === undefined ? {} : { role: change.role }),
        ...(change.disabled === undefined ? {} : { disabled: change.disabled }),
        password_changed: change.password !== undefined,
      },
    });
    return toPublic(u);
  }

  async deleteUser(by: Principal | undefined, id: string): Promise<void> {
    const u = await this.users.get(id);
    if (u === undefined) throw notFound('user');
    if (u.role === 'admin' && (await this.users.countOtherAdmins(id)) === 0)
      throw forbidden('the last admin cannot be deleted');
    await this.users.delete(id);
    await this.record(by, { action: 'user.delete', target: u.username });
  }
}
