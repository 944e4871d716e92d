/**
 * Rows of rtl_power and hackrf_sweep CSV files: `date, time, Hz low, Hz high, Hz step, samples,
 * dB, dB, ...`. Both tools write the same columns; hackrf_sweep adds fractions of a second to the
 * time and writes its 5 MHz rows out of frequency order (see sweep-stitcher.ts).
 *
 * Lines are read one at a time (constant memory) from a file or from any (async) iterable of
 * lines. Times carry no time zone in these files; they are read and written as UTC.
 * Every bad line is a {@link UserError} naming `file:line`, the column and the fix.
 */
import { closeSync, createReadStream, openSync, writeSync } from 'node:fs';
import { UserError } from '@heimdall/errors';
import { fileError, openForRead } from './file-access.ts';

export type SweepCsvFormat = 'rtl_power' | 'hackrf_sweep';

/** One row: a contiguous range of bins measured at one time. */
export interface SweepRowData {
  readonly time: Date;
  readonly lowHz: number;
  readonly highHz: number;
  readonly stepHz: number;
  /** The `samples` column (samples or FFTs averaged). */
  readonly samples: number;
  /** dB of each bin; bin k is at `lowHz + k * stepHz`. */
  readonly db: Float32Array;
}

export interface SweepRow extends SweepRowData {
  /** 1-based line in the file. */
  readonly line: number;
  /** Whether the time had a fraction of a second (hackrf_sweep writes one, rtl_power does not). */
  readonly subsecond: boolean;
}

/** Lines of a CSV: a file path, or lines without their newline. */
export type LineSource = string | AsyncIterable<string> | Iterable<string>;

/** Longest line we hold in memory. */
export const MAX_LINE_CHARS = 64 * 1024 * 1024;

const COLUMNS = ['date', 'time', 'Hz low', 'Hz high', 'Hz step', 'samples'] as const;
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIAL = /^([+-]?)(nan|inf|infinity)$/i;

function rowError(source: string, line: number, field: string, problem: string, fix: string): UserError {
  return new UserError(problem, { source, line, field, fix });
}

function show(s: string): string {
  return JSON.stringify(s.length > 30 ? `${s.slice(0, 30)}...` : s);
}

function decimal(s: string, source: string, line: number, field: string): number {
  if (!DECIMAL.test(s)) {
    throw rowError(
      source,
      line,
      field,
      `is not a number (got ${show(s)})`,
      `write a plain decimal number in the ${field} column`,
    );
  }
  const v = Number(s);
  if (!Number.isFinite(v))
    throw rowError(source, line, field, `is out of range (got ${show(s)})`, 'check the value');
  return v;
}

/** A dB value: a decimal number, or nan/inf/-inf as the C tools print them. */
function dbValue(s: string, source: string, line: number, column: number): number {
  if (DECIMAL.test(s)) return Number(s);
  const m = SPECIAL.exec(s);
  if (m !== null) return (m[2] as string).toLowerCase() === 'nan' ? NaN : m[1] === '-' ? -Infinity : Infinity;
  throw rowError(
    source,
    line,
    `column ${column} (dB value ${column - COLUMNS.length})`,
    `is not a number (got ${show(s)})`,
    'every value after the samples column must be a dB number',
  );
}

function parseTime(
  date: string,
  time: string,
  source: string,
  line: number,
): { time: Date; subsecond: boolean } {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (d === null)
    throw rowError(
      source,
      line,
      'date',
      `is not a date YYYY-MM-DD (got ${show(date)})`,
      'write the date as YYYY-MM-DD',
    );
  const t = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/.exec(time);
  if (t === null) {
    throw rowError(
      source,
      line,
      'time',
      `is not a time HH:MM:SS (got ${show(time)})`,
      'write the time as HH:MM:SS or HH:MM:SS.ffffff',
    );
  }
  const [y, mo, da] = [Number(d[1]), Number(d[2]), Number(d[3])];
  const [h, mi, s] = [Number(t[1]), Number(t[2]), Number(t[3])];
  const ms = Date.UTC(y, mo - 1, da, h, mi, s) + Number((t[4] ?? '').slice(0, 3).padEnd(3, '0'));
  const check = new Date(Date.UTC(y, mo - 1, da));
  if (mo < 1 || mo > 12 || check.getUTCDate() !== da || h > 23 || mi > 59 || s > 60 || y < 1000) {
    throw rowError(
      source,
      line,
      'date',
      `is not a valid date and time (got ${show(`${date} ${time}`)})`,
      'check the date and time',
    );
  }
  return { time: new Date(ms), subsecond: t[4] !== undefined };
}

