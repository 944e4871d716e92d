/**
 * Just enough of the tar format for SigMF archives (`.sigmf`, POSIX.1-2001 tar): list the members
 * of an archive by reading only its 512-byte headers (data is never copied: callers read a member
 * in place at its offset), and write an archive by streaming files into it.
 *
 * Reads POSIX ustar (name + prefix), pax extended headers (`path`, `size`), GNU long names
 * (`L`) and GNU base-256 sizes. Header checksums are verified. Every malformed or truncated archive
 * is a {@link UserError} naming the archive and the byte where it went wrong.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { UserError } from '@heimdall/errors';
import { fileError, openForRead, readExactly } from './file-access.ts';

export const TAR_BLOCK = 512;
/** Largest pax header or GNU long name we accept (they hold a file name, not data). */
const MAX_EXTENSION_BYTES = 1024 * 1024;

export interface TarMember {
  /** Path inside the archive, `/`-separated, without a leading `./`. */
  readonly name: string;
  readonly type: 'file' | 'directory' | 'other';
  /** Bytes of data. */
  readonly size: number;
  /** Byte offset of the data inside the archive file. */
  readonly dataOffset: number;
}

function bad(source: string, at: number, problem: string): UserError {
  return new UserError(`${problem} (at byte ${at})`, {
    source,
    fix: 'the archive is damaged or not a tar file: re-create it, e.g. `tar -cf X.sigmf X/`',
  });
}

function cString(b: Uint8Array, start: number, length: number): string {
  let end = start;
  while (end < start + length && b[end] !== 0) end++;
  return new TextDecoder().decode(b.subarray(start, end));
}

/** An octal numeric field, or a GNU base-256 one (high bit of the first byte set). */
function numeric(
  b: Uint8Array,
  start: number,
  length: number,
  source: string,
  at: number,
  what: string,
): number {
  const first = b[start] as number;
  if ((first & 0x80) !== 0) {
    if ((first & 0x40) !== 0) throw bad(source, at, `negative ${what} in a tar header`);
    let v = first & 0x3f;
    for (let i = start + 1; i < start + length; i++) {
      v = v * 256 + (b[i] as number);
      if (v > Number.MAX_SAFE_INTEGER) throw bad(source, at, `${what} in a tar header is too large`);
    }
    return v;
  }
  const text = cString(b, start, length)
    .replace(/[ \0]+$/, '')
    .trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text))
    throw bad(source, at, `${what} field of a tar header is not octal (${JSON.stringify(text)})`);
  const v = parseInt(text, 8);
  if (!Number.isSafeInteger(v)) throw bad(source, at, `${what} in a tar header is too large`);
  return v;
}

function checksumOk(h: Uint8Array, stored: number): boolean {
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < TAR_BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : (h[i] as number);
    unsigned += b;
    signed += b >= 128 ? b - 256 : b;
  }
  return stored === unsigned || stored === signed;
}

/** Parses pax records `"<len> key=value\n"`. */
function paxRecords(data: Uint8Array, source: string, at: number): Map<string, string> {
  const out = new Map<string, string>();
  const dec = new TextDecoder();
  let i = 0;
  while (i < data.length) {
    if (data[i] === 0) break; // padding
    let j = i;
    while (j < data.length && j - i < 20 && (data[j] as number) >= 0x30 && (data[j] as number) <= 0x39) j++;
    if (j === i || data[j] !== 0x20) throw bad(source, at, 'malformed pax extended header');
    const len = Number(dec.decode(data.subarray(i, j)));
    if (len <= j - i + 1 || i + len > data.length || data[i + len - 1] !== 0x0a) {
      throw bad(source, at, 'malformed pax extended header record');
    }
    const record = dec.decode(data.subarray(j + 1, i + len - 1));
    const eq = record.indexOf('=');
    if (eq <= 0) throw bad(source, at, 'malformed pax extended header record');
    out.set(record.slice(0, eq), record.slice(eq + 1));
    i += len;
  }
  return out;
}

function cleanName(name: string): string {
  return name.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
}

/**
 * Lists the members of the tar archive open as `fd` (of `fileSize` bytes). Reads only headers.
 */
