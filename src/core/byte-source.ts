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
  /**
   * Lend the source to worker threads: a structured-clonable handle with
   * which a worker reads the same bytes itself (see {@link SharedReadHandle}),
   * or undefined when this source cannot be read from another thread. The
   * source stays readable through the handle until `release()` is called,
   * even if `close()` is called meanwhile (the close then completes on release).
   */
  lend?(): SourceLoan | undefined;
}

/**
 * How a worker thread reads a lent source: `kind` says which reader the
 * worker's runtime uses ('node-fd': a file descriptor of this process;
 * 'memory': bytes on a SharedArrayBuffer).
 */
export interface SharedReadHandle {
  kind: string;
  /** Bytes readable through the handle. */
  size: number;
  [field: string]: unknown;
}

/** A source lent to workers (see {@link ByteSource.lend}). */
export interface SourceLoan {
  handle: SharedReadHandle;
  /** The workers are done with the handle. Idempotent. */
  release(): void;
}

/** A synchronous positioned read, as workers get from a {@link SharedReadHandle}: fills `into` with the bytes at `offset`, returns how many it read. */
export type SyncReadInto = (offset: number, into: Uint8Array) => number;

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
