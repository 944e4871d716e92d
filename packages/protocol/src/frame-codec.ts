/**
 * The versioned binary frames that agents send to the server (and the server back to agents and
 * live viewers). One message per frame; all integers and floats little-endian.
 *
 * Common header (12 bytes):
 *
 * | offset | size | field                                                        |
 * | -----: | ---: | ------------------------------------------------------------ |
 * |      0 |    4 | magic `HMDL` (0x48 0x4d 0x44 0x4c)                           |
 * |      4 |    1 | version, {@link PROTOCOL_VERSION}                            |
 * |      5 |    1 | kind: 1 spectrum, 2 detections, 3 ack ({@link MESSAGE_KIND}) |
 * |      6 |    2 | flags (u16), per kind; unknown bits are refused              |
 * |      8 |    4 | total length of the frame in bytes, header included (u32)    |
 *
 * Spectrum frame (kind 1), after the common header:
 *
 * | offset | size | field                                                            |
 * | -----: | ---: | ---------------------------------------------------------------- |
 * |     12 |   16 | node id (UUID bytes, RFC 4122 order)                              |
 * |     28 |    8 | sequence (u64, below 2^53; one sequence space per node, all kinds) |
 * |     36 |    8 | capture time, ns since the Unix epoch (i64, not negative)         |
 * |     44 |    8 | centre frequency, Hz (f64)                                        |
 * |     52 |    8 | sample rate, Hz (f64) = the span the bins cover                   |
 * |     60 |    4 | FFT size (u32)                                                    |
 * |     64 |    4 | bin count (u32), divides the FFT size                             |
 * |     68 |    4 | reference level, dB (f32): code 0                                 |
 * |     72 |    4 | step, dB (f32): `dB = ref + code * step`                           |
 * |     76 |  n*w | bins, fftshifted (lowest frequency first): u8, or u16 with flag 1 |
 *
 * Bins cover `[centre - rate/2, centre + rate/2)` evenly; with `binCount < fftSize` each bin stands
 * for `fftSize / binCount` adjacent FFT bins (see {@link binFrequencyHz}).
 *
 * Detections (kind 2): node id, sequence, capture time as above (offsets 12..43), then a u16 count
 * at 44 and that many records: start time ns (i64), end time ns (i64), lower edge Hz (f64), upper
 * edge Hz (f64), SNR dB (f32), power dBFS (f32), class label (u8 byte length, then UTF-8, at most
 * {@link MAX_LABEL_BYTES}).
 *
 * Ack (kind 3, server to agent): node id (12), next sequence (u64 at 28: every sequence below it is
 * durably stored), a u32 count at 36 and that many u64 sequences at or above it that are stored too.
 *
 * {@link decodeFrame} validates everything and throws a {@link FrameError} for anything else; it
 * never throws another error and never loops longer than the frame's byte length.
 */
import { FrameError } from './frame-error.ts';

export const PROTOCOL_VERSION = 1;
export const MESSAGE_KIND = { spectrum: 1, detections: 2, ack: 3 } as const;
export type MessageKind = keyof typeof MESSAGE_KIND;
/** Spectrum flag: bins are u16 codes instead of u8. */
export const FLAG_BINS_U16 = 1;

export const COMMON_HEADER_BYTES = 12;
export const SPECTRUM_HEADER_BYTES = 76;
const DETECTIONS_HEADER_BYTES = 46;
const DETECTION_RECORD_FIXED_BYTES = 41;
const ACK_HEADER_BYTES = 40;
/** Largest frame accepted: 1 MiB. A 65,536-bin u16 spectrum is 128 KiB. */
export const MAX_FRAME_BYTES = 1 << 20;
/** Most bins in one spectrum frame. */
export const MAX_BINS = 65536;
/** Largest FFT size a frame may name. */
export const MAX_FFT_SIZE = 1 << 24;
/** Longest class label in a detection, in UTF-8 bytes. */
export const MAX_LABEL_BYTES = 64;
/** Most detections in one message. */
export const MAX_DETECTIONS = 4096;

