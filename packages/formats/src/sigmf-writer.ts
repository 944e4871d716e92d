/**
 * Writing SigMF: metadata files (stable key order, annotations sorted by `core:sample_start` as
 * the spec requires), annotation builders with `core:` and extension fields, and a streaming
 * recorder ({@link SigmfWriter}) that writes `X.sigmf-data` as samples arrive and `X.sigmf-meta`
 * with the `core:sha512` computed on the way.
 */
import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { bytesPerSample, parseDatatype, type SampleFormat } from '@heimdall/dsp';
import { UserError } from '@heimdall/errors';
import { basename } from 'node:path';
import { fileError, isFile } from './file-access.ts';
import { writeTar, type TarEntry } from './tar.ts';
import {
  annotationToJson,
  dateToSigmfDatetime,
  formatSigmfMeta,
  parseSigmfDatetime,
  type Annotation,
  type Capture,
  type SigmfExtension,
  type SigmfGlobal,
  type SigmfMeta,
} from './sigmf-meta.ts';

/** The `heimdall` extension namespace (`heimdall:snr_db`, `heimdall:power_dbfs`, `heimdall:class`, ...). */
export const HEIMDALL_EXTENSION: SigmfExtension = { name: 'heimdall', version: '0.1.0', optional: true };

/** SigMF specification version the writers declare. */
export const SIGMF_VERSION = '1.2.0';

/** An annotation to write; omitted fields are left out of the file. */
export interface AnnotationInput {
  readonly sampleStart: number;
  readonly sampleCount?: number | undefined;
  readonly freqLowerEdge?: number | undefined;
  readonly freqUpperEdge?: number | undefined;
  readonly label?: string | undefined;
  readonly generator?: string | undefined;
  readonly comment?: string | undefined;
  /** Extension (`heimdall:snr_db`) and other namespaced fields (`core:uuid`). */
  readonly extra?: Readonly<Record<string, unknown>> | undefined;
}

const MODELLED = new Set([
  'core:sample_start',
  'core:sample_count',
  'core:freq_lower_edge',
  'core:freq_upper_edge',
  'core:label',
  'core:generator',
  'core:comment',
]);

function invalid(field: string, problem: string, fix: string): UserError {
  return new UserError(problem, { field, fix });
}

function checkJson(value: unknown, field: string, depth = 0): void {
  if (depth > 64) throw invalid(field, 'is nested too deeply', 'keep extension values shallow');
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value))
        throw invalid(
          field,
          `must be a finite number (got ${value})`,
          'leave the field out when it has no value',
        );
      return;
    case 'object':
      if (value === null) return;
      if (Array.isArray(value)) {
        value.forEach((v, i) => checkJson(v, `${field}[${i}]`, depth + 1));
        return;
      }
      for (const [k, v] of Object.entries(value)) checkJson(v, `${field}.${k}`, depth + 1);
      return;
    default:
      throw invalid(
        field,
        `cannot be written as JSON (got a ${typeof value})`,
        'use a string, number, boolean, array or object',
      );
  }
}

function sampleIndex(v: number, field: string): number {
  if (!Number.isSafeInteger(v) || v < 0)
    throw invalid(field, `must be a whole number >= 0 (got ${v})`, 'pass a sample index');
  return v;
}

/**
 * Validates an annotation to write and fills the missing fields. `path` names it in errors
 * (e.g. `annotations[3]`).
 */
