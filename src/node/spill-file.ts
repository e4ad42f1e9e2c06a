/**
 * The spill file of HttpSource on Node (HttpSourceOptions.spill): where the
 * one streamed copy of a large file from a server that ignores Range is kept.
 * A private temporary file (0600, created exclusively), removed from its
 * folder as soon as it is open where the system allows (POSIX), so nothing
 * is left behind when the process dies; else removed on close.
 */
import { promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { FitsError } from '../core/errors.js';
import type { SpillFactory, SpillFile } from '../remote/http-source.js';

/** A SpillFactory making temporary files in `dir` (default: the system's temporary folder, $TMPDIR). */
export function tempSpillFactory(dir?: string): SpillFactory {
  return async (size) => {
    const path = join(dir ?? tmpdir(), `fitsflow-spill-${process.pid}-${randomBytes(8).toString('hex')}`);
    let fh: fsp.FileHandle;
    try {
      fh = await fsp.open(path, 'wx+', 0o600);
    } catch (e) {
      throw new FitsError('IO', `Could not make a temporary file for the ${size}-byte download (${(e as Error).message}); set TMPDIR to a folder with room.`, { cause: e });
    }
    const unlinked = await fsp.unlink(path).then(
      () => true,
      () => false,
    );
    const file: SpillFile = {
      async write(bytes, offset) {
        let at = 0;
        try {
          while (at < bytes.length) at += (await fh.write(bytes, at, bytes.length - at, offset + at)).bytesWritten;
        } catch (e) {
          throw new FitsError('IO', `Writing the temporary copy of a ${size}-byte download failed (${(e as Error).message}); set TMPDIR to a folder with room.`, { cause: e });
        }
      },
      async read(offset, length, into) {
        const out = into ? into.subarray(0, length) : new Uint8Array(length);
        let at = 0;
        while (at < length) {
          const { bytesRead } = await fh.read(out, at, length - at, offset + at);
          if (bytesRead === 0) throw new FitsError('IO', `The temporary copy of a download ended at byte ${offset + at}.`);
          at += bytesRead;
        }
        return out;
      },
      async close() {
        await fh.close().catch(() => {});
        if (!unlinked) await fsp.unlink(path).catch(() => {});
      },
    };
    return file;
  };
}