const MAGIC = [0x48, 0x4d, 0x44, 0x4c] as const;
const TWO_POW_32 = 4294967296;

/** One PSD frame, quantized (see `quantizeDb`). */
export interface SpectrumFrame {
  readonly kind: 'spectrum';
  /** The node that measured it (UUID, lower case). */
  readonly nodeId: string;
  /** Position in the node's message sequence; duplicates (same node and sequence) are dropped. */
  readonly sequence: number;
  /** When the capture that made this frame started, ns since the Unix epoch. */
  readonly captureTimeNs: bigint;
  readonly centerHz: number;
  readonly sampleRateHz: number;
  readonly fftSize: number;
  /** Level of code 0, dB. */
  readonly refDb: number;
  /** dB per code. */
  readonly stepDb: number;
  /**
   * Quantized bins, lowest frequency first; `bins.length` is the bin count. A decoded u8 frame's
   * bins are a view into the decoded bytes: copy them to keep them after that buffer is reused.
   */
  readonly bins: Uint8Array | Uint16Array;
}

/** One detected signal, in the units of a SigMF annotation. */
export interface DetectionRecord {
  readonly startTimeNs: bigint;
  readonly endTimeNs: bigint;
  readonly freqLowHz: number;
  readonly freqHighHz: number;
  readonly snrDb: number;
  readonly powerDbfs: number;
  /** Class label (`unknown` when not classified); at most {@link MAX_LABEL_BYTES} UTF-8 bytes. */
  readonly label: string;
}

export interface DetectionsMessage {
  readonly kind: 'detections';
  readonly nodeId: string;
  readonly sequence: number;
  readonly captureTimeNs: bigint;
  readonly detections: readonly DetectionRecord[];
}

/** Server to agent: which sequences are durably stored and may leave the agent's spool. */
export interface AckMessage {
  readonly kind: 'ack';
  readonly nodeId: string;
  /** Every sequence below this one is stored; the server expects this one next. */
  readonly nextSequence: number;
  /** Sequences at or above `nextSequence` that are stored too (received after a gap). */
  readonly acked: readonly number[];
}

export type Frame = SpectrumFrame | DetectionsMessage | AckMessage;

// ---------------------------------------------------------------------------------------------
// encoding

const views = new WeakMap<ArrayBufferLike, DataView>();
function viewOf(bytes: Uint8Array): DataView {
  let v = views.get(bytes.buffer);
  if (v === undefined) {
    v = new DataView(bytes.buffer);
    views.set(bytes.buffer, v);
  }
  return v;
}

function writeHeader(dv: DataView, at: number, kind: number, flags: number, length: number): void {
  for (let i = 0; i < 4; i++) dv.setUint8(at + i, MAGIC[i] as number);
  dv.setUint8(at + 4, PROTOCOL_VERSION);
  dv.setUint8(at + 5, kind);
  dv.setUint16(at + 6, flags, true);
  dv.setUint32(at + 8, length, true);
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Writes a UUID string's 16 bytes; throws a RangeError for anything but `8-4-4-4-12` hex. */
function writeUuid(dv: DataView, at: number, uuid: string): void {
  if (uuid.length !== 36) throw new RangeError(`nodeId must be a UUID (got "${uuid}")`);
  let o = at;
  for (let i = 0; i < 36;) {
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (uuid.charCodeAt(i) !== 45) throw new RangeError(`nodeId must be a UUID (got "${uuid}")`);
      i++;
      continue;
    }
    const hi = hexValue(uuid.charCodeAt(i));
    const lo = hexValue(uuid.charCodeAt(i + 1));
    if (hi < 0 || lo < 0) throw new RangeError(`nodeId must be a UUID (got "${uuid}")`);
    dv.setUint8(o++, (hi << 4) | lo);
    i += 2;
  }
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
function readUuid(bytes: Uint8Array, at: number): string {
  let s = '';
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) s += '-';
    s += HEX[bytes[at + i] as number] as string;
  }
  return s;
}

