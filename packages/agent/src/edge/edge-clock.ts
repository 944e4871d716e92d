/** Wall-clock time and waiting, injected so tests can run the edge on their own time. */
export interface EdgeClock {
  /** Milliseconds since the Unix epoch (fractions allowed). */
  now(): number;
  /** Resolves after `ms` (at once for ms <= 0), or when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const systemEdgeClock: EdgeClock = {
  now: () => performance.timeOrigin + performance.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (ms <= 0 || signal.aborted) {
        resolve();
        return;
      }
      const done = (): void => {
        clearTimeout(t);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const t = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    }),
};

import type { AgentLogger, LogFields } from '../agent-logger.ts';

/** Logger of the edge: level, one sentence, structured fields. */
export type EdgeLogger = (
  level: 'debug' | 'info' | 'warn' | 'error',
  message: string,
  fields?: LogFields,
) => void;

/** The edge's logger from either form (a function, or the agent's `AgentLogger`; debug lines dropped there). */
export function toEdgeLogger(logger: EdgeLogger | AgentLogger | undefined): EdgeLogger {
  if (logger === undefined) return () => undefined;
  if (typeof logger === 'function') return logger;
  return (level, message, fields) => {
    if (level !== 'debug') logger[level](message, fields);
  };
}
