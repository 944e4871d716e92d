/**
 * Typed configuration. This package is the only reader of `process.env`: every other package
 * receives the parsed, validated config it needs. Each field has a default and a one-line doc.
 */
import { isIP } from 'node:net';
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

/** A whole number in `min..max`, e.g. seconds or a count; the fix suggests the default. */
function intIn(min: number, max: number, unit: string, example: number) {
  return (raw: string, env: string): number => {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
      throw new UserError(`must be a whole number of ${unit}, ${min} to ${max} (got "${raw}")`, {
        field: env,
        fix: `set ${env}=${example}, or unset it for the default`,
      });
    }
    return n;
  };
}

/**
 * Which peers may set the client address through `X-Forwarded-For`: none (`false`), any (`true`),
 * or those in a list of addresses, CIDR ranges and Fastify's named ranges. It is Fastify's
 * `trustProxy` minus the hop count, which Fastify 5 ignores (it trusts no one) because a hop count
 * cannot tell a proxy from a client that sends the header itself.
 */
export type TrustProxy = boolean | readonly string[];

/** The named ranges `@fastify/proxy-addr` knows. */
const PROXY_RANGES = ['loopback', 'linklocal', 'uniquelocal'];

/** Prefix length of a contiguous IPv4 netmask (`255.255.0.0` is 16), undefined if not contiguous. */
function maskBits(mask: string): number | undefined {
  const bits = mask
    .split('.')
    .map((o) => Number(o).toString(2).padStart(8, '0'))
    .join('');
  if (!/^1*0*$/.test(bits)) return undefined;
  const ones = bits.indexOf('0');
  return ones === -1 ? 32 : ones;
}

/** Whether `entry` is one trusted proxy as `@fastify/proxy-addr` reads it: `ip`, `ip/bits`, `ip/mask` or a named range. */
function isProxyEntry(entry: string): boolean {
  if (PROXY_RANGES.includes(entry)) return true;
  const slash = entry.lastIndexOf('/');
  const family = isIP(slash === -1 ? entry : entry.slice(0, slash));
  if (family === 0) return false;
  if (slash === -1) return true;
  const range = entry.slice(slash + 1);
  const bits = /^\d+$/.test(range)
    ? Number(range)
    : family === 4 && isIP(range) === 4
      ? maskBits(range)
      : undefined;
  return bits !== undefined && bits > 0 && bits <= (family === 4 ? 32 : 128);
}

function trustProxy(raw: string, env: string): TrustProxy {
  const v = raw.trim();
  if (v === '' || v === 'false') return false;
  if (v === 'true') return true;
  const fix = `set ${env}=false (direct clients), true (every peer is a proxy that sets the header), or the proxies' addresses, e.g. ${env}=10.0.0.5,192.168.1.0/24`;
  if (/^\d+$/.test(v)) {
    throw new UserError(`a hop count ("${raw}") is not supported: it cannot tell a proxy from a client`, {
      field: env,
      fix,
    });
  }
  const entries = v.split(',').map((e) => e.trim());
  const bad = entries.find((e) => !isProxyEntry(e));
  if (bad !== undefined) {
    throw new UserError(
      `must be true, false, or a comma list of addresses, CIDR ranges, loopback, linklocal or uniquelocal (got "${bad}")`,
      { field: env, fix },
    );
  }
  return entries;
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
  tokenTtlSeconds: field({
    env: 'HEIMDALL_TOKEN_TTL',
    doc: 'Lifetime of an access token from POST /api/v1/auth/login, in seconds, 60 to 86400 (default 900).',
    parse: intIn(60, 86_400, 'seconds', 900),
    fallback: () => 900,
  }),
  loginMaxFailures: field({
    env: 'HEIMDALL_LOGIN_MAX_FAILURES',
    doc: 'Failed sign-ins per username and client address before further ones wait, 1 to 1000 (default 5).',
    parse: intIn(1, 1000, 'failed sign-ins', 5),
    fallback: () => 5,
  }),
  loginWindowSeconds: field({
    env: 'HEIMDALL_LOGIN_WINDOW',
    doc: 'Seconds over which failed sign-ins are counted, and the longest wait after too many, 1 to 86400 (default 900).',
    parse: intIn(1, 86_400, 'seconds', 900),
    fallback: () => 900,
  }),
  trustProxy: field({
    env: 'HEIMDALL_TRUST_PROXY',
    doc: 'Take the client address from X-Forwarded-For when the peer is a trusted proxy: false, true (any peer) or a comma list of addresses/CIDRs (default false).',
    parse: trustProxy,
    fallback: (): TrustProxy => false,
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
