/**
 * IQ sample formats (SigMF `core:datatype`) and their decoding to interleaved complex float32
 * with the scaling of the architecture contract:
 * `cf32`/`cf64` as is; `ci8`/`ci16`/`ci32` divided by 2^7 / 2^15 / 2^31;
 * `cu8` as (x - 127.5) / 128; `cu16` as (x - 32767.5) / 32768; `cu32` as (x - 2147483647.5) / 2^31.
 */
import { UserError } from '@heimdall/errors';

export const SAMPLE_FORMATS = [
  'cf64_le',
  'cf64_be',
  'cf32_le',
  'cf32_be',
  'ci32_le',
  'ci32_be',
  'ci16_le',
  'ci16_be',
  'ci8',
  'cu32_le',
  'cu32_be',
  'cu16_le',
  'cu16_be',
  'cu8',
] as const;

/** A complex sample format. 8-bit formats have no byte order. */
export type SampleFormat = (typeof SAMPLE_FORMATS)[number];

interface FormatInfo {
  readonly kind: 'f' | 'i' | 'u';
  /** Bytes of one component (I or Q). */
  readonly bytes: 1 | 2 | 4 | 8;
  readonly littleEndian: boolean;
}

function info(format: SampleFormat): FormatInfo {
  const kind = format[1] as 'f' | 'i' | 'u';
  const bits = Number(/\d+/.exec(format)?.[0]);
  return { kind, bytes: (bits / 8) as FormatInfo['bytes'], littleEndian: !format.endsWith('_be') };
}

/** Bytes of one complex sample (I and Q) of one channel. */
export function bytesPerSample(format: SampleFormat): number {
  return info(format).bytes * 2;
}

/**
 * Parses a SigMF datatype string such as `cf32_le`, `ci16_be` or `cu8` (also `ci8_le`/`cu8_le`,
 * which some writers emit). Real-valued types (`rf32_le`, ...) and unknown strings are refused
 * with a {@link UserError} that says what would fix it.
 */
export function parseDatatype(datatype: string): SampleFormat {
  const s = datatype.trim().toLowerCase();
  const m = /^([rc])([fiu])(8|16|32|64)(?:_(le|be))?$/.exec(s);
  if (!m) {
    throw new UserError(`unknown datatype "${datatype}"`, {
      field: 'core:datatype',
      fix: `use a SigMF complex datatype: ${SAMPLE_FORMATS.join(', ')}`,
    });
  }
  const [, rc, kind, bits, endian] = m;
  if (rc === 'r') {
    throw new UserError(`real-valued datatype "${datatype}" is not supported: Heimdall analyses complex IQ`, {
      field: 'core:datatype',
      fix: `convert the recording to complex samples (e.g. c${kind}${bits}${bits === '8' ? '' : `_${endian ?? 'le'}`})`,
    });
  }
  const name = bits === '8' ? `c${kind}8` : `c${kind}${bits}_${endian ?? ''}`;
  if (bits !== '8' && endian === undefined) {
    throw new UserError(`datatype "${datatype}" has no byte order`, {
      field: 'core:datatype',
      fix: `write c${kind}${bits}_le (little-endian) or c${kind}${bits}_be (big-endian)`,
    });
  }
  if (!(SAMPLE_FORMATS as readonly string[]).includes(name)) {
    throw new UserError(`datatype "${datatype}" is not a valid SigMF datatype`, {
      field: 'core:datatype',
      fix: `use one of ${SAMPLE_FORMATS.join(', ')}`,
    });
  }
  return name as SampleFormat;
}

/**
 * Decodes `count` complex samples from `src` (starting at byte `srcOffset`) into `out` as
 * interleaved I,Q float32 starting at `out[0]`. Returns the number of samples decoded (limited by
 * the bytes available and the room in `out`). Allocates nothing.
 */
export function decodeIQ(
  src: Uint8Array,
  format: SampleFormat,
  out: Float32Array,
  count = Infinity,
  srcOffset = 0,
): number {
  const { kind, bytes, littleEndian: le } = info(format);
  const per = bytes * 2;
  const n = Math.min(count, Math.floor((src.byteLength - srcOffset) / per), Math.floor(out.length / 2));
  const values = n * 2;
  const view = new DataView(src.buffer, src.byteOffset + srcOffset, n * per);
  switch (format) {
    case 'cu8':
      for (let i = 0; i < values; i++) out[i] = ((src[srcOffset + i] as number) - 127.5) / 128;
      return n;
    case 'ci8':
      for (let i = 0; i < values; i++) out[i] = view.getInt8(i) / 128;
      return n;
    default:
      break;
  }
  if (kind === 'f') {
    if (bytes === 4) for (let i = 0; i < values; i++) out[i] = view.getFloat32(i * 4, le);
    else for (let i = 0; i < values; i++) out[i] = view.getFloat64(i * 8, le);
  } else if (kind === 'i') {
    if (bytes === 2) for (let i = 0; i < values; i++) out[i] = view.getInt16(i * 2, le) / 32768;
    else for (let i = 0; i < values; i++) out[i] = view.getInt32(i * 4, le) / 2147483648;
  } else {
    if (bytes === 2) for (let i = 0; i < values; i++) out[i] = (view.getUint16(i * 2, le) - 32767.5) / 32768;
    else for (let i = 0; i < values; i++) out[i] = (view.getUint32(i * 4, le) - 2147483647.5) / 2147483648;
  }
  return n;
}
