/**
 * SigMF metadata (`.sigmf-meta`, SigMF 1.x): parsed from untrusted JSON into typed objects,
 * validated field by field, and serialized back with every unknown and extension field preserved.
 *
 * Sample indices here are as written in the file: absolute, i.e. they include `core:offset`.
 * {@link Recording} (recording.ts) exposes them relative to the first sample of the data instead.
 *
 * Every problem is a {@link UserError} naming the file, the field (`global.core:sample_rate`,
 * `captures[2].core:sample_start`, ...) or the line (invalid JSON), and what would fix it.
 */
import { closeSync, readFileSync } from 'node:fs';
import { parseDatatype } from '@heimdall/dsp';
import { UserError } from '@heimdall/errors';
import { fileError, openForRead } from './file-access.ts';
import { findJsonSyntaxError } from './json-syntax.ts';

/** One entry of `global.core:extensions`. */
export interface SigmfExtension {
  readonly name: string;
  readonly version: string;
  readonly optional: boolean;
}

/** The `global` object. `extra` holds every other key (core fields not modelled here, extensions). */
export interface SigmfGlobal {
  /** `core:datatype` as written (validated against the SigMF grammar; real types are allowed here). */
  readonly datatype: string;
  /** `core:sample_rate` in samples per second; positive when present. */
  readonly sampleRate: number | undefined;
  /** `core:version`, `X.Y.Z`. */
  readonly version: string;
  /** `core:num_channels` (default 1). */
  readonly numChannels: number;
  /** `core:offset`: absolute index of the first sample in the data file (default 0). */
  readonly offset: number;
  /** `core:sha512` of the data file, lower-case hex. */
  readonly sha512: string | undefined;
  /** `core:trailing_bytes` to ignore at the end of a non-conforming dataset (default 0). */
  readonly trailingBytes: number;
  /** `core:dataset`: file name of a non-conforming dataset beside the metadata. */
  readonly dataset: string | undefined;
  /** `core:metadata_only`. */
  readonly metadataOnly: boolean | undefined;
  readonly description: string | undefined;
  readonly author: string | undefined;
  readonly recorder: string | undefined;
  readonly license: string | undefined;
  readonly hw: string | undefined;
  /** `core:extensions`. */
  readonly extensions: readonly SigmfExtension[] | undefined;
  readonly extra: Record<string, unknown>;
}

/** A capture segment. */
export interface Capture {
  /** `core:sample_start`. In {@link SigmfMeta}: as written; in a Recording: relative to the data file. */
  sampleStart: number;
  /** `core:frequency`: centre frequency in Hz. */
  frequency: number | undefined;
  /** `core:datetime` exactly as written (nanoseconds and beyond kept); see {@link parseSigmfDatetime}. */
  datetime: string | undefined;
  /** `core:header_bytes` before this capture's samples (non-conforming datasets), default 0. */
  headerBytes: number;
  /** `core:global_index`. */
  globalIndex: number | undefined;
  /** Every other key (e.g. `core:geolocation`, extension fields), preserved. */
  extra: Record<string, unknown>;
}

/** An annotation segment. `extra` holds `core:uuid` and extension fields such as `heimdall:snr_db`. */
export interface Annotation {
  sampleStart: number;
  sampleCount: number | undefined;
  freqLowerEdge: number | undefined;
  freqUpperEdge: number | undefined;
  label: string | undefined;
  generator: string | undefined;
  comment: string | undefined;
  extra: Record<string, unknown>;
}

/** A parsed `.sigmf-meta`. `extra` holds top-level keys other than global/captures/annotations. */
export interface SigmfMeta {
  readonly global: SigmfGlobal;
  readonly captures: readonly Capture[];
  readonly annotations: readonly Annotation[];
  readonly extra: Record<string, unknown>;
}

/** Largest `.sigmf-meta` we read into memory. */
export const MAX_META_BYTES = 256 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Field readers

type Obj = Record<string, unknown>;