export function annotation(input: AnnotationInput, path = 'annotation'): Annotation {
  const sampleStart = sampleIndex(input.sampleStart, `${path}.core:sample_start`);
  const sampleCount =
    input.sampleCount === undefined ? undefined : sampleIndex(input.sampleCount, `${path}.core:sample_count`);
  for (const [k, v] of [
    ['core:freq_lower_edge', input.freqLowerEdge],
    ['core:freq_upper_edge', input.freqUpperEdge],
  ] as const) {
    if (v !== undefined && !Number.isFinite(v))
      throw invalid(`${path}.${k}`, `must be a finite frequency in Hz (got ${v})`, 'leave it out');
  }
  if (
    input.freqLowerEdge !== undefined &&
    input.freqUpperEdge !== undefined &&
    input.freqUpperEdge < input.freqLowerEdge
  ) {
    throw invalid(`${path}.core:freq_upper_edge`, 'is below core:freq_lower_edge', 'swap the edges');
  }
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input.extra ?? {})) {
    if (v === undefined) continue;
    if (!/^[A-Za-z_][A-Za-z0-9_]*:[A-Za-z_][A-Za-z0-9_]*$/.test(k)) {
      throw invalid(
        `${path}.${k}`,
        'is not a namespaced SigMF field name',
        'name it namespace:field, e.g. heimdall:snr_db',
      );
    }
    if (MODELLED.has(k)) {
      throw invalid(
        `${path}.${k}`,
        'is a core field',
        "set it through the annotation's own property instead of extra",
      );
    }
    checkJson(v, `${path}.${k}`);
    Object.defineProperty(extra, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return {
    sampleStart,
    sampleCount,
    freqLowerEdge: input.freqLowerEdge,
    freqUpperEdge: input.freqUpperEdge,
    label: input.label,
    generator: input.generator,
    comment: input.comment,
    extra,
  };
}

function sortAnnotations(list: readonly Annotation[]): Annotation[] {
  return list
    .map((a, i) => ({ a, i }))
    .sort((x, y) => x.a.sampleStart - y.a.sampleStart || x.i - y.i)
    .map(({ a }) => a);
}

/**
 * SigMF annotation objects (`core:` fields, then extension fields), sorted by `core:sample_start`.
 * `offset` (the recording's `core:offset`) is added to the sample indices.
 */
export function annotationsToMeta(
  annotations: readonly AnnotationInput[],
  opts: { offset?: number } = {},
): Record<string, unknown>[] {
  const offset = opts.offset ?? 0;
  return sortAnnotations(annotations.map((a, i) => annotation(a, `annotations[${i}]`))).map((a) =>
    annotationToJson({ ...a, sampleStart: a.sampleStart + offset }),
  );
}

function namespacesUsed(
  meta: Pick<SigmfMeta, 'annotations' | 'captures'> & { global: Pick<SigmfGlobal, 'extra'> },
): Set<string> {
  const out = new Set<string>();
  const scan = (o: Record<string, unknown>): void => {
    for (const k of Object.keys(o)) {
      const ns = k.split(':')[0];
      if (ns !== undefined && ns !== k && ns !== 'core') out.add(ns);
    }
  };
  scan(meta.global.extra);
  for (const c of meta.captures) scan(c.extra);
  for (const a of meta.annotations) scan(a.extra);
  return out;
}

/** Adds the `heimdall` extension to `core:extensions` when `heimdall:` fields are used and it is missing. */
function declareExtensions(meta: SigmfMeta): SigmfMeta {
  const declared = meta.global.extensions ?? [];
  if (!namespacesUsed(meta).has('heimdall') || declared.some((e) => e.name === 'heimdall')) return meta;
  return { ...meta, global: { ...meta.global, extensions: [...declared, HEIMDALL_EXTENSION] } };
}

/**
 * A copy of `meta` whose annotations are `annotations`, given in data-relative sample indices (as
 * a Recording exposes them): `core:offset` is added back. Sorted; the `heimdall` extension is
 * declared when its fields are used. E.g. for `analyze --annotate`:
 * `withAnnotations(rec.meta, [...rec.annotations, ...detections])`.
 */
export function withAnnotations(meta: SigmfMeta, annotations: readonly AnnotationInput[]): SigmfMeta {
  const offset = meta.global.offset;
  const list = annotations.map((a, i) => {
    const v = annotation(a, `annotations[${i}]`);
    return { ...v, sampleStart: v.sampleStart + offset };
  });
  return declareExtensions({ ...meta, annotations: sortAnnotations(list) });
}

/**
 * Writes `meta` to `path` as pretty JSON with a stable key order (global, captures, annotations
 * sorted by sample_start). Written to a temporary file first and renamed, so readers never see
 * half a file.
 */
export function writeSigmfMeta(path: string, meta: SigmfMeta): void {
  const text = formatSigmfMeta(declareExtensions(meta));
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw fileError(e, path, 'metadata file');
  }
}

/** `X`, `X.sigmf-meta`, `X.sigmf-data` or `X.sigmf` -> `X`. */
export function sigmfBasePath(path: string): string {
  return path.replace(/\.(sigmf-meta|sigmf-data|sigmf)$/i, '');
}

export interface SigmfWriterOptions {
  /** SigMF datatype of the bytes passed to `write` (e.g. `cf32_le`). */
  readonly format: SampleFormat | string;
  readonly sampleRate: number;
  /** Centre frequency of the first capture, Hz. */
  readonly centerFrequency?: number | undefined;
  /** Time of the first sample (`core:datetime` of the first capture). */
  readonly datetime?: string | Date | undefined;
  readonly description?: string | undefined;
  readonly author?: string | undefined;
  readonly hw?: string | undefined;
  /** `core:recorder` (default "Heimdall"). */
  readonly recorder?: string | undefined;
  /** Interleaved channels in the bytes (default 1). */
  readonly numChannels?: number | undefined;
  readonly extensions?: readonly SigmfExtension[] | undefined;
  /** Extra namespaced global fields (e.g. `heimdall:node`). */
  readonly global?: Readonly<Record<string, unknown>> | undefined;
}

