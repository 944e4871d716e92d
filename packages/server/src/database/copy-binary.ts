/**
 * Encodes rows in PostgreSQL's binary `COPY` format (PostgreSQL docs, "COPY", section "Binary
 * Format"): an 11-byte signature, flags and extension length, then per row a field count and each
 * field as a length-prefixed value in the type's binary send format, then a -1 trailer. PGlite
 * reads it from a Blob (`COPY t FROM '/dev/blob' WITH (FORMAT binary)`), which moves large `bytea`
 * values without the hex text round trip of query parameters.
 */
import { UnexpectedError } from '@heimdall/errors';
import type { ColumnSpec, InsertValue } from './database.ts';

const SIGNATURE = [0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00];
/** 2000-01-01T00:00:00Z, PostgreSQL's timestamp epoch, in ms and µs since the Unix epoch. */
const PG_EPOCH_MS = 946684800000;
const PG_EPOCH_US = 946684800000000n;
const utf8 = new TextEncoder();

function fail(column: ColumnSpec, value: InsertValue): never {
  const shown = value instanceof Uint8Array ? `${value.length} bytes` : String(value);
  throw new UnexpectedError(`column ${column.name} (${column.type}) cannot hold ${typeof value} ${shown}`);
}

function uuidBytes(column: ColumnSpec, value: string): Uint8Array {
  const hex = value.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) fail(column, value);
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Size in bytes of a fixed-width binary value, or -1 for variable width. */
const FIXED: Readonly<Record<ColumnSpec['type'], number>> = {
  int2: 2,
  int4: 4,
  int8: 8,
  float4: 4,
  float8: 8,
  bool: 1,
  uuid: 16,
  timestamptz: 8,
  text: -1,
  jsonb: -1,
  bytea: -1,
};

/** Encodes `rows` (values in `columns` order) as one binary COPY stream. */
export function encodeCopyBinary(
  columns: readonly ColumnSpec[],
  rows: readonly (readonly InsertValue[])[],
): Uint8Array {
  // First pass: variable-width values as bytes, and the total size.
  const varBytes: (Uint8Array | undefined)[] = [];
  let size = SIGNATURE.length + 8 + 2;
  for (const row of rows) {
    if (row.length !== columns.length)
      throw new UnexpectedError(`row has ${row.length} values for ${columns.length} columns`);
    size += 2;
    columns.forEach((c, i) => {
      const v = row[i] as InsertValue;
      size += 4;
      if (v === null) {
        varBytes.push(undefined);
        return;
      }
      const fixed = FIXED[c.type];
      if (fixed > 0) {
        size += fixed;
        varBytes.push(c.type === 'uuid' ? uuidBytes(c, typeof v === 'string' ? v : fail(c, v)) : undefined);
        return;
      }
      let bytes: Uint8Array;
      if (c.type === 'bytea') bytes = v instanceof Uint8Array ? v : fail(c, v);
      else if (typeof v !== 'string') fail(c, v);
      else if (c.type === 'jsonb') {
        const text = utf8.encode(v);
        bytes = new Uint8Array(text.length + 1);
        bytes[0] = 1; // jsonb binary format version
        bytes.set(text, 1);
      } else bytes = utf8.encode(v);
      size += bytes.length;
      varBytes.push(bytes);
    });
  }

  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  out.set(SIGNATURE, 0);
  let o = SIGNATURE.length + 8; // flags and header extension length: zero
  let k = 0;
  for (const row of rows) {
    dv.setInt16(o, columns.length);
    o += 2;
    columns.forEach((c, i) => {
      const v = row[i] as InsertValue;
      const bytes = varBytes[k++];
      if (v === null) {
        dv.setInt32(o, -1);
        o += 4;
        return;
      }
      const fixed = FIXED[c.type];
      dv.setInt32(o, fixed > 0 ? fixed : (bytes as Uint8Array).length);
      o += 4;
      switch (c.type) {
        case 'int2':
          if (typeof v !== 'number' || !Number.isInteger(v)) fail(c, v);
          dv.setInt16(o, v);
          break;
        case 'int4':
          if (typeof v !== 'number' || !Number.isInteger(v)) fail(c, v);
          dv.setInt32(o, v);
          break;
        case 'int8':
          if (typeof v === 'bigint') dv.setBigInt64(o, v);
          else if (typeof v === 'number' && Number.isSafeInteger(v)) dv.setBigInt64(o, BigInt(v));
          else fail(c, v);
          break;
        case 'float4':
          if (typeof v !== 'number') fail(c, v);
          dv.setFloat32(o, v);
          break;
        case 'float8':
          if (typeof v !== 'number') fail(c, v);
          dv.setFloat64(o, v);
          break;
        case 'bool':
          if (typeof v !== 'boolean') fail(c, v);
          dv.setUint8(o, v ? 1 : 0);
          break;
        case 'timestamptz':
          if (v instanceof Date && Number.isFinite(v.getTime()))
            dv.setBigInt64(o, BigInt(Math.round((v.getTime() - PG_EPOCH_MS) * 1000)));
          else if (typeof v === 'bigint') dv.setBigInt64(o, v - PG_EPOCH_US);
          else fail(c, v);
          break;
        default:
          out.set(bytes as Uint8Array, o);
      }
      o += fixed > 0 ? fixed : (bytes as Uint8Array).length;
    });
  }
  dv.setInt16(o, -1);
  return out;
}

/**
 * COPY data for PGlite's `/dev/blob`: a Blob of the bytes whose `arrayBuffer()` answers with the
 * bytes' own buffer. PGlite takes a query's blob with `arrayBuffer()` alone, and Node's Blob makes
 * that a stream of chunks read back and concatenated: at full ingest that was about a fifth of the
 * embedded database's thread. Every other Blob method reads the Blob's own copy, so it stays a
 * whole Blob. Nobody may write to `data` while it is in use.
 */
export class CopyDataBlob extends Blob {
  readonly #data: Uint8Array;

  constructor(data: Uint8Array) {
    super([data as Uint8Array<ArrayBuffer>]);
    this.#data = data;
  }

  override arrayBuffer(): Promise<ArrayBuffer> {
    const b = this.#data;
    const whole =
      b.buffer instanceof ArrayBuffer && b.byteOffset === 0 && b.byteLength === b.buffer.byteLength;
    return Promise.resolve(whole ? (b.buffer as ArrayBuffer) : (b.slice().buffer as ArrayBuffer));
  }
}
