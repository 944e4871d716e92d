/**
 * Assembles rtl_power / hackrf_sweep rows into whole sweeps.
 *
 * A sweep ends when a row's frequency range comes round again (hackrf_sweep rows of one sweep
 * carry several timestamps and arrive out of order: 0-5, 10-15, 5-10 MHz, ...) or, for rtl_power,
 * when the timestamp changes (all hops of one rtl_power sweep share it). The first sweep fixes the
 * frequency plan (step and rows); every later row must belong to it. Bins are placed on one grid
 * from the lowest frequency upwards; overlapping bins are averaged in linear power and bins no row
 * covers are NaN. Memory holds one sweep.
 */
import { UserError } from '@heimdall/errors';
import {
  readSweepRows,
  type LineSource,
  type Sweep,
  type SweepCsvFormat,
  type SweepRow,
} from './sweep-csv.ts';

/** Largest sweep we build (bins). */
export const MAX_SWEEP_BINS = 64 * 1024 * 1024;

interface Plan {
  readonly stepHz: number;
  readonly startHz: number;
  readonly bins: number;
  /** Values per row, by `low-high` range. */
  readonly rows: ReadonlyMap<string, number>;
  /** Line of the first row, for error messages. */
  readonly firstLine: number;
  readonly lastLine: number;
}

const rangeKey = (r: SweepRow): string => `${r.lowHz}-${r.highHz}`;

function sameStep(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}

/** Guesses the tool from the rows of the first sweep. */
function detect(rows: readonly SweepRow[]): SweepCsvFormat {
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as SweepRow;
    if (r.subsecond) return 'hackrf_sweep';
    const prev = rows[i - 1];
    if (prev !== undefined && (r.lowHz < prev.lowHz || r.time.getTime() !== prev.time.getTime()))
      return 'hackrf_sweep';
  }
  return 'rtl_power';
}

export class SweepStitcher {
  private readonly source: string;
  private fmt: SweepCsvFormat | undefined;
  private plan: Plan | undefined;
  private current: SweepRow[] = [];
  private currentKeys = new Set<string>();
  private lastTime: number | undefined;
  private lastLine = 0;

  /** `format` forces the tool; otherwise it is detected from the first sweep. */
  constructor(opts: { source: string; format?: SweepCsvFormat | undefined }) {
    this.source = opts.source;
    this.fmt = opts.format;
  }

  /** The tool that wrote the file: known once the first sweep is complete (or when forced). */
  get format(): SweepCsvFormat | undefined {
    return this.fmt;
  }

  private fail(line: number, field: string, problem: string, fix: string): UserError {
    return new UserError(problem, { source: this.source, line, field, fix });
  }

  /** Adds a row; returns the sweep it completed, if it started a new one. */
  push(row: SweepRow): Sweep | undefined {
    const t = row.time.getTime();
    if (this.lastTime !== undefined && t < this.lastTime) {
      throw this.fail(
        row.line,
        'time',
        `goes backwards: ${row.time.toISOString()} is before ${new Date(this.lastTime).toISOString()} on line ${this.lastLine}`,
        'sort the file by time, or split it where a new recording starts',
      );
    }
    const first = this.current[0];
    const refStep = this.plan?.stepHz ?? first?.stepHz;
    if (refStep !== undefined && !sameStep(refStep, row.stepHz)) {
      throw this.fail(
        row.line,
        'Hz step',
        `is ${row.stepHz} Hz, but earlier rows use ${refStep} Hz: the file mixes frequency plans`,
        'split the file where the plan changes and import each part on its own',
      );
    }
    const key = rangeKey(row);
    if (this.plan !== undefined) {
      const n = this.plan.rows.get(key);
      if (n === undefined) {
        throw this.fail(
          row.line,
          'Hz low',
          `covers ${row.lowHz}-${row.highHz} Hz, which is not in the frequency plan of the first sweep (lines ${this.plan.firstLine}-${this.plan.lastLine}): the file mixes frequency plans`,
          'split the file where the plan changes (or delete an incomplete first sweep) and import each part on its own',
        );
      }
      if (n !== row.db.length) {
        throw this.fail(
          row.line,
          'dB values',
          `has ${row.db.length} dB values, but the rows for ${row.lowHz}-${row.highHz} Hz in the first sweep have ${n}`,
          'the row is ragged: delete or repair it',
        );
      }
    }
    let done: Sweep | undefined;
    if (
      first !== undefined &&
      (this.currentKeys.has(key) || (this.fmt === 'rtl_power' && first.time.getTime() !== t))
    ) {
      done = this.emit();
    }
    this.current.push(row);
    this.currentKeys.add(key);
    this.lastTime = t;
    this.lastLine = row.line;
    return done;
  }

