/**
 * Retry delays for everything the agent reconnects to (the receiver over rtl_tcp, the server's
 * uplink): exponential backoff with full jitter, a uniformly random delay between 0 and
 * `min(maxMs, baseMs * 2^attempt)`, so a fleet that lost the same server or receiver host does
 * not come back in lockstep.
 */
export interface BackoffOptions {
  /** First ceiling, ms (default 500). */
  readonly baseMs?: number;
  /** Largest ceiling, ms (default 30 000). */
  readonly maxMs?: number;
  /** Uniform [0, 1) source (default Math.random); tests pass a fixed one. */
  readonly random?: () => number;
}

/** The delay before attempt number `attempt` (0 for the first retry). */
export function backoffDelayMs(attempt: number, o: BackoffOptions = {}): number {
  const ceiling = Math.min(o.maxMs ?? 30_000, (o.baseMs ?? 500) * 2 ** Math.min(attempt, 30));
  return Math.floor((o.random ?? Math.random)() * ceiling);
}

/** {@link backoffDelayMs} with the attempt counter kept for the caller. */
export class Backoff {
  private attempt = 0;

  constructor(private readonly options: BackoffOptions = {}) {}

  /** The delay before the next attempt (and counts the attempt). */
  next(): number {
    return backoffDelayMs(this.attempt++, this.options);
  }

  /** After a connection that worked: start again from the base. */
  reset(): void {
    this.attempt = 0;
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
