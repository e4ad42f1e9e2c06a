/** The entry point `open()` uses: wrap a source in a DecompressedSource when it is an archive. */
import type { ByteSource } from '../core/byte-source.js';
import type { DecompressOptions } from './decompressed-source.js';
import { detectArchive, mayBeArchive, MAGIC_BYTES } from './detect.js';

/** A source whose size is known only once it has been read to the end (a DecompressedSource). */
export interface LazilySizedSource extends ByteSource {
  /** Whether `size` is final. */
  readonly sizeKnown: boolean;
  /** Decompress at most this many bytes (reads past them fail). */
  limit(maxBytes: number): void;
  /** The headers declare at least `end` bytes: checked as the stream is read. */
  expect(end: number): void;
  /** Read to the end, so that `size` is final. */
  finish(): Promise<void>;
}

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
  // The decoders are loaded only for an archive: reading a plain FITS file loads none of them.
  const { DecompressedSource } = await import('./decompressed-source.js');
  const declared = format === 'zip' ? (await (await import('./zip.js')).readZipMember(source, label)).size : undefined;
  return new DecompressedSource(source, format, opts, declared);
}

/** True for a source whose size is not known until it has been read to the end. */
export function isDecompressedSource(source: ByteSource): source is LazilySizedSource {
  const s = source as Partial<LazilySizedSource>;
  return typeof s.sizeKnown === 'boolean' && typeof s.finish === 'function' && typeof s.expect === 'function';
}