/**
 * Parses one CSV line. Returns `undefined` for blank lines, `#` comments and a header line
 * starting with `date`. Checks that the number of values fits the declared range and step: a
 * row from `low` to `high` in steps of `step` has `(high - low) / step` values (hackrf_sweep and
 * rtl_power without cropping) or one more (rtl_power counts both ends when cropping).
 */
export function parseSweepRow(text: string, line: number, source: string): SweepRow | undefined {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return undefined;
  const fields = trimmed.split(',').map((f) => f.trim());
  if ((fields[0] as string).toLowerCase() === 'date') return undefined;
  if (fields.length > COLUMNS.length + 1 && fields[fields.length - 1] === '') fields.pop();
  if (fields.length < COLUMNS.length + 1) {
    throw rowError(
      source,
      line,
      'columns',
      `has ${fields.length} columns; a sweep row needs date, time, Hz low, Hz high, Hz step, samples and at least one dB value`,
      'this is not an rtl_power or hackrf_sweep CSV line: check the file (was it cut short?)',
    );
  }
  const { time, subsecond } = parseTime(fields[0] as string, fields[1] as string, source, line);
  const lowHz = decimal(fields[2] as string, source, line, 'Hz low');
  const highHz = decimal(fields[3] as string, source, line, 'Hz high');
  const stepHz = decimal(fields[4] as string, source, line, 'Hz step');
  const samples = decimal(fields[5] as string, source, line, 'samples');
  if (stepHz <= 0)
    throw rowError(source, line, 'Hz step', `must be positive (got ${stepHz})`, 'check the file');
  if (highHz <= lowHz) {
    throw rowError(source, line, 'Hz high', `must be above Hz low (${highHz} <= ${lowHz})`, 'check the file');
  }
  if (samples < 0)
    throw rowError(source, line, 'samples', `must not be negative (got ${samples})`, 'check the file');
  const n = fields.length - COLUMNS.length;
  const expected = (highHz - lowHz) / stepHz;
  if (n < expected - 0.5 || n > expected + 1.5) {
    throw rowError(
      source,
      line,
      'dB values',
      `has ${n} dB values, but ${lowHz}-${highHz} Hz in steps of ${stepHz} Hz needs ${Math.round(expected)}`,
      'the row is ragged (cut short or merged with another): delete or repair it',
    );
  }
  const db = new Float32Array(n);
  for (let k = 0; k < n; k++)
    db[k] = dbValue(fields[COLUMNS.length + k] as string, source, line, COLUMNS.length + k + 1);
  return { line, time, subsecond, lowHz, highHz, stepHz, samples, db };
}

/** Lines (without newline) of a file, streamed in 64 kB pieces; `\r\n` endings are accepted. */
async function* fileLines(path: string): AsyncGenerator<string> {
  const { fd } = openForRead(path, 'CSV file');
  const stream = createReadStream('', { fd, highWaterMark: 1 << 16 });
  const decoder = new TextDecoder();
  let pending = '';
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      pending += decoder.decode(chunk, { stream: true });
      let from = 0;
      let nl: number;
      while ((nl = pending.indexOf('\n', from)) >= 0) {
        yield pending.slice(from, nl);
        from = nl + 1;
      }
      pending = pending.slice(from);
      if (pending.length > MAX_LINE_CHARS) {
        throw new UserError(`has a line longer than ${MAX_LINE_CHARS} characters`, {
          source: path,
          fix: 'this does not look like an rtl_power or hackrf_sweep CSV file',
        });
      }
    }
    pending += decoder.decode();
    if (pending !== '') yield pending;
  } catch (e) {
    throw fileError(e, path, 'CSV file');
  } finally {
    stream.destroy();
  }
}

function toAsync(input: LineSource): AsyncIterable<string> {
  if (typeof input === 'string') return fileLines(input);
  if (Symbol.asyncIterator in input) return input;
  return (async function* () {
    yield* input;
  })();
}

/** Parsed rows of a sweep CSV, one line at a time. `source` names the input in errors. */
export async function* readSweepRows(
  input: LineSource,
  opts: { source?: string } = {},
): AsyncGenerator<SweepRow> {
  const source = opts.source ?? (typeof input === 'string' ? input : '<input>');
  let line = 0;
  for await (const raw of toAsync(input)) {
    line++;
    const text = line === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
    const row = parseSweepRow(text.endsWith('\r') ? text.slice(0, -1) : text, line, source);
    if (row !== undefined) yield row;
  }
}