interface Ctx {
  readonly source: string;
}

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string')
    return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}`;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'object') return 'an object';
  return String(v);
}

function bad(ctx: Ctx, field: string, problem: string, fix: string): UserError {
  return new UserError(problem, { source: ctx.source, field, fix });
}

function optString(ctx: Ctx, o: Obj, key: string, path: string): string | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') {
    throw bad(
      ctx,
      `${path}.${key}`,
      `must be a string (got ${kindOf(v)})`,
      `write it as a JSON string in quotes`,
    );
  }
  return v;
}

function optNumber(ctx: Ctx, o: Obj, key: string, path: string, unit: string): number | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw bad(
      ctx,
      `${path}.${key}`,
      `must be a finite number in ${unit} (got ${kindOf(v)})`,
      `write a plain JSON number, e.g. 915000000, not a string`,
    );
  }
  return v;
}

function optUint(ctx: Ctx, o: Obj, key: string, path: string, what: string): number | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw bad(
      ctx,
      `${path}.${key}`,
      `must be a whole number >= 0 (got ${kindOf(v)})`,
      `write the ${what} as an integer`,
    );
  }
  if (!Number.isSafeInteger(v)) {
    throw bad(
      ctx,
      `${path}.${key}`,
      `is too large (${v}): above 2^53 it cannot be represented exactly`,
      `use a ${what} below 9007199254740992`,
    );
  }
  return v;
}

function optBoolean(ctx: Ctx, o: Obj, key: string, path: string): boolean | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') {
    throw bad(
      ctx,
      `${path}.${key}`,
      `must be true or false (got ${kindOf(v)})`,
      'write true or false without quotes',
    );
  }
  return v;
}

/** Deepest nesting we keep in preserved fields (JSON.stringify recurses; it must be able to write them back). */
export const MAX_EXTRA_DEPTH = 100;

/** Whether `value` nests objects/arrays deeper than `max` levels (iterative: no recursion). */
function tooDeep(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop() as [unknown, number];
    if (typeof v !== 'object' || v === null) continue;
    if (d >= max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === 'object' && child !== null) stack.push([child, d + 1]);
    }
  }
  return false;
}

/** The keys of `o` not in `known`, in file order (safe against `__proto__` keys). */
function extras(ctx: Ctx, o: Obj, known: ReadonlySet<string>, path: string): Record<string, unknown> {
  const kept = Object.entries(o).filter(([k]) => !known.has(k));
  for (const [k, v] of kept) {
    if (tooDeep(v, MAX_EXTRA_DEPTH)) {
      throw bad(
        ctx,
        path === '' ? k : `${path}.${k}`,
        `is nested more than ${MAX_EXTRA_DEPTH} levels deep`,
        'flatten the value',
      );
    }
  }
  return Object.fromEntries(kept);
}

// ---------------------------------------------------------------------------------------------
// Datetime

const DATETIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;

function daysFromCivil(y: number, m: number, d: number): number {
  // Days since 1970-01-01 in the proleptic Gregorian calendar (valid for any year).
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(m) ? 30 : 31;
}

/**
 * Parses a SigMF `core:datetime` (RFC 3339, `YYYY-MM-DDTHH:MM:SS[.fraction]Z`, any number of
 * fraction digits) into nanoseconds since 1970-01-01T00:00:00Z. Digits beyond nanoseconds are
 * truncated. Numeric offsets (`+02:00`) are accepted and converted to UTC; a time without `Z` or
 * an offset is refused because its time zone is unknown. Throws a {@link UserError} (without
 * source) when the string is not such a timestamp.
 */
export function parseSigmfDatetime(text: string): bigint {
  const m = DATETIME.exec(text);
  const fix = 'write UTC as YYYY-MM-DDTHH:MM:SS.fffZ, e.g. 2024-05-01T12:00:00.000000000Z';
  if (m === null) {
    throw new UserError(`is not an RFC 3339 UTC timestamp (got ${JSON.stringify(text.slice(0, 60))})`, {
      fix,
    });
  }
  const [, ys, mos, ds, hs, mis, ss, frac, , sign, ohs, oms] = m;
  const y = Number(ys);
  const mo = Number(mos);
  const d = Number(ds);
  const h = Number(hs);
  const mi = Number(mis);
  const s = Number(ss);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 60) {
    throw new UserError(`is not a valid date and time (got ${JSON.stringify(text)})`, { fix });
  }
  let offsetMin = 0;
  if (sign !== undefined) {
    const oh = Number(ohs);
    const om = Number(oms);
    if (oh > 23 || om > 59)
      throw new UserError(`has an invalid UTC offset (got ${JSON.stringify(text)})`, { fix });
    offsetMin = (sign === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const seconds = BigInt(daysFromCivil(y, mo, d)) * 86400n + BigInt(h * 3600 + mi * 60 + s - offsetMin * 60);
  const ns = BigInt((frac ?? '').slice(0, 9).padEnd(9, '0'));
  return seconds * 1_000_000_000n + ns;
}

/** Formats nanoseconds since the epoch as a SigMF `core:datetime` with 9 fraction digits and `Z`. */
export function formatSigmfDatetime(epochNs: bigint): string {
  const sec = epochNs >= 0n ? epochNs / 1_000_000_000n : (epochNs - 999_999_999n) / 1_000_000_000n;
  const ns = epochNs - sec * 1_000_000_000n;
  const iso = new Date(Number(sec) * 1000).toISOString(); // YYYY-MM-DDTHH:MM:SS.000Z
  return `${iso.slice(0, 19)}.${ns.toString().padStart(9, '0')}Z`;
}

/** A JavaScript Date (millisecond precision) as a SigMF `core:datetime`. */
export function dateToSigmfDatetime(date: Date): string {
  return formatSigmfDatetime(BigInt(date.getTime()) * 1_000_000n);
}

// ---------------------------------------------------------------------------------------------
// Parsing

const GLOBAL_KEYS = new Set([
  'core:datatype',
  'core:sample_rate',
  'core:version',
  'core:num_channels',
  'core:offset',
  'core:sha512',
  'core:trailing_bytes',
  'core:dataset',
  'core:metadata_only',
  'core:description',
  'core:author',
  'core:recorder',
  'core:license',
  'core:hw',
  'core:extensions',
]);
const CAPTURE_KEYS = new Set([
  'core:sample_start',
  'core:frequency',
  'core:datetime',
  'core:header_bytes',
  'core:global_index',
]);
const ANNOTATION_KEYS = new Set([
  'core:sample_start',
  'core:sample_count',
  'core:freq_lower_edge',
  'core:freq_upper_edge',
  'core:label',
  'core:generator',
  'core:comment',
]);
const TOP_KEYS = new Set(['global', 'captures', 'annotations']);

const DATATYPE_FIX = 'use a complex SigMF datatype such as cf32_le, ci16_le or cu8';

/** Validates `core:datatype` against every SigMF datatype, real ones included (recordings refuse those). */
function validateDatatype(ctx: Ctx, value: unknown): string {
  const field = 'global.core:datatype';
  if (value === undefined) {
    throw bad(
      ctx,
      field,
      'is missing: the data cannot be read without it',
      `add "core:datatype", e.g. "cf32_le"`,
    );
  }
  if (typeof value !== 'string')
    throw bad(ctx, field, `must be a string (got ${kindOf(value)})`, DATATYPE_FIX);
  const complexTwin = /^\s*r/i.test(value) ? value.trim().replace(/^r/i, 'c') : undefined;
  try {
    parseDatatype(complexTwin ?? value);
  } catch (e) {
    if (e instanceof UserError)
      throw new UserError(e.message, { source: ctx.source, field, fix: e.fix ?? DATATYPE_FIX });
    throw e;
  }
  return value;
}

function parseExtensions(ctx: Ctx, value: unknown): SigmfExtension[] | undefined {
  if (value === undefined) return undefined;
  const field = 'global.core:extensions';
  const fix = 'write a list of {"name": "...", "version": "X.Y.Z", "optional": true}';
  if (!Array.isArray(value)) throw bad(ctx, field, `must be an array (got ${kindOf(value)})`, fix);
  return value.map((e: unknown, i) => {
    const path = `${field}[${i}]`;
    if (!isObject(e)) throw bad(ctx, path, `must be an object (got ${kindOf(e)})`, fix);
    const name = e['name'];
    const version = e['version'];
    const optional = e['optional'];
    if (typeof name !== 'string' || name === '')
      throw bad(ctx, `${path}.name`, 'must be a non-empty string', fix);
    if (typeof version !== 'string') throw bad(ctx, `${path}.version`, 'must be a string', fix);
    if (typeof optional !== 'boolean') throw bad(ctx, `${path}.optional`, 'must be true or false', fix);
    return { name, version, optional };
  });
}

function parseGlobal(ctx: Ctx, g: Obj): SigmfGlobal {
  const p = 'global';
  const datatype = validateDatatype(ctx, g['core:datatype']);

  const rate = g['core:sample_rate'];
  let sampleRate: number | undefined;
  if (rate !== undefined) {
    if (typeof rate !== 'number' || !Number.isFinite(rate) || rate <= 0) {
      throw bad(
        ctx,
        `${p}.core:sample_rate`,
        `must be a positive number of samples per second (got ${kindOf(rate)})`,
        'set the sample rate the recording was made at, in Hz, e.g. 2400000',
      );
    }
    sampleRate = rate;
  }

  const version = g['core:version'];
  if (version === undefined) {
    throw bad(ctx, `${p}.core:version`, 'is missing (SigMF requires it)', 'add "core:version": "1.2.0"');
  }
  if (typeof version !== 'string' || !/^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]*)?$/.test(version)) {
    throw bad(
      ctx,
      `${p}.core:version`,
      `must be a version string X.Y.Z (got ${kindOf(version)})`,
      'write e.g. "1.2.0"',
    );
  }

  const numChannels = optUint(ctx, g, 'core:num_channels', p, 'channel count') ?? 1;
  if (numChannels < 1) {
    throw bad(
      ctx,
      `${p}.core:num_channels`,
      'must be at least 1 (got 0)',
      'set the number of interleaved channels, usually 1',
    );
  }
  const sha512 = optString(ctx, g, 'core:sha512', p);
  if (sha512 !== undefined && !/^[0-9a-fA-F]{128}$/.test(sha512)) {
    throw bad(
      ctx,
      `${p}.core:sha512`,
      'must be 128 hexadecimal digits',
      'write the SHA-512 of the data file, or remove the field',
    );
  }
  const dataset = optString(ctx, g, 'core:dataset', p);
  if (
    dataset !== undefined &&
    (dataset === '' || /[/\\]/.test(dataset) || dataset === '.' || dataset === '..')
  ) {
    throw bad(
      ctx,
      `${p}.core:dataset`,
      `must be a file name without folders (got ${JSON.stringify(dataset)})`,
      'put the dataset beside the metadata and write only its file name',
    );
  }
  return {
    datatype,
    sampleRate,
    version,
    numChannels,
    offset: optUint(ctx, g, 'core:offset', p, 'sample index') ?? 0,
    sha512: sha512?.toLowerCase(),
    trailingBytes: optUint(ctx, g, 'core:trailing_bytes', p, 'byte count') ?? 0,
    dataset,
    metadataOnly: optBoolean(ctx, g, 'core:metadata_only', p),
    description: optString(ctx, g, 'core:description', p),
    author: optString(ctx, g, 'core:author', p),
    recorder: optString(ctx, g, 'core:recorder', p),
    license: optString(ctx, g, 'core:license', p),
    hw: optString(ctx, g, 'core:hw', p),
    extensions: parseExtensions(ctx, g['core:extensions']),
    extra: extras(ctx, g, GLOBAL_KEYS, p),
  };
}

function requiredSampleStart(ctx: Ctx, o: Obj, path: string): number {
  if (o['core:sample_start'] === undefined) {
    throw bad(
      ctx,
      `${path}.core:sample_start`,
      'is missing',
      'add "core:sample_start": the index of its first sample',
    );
  }
  return optUint(ctx, o, 'core:sample_start', path, 'sample index') as number;
}

function parseCapture(ctx: Ctx, c: unknown, i: number): Capture {
  const path = `captures[${i}]`;
  if (!isObject(c))
    throw bad(
      ctx,
      path,
      `must be an object (got ${kindOf(c)})`,
      'write each capture as {"core:sample_start": N, ...}',
    );
  const datetime = optString(ctx, c, 'core:datetime', path);
  if (datetime !== undefined) {
    try {
      parseSigmfDatetime(datetime);
    } catch (e) {
      if (e instanceof UserError) {
        throw new UserError(e.message, {
          source: ctx.source,
          field: `${path}.core:datetime`,
          fix: e.fix ?? '',
        });
      }
      throw e;
    }
  }
  return {
    sampleStart: requiredSampleStart(ctx, c, path),
    frequency: optNumber(ctx, c, 'core:frequency', path, 'Hz'),
    datetime,
    headerBytes: optUint(ctx, c, 'core:header_bytes', path, 'byte count') ?? 0,
    globalIndex: optUint(ctx, c, 'core:global_index', path, 'sample index'),
    extra: extras(ctx, c, CAPTURE_KEYS, path),
  };
}

function parseAnnotation(ctx: Ctx, a: unknown, i: number): Annotation {
  const path = `annotations[${i}]`;
  if (!isObject(a)) {
    throw bad(
      ctx,
      path,
      `must be an object (got ${kindOf(a)})`,
      'write each annotation as {"core:sample_start": N, ...}',
    );
  }
  const freqLowerEdge = optNumber(ctx, a, 'core:freq_lower_edge', path, 'Hz');
  const freqUpperEdge = optNumber(ctx, a, 'core:freq_upper_edge', path, 'Hz');
  if (freqLowerEdge !== undefined && freqUpperEdge !== undefined && freqUpperEdge < freqLowerEdge) {
    throw bad(
      ctx,
      `${path}.core:freq_upper_edge`,
      `is below core:freq_lower_edge (${freqUpperEdge} < ${freqLowerEdge})`,
      'swap the two edges',
    );
  }
  return {
    sampleStart: requiredSampleStart(ctx, a, path),
    sampleCount: optUint(ctx, a, 'core:sample_count', path, 'sample count'),
    freqLowerEdge,
    freqUpperEdge,
    label: optString(ctx, a, 'core:label', path),
    generator: optString(ctx, a, 'core:generator', path),
    comment: optString(ctx, a, 'core:comment', path),
    extra: extras(ctx, a, ANNOTATION_KEYS, path),
  };
}

function optArray(ctx: Ctx, o: Obj, key: string): readonly unknown[] {
  const v = o[key];
  if (v === undefined) return [];
  if (!Array.isArray(v)) {
    throw bad(
      ctx,
      key,
      `must be an array (got ${kindOf(v)})`,
      `write "${key}": [ ... ] (an empty list is fine)`,
    );
  }
  return v;
}

/**
 * Validates an already-parsed JSON value as SigMF metadata. `source` names the file in errors.
 */
export function sigmfMetaFromJson(value: unknown, source: string): SigmfMeta {
  const ctx: Ctx = { source };
  if (!isObject(value)) {
    throw new UserError(`is not SigMF metadata: the top level must be a JSON object (got ${kindOf(value)})`, {
      source,
      fix: 'write {"global": {...}, "captures": [...], "annotations": [...]}',
    });
  }
  const g = value['global'];
  if (!isObject(g)) {
    throw bad(
      ctx,
      'global',
      g === undefined ? 'is missing' : `must be an object (got ${kindOf(g)})`,
      'add "global": {"core:datatype": "cf32_le", "core:version": "1.2.0", "core:sample_rate": ...}',
    );
  }
  const global = parseGlobal(ctx, g);
  const captures = optArray(ctx, value, 'captures').map((c, i) => parseCapture(ctx, c, i));
  for (let i = 1; i < captures.length; i++) {
    const prev = (captures[i - 1] as Capture).sampleStart;
    const cur = (captures[i] as Capture).sampleStart;
    if (cur <= prev) {
      throw bad(
        ctx,
        `captures[${i}].core:sample_start`,
        `is ${cur}, not after the previous capture's ${prev}: captures must be sorted by core:sample_start`,
        'sort the captures by core:sample_start and merge captures that start at the same sample',
      );
    }
  }
  const annotations = optArray(ctx, value, 'annotations').map((a, i) => parseAnnotation(ctx, a, i));
  return { global, captures, annotations, extra: extras(ctx, value, TOP_KEYS, '') };
}

