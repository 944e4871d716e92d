/** The server's clock port: tests pass a fake one to move time (token expiry, rate limits, offline nodes). */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
