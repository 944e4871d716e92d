/** The server's log port: one JSON line per event on stderr, or nothing (tests). */
export interface Logger {
  info(message: string, fields?: Readonly<Record<string, unknown>>): void;
  warn(message: string, fields?: Readonly<Record<string, unknown>>): void;
  error(message: string, fields?: Readonly<Record<string, unknown>>): void;
}

type Level = 'error' | 'warn' | 'info' | 'debug';
const ORDER: Readonly<Record<Level, number>> = { error: 0, warn: 1, info: 2, debug: 3 };

export function jsonLogger(
  level: Level,
  write: (line: string) => void = (l) => process.stderr.write(l),
): Logger {
  const at =
    (l: Level) =>
    (message: string, fields: Readonly<Record<string, unknown>> = {}) => {
      if (ORDER[l] <= ORDER[level])
        write(`${JSON.stringify({ time: new Date().toISOString(), level: l, message, ...fields })}\n`);
    };
  return { info: at('info'), warn: at('warn'), error: at('error') };
}

export const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