function writeU64(dv: DataView, at: number, value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`${name} must be a safe non-negative integer (got ${value})`);
  dv.setUint32(at, value % TWO_POW_32, true);
  dv.setUint32(at + 4, Math.floor(value / TWO_POW_32), true);
}

function checkFinite(value: number, name: string): void {
  if (!Number.isFinite(value)) throw new RangeError(`${name} must be finite (got ${value})`);
}

/** Bytes a spectrum frame of `binCount` bins takes. */
export function spectrumFrameBytes(binCount: number, u16 = false): number {
  return SPECTRUM_HEADER_BYTES + binCount * (u16 ? 2 : 1);
}

/**
 * Encodes a spectrum frame. With `out` (at least {@link spectrumFrameBytes} long) nothing is
 * allocated and a view of `out` holding exactly the frame is returned. Throws a RangeError for a
 * frame the decoder would refuse (a bug in the caller, not bad input).
 */
export function encodeSpectrumFrame(frame: Omit<SpectrumFrame, 'kind'>, out?: Uint8Array): Uint8Array {
  const n = frame.bins.length;
  const u16 = frame.bins instanceof Uint16Array;
  const length = spectrumFrameBytes(n, u16);
  if (n < 1 || n > MAX_BINS) throw new RangeError(`bin count must be 1..${MAX_BINS} (got ${n})`);
  if (
    frame.fftSize < n ||
    frame.fftSize > MAX_FFT_SIZE ||
    !Number.isInteger(frame.fftSize) ||
    frame.fftSize % n !== 0
  ) {
    throw new RangeError(
      `fftSize must be a multiple of the bin count ${n}, at most ${MAX_FFT_SIZE} (got ${frame.fftSize})`,
    );
  }
  checkFinite(frame.centerHz, 'centerHz');
  if (!(frame.sampleRateHz > 0) || !Number.isFinite(frame.sampleRateHz))
    throw new RangeError(`sampleRateHz must be positive (got ${frame.sampleRateHz})`);
  checkFinite(frame.refDb, 'refDb');
  if (!(frame.stepDb > 0) || !Number.isFinite(Math.fround(frame.stepDb)))
    throw new RangeError(`stepDb must be positive (got ${frame.stepDb})`);
  if (frame.captureTimeNs < 0n || frame.captureTimeNs >= 1n << 63n)
    throw new RangeError(`captureTimeNs must be a non-negative i64 (got ${frame.captureTimeNs})`);

  const bytes = out === undefined ? new Uint8Array(length) : out.subarray(0, length);
  if (bytes.length < length)
    throw new RangeError(`out holds ${out?.length ?? 0} bytes, the frame needs ${length}`);
  const dv = viewOf(bytes);
  const at = bytes.byteOffset;
  writeHeader(dv, at, MESSAGE_KIND.spectrum, u16 ? FLAG_BINS_U16 : 0, length);
  writeUuid(dv, at + 12, frame.nodeId);
  writeU64(dv, at + 28, frame.sequence, 'sequence');
  dv.setBigInt64(at + 36, frame.captureTimeNs, true);
  dv.setFloat64(at + 44, frame.centerHz, true);
  dv.setFloat64(at + 52, frame.sampleRateHz, true);
  dv.setUint32(at + 60, frame.fftSize, true);
  dv.setUint32(at + 64, n, true);
  dv.setFloat32(at + 68, frame.refDb, true);
  dv.setFloat32(at + 72, frame.stepDb, true);
  if (u16) {
    for (let i = 0; i < n; i++)
      dv.setUint16(at + SPECTRUM_HEADER_BYTES + 2 * i, frame.bins[i] as number, true);
  } else {
    bytes.set(frame.bins, SPECTRUM_HEADER_BYTES);
  }
  return bytes;
}

const utf8 = new TextEncoder();

