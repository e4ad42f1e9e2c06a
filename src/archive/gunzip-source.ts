/**
 * Whole-file gzip (`.fits.gz`, as astropy opens transparently): detected by
 * its magic bytes and decompressed into memory, with a size cap.
 */
import { FitsError } from '../core/errors.js';
import type { ByteSource } from '../core/byte-source.js';
import { MemorySource } from '../io/memory-source.js';

/** Most bytes a gzip-compressed file may expand to. */
export const MAX_GUNZIP_BYTES = 4 * 2 ** 30;

export async function maybeGunzip(source: ByteSource): Promise<ByteSource> {
  if (source.size < 18) return source;
  const head = await source.read(0, 2);
  if (head[0] !== 0x1f || head[1] !== 0x8b) return source;
  const { Inflate } = await import('pako'); // loaded only for gzip files
  const compressed = await source.read(0, source.size);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const inflater = new Inflate();
  inflater.onData = (chunk: Uint8Array) => {
    total += chunk.length;
    if (total > MAX_GUNZIP_BYTES) throw new FitsError('BAD_SIZE', `The gzip-compressed file expands to more than ${MAX_GUNZIP_BYTES} bytes.`);
    chunks.push(chunk);
  };
  inflater.push(compressed, true);
  if (inflater.err) throw new FitsError('CORRUPT_DATA', `The gzip-compressed file cannot be decompressed: ${inflater.msg}.`);
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  await source.close?.();
  return new MemorySource(bytes, source.name ?? 'gzip');
}