  /** Returns the last (possibly partial) sweep. */
  finish(): Sweep | undefined {
    return this.current.length === 0 ? undefined : this.emit();
  }

  private makePlan(rows: readonly SweepRow[]): Plan {
    const stepHz = (rows[0] as SweepRow).stepHz;
    let startHz = Infinity;
    for (const r of rows) startHz = Math.min(startHz, r.lowHz);
    let bins = 0;
    const map = new Map<string, number>();
    for (const r of rows) {
      bins = Math.max(bins, Math.round((r.lowHz - startHz) / stepHz) + r.db.length);
      map.set(rangeKey(r), r.db.length);
    }
    if (bins > MAX_SWEEP_BINS) {
      throw this.fail(
        (rows[0] as SweepRow).line,
        'Hz step',
        `makes a sweep of ${bins} bins, more than the ${MAX_SWEEP_BINS} we hold`,
        'use a coarser step or a narrower range',
      );
    }
    return {
      stepHz,
      startHz,
      bins,
      rows: map,
      firstLine: (rows[0] as SweepRow).line,
      lastLine: (rows[rows.length - 1] as SweepRow).line,
    };
  }

  private emit(): Sweep {
    const rows = this.current;
    if (this.plan === undefined) {
      this.plan = this.makePlan(rows);
      this.fmt ??= detect(rows);
    }
    const { startHz, stepHz, bins } = this.plan;
    const db = new Float32Array(bins).fill(NaN);
    const count = new Uint32Array(bins);
    const power = new Float64Array(bins);
    for (const r of rows) {
      const off = Math.round((r.lowHz - startHz) / stepHz);
      for (let k = 0; k < r.db.length; k++) {
        const i = off + k;
        const v = r.db[k] as number;
        if (i < 0 || i >= bins || Number.isNaN(v)) continue;
        const c = count[i] as number;
        power[i] = (power[i] as number) + 10 ** (v / 10);
        count[i] = c + 1;
        // One value: kept exactly. Overlapping values: averaged in linear power.
        db[i] = c === 0 ? v : 10 * Math.log10((power[i] as number) / (c + 1));
      }
    }
    const sweep: Sweep = { time: (rows[0] as SweepRow).time, startHz, binHz: stepHz, db };
    this.current = [];
    this.currentKeys = new Set();
    return sweep;
  }
}

/**
 * Whole sweeps of an rtl_power or hackrf_sweep CSV (a path or lines), detecting which tool wrote
 * it; {@link SweepReader.format} says which once the first sweep has been read.
 */
export class SweepReader implements AsyncIterable<Sweep> {
  private readonly input: LineSource;
  private readonly stitcher: SweepStitcher;
  private readonly source: string;

  constructor(
    input: LineSource,
    opts: { source?: string | undefined; format?: SweepCsvFormat | undefined } = {},
  ) {
    this.input = input;
    this.source = opts.source ?? (typeof input === 'string' ? input : '<input>');
    this.stitcher = new SweepStitcher({ source: this.source, format: opts.format });
  }

  get format(): SweepCsvFormat | undefined {
    return this.stitcher.format;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Sweep> {
    let rows = 0;
    for await (const row of readSweepRows(this.input, { source: this.source })) {
      rows++;
      const done = this.stitcher.push(row);
      if (done !== undefined) yield done;
    }
    const last = this.stitcher.finish();
    if (last !== undefined) yield last;
    if (rows === 0) {
      throw new UserError('has no sweep rows', {
        source: this.source,
        fix: 'give an rtl_power or hackrf_sweep CSV file (date, time, Hz low, Hz high, Hz step, samples, dB, ...)',
      });
    }
  }
}

/** Reads whole sweeps from an rtl_power or hackrf_sweep CSV (auto-detected). */
export function readSweeps(
  input: LineSource,
  opts: { source?: string | undefined; format?: SweepCsvFormat | undefined } = {},
): SweepReader {
  return new SweepReader(input, opts);
}

/** Reads the first sweep of a CSV and says which tool wrote it. */
export async function detectSweepFormat(
  input: LineSource,
  opts: { source?: string } = {},
): Promise<SweepCsvFormat> {
  const reader = new SweepReader(input, opts);
  for await (const _ of reader) break;
  return reader.format ?? 'rtl_power';
}