/** Encodes a detections message (allocates; detections are few). */
export function encodeDetections(message: Omit<DetectionsMessage, 'kind'>): Uint8Array {
  const { detections } = message;
  if (detections.length > MAX_DETECTIONS)
    throw new RangeError(`at most ${MAX_DETECTIONS} detections per message (got ${detections.length})`);
  const labels = detections.map((d) => utf8.encode(d.label));
  let length = DETECTIONS_HEADER_BYTES;
  for (const l of labels) {
    if (l.length > MAX_LABEL_BYTES) throw new RangeError(`a label is at most ${MAX_LABEL_BYTES} UTF-8 bytes`);
    length += DETECTION_RECORD_FIXED_BYTES + l.length;
  }
  const bytes = new Uint8Array(length);
  const dv = new DataView(bytes.buffer);
  writeHeader(dv, 0, MESSAGE_KIND.detections, 0, length);
  writeUuid(dv, 12, message.nodeId);
  writeU64(dv, 28, message.sequence, 'sequence');
  dv.setBigInt64(36, message.captureTimeNs, true);
  dv.setUint16(44, detections.length, true);
  let o = DETECTIONS_HEADER_BYTES;
  detections.forEach((d, i) => {
    for (const [v, name] of [
      [d.freqLowHz, 'freqLowHz'],
      [d.freqHighHz, 'freqHighHz'],
      [d.snrDb, 'snrDb'],
      [d.powerDbfs, 'powerDbfs'],
    ] as const) {
      checkFinite(v, name);
    }
    if (d.endTimeNs < d.startTimeNs || d.freqHighHz < d.freqLowHz)
      throw new RangeError('a detection must end after it starts, in time and in frequency');
    const label = labels[i] as Uint8Array;
    dv.setBigInt64(o, d.startTimeNs, true);
    dv.setBigInt64(o + 8, d.endTimeNs, true);
    dv.setFloat64(o + 16, d.freqLowHz, true);
    dv.setFloat64(o + 24, d.freqHighHz, true);
    dv.setFloat32(o + 32, d.snrDb, true);
    dv.setFloat32(o + 36, d.powerDbfs, true);
    dv.setUint8(o + 40, label.length);
    bytes.set(label, o + 41);
    o += DETECTION_RECORD_FIXED_BYTES + label.length;
  });
  return bytes;
}

/** Encodes an ack. `acked` holds stored sequences at or above `nextSequence` (may be empty). */
export function encodeAck(message: Omit<AckMessage, 'kind'>): Uint8Array {
  const length = ACK_HEADER_BYTES + 8 * message.acked.length;
  if (length > MAX_FRAME_BYTES) throw new RangeError('too many acked sequences for one frame');
  const bytes = new Uint8Array(length);
  const dv = new DataView(bytes.buffer);
  writeHeader(dv, 0, MESSAGE_KIND.ack, 0, length);
  writeUuid(dv, 12, message.nodeId);
  writeU64(dv, 28, message.nextSequence, 'nextSequence');
  dv.setUint32(36, message.acked.length, true);
  message.acked.forEach((s, i) => writeU64(dv, ACK_HEADER_BYTES + 8 * i, s, 'acked sequence'));
  return bytes;
}

/** Encodes any frame. */
export function encodeFrame(frame: Frame): Uint8Array {
  switch (frame.kind) {
    case 'spectrum':
      return encodeSpectrumFrame(frame);
    case 'detections':
      return encodeDetections(frame);
    case 'ack':
      return encodeAck(frame);
  }
}

// ---------------------------------------------------------------------------------------------
// decoding

function readU64(dv: DataView, at: number, field: string): number {
  const lo = dv.getUint32(at, true);
  const hi = dv.getUint32(at + 4, true);
  if (hi >= 0x200000) throw new FrameError('bad_field', `${field} is above 2^53 - 1`, field);
  return hi * TWO_POW_32 + lo;
}

function readTimeNs(dv: DataView, at: number, field: string): bigint {
  const t = dv.getBigInt64(at, true);
  if (t < 0n) throw new FrameError('bad_field', `${field} is negative`, field);
  return t;
}

