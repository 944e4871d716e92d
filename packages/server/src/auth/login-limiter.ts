/**
 * Rate limit for logins, per username and client address: after `maxFailures` failed attempts
 * within `windowMs`, further attempts are refused until the window passes. A success clears the
 * count. In memory, per server (several servers each allow `maxFailures`).
 */
import type { Clock } from '../clock.ts';

export interface LoginLimiterOptions {
  /** Failed attempts allowed within the window (default 5; `HEIMDALL_LOGIN_MAX_FAILURES`). */
  readonly maxFailures?: number | undefined;
  /** Default 15 minutes (`HEIMDALL_LOGIN_WINDOW`). */
  readonly windowMs?: number | undefined;
  /** Most keys remembered (oldest forgotten first). */
  readonly capacity?: number | undefined;
}

interface Entry {
  failures: number;
  firstAt: number;
}

export class LoginLimiter {
  private readonly entries = new Map<string, Entry>();
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly capacity: number;

  constructor(
    private readonly clock: Clock,
    options: LoginLimiterOptions = {},
  ) {
    this.maxFailures = options.maxFailures ?? 5;
    this.windowMs = options.windowMs ?? 15 * 60_000;
    this.capacity = options.capacity ?? 100_000;
  }

  private key(username: string, ip: string): string {
    return `${username.toLowerCase()}\u0000${ip}`;
  }

  /** Seconds until another attempt is allowed, or 0 when one is allowed now. */
  retryAfterSeconds(username: string, ip: string): number {
    const e = this.entries.get(this.key(username, ip));
    if (e === undefined) return 0;
    const left = e.firstAt + this.windowMs - this.clock.now();
    if (left <= 0) {
      this.entries.delete(this.key(username, ip));
      return 0;
    }
    return e.failures >= this.maxFailures ? Math.ceil(left / 1000) : 0;
  }

  fail(username: string, ip: string): void {
    const k = this.key(username, ip);
    const now = this.clock.now();
    const e = this.entries.get(k);
    if (e === undefined || e.firstAt + this.windowMs <= now) {
      this.entries.delete(k);
      this.entries.set(k, { failures: 1, firstAt: now });
      if (this.entries.size > this.capacity) {
        const oldest = this.entries.keys().next();
        if (oldest.done !== true) this.entries.delete(oldest.value);
      }
    } else {
      e.failures++;
    }
  }

  succeed(username: string, ip: string): void {
    this.entries.delete(this.key(username, ip));
  }
}
