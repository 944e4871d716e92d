/**
 * Typed configuration. This package is the only reader of `process.env`: every other package
 * receives the parsed, validated config it needs. Each field has a default and a one-line doc.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { UserError } from '@heimdall/errors';

export type Env = Readonly<Record<string, string | undefined>>;

interface FieldSpec<T> {
  /** Environment variable it is read from. */
  readonly env: string;
  /** One line for `heimdall --help` and the README. */
  readonly doc: string;
  readonly parse: (raw: string, env: string) => T;
  readonly fallback: () => T;
}

function field<T>(spec: FieldSpec<T>): FieldSpec<T> {
  return spec;
}

const str = (raw: string): string => raw;
const optionalStr = (raw: string): string | undefined => (raw === '' ? undefined : raw);

function port(raw: string, env: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new UserError(`must be a TCP port number 0-65535 (got "${raw}")`, {
      field: env,
      fix: `set ${env}=8080 or another free port`,
    });
  }
  return n;
}

function url(protocols: readonly string[]) {
  return (raw: string, env: string): string | undefined => {
    if (raw === '') return undefined;
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      throw new UserError(`is not a URL (got "${raw}")`, {
        field: env,
        fix: `use the form ${protocols[0]}//host:port/...`,
      });
    }
    if (!protocols.includes(parsed.protocol)) {
      throw new UserError(`must use ${protocols.join(' or ')} (got "${parsed.protocol}")`, {
        field: env,
        fix: `use the form ${protocols[0]}//host:port/...`,
      });
    }
    return raw;
  };
}

function oneOf<T extends string>(values: readonly T[]) {
  return (raw: string, env: string): T => {
    if ((values as readonly string[]).includes(raw)) return raw as T;
    throw new UserError(`must be one of ${values.join(', ')} (got "${raw}")`, { field: env });
  };
}

export const configSpec = {
  dataDir: field({
    env: 'HEIMDALL_DATA_DIR',
    doc: 'Folder for the embedded database, spools, keys and recordings (default ~/.heimdall).',
    parse: (raw) => resolve(raw),
    fallback: () => join(homedir(), '.heimdall'),
  }),
  port: field({
    env: 'PORT',
    doc: 'TCP port the server and demo listen on (default 8080).',
    parse: port,
    fallback: () => 8080,
  }),
  databaseUrl: field({
    env: 'DATABASE_URL',
    doc: 'PostgreSQL connection URL; when unset, the embedded PGlite database in the data folder is used.',
    parse: url(['postgres:', 'postgresql:']),
    fallback: () => undefined,
  }),
  natsUrl: field({
    env: 'NATS_URL',
    doc: 'NATS server URL (JetStream); when unset, the in-process bus is used.',
    parse: url(['nats:', 'tls:', 'ws:', 'wss:']),
    fallback: () => undefined,
  }),
  adminPassword: field({
    env: 'HEIMDALL_ADMIN_PASSWORD',
    doc: 'Password of the first admin user; when unset, one is generated and printed once.',
    parse: optionalStr,
    fallback: () => undefined,
  }),
  logLevel: field({
    env: 'HEIMDALL_LOG_LEVEL',
    doc: 'Log level: error, warn, info or debug (default info).',
    parse: oneOf(['error', 'warn', 'info', 'debug'] as const),
    fallback: () => 'info' as const,
  }),
  progress: field({
    env: 'HEIMDALL_PROGRESS',
    doc: 'Progress display: auto (bar on a terminal, plain lines otherwise), bar, plain or off (default auto).',
    parse: oneOf(['auto', 'bar', 'plain', 'off'] as const),
    fallback: () => 'auto' as const,
  }),
  sharedDataDir: field({
    env: 'HEIMDALL_SHARED_DATA',
    doc: 'Folder of reference recordings used by tests and benchmarks (default ../shared/data next to the repo).',
    parse: (raw) => resolve(raw),
    fallback: () => resolve(new URL('../../../../shared/data', import.meta.url).pathname),
  }),
  tmpDir: field({
    env: 'TMPDIR',
    doc: 'Folder for temporary files (default the system temporary folder).',
    parse: str,
    fallback: () => '/tmp',
  }),
  anomalyRetrainDays: field({
    env: 'HEIMDALL_ANOMALY_RETRAIN_DAYS',
    doc: "Days between retrainings of each node's anomaly model from its stored spectrum history, and the history used; 0 turns it off (default 7).",
    parse: (raw, env) => {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n) || n < 0) {
        throw new UserError(`must be a number of days, 0 or more (got "${raw}")`, {
          field: env,
          fix: `set ${env}=7, or 0 to turn retraining from history off`,
        });
      }
      return n;
    },
    fallback: () => 7,
  }),
} as const;

type Spec = typeof configSpec;
export type Config = {
  readonly [K in keyof Spec]: ReturnType<Spec[K]['fallback']> | ReturnType<Spec[K]['parse']>;
};

/** Parses and validates the whole configuration once; throws a {@link UserError} naming the variable. */
export function loadConfig(env: Env = process.env): Config {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(configSpec) as [keyof Spec, FieldSpec<unknown>][]) {
    const raw = env[spec.env];
    out[key] = raw === undefined ? spec.fallback() : spec.parse(raw, spec.env);
  }
  return out as Config;
}

/** `true` when running under CI (the `CI` variable is set to anything but "false" or ""). */
export function isCi(env: Env = process.env): boolean {
  const v = env['CI'];
  return v !== undefined && v !== '' && v !== 'false';
}

/** Reads one variable that only tests use (e.g. the integration-test database), in one place. */
export function testEnv(name: 'DATABASE_URL' | 'NATS_URL' | 'HEIMDALL_SHARED_DATA', env: Env = process.env) {
  const v = env[name];
  return v === undefined || v === '' ? undefined : v;
}