function readFinite64(dv: DataView, at: number, field: string): number {
  const v = dv.getFloat64(at, true);
  if (!Number.isFinite(v)) throw new FrameError('bad_field', `${field} is not a finite number`, field);
  return v;
}

function readFinite32(dv: DataView, at: number, field: string): number {
  const v = dv.getFloat32(at, true);
  if (!Number.isFinite(v)) throw new FrameError('bad_field', `${field} is not a finite number`, field);
  return v;
}

const KINDS: Readonly<Record<number, MessageKind>> = { 1: 'spectrum', 2: 'detections', 3: 'ack' };
const ALLOWED_FLAGS: Readonly<Record<MessageKind, number>> = {
  spectrum: FLAG_BINS_U16,
  detections: 0,
  ack: 0,
};
const MIN_BYTES: Readonly<Record<MessageKind, number>> = {
  spectrum: SPECTRUM_HEADER_BYTES,
  detections: DETECTIONS_HEADER_BYTES,
  ack: ACK_HEADER_BYTES,
};

/** What the common header says, once it is valid. */
export interface FrameHeader {
  readonly version: number;
  readonly kind: MessageKind;
  readonly flags: number;
  readonly length: number;
}

/** Validates the common header and the frame length against `bytes.length`. */
export function decodeHeader(bytes: Uint8Array): FrameHeader {
  if (bytes.length > MAX_FRAME_BYTES) {
    throw new FrameError(
      'oversized',
      `frame of ${bytes.length} bytes is above the ${MAX_FRAME_BYTES}-byte limit`,
    );
  }
  if (bytes.length < COMMON_HEADER_BYTES) {
    throw new FrameError(
      'truncated',
      `frame of ${bytes.length} bytes is shorter than the ${COMMON_HEADER_BYTES}-byte header`,
    );
  }
  for (let i = 0; i < 4; i++) {
    if (bytes[i] !== MAGIC[i]) throw new FrameError('bad_magic', 'frame does not start with HMDL', 'magic');
  }
  const version = bytes[4] as number;
  if (version !== PROTOCOL_VERSION) {
    throw new FrameError(
      'unsupported_version',
      `protocol version ${version} is not supported (this side speaks ${PROTOCOL_VERSION})`,
      'version',
    );
  }
  const kind = KINDS[bytes[5] as number];
  if (kind === undefined)
    throw new FrameError(
      'unknown_kind',
      `message kind ${bytes[5]} is not defined in version ${version}`,
      'kind',
    );
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const flags = dv.getUint16(6, true);
  if ((flags & ~ALLOWED_FLAGS[kind]) !== 0)
    throw new FrameError(
      'bad_flags',
      `flags 0x${flags.toString(16)} are not defined for ${kind} frames`,
      'flags',
    );
  const length = dv.getUint32(8, true);
  if (length > bytes.length)
    throw new FrameError(
      'truncated',
      `frame announces ${length} bytes but ${bytes.length} arrived`,
      'length',
    );
  if (length < bytes.length)
    throw new FrameError(
      'oversized',
      `frame announces ${length} bytes but ${bytes.length} arrived`,
      'length',
    );
  if (length < MIN_BYTES[kind])
    throw new FrameError(
      'truncated',
      `a ${kind} frame needs at least ${MIN_BYTES[kind]} bytes (got ${length})`,
      'length',
    );
  return { version, kind, flags, length };
}

