/**
 * Opens an IQ recording of any size for reading in constant memory: a SigMF pair (`X.sigmf-meta` +
 * `X.sigmf-data`, either name given), a SigMF archive (`X.sigmf`, read in place inside the tar),
 * or a raw file (`.cu8 .cs8 .cs16 .cf32 .cfile .cu16 .cf64`, or `.iq .raw .bin` with a datatype)
 * whose sample rate the caller supplies.
 *
 * Sample indices of a {@link Recording} (`read`, `chunks`, `captures[].sampleStart`,
 * `annotations[].sampleStart`) count complex samples of one channel from the first sample of the
 * data file: SigMF's `core:offset` is subtracted, and `core:header_bytes` / `core:trailing_bytes`
 * of non-conforming datasets are skipped. `meta` keeps the file's own (absolute) values.
 */
import { createHash } from 'node:crypto';
import { closeSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { bytesPerSample, parseDatatype, type SampleFormat } from '@heimdall/dsp';
import { UnexpectedError, UserError } from '@heimdall/errors';
import { isFile, openForRead, printable, readExactly } from './file-access.ts';
import {
  MAX_META_BYTES,
  parseSigmfMeta,
  readSigmfMeta,
  type Annotation,
  type Capture,
  type SigmfMeta,
} from './sigmf-meta.ts';
import { listTarMembers, type TarMember } from './tar.ts';

export type { Annotation, Capture } from './sigmf-meta.ts';

export interface Recording {
  /** The path the user gave (for error messages). */
  readonly source: string;
  /** The file the samples are read from (the archive itself for a `.sigmf`). */
  readonly dataPath: string;
  readonly format: SampleFormat;
  readonly sampleRate: number;
  /** First capture's `core:frequency`. */
  readonly centerFrequency: number | undefined;
  readonly numChannels: number;
  readonly channel: number;
  /** Complex samples per channel in the data (after offsets/headers). */
  readonly sampleCount: number;
  readonly captures: readonly Capture[];
  readonly annotations: readonly Annotation[];
  /** The parsed metadata (global, captures, annotations, preserved extras). */
  readonly meta: SigmfMeta;
  /**
   * Sync positional read of `count` samples of the selected channel starting at sample `start`,
   * into `into` (raw bytes in `format`); returns samples read. Multi-channel data is
   * de-interleaved here.
   */
  read(start: number, count: number, into: Uint8Array): number;
  /**
   * Iterates the raw bytes in chunks of about chunkSamples samples using ONE reused buffer
   * (constant memory); `start`/`count` select a range.
   */
  chunks(opts?: {
    chunkSamples?: number;
    start?: number;
    count?: number;
  }): Iterable<{ start: number; bytes: Uint8Array }>;
  close(): void;
}

export interface OpenRecordingOptions {
  /** Sample rate in Hz of a raw file; for SigMF, used only when the metadata has none. */
  readonly sampleRate?: number | undefined;
  /** Centre frequency in Hz of a raw file; for SigMF, fills in captures without `core:frequency`. */
  readonly centerFrequency?: number | undefined;
  /** SigMF datatype of a raw file (required for `.iq .raw .bin`, overrides the extension). */
  readonly datatype?: string | undefined;
  /** Channel of a multi-channel recording (default 0). */
  readonly channel?: number | undefined;
  /** Hash the whole data file and compare with `core:sha512` before returning. */
  readonly verifyChecksum?: boolean | undefined;
  /** Recording to open in a `.sigmf` archive holding several (its base name); also `X.sigmf#name`. */
  readonly recording?: string | undefined;
}

/** Same as {@link OpenRecordingOptions} (the name the CLI uses). */
export type OpenOptions = OpenRecordingOptions;

/** Raw file extensions and their SigMF datatype (`undefined`: the caller must give one). */
export const RAW_EXTENSIONS: Readonly<Record<string, SampleFormat | undefined>> = {
  '.cu8': 'cu8',
  '.cs8': 'ci8',
  '.cs16': 'ci16_le',
  '.cs32': 'ci32_le',
  '.cu16': 'cu16_le',
  '.cf32': 'cf32_le',
  '.cfile': 'cf32_le',
  '.cf64': 'cf64_le',
  '.iq': undefined,
  '.raw': undefined,
  '.bin': undefined,
};

const META_EXT = '.sigmf-meta';
const DATA_EXT = '.sigmf-data';
const ARCHIVE_EXT = '.sigmf';
const PAIR_FIX = 'the .sigmf-data must sit beside the .sigmf-meta, with the same base name';

// ---------------------------------------------------------------------------------------------

interface DataRegion {
  /** Descriptor of the file holding the samples (owned by the recording). */
  readonly fd: number;
  readonly dataPath: string;
  /** Byte range of the dataset inside that file. */
  readonly start: number;
  readonly size: number;
  /** Name for metadata errors (the meta file, or `archive (member)`). */
  readonly metaSource: string;
  readonly meta: SigmfMeta;
  /** Whether the metadata was made up for a raw file (errors then name command-line flags). */
  readonly raw: boolean;
}

function rethrow(e: unknown, source: string, field: string): never {
  if (e instanceof UserError)
    throw new UserError(e.message, { source, field, ...(e.fix === undefined ? {} : { fix: e.fix }) });
  throw e;
}

function rawMeta(
  datatype: SampleFormat,
  sampleRate: number | undefined,
  centerFrequency: number | undefined,
): SigmfMeta {
  return {
    global: {
      datatype,
      sampleRate,
      version: '1.2.0',
      numChannels: 1,
      offset: 0,
      sha512: undefined,
      trailingBytes: 0,
      dataset: undefined,
      metadataOnly: undefined,
      description: undefined,
      author: undefined,
      recorder: undefined,
      license: undefined,
      hw: undefined,
      extensions: undefined,
      extra: {},
    },
    captures: [
      {
        sampleStart: 0,
        frequency: centerFrequency,
        datetime: undefined,
        headerBytes: 0,
        globalIndex: undefined,
        extra: {},
      },
    ],
    annotations: [],
    extra: {},
  };
}

function stripExt(path: string, ext: string): string {
  return path.slice(0, path.length - ext.length);
}

function openPair(source: string, metaPath: string): DataRegion {
  const meta = readSigmfMeta(metaPath);
  const dataset = meta.global.dataset;
  const dataPath =
    dataset === undefined ? stripExt(metaPath, META_EXT) + DATA_EXT : join(dirname(metaPath), dataset);
  if (meta.global.metadataOnly === true && dataset === undefined && !isFile(dataPath)) {
    throw new UserError('is a metadata-only recording: it has no samples to read', {
      source: metaPath,
      field: 'global.core:metadata_only',
      fix: 'open a recording that has a .sigmf-data file',
    });
  }
  const { fd, size } = openForRead(dataPath, 'data file', {
    source,
    ...(dataset === undefined ? {} : { field: 'global.core:dataset' }),
    fix:
      dataset === undefined ? PAIR_FIX : 'the dataset named by core:dataset must sit beside the .sigmf-meta',
  });
  return { fd, dataPath, start: 0, size, metaSource: metaPath, meta, raw: false };
}

function recordingNames(metas: readonly TarMember[]): string[] {
  return metas.map((m) => printable(basename(stripExt(m.name, META_EXT))));
}

function openArchive(source: string, archivePath: string, wanted: string | undefined): DataRegion {
  const { fd, size } = openForRead(archivePath, 'archive');
  try {
    const members = listTarMembers(fd, size, archivePath).filter((m) => m.type === 'file');
    const metas = members.filter((m) => m.name.toLowerCase().endsWith(META_EXT));
    const names = recordingNames(metas);
    if (metas.length === 0) {
      throw new UserError('archive contains no .sigmf-meta file', {
        source,
        fix: 'a SigMF archive holds NAME/NAME.sigmf-meta and NAME/NAME.sigmf-data: re-create it',
      });
    }
    let chosen: TarMember | undefined;
    if (wanted !== undefined) {
      chosen = metas.find(
        (m) =>
          basename(stripExt(m.name, META_EXT)) === wanted ||
          stripExt(m.name, META_EXT) === wanted ||
          m.name === wanted,
      );
      if (chosen === undefined) {
        throw new UserError(
          `archive has no recording named "${printable(wanted)}" (it has: ${names.join(', ')})`,
          {
            source,
            fix: `choose one of ${names.join(', ')}`,
          },
        );
      }
    } else if (metas.length > 1) {
      throw new UserError(`archive holds ${metas.length} recordings: ${names.join(', ')}`, {
        source,
        fix: `choose one, e.g. ${archivePath}#${names[0] ?? ''}`,
      });
    } else {
      chosen = metas[0];
    }
    const metaMember = chosen as TarMember;
    const metaSource = `${archivePath} (${printable(metaMember.name)})`;
    if (metaMember.size > MAX_META_BYTES) {
      throw new UserError(
        `metadata member is ${metaMember.size} bytes, more than the ${MAX_META_BYTES} we read`,
        {
          source: metaSource,
          fix: 'check the archive',
        },
      );
    }
    const bytes = new Uint8Array(metaMember.size);
    readExactly(fd, bytes, 0, bytes.length, metaMember.dataOffset, archivePath);
    const meta = parseSigmfMeta(new TextDecoder().decode(bytes), metaSource);
    const base = stripExt(metaMember.name, META_EXT);
    const dir = base.includes('/') ? base.slice(0, base.lastIndexOf('/') + 1) : '';
    const dataName = meta.global.dataset === undefined ? base + DATA_EXT : dir + meta.global.dataset;
    const data = members.find((m) => m.name === dataName);
    if (data === undefined) {
      throw new UserError(`archive has ${printable(metaMember.name)} but no ${printable(dataName)}`, {
        source,
        fix: 'put the .sigmf-data beside the .sigmf-meta in the archive, with the same base name',
      });
    }
    return {
      fd,
      dataPath: archivePath,
      start: data.dataOffset,
      size: data.size,
      metaSource,
      meta,
      raw: false,
    };
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

function openRaw(path: string, ext: string, opts: OpenRecordingOptions): DataRegion {
  const { fd, size } = openForRead(path, 'IQ file');
  try {
    let format: SampleFormat | undefined;
    if (opts.datatype !== undefined) {
      try {
        format = parseDatatype(opts.datatype);
      } catch (e) {
        rethrow(e, path, '--datatype');
      }
    } else {
      format = RAW_EXTENSIONS[ext];
    }
    if (format === undefined) {
      throw new UserError(
        `a ${ext === '' ? 'file without extension' : `${ext} file`} does not say its sample format`,
        {
          source: path,
          field: '--datatype',
          fix: 'pass --datatype, e.g. --datatype cf32_le (or ci16_le, cu8)',
        },
      );
    }
    if (opts.sampleRate === undefined) {
      throw new UserError('a raw IQ file has no sample rate', {
        source: path,
        field: '--rate',
        fix: 'pass --rate with the rate it was recorded at, e.g. --rate 2.4M',
      });
    }
    const rate = positiveHz(opts.sampleRate, path, '--rate', 'pass the sample rate in Hz, e.g. --rate 2.4M');
    const freq = opts.centerFrequency;
    if (freq !== undefined && !Number.isFinite(freq)) {
      throw new UserError(`must be a frequency in Hz (got ${freq})`, {
        source: path,
        field: '--freq',
        fix: 'pass e.g. --freq 433.92M',
      });
    }
    return {
      fd,
      dataPath: path,
      start: 0,
      size,
      metaSource: path,
      meta: rawMeta(format, rate, freq),
      raw: true,
    };
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

function locate(path: string, opts: OpenRecordingOptions): () => DataRegion {
  const lower = path.toLowerCase();
  if (lower.endsWith(META_EXT)) return () => openPair(path, path);
  if (lower.endsWith(DATA_EXT)) {
    const metaPath = stripExt(path, DATA_EXT) + META_EXT;
    if (isFile(metaPath)) return () => openPair(path, metaPath);
    if (opts.datatype !== undefined) return () => openRaw(path, '', opts);
    return () => {
      closeSync(openForRead(path, 'data file').fd);
      throw new UserError(`no metadata beside the data: ${basename(metaPath)} is missing`, {
        source: path,
        fix: `put ${basename(metaPath)} beside it, or read it as raw IQ with --datatype and --rate`,
      });
    };
  }
  if (lower.endsWith(ARCHIVE_EXT)) return () => openArchive(path, path, opts.recording);
  const hash = path.lastIndexOf('#');
  if (hash > 0 && !isFile(path) && path.slice(0, hash).toLowerCase().endsWith(ARCHIVE_EXT)) {
    const archive = path.slice(0, hash);
    return () => openArchive(path, archive, opts.recording ?? path.slice(hash + 1));
  }
  const ext = extname(lower);
  if (ext in RAW_EXTENSIONS) return () => openRaw(path, ext, opts);
  for (const base of [lower.endsWith('.sigmf-') ? path.slice(0, -1) : undefined, path]) {
    if (base !== undefined && isFile(base + META_EXT)) return () => openPair(path, base + META_EXT);
  }
  if (opts.datatype !== undefined) return () => openRaw(path, ext, opts);
  throw new UserError(`cannot tell the format of ${printable(basename(path))} from its name`, {
    source: path,
    fix: 'name a .sigmf-meta, .sigmf-data or .sigmf file, or a raw IQ file (.cu8 .cs8 .cs16 .cf32 .cfile .cu16 .cf64), or pass --datatype and --rate',
  });
}

function positiveHz(value: number, source: string, field: string, fix: string): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new UserError(`must be a positive number of samples per second (got ${value})`, {
      source,
      field,
      fix,
    });
  }
  return value;
}

/**
 * Opens a recording. Throws a {@link UserError} naming the file, the field and the fix for every
 * problem with the input (missing files, bad metadata, sizes that do not fit, real datatypes, ...).
 */
export function openRecording(path: string, opts: OpenRecordingOptions = {}): Recording {
  const region = locate(path, opts)();
  try {
    return build(path, region, opts);
  } catch (e) {
    closeSync(region.fd);
    throw e;
  }
}

function build(source: string, region: DataRegion, opts: OpenRecordingOptions): Recording {
  const { meta, metaSource } = region;
  const g = meta.global;
  let format: SampleFormat;
  try {
    format = parseDatatype(g.datatype);
  } catch (e) {
    rethrow(e, metaSource, region.raw ? '--datatype' : 'global.core:datatype');
  }
  let sampleRate = g.sampleRate;
  if (sampleRate === undefined && opts.sampleRate !== undefined) {
    sampleRate = positiveHz(
      opts.sampleRate,
      source,
      '--rate',
      'pass the sample rate in Hz, e.g. --rate 2.4M',
    );
  }
  if (sampleRate === undefined) {
    throw new UserError('has no sample rate', {
      source: metaSource,
      field: 'global.core:sample_rate',
      fix: 'add "core:sample_rate" (Hz) to the metadata, or pass --rate',
    });
  }
  const centerOverride = opts.centerFrequency;
  if (centerOverride !== undefined && !Number.isFinite(centerOverride)) {
    throw new UserError(`must be a frequency in Hz (got ${centerOverride})`, {
      source,
      field: '--freq',
      fix: 'pass e.g. --freq 433.92M',
    });
  }
  const numChannels = g.numChannels;
  const channel = opts.channel ?? 0;
  if (!Number.isInteger(channel) || channel < 0 || channel >= numChannels) {
    throw new UserError(`channel ${channel} does not exist: the recording has ${numChannels}`, {
      source,
      field: '--channel',
      fix: `choose a channel from 0 to ${numChannels - 1}`,
    });
  }

  // Captures and annotations relative to the first sample of the data file.
  const offset = g.offset;
  const rawCaptures =
    meta.captures.length > 0 ? meta.captures : rawMeta(format, sampleRate, undefined).captures;
  const captures: Capture[] = rawCaptures.map((c, i) => {
    if (c.sampleStart < offset) {
      throw new UserError(`is ${c.sampleStart}, before global core:offset ${offset}`, {
        source: metaSource,
        field: `captures[${i}].core:sample_start`,
        fix: 'SigMF sample indices are absolute: they include core:offset',
      });
    }
    return {
      ...c,
      sampleStart: c.sampleStart - offset,
      frequency: c.frequency ?? centerOverride,
      extra: { ...c.extra },
    };
  });
  const annotations: Annotation[] = meta.annotations.map((a, i) => {
    if (a.sampleStart < offset) {
      throw new UserError(`is ${a.sampleStart}, before global core:offset ${offset}`, {
        source: metaSource,
        field: `annotations[${i}].core:sample_start`,
        fix: 'SigMF sample indices are absolute: they include core:offset',
      });
    }
    return { ...a, sampleStart: a.sampleStart - offset, extra: { ...a.extra } };
  });

  // Byte layout: [header_0][samples ...][header_1][samples ...] ... [trailing bytes].
  const sampleBytes = bytesPerSample(format);
  const frame = sampleBytes * numChannels;
  const dataEnd = region.size - g.trailingBytes;
  if (dataEnd < 0) {
    throw new UserError(`is ${g.trailingBytes} bytes but the data file has only ${region.size}`, {
      source: metaSource,
      field: 'global.core:trailing_bytes',
      fix: 'set core:trailing_bytes to the size of the footer that follows the samples',
    });
  }
  let headerTotal = 0;
  const segBase: number[] = [];
  for (const [i, c] of captures.entries()) {
    headerTotal += c.headerBytes;
    if (headerTotal > dataEnd) {
      throw new UserError(`puts this capture's header past the end of the data (${region.size} bytes)`, {
        source: metaSource,
        field: `captures[${i}].core:header_bytes`,
        fix: "set core:header_bytes to the size of the header before this capture's samples",
      });
    }
    segBase.push(region.start + headerTotal);
  }
  const payload = dataEnd - headerTotal;
  if (payload % frame !== 0) {
    const what =
      numChannels > 1
        ? `${sampleBytes} bytes per ${format} sample x ${numChannels} channels`
        : `${frame} bytes per ${format} sample`;
    throw new UserError(
      `data is ${payload} bytes, not a whole number of samples (${what}; ${payload % frame} bytes left over)`,
      region.raw
        ? {
            source,
            field: '--datatype',
            fix: 'check --datatype, or trim the file to a whole number of samples',
          }
        : {
            source: metaSource,
            field: 'global.core:datatype',
            fix: `check core:datatype and core:num_channels, or the data file ${basename(region.dataPath)} was cut short`,
          },
    );
  }
  const sampleCount = payload / frame;
  for (const [i, c] of captures.entries()) {
    if (c.sampleStart > 0 && c.sampleStart >= sampleCount) {
      throw new UserError(
        `is past the end of the data: sample ${c.sampleStart + offset}, but the data has ${sampleCount} samples`,
        {
          source: metaSource,
          field: `captures[${i}].core:sample_start`,
          fix: 'remove this capture, or check that the data file is complete',
        },
      );
    }
  }

  const rec = new FileRecording({
    source,
    region,
    format,
    sampleRate,
    numChannels,
    channel,
    sampleCount,
    captures,
    annotations,
    segStart: captures.map((c) => c.sampleStart),
    segBase,
  });
  if (opts.verifyChecksum === true) rec.verifySha512();
  return rec;
}

interface FileRecordingInit {
  readonly source: string;
  readonly region: DataRegion;
  readonly format: SampleFormat;
  readonly sampleRate: number;
  readonly numChannels: number;
  readonly channel: number;
  readonly sampleCount: number;
  readonly captures: readonly Capture[];
  readonly annotations: readonly Annotation[];
  readonly segStart: readonly number[];
  readonly segBase: readonly number[];
}

/** Frames above this size are de-interleaved by reading each channel sample directly. */
const MAX_SCRATCH_BYTES = 4 * 1024 * 1024;

class FileRecording implements Recording {
  readonly source: string;
  readonly dataPath: string;
  readonly format: SampleFormat;
  readonly sampleRate: number;
  readonly centerFrequency: number | undefined;
  readonly numChannels: number;
  readonly channel: number;
  readonly sampleCount: number;
  readonly captures: readonly Capture[];
  readonly annotations: readonly Annotation[];
  readonly meta: SigmfMeta;
  private fd: number | undefined;
  private readonly region: DataRegion;
  private readonly sampleBytes: number;
  private readonly frame: number;
  private readonly segStart: readonly number[];
  private readonly segBase: readonly number[];
  private scratch: Uint8Array | undefined;

  constructor(init: FileRecordingInit) {
    this.source = init.source;
    this.region = init.region;
    this.dataPath = init.region.dataPath;
    this.fd = init.region.fd;
    this.meta = init.region.meta;
    this.format = init.format;
    this.sampleRate = init.sampleRate;
    this.numChannels = init.numChannels;
    this.channel = init.channel;
    this.sampleCount = init.sampleCount;
    this.captures = init.captures;
    this.annotations = init.annotations;
    this.centerFrequency = init.captures[0]?.frequency;
    this.sampleBytes = bytesPerSample(init.format);
    this.frame = this.sampleBytes * init.numChannels;
    this.segStart = init.segStart;
    this.segBase = init.segBase;
  }

  private openFd(): number {
    if (this.fd === undefined) throw new UnexpectedError(`recording ${this.source} was read after close()`);
    return this.fd;
  }

  /** Index of the capture segment holding sample `s`. */
  private segment(s: number): number {
    let lo = 0;
    let hi = this.segStart.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.segStart[mid] as number) <= s) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  read(start: number, count: number, into: Uint8Array): number {
    const fd = this.openFd();
    if (!Number.isSafeInteger(start) || start < 0 || !Number.isSafeInteger(count) || count < 0) {
      throw new RangeError(`read(${start}, ${count}): start and count must be whole numbers >= 0`);
    }
    const bps = this.sampleBytes;
    const n = Math.max(0, Math.min(count, this.sampleCount - start, Math.floor(into.byteLength / bps)));
    let done = 0;
    while (done < n) {
      const s = start + done;
      const seg = this.segment(s);
      const segEnd = this.segStart[seg + 1] ?? this.sampleCount;
      const m = Math.min(n - done, segEnd - s);
      const pos = (this.segBase[seg] as number) + s * this.frame;
      if (this.numChannels === 1) {
        readExactly(fd, into, done * bps, m * bps, pos, this.dataPath);
      } else {
        this.readChannel(fd, pos, m, into, done * bps);
      }
      done += m;
    }
    return n;
  }

  /** De-interleaves `m` frames starting at byte `pos` into `into[dst..]`. */
  private readChannel(fd: number, pos: number, m: number, into: Uint8Array, dst: number): void {
    const bps = this.sampleBytes;
    const frame = this.frame;
    const skip = this.channel * bps;
    if (frame > MAX_SCRATCH_BYTES) {
      for (let k = 0; k < m; k++)
        readExactly(fd, into, dst + k * bps, bps, pos + k * frame + skip, this.dataPath);
      return;
    }
    const framesPerRead = Math.max(1, Math.floor(MAX_SCRATCH_BYTES / frame));
    this.scratch ??= new Uint8Array(Math.min(framesPerRead, Math.max(m, 4096)) * frame);
    const scratch = this.scratch;
    const perRead = Math.floor(scratch.length / frame);
    for (let k = 0; k < m;) {
      const f = Math.min(perRead, m - k);
      readExactly(fd, scratch, 0, f * frame, pos + k * frame, this.dataPath);
      let out = dst + k * bps;
      for (let j = 0; j < f; j++) {
        const src = j * frame + skip;
        for (let b = 0; b < bps; b++) into[out + b] = scratch[src + b] as number;
        out += bps;
      }
      k += f;
    }
  }

  *chunks(
    opts: { chunkSamples?: number; start?: number; count?: number } = {},
  ): Generator<{ start: number; bytes: Uint8Array }> {
    const chunkSamples = opts.chunkSamples ?? 65536;
    const start = opts.start ?? 0;
    if (!Number.isSafeInteger(chunkSamples) || chunkSamples < 1) {
      throw new RangeError(`chunks(): chunkSamples must be a whole number >= 1 (got ${chunkSamples})`);
    }
    if (!Number.isSafeInteger(start) || start < 0)
      throw new RangeError(`chunks(): start must be >= 0 (got ${start})`);
    const end = Math.min(
      this.sampleCount,
      opts.count === undefined ? Infinity : start + Math.max(0, opts.count),
    );
    const buf = new Uint8Array(Math.min(chunkSamples, Math.max(0, end - start)) * this.sampleBytes);
    for (let s = start; s < end;) {
      const n = this.read(s, Math.min(chunkSamples, end - s), buf);
      if (n === 0) break;
      yield { start: s, bytes: buf.subarray(0, n * this.sampleBytes) };
      s += n;
    }
  }

  /** Streams the dataset through SHA-512 and compares with `core:sha512`. */
  verifySha512(): void {
    const expected = this.meta.global.sha512;
    const field = 'global.core:sha512';
    if (expected === undefined) {
      throw new UserError('is missing: there is no checksum to verify the data against', {
        source: this.region.metaSource,
        field,
        fix: 'add the SHA-512 of the data file to the metadata, or do not ask for verification',
      });
    }
    const actual = sha512OfRange(this.openFd(), this.region.start, this.region.size, this.dataPath);
    if (actual !== expected) {
      throw new UserError(
        `does not match the data: ${basename(this.dataPath)} hashes to ${actual.slice(0, 16)}...`,
        {
          source: this.region.metaSource,
          field,
          fix: 'the data file is damaged or belongs to other metadata: fetch it again, or update core:sha512 if it was edited on purpose',
        },
      );
    }
  }

  close(): void {
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
  }
}

/** SHA-512 (lower-case hex) of `length` bytes at `start` of an open file, streamed 1 MB at a time. */
export function sha512OfRange(fd: number, start: number, length: number, path: string): string {
  const hash = createHash('sha512');
  const buf = new Uint8Array(Math.min(1 << 20, Math.max(1, length)));
  for (let at = 0; at < length;) {
    const n = Math.min(buf.length, length - at);
    readExactly(fd, buf, 0, n, start + at, path);
    hash.update(buf.subarray(0, n));
    at += n;
  }
  return hash.digest('hex');
}
