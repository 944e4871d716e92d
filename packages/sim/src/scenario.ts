/**
 * Reading a scenario: YAML or JSON text -> validated {@link ScenarioSpec}. Every problem becomes a
 * {@link UserError} naming the file, the line, the path of the field in the file
 * (`emitters[2].modulation`) and a fix.
 */
import { UserError } from '@heimdall/errors';
import { LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import type { z } from 'zod';
import { formatHz } from './quantity.ts';
import {
  ANOMALY_TYPES,
  MODULATIONS,
  PROFILE_NAMES,
  SYNC_QUALITIES,
  scenarioSchema,
  type ScenarioSpec,
} from './scenario.schema.ts';

export type PathSegment = string | number;

/** `['emitters', 2, 'modulation']` -> `emitters[2].modulation`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? p : `.${p}`;
  }
  return out;
}

/** A problem found after the schema passed (cross-field checks). */
interface Finding {
  readonly path: readonly PathSegment[];
  readonly problem: string;
  readonly fix: string;
}

/**
 * Parses and validates scenario text (YAML 1.2; JSON is accepted as YAML). `source` names the file
 * in errors.
 */
export function parseScenario(text: string, source = 'scenario'): ScenarioSpec {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const firstError = doc.errors[0];
  if (firstError !== undefined) {
    const line = lineCounter.linePos(firstError.pos[0]).line;
    throw new UserError(`not valid YAML or JSON: ${firstError.message.split('\n')[0] ?? ''}`, {
      source,
      line,
      fix: 'check indentation, colons and quotes on that line',
    });
  }
  const raw: unknown = doc.toJS();
  const lineOf = (path: readonly PathSegment[]): number | undefined => {
    // the deepest node that exists on the path
    for (let n = path.length; n >= 0; n--) {
      const node: unknown = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
      if (node !== undefined && node !== null && typeof node === 'object' && 'range' in node) {
        const range = (node as YamlNode).range;
        if (range) return lineCounter.linePos(range[0]).line;
      }
    }
    return undefined;
  };
  return validateScenario(raw, source, lineOf);
}

/** Validates an already-parsed object (e.g. from a test or an API). */
export function validateScenario(
  raw: unknown,
  source = 'scenario',
  lineOf: (path: readonly PathSegment[]) => number | undefined = () => undefined,
): ScenarioSpec {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new UserError('a scenario must be a mapping with seed, nodes and emitters', {
      source,
      fix: 'start from the built-in demo scenario (heimdall sim run demo ...) and its README',
    });
  }
  const parsed = scenarioSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues;
    const first = issues[0];
    if (first !== undefined) {
      const f = describeIssue(first, raw);
      const more =
        issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
      const line = lineOf(f.path);
      throw new UserError(`${f.problem}${more}`, {
        source,
        field: formatPath(f.path),
        fix: f.fix,
        ...(line === undefined ? {} : { line }),
      });
    }
  }
  const spec = parsed.data as ScenarioSpec;
  const finding = crossCheck(spec);
  if (finding !== undefined) {
    const line = lineOf(finding.path);
    throw new UserError(finding.problem, {
      source,
      field: formatPath(finding.path),
      fix: finding.fix,
      ...(line === undefined ? {} : { line }),
    });
  }
  return spec;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

