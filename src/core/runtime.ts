/**
 * What a runtime adds to the runtime-neutral core, passed explicitly: each
 * entry point (src/entries/*) composes one {@link Runtime} and hands it to
 * `open()`, which carries it to every reader of that file (HduContext.runtime).
 * Nothing is installed on import; a runtime without an adapter uses the
 * portable default named on each field.
 *
 * The accelerators (inflate, sha256) give results identical to the portable
 * code; only the speed differs.
 */
import type { ByteSource } from './byte-source.js';
import type { WorkerPool } from './worker-pool.js';

/**
 * Decompress a whole gzip (or zlib) stream, synchronously.
 *
 * Contract for every implementation:
 * - returns the complete decompressed stream, which may be shorter than
 *   `expectedSize` (the caller decides whether that is an error);
 * - throws `FitsError('CORRUPT_DATA')` if the stream is malformed, truncated,
 *   fails its checksum, or would produce more than `expectedSize` bytes, and
 *   stops decoding as soon as it knows, so a decompression bomb never
 *   allocates much more than `expectedSize` bytes;
 * - never modifies `src`.
 */
export type Inflater = ((src: Uint8Array, expectedSize: number) => Uint8Array) & {
  /**
   * Optional: decompress only the start of a stream whose whole output is
   * `expectedSize` bytes, for a reader that needs its first `bytes` bytes
   * (a section of a GZIP_1 tile).
   *
   * Contract: returns at least `bytes` bytes (possibly more, never more than
   * `expectedSize`), equal to the start of the whole output; throws
   * `FitsError('CORRUPT_DATA')` when the stream is malformed or ends before
   * `bytes`. What follows the bytes it decodes is not read, so corruption
   * there (or in the stream's checksum) goes unnoticed.
   */
  readonly prefix?: (src: Uint8Array, bytes: number, expectedSize: number) => Uint8Array;
};

/** An incremental SHA-256. */
export interface Hasher {
  /** Add bytes to the hash. */
  update(bytes: Uint8Array): void;
  /** Lower-case hex digest; the hasher cannot be used afterwards. */
  hex(): string;
}

/** Options a URL opener receives (the remote part of `open()`'s options). */
export type UrlOpenOptions = object;

/** The adapters of one runtime. Every field is optional. */
export interface Runtime {
  /** A short name for messages: 'node', 'web'. */
  readonly name: string;
  /** zlib inflater for GZIP tiles and `.gz` files (Node: node:zlib). Default: pako. */
  readonly inflate?: Inflater;
  /** SHA-256 for digests and cache keys (Node: node:crypto). Default: the pure-JS one. */
  readonly sha256?: () => Hasher;
  /** Opens a path or `file:` URL (Node, Deno, Bun). Default: paths are refused with a sentence saying to pass bytes or a Blob. */
  openPath?(path: string): Promise<ByteSource>;
  /**
   * Opens `http:`, `https:` and `s3:` URLs. Entries load the remote code on the
   * first call (a dynamic import), so `open()` of a local file never loads it.
   */
  openUrl?(url: string, scheme: string, options: UrlOpenOptions): Promise<ByteSource>;
  /**
   * The pool for parallel decoding and table gathering, started on first use
   * and kept by the runtime; null where the runtime has no workers or no
   * SharedArrayBuffer (then everything runs on the calling thread).
   */
  workerPool?(): WorkerPool | null;
  /** Number of workers the default pool starts (0: none). */
  readonly workerCount?: number;
  /** Stop the runtime's workers (they start again on the next parallel read). */
  close?(): Promise<void>;
}

/** A runtime with no adapters: pure JS, bytes and Blobs only. */
export const PORTABLE_RUNTIME: Runtime = { name: 'portable' };