// ---------------------------------------------------------------------------------------------
// Writing

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

function formatDb(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  return v.toFixed(2);
}

function formatHz(v: number): string {
  return String(Math.round(v));
}

/** One CSV line (without newline) in the given tool's format; times are written as UTC. */
export function formatSweepRow(row: SweepRowData, format: SweepCsvFormat): string {
  const t = row.time;
  const date = `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
  let time = `${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}`;
  if (format === 'hackrf_sweep') time += `.${pad(t.getUTCMilliseconds() * 1000, 6)}`;
  const head = [
    date,
    time,
    formatHz(row.lowHz),
    formatHz(row.highHz),
    row.stepHz.toFixed(2),
    String(row.samples),
  ];
  const values: string[] = new Array<string>(row.db.length);
  for (let k = 0; k < row.db.length; k++) values[k] = formatDb(row.db[k] as number);
  return `${head.join(', ')}, ${values.join(', ')}`;
}

/** A whole sweep: `db[i]` is the level of the bin at `startHz + i * binHz`, ascending. */
export interface Sweep {
  time: Date;
  startHz: number;
  binHz: number;
  db: Float32Array;
}

export interface SweepCsvWriteOptions {
  readonly format: SweepCsvFormat;
  /** Bins per CSV row (default: the whole sweep for rtl_power, 5 for hackrf_sweep). */
  readonly binsPerRow?: number | undefined;
  /** The `samples` column (default 1). */
  readonly samples?: number | undefined;
}

/**
 * Splits a sweep into CSV rows as the tool would write it; hackrf_sweep's rows come in its
 * interleaved order (in groups of four: 1st, 3rd, 2nd, 4th).
 */
export function sweepToRows(sweep: Sweep, opts: SweepCsvWriteOptions): SweepRowData[] {
  const per = opts.binsPerRow ?? (opts.format === 'hackrf_sweep' ? 5 : sweep.db.length);
  if (!Number.isSafeInteger(per) || per < 1)
    throw new RangeError(`binsPerRow must be a whole number >= 1 (got ${per})`);
  const rows: SweepRowData[] = [];
  for (let i = 0; i < sweep.db.length; i += per) {
    const n = Math.min(per, sweep.db.length - i);
    const lowHz = sweep.startHz + i * sweep.binHz;
    rows.push({
      time: sweep.time,
      lowHz,
      highHz: lowHz + n * sweep.binHz,
      stepHz: sweep.binHz,
      samples: opts.samples ?? 1,
      db: sweep.db.subarray(i, i + n),
    });
  }
  if (opts.format === 'hackrf_sweep') {
    for (let g = 0; g + 2 < rows.length; g += 4) {
      const b = rows[g + 1] as SweepRowData;
      rows[g + 1] = rows[g + 2] as SweepRowData;
      rows[g + 2] = b;
    }
  }
  return rows;
}

/** Writes sweeps to a CSV file one line at a time (synchronous, constant memory). */
export class SweepCsvWriter {
  private fd: number | undefined;
  readonly path: string;
  private readonly opts: SweepCsvWriteOptions;

  private constructor(path: string, fd: number, opts: SweepCsvWriteOptions) {
    this.path = path;
    this.fd = fd;
    this.opts = opts;
  }

  static open(path: string, opts: SweepCsvWriteOptions): SweepCsvWriter {
    try {
      return new SweepCsvWriter(path, openSync(path, 'w'), opts);
    } catch (e) {
      throw fileError(e, path, 'CSV file');
    }
  }

  write(sweep: Sweep): void {
    if (this.fd === undefined) throw new Error(`SweepCsvWriter ${this.path}: write after close`);
    let text = '';
    for (const row of sweepToRows(sweep, this.opts)) text += `${formatSweepRow(row, this.opts.format)}\n`;
    const bytes = Buffer.from(text, 'utf8');
    try {
      for (let done = 0; done < bytes.length;) done += writeSync(this.fd, bytes, done, bytes.length - done);
    } catch (e) {
      throw fileError(e, this.path, 'CSV file');
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Writes all `sweeps` to `path`; returns how many were written. */
export async function writeSweepCsv(
  path: string,
  sweeps: Iterable<Sweep> | AsyncIterable<Sweep>,
  opts: SweepCsvWriteOptions,
): Promise<number> {
  const w = SweepCsvWriter.open(path, opts);
  let n = 0;
  try {
    for await (const s of sweeps) {
      w.write(s);
      n++;
    }
  } finally {
    w.close();
  }
  return n;
}