const EXAMPLES: Record<string, string> = {
  seed: 'seed: 42',
  name: 'name: my-site',
  latitude: 'latitude: 52.24',
  longitude: 'longitude: 6.85',
  frequency: 'frequency: 145.5 MHz',
  center_frequency: 'center_frequency: 100 MHz',
  nodes: 'nodes: [{ name: site, latitude: 52.2, longitude: 6.8, center_frequency: 100 MHz }]',
  modulation: `modulation: cw (one of ${MODULATIONS.join(', ')})`,
  emitter: 'emitter: <name of an emitter>',
  start_s: 'start_s: 60',
  duration_s: 'duration_s: 30',
  rate_per_hour: 'rate_per_hour: 6',
  mean_duration_s: 'mean_duration_s: 10',
  period_s: 'period_s: 60',
  on_s: 'on_s: 10',
  drift: 'drift: 2 kHz',
  change_db: 'change_db: 10',
};

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): Finding {
  const path = issue.path.filter((p): p is PathSegment => typeof p !== 'symbol');
  const key = path[path.length - 1];
  const keyName = typeof key === 'string' ? key : '';
  const got = valueAt(raw, path);
  const gotText = got === undefined ? '' : ` (got ${JSON.stringify(got)})`;
  switch (issue.code) {
    case 'invalid_union': {
      if ('discriminator' in issue && issue.discriminator !== undefined) {
        const parentPath = path.slice(0, -1);
        const parentRaw = valueAt(raw, parentPath);
        // `modulation: fmm` is shorthand for `modulation: { type: fmm }`: name the field as written
        const shownPath = typeof parentRaw === 'string' ? parentPath : path;
        const what = String(parentPath[parentPath.length - 1] ?? keyName);
        const options = ('options' in issue ? (issue.options as unknown[]) : []).map(String);
        const value = typeof parentRaw === 'string' ? parentRaw : got;
        const kind =
          what === 'modulation'
            ? 'modulation'
            : what === 'schedule'
              ? 'schedule type'
              : what === 'pattern'
                ? 'antenna pattern'
                : what === 'propagation'
                  ? 'propagation model'
                  : typeof parentPath[0] === 'string' && parentPath[0] === 'anomalies'
                    ? 'anomaly type'
                    : issue.discriminator;
        if (value === undefined) {
          return {
            path: shownPath,
            problem: `missing ${issue.discriminator}`,
            fix: `add ${issue.discriminator}: one of ${options.join(', ')}`,
          };
        }
        return {
          path: shownPath,
          problem: `unknown ${kind} ${JSON.stringify(value)}`,
          fix: `use one of ${options.join(', ')}`,
        };
      }
      return { path, problem: `not a valid value${gotText}`, fix: fixFor(keyName) };
    }
    case 'invalid_type': {
      if (got === undefined) {
        return {
          path,
          problem: `missing required field "${keyName}"`,
          fix: `add ${EXAMPLES[keyName] ?? `${keyName}: <${issue.expected}>`}`,
        };
      }
      const expected =
        issue.expected === 'number' && /frequency|rate|bandwidth|deviation|span|ctcss/.test(keyName)
          ? 'a frequency in Hz (e.g. 145.5e6 or "145.5 MHz")'
          : issue.expected === 'number' && keyName.endsWith('_s')
            ? 'a duration in seconds (e.g. 90 or "15 min")'
            : issue.expected === 'number'
              ? 'a number'
              : `a ${issue.expected}`;
      return { path, problem: `must be ${expected}${gotText}`, fix: fixFor(keyName) };
    }
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const inclusive = issue.inclusive === true;
      if (issue.origin === 'array') {
        return {
          path,
          problem: `needs ${issue.code === 'too_small' ? 'at least' : 'at most'} ${String(bound)} entr${bound === 1 ? 'y' : 'ies'}${gotText.length > 80 ? '' : gotText}`,
          fix: fixFor(keyName),
        };
      }
      const rel =
        issue.code === 'too_small'
          ? Number(bound) === 0 && !inclusive
            ? 'must be positive'
            : `must be ${inclusive ? 'at least' : 'greater than'} ${String(bound)}`
          : `must be ${inclusive ? 'at most' : 'less than'} ${String(bound)}`;
      return { path, problem: `${rel}${gotText}`, fix: fixFor(keyName) };
    }
    case 'invalid_value': {
      const options = issue.values.map(String);
      return { path, problem: `unknown value${gotText}`, fix: `use one of ${options.join(', ')}` };
    }
    case 'unrecognized_keys': {
      const k = issue.keys[0] ?? '';
      return {
        path: [...path, k],
        problem: `unknown field "${k}"`,
        fix: 'remove it or check its spelling against packages/sim/README.md',
      };
    }
    case 'invalid_format':
      return {
        path,
        problem: `must be an ISO 8601 date-time${gotText}`,
        fix: 'write e.g. 2024-06-03T08:00:00Z',
      };
    default:
      return { path, problem: `${issue.message}${gotText}`, fix: fixFor(keyName) };
  }
}

function fixFor(key: string): string {
  if (key === 'power_w') return 'give the transmitter power in watts, e.g. power_w: 50 (or power_dbm: 47)';
  if (key === 'power_dbm') return 'give the transmitter power in dBm, e.g. power_dbm: 47 (50 W)';
  if (key === 'clock') return `use one of ${SYNC_QUALITIES.join(', ')}`;
  if (key === 'profile') return `use one of ${PROFILE_NAMES.join(', ')} or 24 numbers between 0 and 1`;
  if (key === 'type') return `use one of ${ANOMALY_TYPES.join(', ')}`;
  if (key === 'seed') return 'use a whole number from 0 to 4294967295';
  if (key === 'latitude') return 'use decimal degrees north, -90 to 90';
  if (key === 'longitude') return 'use decimal degrees east, -180 to 180';
  return EXAMPLES[key] === undefined
    ? 'see packages/sim/README.md for the field'
    : `write e.g. ${EXAMPLES[key]}`;
}