export function listTarMembers(fd: number, fileSize: number, source: string): TarMember[] {
  const members: TarMember[] = [];
  const h = new Uint8Array(TAR_BLOCK);
  let pos = 0;
  let longName: string | undefined;
  let pax = new Map<string, string>();
  let sawHeader = false;
  for (;;) {
    if (pos + TAR_BLOCK > fileSize) {
      if (pos === fileSize && sawHeader && longName === undefined && pax.size === 0) break; // no end blocks: tolerated
      throw bad(
        source,
        pos,
        sawHeader ? 'archive is truncated inside a header' : 'not a tar archive: too short',
      );
    }
    readExactly(fd, h, 0, TAR_BLOCK, pos, source);
    if (h.every((b) => b === 0)) {
      if (!sawHeader) throw bad(source, pos, 'not a tar archive: it starts with an empty block');
      break;
    }
    const stored = numeric(h, 148, 8, source, pos, 'checksum');
    if (!checksumOk(h, stored)) {
      throw bad(
        source,
        pos,
        sawHeader ? 'tar header checksum mismatch' : 'not a tar archive (no valid tar header)',
      );
    }
    sawHeader = true;
    const typeflag = String.fromCharCode(h[156] as number);
    const magic = cString(h, 257, 6);
    let size = numeric(h, 124, 12, source, pos, 'size');
    const dataOffset = pos + TAR_BLOCK;
    const paxSize = pax.get('size');
    if (paxSize !== undefined && typeflag !== 'x' && typeflag !== 'g') {
      if (!/^\d+$/.test(paxSize) || !Number.isSafeInteger(Number(paxSize))) {
        throw bad(source, pos, `invalid pax size ${JSON.stringify(paxSize)}`);
      }
      size = Number(paxSize);
    }
    if (dataOffset + size > fileSize) {
      throw bad(
        source,
        pos,
        `archive is truncated: a member needs ${size} bytes from byte ${dataOffset}, but the file ends at ${fileSize}`,
      );
    }
    const next = dataOffset + Math.ceil(size / TAR_BLOCK) * TAR_BLOCK;

    if (typeflag === 'x' || typeflag === 'g' || typeflag === 'L' || typeflag === 'K') {
      if (size > MAX_EXTENSION_BYTES)
        throw bad(source, pos, `tar extension header of ${size} bytes is too large`);
      const data = new Uint8Array(size);
      readExactly(fd, data, 0, size, dataOffset, source);
      if (typeflag === 'x') pax = paxRecords(data, source, pos);
      else if (typeflag === 'g')
        paxRecords(data, source, pos); // validated, global defaults ignored
      else if (typeflag === 'L') longName = cString(data, 0, data.length);
      pos = next;
      continue;
    }

    let name = cString(h, 0, 100);
    if (magic === 'ustar' && h[262] === 0) {
      const prefix = cString(h, 345, 155);
      if (prefix !== '') name = `${prefix}/${name}`;
    }
    if (longName !== undefined) name = longName;
    const paxPath = pax.get('path');
    if (paxPath !== undefined) name = paxPath;
    const type =
      typeflag === '0' || typeflag === '\0' || typeflag === '7'
        ? 'file'
        : typeflag === '5'
          ? 'directory'
          : 'other';
    members.push({ name: cleanName(name), type, size, dataOffset });
    longName = undefined;
    pax = new Map();
    pos = next;
  }
  return members;
}

/** Opens `path` and lists its members; closes the file again. */
export function readTarIndex(path: string): TarMember[] {
  const { fd, size } = openForRead(path, 'archive');
  try {
    return listTarMembers(fd, size, path);
  } finally {
    closeSync(fd);
  }
}

// ---------------------------------------------------------------------------------------------
// Writing

export interface TarEntry {
  /** Path inside the archive (`/`-separated). A trailing `/` or `data: 'directory'` makes a folder. */
  readonly name: string;
  /** File contents: bytes in memory, a file on disk to stream, or a folder. */
  readonly data: Uint8Array | { readonly file: string } | 'directory';
}

function writeOctal(h: Uint8Array, start: number, length: number, value: number): void {
  const s = value.toString(8).padStart(length - 1, '0');
  for (let i = 0; i < length - 1; i++) h[start + i] = s.charCodeAt(i);
  h[start + length - 1] = 0;
}