export interface CaptureInput {
  /** Sample index where it starts (default: the samples written so far). */
  readonly sampleStart?: number | undefined;
  readonly frequency?: number | undefined;
  readonly datetime?: string | Date | undefined;
  readonly extra?: Readonly<Record<string, unknown>> | undefined;
}

function datetimeText(v: string | Date | undefined, field: string): string | undefined {
  if (v === undefined) return undefined;
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime()))
      throw invalid(field, 'is an invalid Date', 'pass a valid Date or an RFC 3339 string');
    return dateToSigmfDatetime(v);
  }
  try {
    parseSigmfDatetime(v);
  } catch (e) {
    if (e instanceof UserError) throw invalid(field, e.message, e.fix ?? '');
    throw e;
  }
  return v;
}

function namespaced(
  extra: Readonly<Record<string, unknown>> | undefined,
  field: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(extra ?? {})) {
    if (v === undefined) continue;
    if (!/^[A-Za-z_][A-Za-z0-9_]*:[A-Za-z_][A-Za-z0-9_]*$/.test(k)) {
      throw invalid(
        `${field}.${k}`,
        'is not a namespaced SigMF field name',
        'name it namespace:field, e.g. heimdall:node',
      );
    }
    checkJson(v, `${field}.${k}`);
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * Streams a recording to `X.sigmf-data` and writes `X.sigmf-meta` (with `core:sha512`) on
 * {@link close}. Memory stays constant whatever the length.
 */
export class SigmfWriter {
  readonly dataPath: string;
  readonly metaPath: string;
  readonly format: SampleFormat;
  private fd: number | undefined;
  private readonly hash: Hash = createHash('sha512');
  private bytes = 0;
  private readonly frame: number;
  private readonly global: SigmfGlobal;
  private readonly captures: Capture[] = [];
  private readonly annotations: Annotation[] = [];

  private constructor(base: string, format: SampleFormat, global: SigmfGlobal, first: Capture, fd: number) {
    this.dataPath = `${base}.sigmf-data`;
    this.metaPath = `${base}.sigmf-meta`;
    this.format = format;
    this.global = global;
    this.captures.push(first);
    this.fd = fd;
    this.frame = bytesPerSample(format) * global.numChannels;
  }

  /** Creates (or truncates) `X.sigmf-data`; `basePath` may be `X` or carry a SigMF extension. */
  static open(basePath: string, opts: SigmfWriterOptions): SigmfWriter {
    const format = parseDatatype(opts.format);
    if (!Number.isFinite(opts.sampleRate) || opts.sampleRate <= 0) {
      throw invalid(
        'sampleRate',
        `must be a positive number of samples per second (got ${opts.sampleRate})`,
        'pass the rate in Hz',
      );
    }
    const numChannels = opts.numChannels ?? 1;
    if (!Number.isSafeInteger(numChannels) || numChannels < 1) {
      throw invalid(
        'numChannels',
        `must be a whole number >= 1 (got ${numChannels})`,
        'pass 1 for single-channel IQ',
      );
    }
    if (opts.centerFrequency !== undefined && !Number.isFinite(opts.centerFrequency)) {
      throw invalid(
        'centerFrequency',
        `must be a finite frequency in Hz (got ${opts.centerFrequency})`,
        'leave it out when unknown',
      );
    }
    const global: SigmfGlobal = {
      datatype: format,
      sampleRate: opts.sampleRate,
      version: SIGMF_VERSION,
      numChannels,
      offset: 0,
      sha512: undefined,
      trailingBytes: 0,
      dataset: undefined,
      metadataOnly: undefined,
      description: opts.description,
      author: opts.author,
      recorder: opts.recorder ?? 'Heimdall',
      license: undefined,
      hw: opts.hw,
      extensions: opts.extensions === undefined ? undefined : [...opts.extensions],
      extra: namespaced(opts.global, 'global'),
    };
    const first: Capture = {
      sampleStart: 0,
      frequency: opts.centerFrequency,
      datetime: datetimeText(opts.datetime, 'datetime'),
      headerBytes: 0,
      globalIndex: undefined,
      extra: {},
    };
    const base = sigmfBasePath(basePath);
    let fd: number;
    try {
      fd = openSync(`${base}.sigmf-data`, 'w');
    } catch (e) {
      throw fileError(e, `${base}.sigmf-data`, 'data file');
    }
    return new SigmfWriter(base, format, global, first, fd);
  }

  /** Whole samples (per channel) written so far. */
  get sampleCount(): number {
    return Math.floor(this.bytes / this.frame);
  }

  /** Appends raw sample bytes in `format` (any split; the total must be whole samples at close). */
  write(bytes: Uint8Array): void {
    if (this.fd === undefined) throw new Error(`SigmfWriter ${this.dataPath}: write after close`);
    let done = 0;
    try {
      while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done);
    } catch (e) {
      throw fileError(e, this.dataPath, 'data file');
    }
    this.hash.update(bytes);
    this.bytes += bytes.length;
  }

  /** Starts a new capture (e.g. after retuning) at `sampleStart` (default: now). */
  addCapture(c: CaptureInput): void {
    const field = `captures[${this.captures.length}]`;
    const sampleStart = sampleIndex(c.sampleStart ?? this.sampleCount, `${field}.core:sample_start`);
    const last = this.captures[this.captures.length - 1] as Capture;
    if (c.frequency !== undefined && !Number.isFinite(c.frequency)) {
      throw invalid(
        `${field}.core:frequency`,
        `must be a finite frequency in Hz (got ${c.frequency})`,
        'leave it out',
      );
    }
    const capture: Capture = {
      sampleStart,
      frequency: c.frequency,
      datetime: datetimeText(c.datetime, `${field}.core:datetime`),
      headerBytes: 0,
      globalIndex: undefined,
      extra: namespaced(c.extra, field),
    };
    if (sampleStart === last.sampleStart && this.captures.length === 1 && sampleStart === 0) {
      this.captures[0] = capture; // retuned before the first sample: replace the opening capture
      return;
    }
    if (sampleStart <= last.sampleStart) {
      throw invalid(
        `${field}.core:sample_start`,
        `must be after the previous capture's ${last.sampleStart}`,
        'add captures in order',
      );
    }
    this.captures.push(capture);
  }

  addAnnotation(a: AnnotationInput): void {
    this.annotations.push(annotation(a, `annotations[${this.annotations.length}]`));
  }

  /** Closes the data file and writes the metadata; returns it. */
  close(): SigmfMeta {
    if (this.fd === undefined) throw new Error(`SigmfWriter ${this.dataPath}: closed twice`);
    closeSync(this.fd);
    this.fd = undefined;
    if (this.bytes % this.frame !== 0) {
      throw new UserError(
        `${this.bytes} bytes were written, not a whole number of ${this.format} samples (${this.frame} bytes each)`,
        {
          source: this.dataPath,
          fix: 'write whole samples',
        },
      );
    }
    const meta: SigmfMeta = {
      global: { ...this.global, sha512: this.hash.digest('hex') },
      captures: this.captures,
      annotations: sortAnnotations(this.annotations),
      extra: {},
    };
    writeSigmfMeta(this.metaPath, meta);
    return declareExtensions(meta);
  }

  /** Stops recording and deletes what was written. */
  abort(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    rmSync(this.dataPath, { force: true });
  }
}

