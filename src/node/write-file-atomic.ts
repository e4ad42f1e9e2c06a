/**
 * Node adapter: write a file atomically (a temporary file in the same folder,
 * flushed, then renamed over the target), so an interrupted write never
 * leaves a partial PNG where the output should be.
 */
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { FitsError } from '../core/errors.js';

/** Write `bytes` to `path` through a temporary file and a rename. */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let ok = false;
  try {
    const fh = await open(tmp, 'wx');
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
    ok = true;
  } catch (e) {
    throw new FitsError('IO', `Cannot write ${path}: ${e instanceof Error ? e.message : String(e)}. Check that its folder exists and is writable.`, { cause: e });
  } finally {
    if (!ok) await unlink(tmp).catch(() => {});
  }
}