/**
 * Parses the text of a `.sigmf-meta`. Invalid JSON is reported with its line and column.
 */
export function parseSigmfMeta(text: string, source: string): SigmfMeta {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (e) {
    const where = findJsonSyntaxError(body);
    const fix = 'correct the JSON (a JSON validator or `python3 -m json.tool FILE` shows the spot)';
    if (where === undefined) {
      throw new UserError(`invalid JSON: ${e instanceof Error ? e.message : String(e)}`, {
        source,
        fix,
        cause: e,
      });
    }
    throw new UserError(`invalid JSON: ${where.problem} at line ${where.line}, column ${where.column}`, {
      source,
      line: where.line,
      fix,
      cause: e,
    });
  }
  return sigmfMetaFromJson(value, source);
}

/** Reads and parses a `.sigmf-meta` file. */
export function readSigmfMeta(path: string): SigmfMeta {
  const { fd, size } = openForRead(path, 'metadata file');
  let text: string;
  try {
    if (size > MAX_META_BYTES) {
      throw new UserError(`metadata file is ${size} bytes, more than the ${MAX_META_BYTES} we read`, {
        source: path,
        fix: 'check that this is a .sigmf-meta (JSON) file and not the data',
      });
    }
    text = readFileSync(fd, 'utf8');
  } catch (e) {
    throw fileError(e, path, 'metadata file');
  } finally {
    closeSync(fd);
  }
  return parseSigmfMeta(text, path);
}

