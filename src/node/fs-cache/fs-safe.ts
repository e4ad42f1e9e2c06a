/**
 * File access for the folder cache that never follows a symbolic link and
 * never blocks on a special file: whatever sits in the cache folder, a read
 * opens only regular files (O_NOFOLLOW: a link is refused, not followed;
 * O_NONBLOCK: opening a FIFO returns at once instead of waiting for a
 * writer), and folders are checked with lstat. Node-specific (node:fs).
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, promises as fsp, readSync, type Stats } from 'node:fs';

// Absent on Windows (no FIFOs to block on there; links are checked with lstat).
const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const O_NONBLOCK = constants.O_NONBLOCK ?? 0;
/** Flags of every read open in the cache folder. */
export const SAFE_READ_FLAGS = constants.O_RDONLY | O_NOFOLLOW | O_NONBLOCK;

/** What is at a path that should be a regular file: its descriptor, nothing, or something else (a link, FIFO, folder, device). */
export type OpenedFile = { fd: number; stats: Stats } | { missing: true } | { other: string };

function kindOf(st: Stats): string {
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

function code(e: unknown): string {
  return (e as NodeJS.ErrnoException)?.code ?? '';
}

/** Open `path` for reading if it is a regular file (not through a link; without blocking on a FIFO). */
export function openRegularSync(path: string): OpenedFile {
  let fd: number;
  try {
    fd = openSync(path, SAFE_READ_FLAGS);
  } catch (e) {
    const c = code(e);
    if (c === 'ENOENT' || c === 'ENOTDIR') return { missing: true };
    // ELOOP: a link (O_NOFOLLOW); ENXIO/EOPNOTSUPP: a socket or device.
    if (c === 'ELOOP' || c === 'EMLINK' || c === 'ENXIO' || c === 'EOPNOTSUPP' || c === 'EISDIR') {
      try {
        return { other: kindOf(lstatSync(path)) };
      } catch {
        return { missing: true };
      }
    }
    throw e;
  }
  let stats: Stats;
  try {
    stats = fstatSync(fd);
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  if (!stats.isFile()) {
    closeSync(fd);
    return { other: kindOf(stats) };
  }
  return { fd, stats };
}

/** A small regular file's bytes (at most `max`), or null if it is missing, not a regular file, larger, or unreadable. */
export function readSmallFileSync(path: string, max: number): Uint8Array | null {
  let opened: OpenedFile;
  try {
    opened = openRegularSync(path);
  } catch {
    return null;
  }
  if (!('fd' in opened)) return null;
  try {
    if (opened.stats.size > max) return null;
    const out = Buffer.allocUnsafe(opened.stats.size);
    let at = 0;
    while (at < out.length) {
      const n = readSync(opened.fd, out, at, out.length - at, at);
      if (n === 0) break;
      at += n;
    }
    return out.subarray(0, at);
  } catch {
    return null;
  } finally {
    closeSync(opened.fd);
  }
}

/** The async form of openRegularSync (the folder walks of verify, stats and eviction). */
export async function openRegular(path: string): Promise<{ fh: fsp.FileHandle; stats: Stats } | { missing: true } | { other: string }> {
  let fh: fsp.FileHandle;
  try {
    fh = await fsp.open(path, SAFE_READ_FLAGS);
  } catch (e) {
    const c = code(e);
    if (c === 'ENOENT' || c === 'ENOTDIR') return { missing: true };
    if (c === 'ELOOP' || c === 'EMLINK' || c === 'ENXIO' || c === 'EOPNOTSUPP' || c === 'EISDIR') {
      const st = await fsp.lstat(path).catch(() => null);
      return st ? { other: kindOf(st) } : { missing: true };
    }
    throw e;
  }
  const stats = await fh.stat().catch(async (e: unknown) => {
    await fh.close();
    throw e;
  });
  if (!stats.isFile()) {
    await fh.close();
    return { other: kindOf(stats) };
  }
  return { fh, stats };
}

/** The async form of readSmallFileSync. */
export async function readSmallFile(path: string, max: number): Promise<Uint8Array | null> {
  let opened: Awaited<ReturnType<typeof openRegular>>;
  try {
    opened = await openRegular(path);
  } catch {
    return null;
  }
  if (!('fh' in opened)) return null;
  try {
    if (opened.stats.size > max) return null;
    const out = Buffer.allocUnsafe(opened.stats.size);
    let at = 0;
    while (at < out.length) {
      const { bytesRead } = await opened.fh.read(out, at, out.length - at, at);
      if (bytesRead === 0) break;
      at += bytesRead;
    }
    return out.subarray(0, at);
  } catch {
    return null;
  } finally {
    await opened.fh.close();
  }
}

/** What is at `path` if it is not a real folder (a link to one counts as a link): 'missing', a description, or null for a folder. */
export function notAFolderSync(path: string): string | null {
  try {
    const st = lstatSync(path);
    return st.isDirectory() ? null : kindOf(st);
  } catch (e) {
    if (code(e) === 'ENOENT' || code(e) === 'ENOTDIR') return 'missing';
    throw e;
  }
}