function crossCheck(spec: ScenarioSpec): Finding | undefined {
  const nodeNames = new Set<string>();
  for (const [i, n] of spec.nodes.entries()) {
    if (nodeNames.has(n.name)) {
      return {
        path: ['nodes', i, 'name'],
        problem: `duplicate node name "${n.name}"`,
        fix: 'give every node its own name',
      };
    }
    nodeNames.add(n.name);
    const [lo, hi] = n.frequency_range;
    if (lo >= hi) {
      return {
        path: ['nodes', i, 'frequency_range'],
        problem: `lower edge ${formatHz(lo)} is not below upper edge ${formatHz(hi)}`,
        fix: 'write [lowest, highest], e.g. [24 MHz, 1766 MHz]',
      };
    }
    if (n.center_frequency < lo || n.center_frequency > hi) {
      return {
        path: ['nodes', i, 'center_frequency'],
        problem: `${formatHz(n.center_frequency)} is outside the node's frequency range ${formatHz(lo)} to ${formatHz(hi)}`,
        fix: `tune inside the range or widen frequency_range`,
      };
    }
    if (n.sample_rates !== undefined && !n.sample_rates.includes(n.sample_rate)) {
      return {
        path: ['nodes', i, 'sample_rate'],
        problem: `${formatHz(n.sample_rate)} is not one of the node's sample_rates`,
        fix: `use one of ${n.sample_rates.map(formatHz).join(', ')}`,
      };
    }
  }
  const emitterNames = new Set<string>();
  for (const [i, e] of spec.emitters.entries()) {
    if (emitterNames.has(e.name)) {
      return {
        path: ['emitters', i, 'name'],
        problem: `duplicate emitter name "${e.name}"`,
        fix: 'give every emitter its own name',
      };
    }
    emitterNames.add(e.name);
    const p = powerCheck(e, ['emitters', i]);
    if (p) return p;
    if (e.schedule.type === 'duty_cycle' && e.schedule.on_s > e.schedule.period_s) {
      return {
        path: ['emitters', i, 'schedule', 'on_s'],
        problem: `on_s ${e.schedule.on_s} is longer than period_s ${e.schedule.period_s}`,
        fix: 'make on_s at most period_s (use type: always for a steady carrier)',
      };
    }
  }
  for (const [i, a] of spec.anomalies.entries()) {
    if (a.type === 'new_emitter') {
      const p = powerCheck(a.emitter, ['anomalies', i, 'emitter']);
      if (p) return p;
    } else if (a.type === 'jammer') {
      const p = powerCheck(a, ['anomalies', i]);
      if (p) return p;
    } else if (!emitterNames.has(a.emitter)) {
      return {
        path: ['anomalies', i, 'emitter'],
        problem: `no emitter named "${a.emitter}"`,
        fix: `use the name of one of the scenario's emitters${emitterNames.size > 0 ? `, e.g. ${[...emitterNames].slice(0, 3).join(', ')}` : ''}`,
      };
    }
  }
  return undefined;
}

function powerCheck(
  e: { readonly power_dbm?: number | undefined; readonly power_w?: number | undefined },
  path: readonly PathSegment[],
): Finding | undefined {
  if (e.power_dbm === undefined && e.power_w === undefined) {
    return {
      path: [...path, 'power_w'],
      problem: 'missing transmitter power',
      fix: 'add power_w: <watts> or power_dbm: <dBm>',
    };
  }
  if (e.power_dbm !== undefined && e.power_w !== undefined) {
    return {
      path: [...path, 'power_dbm'],
      problem: 'both power_dbm and power_w are given',
      fix: 'keep one of them',
    };
  }
  return undefined;
}

/** Transmitter power in dBm from whichever of power_dbm / power_w the file gave. */
export function transmitterPowerDbm(e: {
  readonly power_dbm?: number | undefined;
  readonly power_w?: number | undefined;
}): number {
  if (e.power_dbm !== undefined) return e.power_dbm;
  return 10 * Math.log10((e.power_w ?? 1e-3) * 1000);
}