function decodeSpectrum(bytes: Uint8Array, dv: DataView, flags: number): SpectrumFrame {
  const u16 = (flags & FLAG_BINS_U16) !== 0;
  const fftSize = dv.getUint32(60, true);
  const n = dv.getUint32(64, true);
  if (n < 1 || n > MAX_BINS)
    throw new FrameError('bin_count_mismatch', `bin count ${n} is outside 1..${MAX_BINS}`, 'binCount');
  const expected = spectrumFrameBytes(n, u16);
  if (expected !== bytes.length) {
    throw new FrameError(
      'bin_count_mismatch',
      `${n} ${u16 ? 'u16' : 'u8'} bins need a ${expected}-byte frame (got ${bytes.length})`,
      'binCount',
    );
  }
  if (fftSize < n || fftSize > MAX_FFT_SIZE || fftSize % n !== 0) {
    throw new FrameError(
      'bin_count_mismatch',
      `FFT size ${fftSize} is not a multiple of the bin count ${n} (at most ${MAX_FFT_SIZE})`,
      'fftSize',
    );
  }
  const sampleRateHz = readFinite64(dv, 52, 'sampleRateHz');
  if (!(sampleRateHz > 0))
    throw new FrameError('bad_field', `sample rate ${sampleRateHz} is not positive`, 'sampleRateHz');
  const stepDb = readFinite32(dv, 72, 'stepDb');
  if (!(stepDb > 0)) throw new FrameError('bad_field', `step ${stepDb} dB is not positive`, 'stepDb');
  let bins: Uint8Array | Uint16Array;
  if (u16) {
    bins = new Uint16Array(n);
    for (let i = 0; i < n; i++) bins[i] = dv.getUint16(SPECTRUM_HEADER_BYTES + 2 * i, true);
  } else {
    bins = bytes.subarray(SPECTRUM_HEADER_BYTES, SPECTRUM_HEADER_BYTES + n);
  }
  const frame: SpectrumFrame = {
    kind: 'spectrum',
    nodeId: readUuid(bytes, 12),
    sequence: readU64(dv, 28, 'sequence'),
    captureTimeNs: readTimeNs(dv, 36, 'captureTimeNs'),
    centerHz: readFinite64(dv, 44, 'centerHz'),
    sampleRateHz,
    fftSize,
    refDb: readFinite32(dv, 68, 'refDb'),
    stepDb,
    bins,
  };
  keepWire(frame, bytes);
  return frame;
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decodeDetections(bytes: Uint8Array, dv: DataView): DetectionsMessage {
  const count = dv.getUint16(44, true);
  if (count > MAX_DETECTIONS)
    throw new FrameError(
      'count_mismatch',
      `${count} detections is above the limit of ${MAX_DETECTIONS}`,
      'count',
    );
  const detections: DetectionRecord[] = [];
  let o = DETECTIONS_HEADER_BYTES;
  for (let i = 0; i < count; i++) {
    const field = `detections[${i}]`;
    if (o + DETECTION_RECORD_FIXED_BYTES > bytes.length)
      throw new FrameError(
        'count_mismatch',
        `${count} detections announced, bytes end in record ${i}`,
        'count',
      );
    const labelBytes = dv.getUint8(o + 40);
    if (labelBytes > MAX_LABEL_BYTES)
      throw new FrameError(
        'bad_field',
        `label of ${labelBytes} bytes is above ${MAX_LABEL_BYTES}`,
        `${field}.label`,
      );
    const end = o + DETECTION_RECORD_FIXED_BYTES + labelBytes;
    if (end > bytes.length)
      throw new FrameError(
        'count_mismatch',
        `${count} detections announced, bytes end in record ${i}`,
        'count',
      );
    let label: string;
    try {
      label = utf8Strict.decode(bytes.subarray(o + 41, end));
    } catch {
      throw new FrameError('bad_field', 'label is not valid UTF-8', `${field}.label`);
    }
    const d: DetectionRecord = {
      startTimeNs: readTimeNs(dv, o, `${field}.startTimeNs`),
      endTimeNs: readTimeNs(dv, o + 8, `${field}.endTimeNs`),
      freqLowHz: readFinite64(dv, o + 16, `${field}.freqLowHz`),
      freqHighHz: readFinite64(dv, o + 24, `${field}.freqHighHz`),
      snrDb: readFinite32(dv, o + 32, `${field}.snrDb`),
      powerDbfs: readFinite32(dv, o + 36, `${field}.powerDbfs`),
      label,
    };
    if (d.endTimeNs < d.startTimeNs)
      throw new FrameError('bad_field', 'detection ends before it starts', `${field}.endTimeNs`);
    if (d.freqHighHz < d.freqLowHz)
      throw new FrameError('bad_field', 'upper edge is below the lower edge', `${field}.freqHighHz`);
    detections.push(d);
    o = end;
  }
  if (o !== bytes.length)
    throw new FrameError(
      'count_mismatch',
      `${bytes.length - o} bytes follow the last of ${count} detections`,
      'count',
    );
  return {
    kind: 'detections',
    nodeId: readUuid(bytes, 12),
    sequence: readU64(dv, 28, 'sequence'),
    captureTimeNs: readTimeNs(dv, 36, 'captureTimeNs'),
    detections,
  };
}

function decodeAck(bytes: Uint8Array, dv: DataView): AckMessage {
  const count = dv.getUint32(36, true);
  if (ACK_HEADER_BYTES + 8 * count !== bytes.length) {
    throw new FrameError(
      'count_mismatch',
      `${count} acked sequences need ${ACK_HEADER_BYTES + 8 * count} bytes (got ${bytes.length})`,
      'count',
    );
  }
  const nextSequence = readU64(dv, 28, 'nextSequence');
  const acked: number[] = [];
  for (let i = 0; i < count; i++) acked.push(readU64(dv, ACK_HEADER_BYTES + 8 * i, `acked[${i}]`));
  return { kind: 'ack', nodeId: readUuid(bytes, 12), nextSequence, acked };
}

/**
 * Decodes and validates one frame. Throws a {@link FrameError} (a `UserError`) with a `reason`
 * for anything malformed, and nothing else.
 */
export function decodeFrame(bytes: Uint8Array): Frame {
  const header = decodeHeader(bytes);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (header.kind) {
    case 'spectrum':
      return decodeSpectrum(bytes, dv, header.flags);
    case 'detections':
      return decodeDetections(bytes, dv);
    case 'ack':
      return decodeAck(bytes, dv);
  }
}

/** Frequency of the lowest FFT bin that bin `i` of `frame` stands for, Hz. */
export function binFrequencyHz(
  frame: Pick<SpectrumFrame, 'centerHz' | 'sampleRateHz' | 'fftSize' | 'bins'>,
  i: number,
): number {
  const group = frame.fftSize / frame.bins.length;
  return frame.centerHz + ((i * group - frame.fftSize / 2) * frame.sampleRateHz) / frame.fftSize;
}

/**
 * The bytes a spectrum frame was decoded from (a view of the decoder's input, not a copy), or
 * undefined for a frame built in code. Forwarding a frame as it arrived (live viewers, the bus)
 * costs no encoding. The view is only as good as the input buffer: fine for sockets' and request
 * bodies' buffers, which are never reused; a caller whose input buffer is reused decodes a copy.
 */
export function wireBytesOf(frame: SpectrumFrame): Uint8Array | undefined {
  return (frame as { [WIRE]?: Uint8Array })[WIRE];
}

/**
 * Where a decoded frame keeps its bytes: a non-enumerable property, so spreads, equality checks and
 * JSON do not see it (and, unlike a WeakMap entry per frame, it costs the collector nothing extra).
 */
const WIRE = Symbol('heimdall.wire');

function keepWire(frame: SpectrumFrame, bytes: Uint8Array): void {
  Object.defineProperty(frame, WIRE, { value: bytes });
}

/** Another frame object with the same content and wire bytes, sharing them (no copy). */
export function shareSpectrumFrame(frame: SpectrumFrame): SpectrumFrame {
  const shared: SpectrumFrame = { ...frame };
  const bytes = wireBytesOf(frame);
  if (bytes !== undefined) keepWire(shared, bytes);
  return shared;
}

/** Copies a view-backed decoded frame so it stays valid after the input buffer is reused. */
export function detachSpectrumFrame(frame: SpectrumFrame): SpectrumFrame {
  return { ...frame, bins: frame.bins.slice() };
}