function writeText(h: Uint8Array, start: number, bytes: Uint8Array): void {
  h.set(bytes, start);
}

function header(nameBytes: Uint8Array, size: number, typeflag: string, mtime: number): Uint8Array {
  const h = new Uint8Array(TAR_BLOCK);
  writeText(h, 0, nameBytes.subarray(0, 100));
  writeOctal(h, 100, 8, typeflag === '5' ? 0o755 : 0o644);
  writeOctal(h, 108, 8, 0);
  writeOctal(h, 116, 8, 0);
  writeOctal(h, 124, 12, size);
  writeOctal(h, 136, 12, mtime);
  h.fill(0x20, 148, 156);
  h[156] = typeflag.charCodeAt(0);
  writeText(h, 257, new TextEncoder().encode('ustar\u000000'));
  let sum = 0;
  for (const b of h) sum += b;
  writeOctal(h, 148, 7, sum);
  h[155] = 0x20;
  return h;
}

function paxHeaderData(records: ReadonlyMap<string, string>): Uint8Array {
  const enc = new TextEncoder();
  let text = '';
  for (const [k, v] of records) {
    const body = ` ${k}=${v}\n`;
    const bodyLen = enc.encode(body).length;
    const digits = String(bodyLen).length;
    let len = bodyLen + digits;
    if (String(len).length !== digits) len = bodyLen + String(len).length;
    text += `${len}${body}`;
  }
  return enc.encode(text);
}

const MAX_OCTAL_SIZE = 0o77777777777;

/**
 * Writes a POSIX (pax) tar archive to `path`, streaming file entries in 1 MB pieces (constant
 * memory). Long names and sizes over 8 GiB get pax extended headers.
 */
export function writeTar(
  path: string,
  entries: readonly TarEntry[],
  mtime = Math.floor(Date.now() / 1000),
): void {
  let out: number;
  try {
    out = openSync(path, 'w');
  } catch (e) {
    throw fileError(e, path, 'archive');
  }
  const enc = new TextEncoder();
  const zeros = new Uint8Array(TAR_BLOCK);
  const put = (b: Uint8Array): void => {
    let done = 0;
    while (done < b.length) done += writeSync(out, b, done, b.length - done);
  };
  const pad = (size: number): void => {
    const r = size % TAR_BLOCK;
    if (r !== 0) put(zeros.subarray(0, TAR_BLOCK - r));
  };
  try {
    for (const entry of entries) {
      const isDir = entry.data === 'directory' || entry.name.endsWith('/');
      const name = isDir ? `${entry.name.replace(/\/+$/, '')}/` : entry.name;
      let source: { fd: number; size: number } | undefined;
      let size = 0;
      if (!isDir) {
        if (entry.data instanceof Uint8Array) size = entry.data.length;
        else if (typeof entry.data === 'object') {
          source = openForRead(entry.data.file, 'file');
          size = source.size;
        }
      }
      try {
        const nameBytes = enc.encode(name);
        const records = new Map<string, string>();
        if (nameBytes.length > 100) records.set('path', name);
        if (size > MAX_OCTAL_SIZE) records.set('size', String(size));
        if (records.size > 0) {
          const data = paxHeaderData(records);
          put(header(enc.encode(`PaxHeaders/${name}`.slice(0, 99)), data.length, 'x', mtime));
          put(data);
          pad(data.length);
        }
        put(header(nameBytes, size > MAX_OCTAL_SIZE ? 0 : size, isDir ? '5' : '0', mtime));
        if (entry.data instanceof Uint8Array) put(entry.data);
        else if (source !== undefined) {
          const buf = new Uint8Array(1 << 20);
          for (let at = 0; at < size;) {
            const n = Math.min(buf.length, size - at);
            readExactly(source.fd, buf, 0, n, at, (entry.data as { file: string }).file);
            put(buf.subarray(0, n));
            at += n;
          }
        }
        pad(size);
      } finally {
        if (source !== undefined) closeSync(source.fd);
      }
    }
    put(zeros);
    put(zeros);
  } catch (e) {
    throw fileError(e, path, 'archive');
  } finally {
    closeSync(out);
  }
}