/**
 * Packs SigMF pairs into a `.sigmf` archive (POSIX tar): `NAME/NAME.sigmf-meta` and
 * `NAME/NAME.sigmf-data` per recording, streamed in constant memory. `recordings` are paths of
 * the pairs (`X`, `X.sigmf-meta` or `X.sigmf-data`).
 */
export function writeSigmfArchive(archivePath: string, recordings: readonly string[]): void {
  const entries: TarEntry[] = [];
  const seen = new Set<string>();
  for (const r of recordings) {
    const base = sigmfBasePath(r);
    const name = basename(base);
    if (seen.has(name)) {
      throw new UserError(`two recordings are named ${name}`, {
        source: r,
        fix: 'rename one: names must be unique in an archive',
      });
    }
    seen.add(name);
    for (const ext of ['.sigmf-meta', '.sigmf-data']) {
      if (!isFile(base + ext))
        throw fileError(Object.assign(new Error('missing'), { code: 'ENOENT' }), base + ext, 'file');
    }
    entries.push(
      { name: `${name}/`, data: 'directory' },
      { name: `${name}/${name}.sigmf-meta`, data: { file: `${base}.sigmf-meta` } },
      { name: `${name}/${name}.sigmf-data`, data: { file: `${base}.sigmf-data` } },
    );
  }
  writeTar(archivePath, entries);
}
