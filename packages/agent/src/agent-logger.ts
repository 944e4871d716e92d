/**
 * The agent's log port: plain lines for people (the CLI prints them), structured fields for
 * context. Secrets (API keys, enrollment tokens) are never passed to it.
 */
export type LogFields = Readonly<Record<string, string | number | boolean | null | undefined>>;

export interface AgentLogger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** Drops everything (tests that assert on state, not on logs). */
export const silentAgentLogger: AgentLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** Formats `message key=value ...` on one line, quoting values with spaces. */
export function formatLogLine(level: string, message: string, fields: LogFields = {}): string {
  const parts = [new Date().toISOString(), level.padEnd(5), message];
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    const s = String(v);
    parts.push(`${k}=${/\s/.test(s) ? JSON.stringify(s) : s}`);
  }
  return parts.join(' ');
}

/** A logger writing one plain line per event through `write` (e.g. to stderr). */
export function lineLogger(write: (line: string) => void, prefix = ''): AgentLogger {
  const at = (level: string) => (message: string, fields?: LogFields) =>
    write(`${formatLogLine(level, `${prefix}${message}`, fields)}\n`);
  return { info: at('info'), warn: at('warn'), error: at('error') };
}
