/** The entry point `open()` uses: wrap a source in a DecompressedSource when it is an archive. */
import type { ByteSource } from '../core/byte-source.js';
import { DecompressedSource, type DecompressOptions } from './decompressed-source.js';
import { detectArchive, mayBeArchive, MAGIC_BYTES } from './detect.js';
import { readZipMember } from './zip.js';

/**
 * `source` itself when it is not compressed; otherwise a {@link DecompressedSource}
 * that decompresses lazily as it is read (gzip, bzip2, compress/.Z, xz, or a zip
 * file with one member, recognised by their magic bytes).
 * @example
 * const src = await maybeDecompress(await resolveSource('image.fits.bz2'), { maxRatio: 5000 });
 */
export async function maybeDecompress(source: ByteSource, opts: DecompressOptions = {}): Promise<ByteSource> {
  if (source.size < 4) return source;
  // Two bytes tell a FITS file (which starts with "SI") from every archive; read more only for a candidate.
  const first = (await source.read(0, 2)).slice();
  if (!mayBeArchive(first)) return source;
  const format = detectArchive(await source.read(0, Math.min(MAGIC_BYTES, source.size)));
  if (!format) return source;
  const label = source.name ?? 'the archive';
  const declared = format === 'zip' ? (await readZipMember(source, label)).size : undefined;
  return new DecompressedSource(source, format, opts, declared);
}

/** True for a source whose size is not known until it has been read to the end. */
export function isDecompressedSource(source: ByteSource): source is DecompressedSource {
  return source instanceof DecompressedSource;
}
