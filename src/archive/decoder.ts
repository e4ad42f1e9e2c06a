/**
 * What every archive format module provides: a pull decoder that turns its
 * compressed input into output pieces of bounded size, one piece per call.
 */

/** The whole-file compression formats fitsflow reads. */
export type ArchiveFormat = 'gzip' | 'bzip2' | 'lzw' | 'xz' | 'zip';

/**
 * A forward-only decoder. Each call of `next()` returns the next piece of
 * decompressed bytes (at most a few MiB, so a decompression bomb cannot make
 * one call allocate more), or null at the end of the stream. Pieces are fresh
 * arrays or views that stay valid until the following call.
 * Corrupt or truncated input throws a FitsError (CORRUPT_DATA or TRUNCATED).
 */
export interface StreamDecoder {
  next(): Promise<Uint8Array | null>;
}
