/**
 * File-system failures turned into the error kinds of `@heimdall/errors`: a path the user got wrong
 * (missing, a folder, no permission) is a {@link UserError} naming the path and the fix; anything
 * else (disk errors) is an {@link OperationalError}.
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { OperationalError, UserError } from '@heimdall/errors';

/** A path or name as it may appear in a one-line message: control characters escaped. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function errnoCode(e: unknown): string | undefined {
  if (typeof e === 'object' && e !== null && 'code' in e) {
    const code = (e as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/**
 * Maps an error thrown by `node:fs` for `path` to a Heimdall error. `what` names the file in the
 * message ("data file", "metadata file", ...); `source` and `field` say where the path came from.
 */
export function fileError(
  e: unknown,
  path: string,
  what: string,
  where: { source?: string; field?: string; fix?: string } = {},
): Error {
  if (e instanceof UserError || e instanceof OperationalError) return e;
  const source = where.source ?? path;
  const shown = printable(path);
  const base = { source, ...(where.field === undefined ? {} : { field: where.field }), cause: e };
  switch (errnoCode(e)) {
    case 'ENOENT':
      return new UserError(`${what} ${shown} does not exist`, {
        ...base,
        fix: where.fix ?? 'check the path and the file name',
      });
    case 'ENOTDIR':
      return new UserError(`${what} ${shown} is not reachable: a part of the path is not a folder`, {
        ...base,
        fix: where.fix ?? 'check the path',
      });
    case 'EISDIR':
      return new UserError(`${what} ${shown} is a folder, not a file`, {
        ...base,
        fix: 'name the file inside the folder',
      });
    case 'EACCES':
    case 'EPERM':
      return new UserError(`${what} ${shown} cannot be opened: permission denied`, {
        ...base,
        fix: 'make the file readable (or writable) by this user',
      });
    case 'ENAMETOOLONG':
    case 'ELOOP':
      return new UserError(`${what} ${shown} cannot be opened (${errnoCode(e)})`, {
        ...base,
        fix: 'check the path',
      });
    default:
      return new OperationalError(`${what} ${shown}: ${e instanceof Error ? e.message : String(e)}`, {
        cause: e,
        retryable: false,
      });
  }
}

/** Whether `path` names an existing regular file (never throws). */
export function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Opens `path` for reading and returns the descriptor and size; refuses folders. */
export function openForRead(
  path: string,
  what: string,
  where: { source?: string; field?: string; fix?: string } = {},
): { fd: number; size: number } {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw fileError(e, path, what, where);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    return { fd, size: st.size };
  } catch (e) {
    closeSync(fd);
    throw fileError(e, path, what, where);
  }
}

/**
 * Reads exactly `length` bytes at `position` into `buf[offset..]`. A file that ends early (it was
 * truncated while being read) is a {@link UserError}.
 */
export function readExactly(
  fd: number,
  buf: Uint8Array,
  offset: number,
  length: number,
  position: number,
  path: string,
): void {
  let done = 0;
  while (done < length) {
    let n: number;
    try {
      n = readSync(fd, buf, offset + done, length - done, position + done);
    } catch (e) {
      throw fileError(e, path, 'file');
    }
    if (n === 0) {
      throw new UserError(`${path} ended at byte ${position + done}, before the ${length} bytes expected`, {
        source: path,
        fix: 'the file was shortened while being read: do not modify it while Heimdall reads it',
      });
    }
    done += n;
  }
}
