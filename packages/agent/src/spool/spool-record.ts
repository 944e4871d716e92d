/**
 * One spool record on disk: `u32 length | u32 CRC-32 of the payload | payload` (little-endian),
 * where the payload is one encoded frame (@heimdall/protocol). A record cut short by a crash or
 * holding other bytes than were written fails the length or CRC check, so the scan stops there and
 * the spool truncates the file: a torn record is dropped, never delivered.
 */
import { crc32 } from 'node:zlib';
import { MAX_FRAME_BYTES } from '@heimdall/protocol';

export const RECORD_HEADER_BYTES = 8;
/** Smallest frame: the 12-byte common header plus node id and sequence. */
const MIN_PAYLOAD_BYTES = 36;
const TWO_POW_32 = 4294967296;

/** Writes header + payload into a new buffer (one write call, so a record is one append). */
export function encodeRecord(payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(RECORD_HEADER_BYTES + payload.length);
  out.writeUInt32LE(payload.length, 0);
  out.writeUInt32LE(crc32(payload), 4);
  out.set(payload, RECORD_HEADER_BYTES);
  return out;
}

/** The sequence number an encoded spectrum or detections frame carries (u64 at byte 28). */
export function frameSequence(payload: Uint8Array): number {
  const dv = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  return dv.getUint32(28, true) + dv.getUint32(32, true) * TWO_POW_32;
}

export interface ScannedRecord {
  readonly sequence: number;
  /** Offset of the record header in the file. */
  readonly offset: number;
  /** Bytes of the whole record, header included. */
  readonly length: number;
}

export interface ScanResult {
  readonly records: ScannedRecord[];
  /** Bytes that hold whole, valid records; anything after is torn or corrupt. */
  readonly validBytes: number;
}

/** Reads every valid record of a segment's bytes, stopping at the first bad or short one. */
export function scanRecords(bytes: Uint8Array): ScanResult {
  const records: ScannedRecord[] = [];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  while (at + RECORD_HEADER_BYTES <= bytes.length) {
    const len = dv.getUint32(at, true);
    if (len < MIN_PAYLOAD_BYTES || len > MAX_FRAME_BYTES) break;
    const end = at + RECORD_HEADER_BYTES + len;
    if (end > bytes.length) break;
    const payload = bytes.subarray(at + RECORD_HEADER_BYTES, end);
    if (crc32(payload) !== dv.getUint32(at + 4, true)) break;
    records.push({ sequence: frameSequence(payload), offset: at, length: end - at });
    at = end;
  }
  return { records, validBytes: at };
}
