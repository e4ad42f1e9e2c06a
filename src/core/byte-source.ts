/**
 * The one I/O interface: everything above src/io knows only ByteSource.
 *
 * A ByteSource is a random-access, read-only sequence of bytes of known size.
 * Files, memory, Blobs, HTTP and caches are adapters implementing it.
 */
export interface ByteSource {
  /** Total size in bytes. */
  readonly size: number;
  /**
   * Read `length` bytes starting at `offset`. Must return exactly
   * `min(length, size - offset)` bytes. The returned array may be a view into a
   * shared buffer: callers copy what they keep past the next read unless
   * `into` was given.
   * @param into optional destination; when given, bytes are written there and
   *   it (or a subarray of it) is returned.
   */
  read(offset: number, length: number, into?: Uint8Array): Promise<Uint8Array>;
  /** Release resources (file handles, sockets). Idempotent. */
  close?(): Promise<void>;
  /** A short description for messages (a path or URL). */
  readonly name?: string;
}

/**
 * What identifies the bytes of a remote file: its URL, size and validators.
 * Remote sources expose it as `identity`; caches key their blocks by it.
 */
export interface SourceIdentity {
  url: string;
  size: number;
  /** The ETag as sent by the server (with its `W/` prefix if weak), or null. */
  etag: string | null;
  lastModified: string | null;
}

/** A byte range [offset, offset + length). */
export interface ByteRange {
  offset: number;
  length: number;
}