// ---------------------------------------------------------------------------------------------
// Serialization

function put(o: Obj, key: string, v: unknown): void {
  if (v !== undefined) o[key] = v;
}

function withExtras(o: Obj, extra: Record<string, unknown>, known: ReadonlySet<string>): Obj {
  for (const [k, v] of Object.entries(extra)) {
    if (!known.has(k))
      Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return o;
}

export function globalToJson(g: SigmfGlobal): Obj {
  const o: Obj = {};
  put(o, 'core:datatype', g.datatype);
  put(o, 'core:sample_rate', g.sampleRate);
  put(o, 'core:version', g.version);
  put(o, 'core:num_channels', g.numChannels);
  if (g.offset !== 0) put(o, 'core:offset', g.offset);
  put(o, 'core:sha512', g.sha512);
  if (g.trailingBytes !== 0) put(o, 'core:trailing_bytes', g.trailingBytes);
  put(o, 'core:dataset', g.dataset);
  put(o, 'core:metadata_only', g.metadataOnly);
  put(o, 'core:description', g.description);
  put(o, 'core:author', g.author);
  put(o, 'core:recorder', g.recorder);
  put(o, 'core:license', g.license);
  put(o, 'core:hw', g.hw);
  put(
    o,
    'core:extensions',
    g.extensions?.map((e) => ({ name: e.name, version: e.version, optional: e.optional })),
  );
  return withExtras(o, g.extra, GLOBAL_KEYS);
}

export function captureToJson(c: Capture): Obj {
  const o: Obj = {};
  put(o, 'core:sample_start', c.sampleStart);
  put(o, 'core:frequency', c.frequency);
  put(o, 'core:datetime', c.datetime);
  if (c.headerBytes !== 0) put(o, 'core:header_bytes', c.headerBytes);
  put(o, 'core:global_index', c.globalIndex);
  return withExtras(o, c.extra, CAPTURE_KEYS);
}

export function annotationToJson(a: Annotation): Obj {
  const o: Obj = {};
  put(o, 'core:sample_start', a.sampleStart);
  put(o, 'core:sample_count', a.sampleCount);
  put(o, 'core:freq_lower_edge', a.freqLowerEdge);
  put(o, 'core:freq_upper_edge', a.freqUpperEdge);
  put(o, 'core:label', a.label);
  put(o, 'core:generator', a.generator);
  put(o, 'core:comment', a.comment);
  return withExtras(o, a.extra, ANNOTATION_KEYS);
}

/**
 * The JSON object of a metadata document with a stable key order: `global`, `captures`,
 * `annotations` (sorted by `core:sample_start`, as SigMF requires; ties keep their order), then
 * any other top-level keys. Within each object the core fields come first, then the preserved ones.
 */
export function sigmfMetaToJson(meta: SigmfMeta): Obj {
  const annotations = meta.annotations
    .map((a, i) => ({ a, i }))
    .sort((x, y) => x.a.sampleStart - y.a.sampleStart || x.i - y.i)
    .map(({ a }) => annotationToJson(a));
  const o: Obj = {
    global: globalToJson(meta.global),
    captures: meta.captures.map(captureToJson),
    annotations,
  };
  return withExtras(o, meta.extra, TOP_KEYS);
}

/** Pretty JSON text (2-space indent, trailing newline) of a metadata document. */
export function formatSigmfMeta(meta: SigmfMeta): string {
  return `${JSON.stringify(sigmfMetaToJson(meta), null, 2)}\n`;
}
